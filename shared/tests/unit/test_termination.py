"""The driver's rule for 'the day is over': two consecutive all-idle rounds, no counter moved."""

from __future__ import annotations

import pytest

from shared.tools.simulation import Termination


def test_the_first_round_never_settles_a_day() -> None:
    rule = Termination(["echo", "tally"])
    assert not rule.settled({"echo": (0, 0), "tally": (0, 0)})
    assert rule.settled({"echo": (0, 0), "tally": (0, 0)})


def test_any_counter_that_moved_asks_for_another_round() -> None:
    rule = Termination(["echo", "tally"])
    rule.settled({"echo": (4, 2), "tally": (2, 1)})
    assert not rule.settled({"echo": (4, 3), "tally": (2, 1)})  # echo published
    assert not rule.settled({"echo": (4, 3), "tally": (3, 1)})  # tally consumed it
    assert not rule.settled({"echo": (4, 3), "tally": (3, 2)})  # and answered
    assert not rule.settled({"echo": (5, 3), "tally": (3, 2)})  # echo read the answer
    assert rule.settled({"echo": (5, 3), "tally": (3, 2)})


def test_a_quiet_round_after_the_last_round_of_yesterday_ends_today_at_once() -> None:
    rule = Termination(["echo"])
    rule.settled({"echo": (1, 1)})
    assert rule.settled({"echo": (1, 1)})  # yesterday over
    assert rule.settled({"echo": (1, 1)})  # today's timers did nothing: one round


def test_a_restarted_service_whose_counters_started_over_is_not_taken_for_quiet() -> None:
    rule = Termination(["echo"])
    rule.settled({"echo": (7, 3)})
    assert not rule.settled({"echo": (7, 0)})  # published counts from its start


def test_a_round_without_every_service_is_refused() -> None:
    rule = Termination(["echo", "tally"])
    with pytest.raises(ValueError, match="tally"):
        rule.settled({"echo": (0, 0)})


def test_answers_from_services_not_expected_do_not_count() -> None:
    rule = Termination(["echo"])
    rule.settled({"echo": (1, 1), "stranger": (0, 0)})
    assert rule.settled({"echo": (1, 1), "stranger": (9, 9)})


def test_forgetting_starts_over() -> None:
    rule = Termination(["echo"])
    rule.settled({"echo": (1, 1)})
    rule.forget()
    assert not rule.settled({"echo": (1, 1)})
