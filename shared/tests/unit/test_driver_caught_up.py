"""With exact ends, the driver ends a day in the round whose answers have every service
committed up to the ends its producers reported (instead of one more round that only confirms
it, and without asking the broker for ends)."""

from __future__ import annotations

from datetime import date

from shared.contracts.events.clock import ClockAcknowledged
from shared.runtime.settings import Settings
from shared.tools.simulation import SimulationDriver

DAY = date(2026, 10, 5)


def ack(
    service: str, positions: dict[str, int] | None, produced: dict[str, int] | None = None
) -> ClockAcknowledged:
    return ClockAcknowledged(
        service=service,
        day=DAY,
        round=0,
        consumed=sum((positions or {}).values()),
        published=0,
        timers_run=0,
        positions=positions,
        produced={} if produced is None and positions is not None else produced,
    )


def driver(*services: str, exact: bool = True) -> SimulationDriver:
    return SimulationDriver(Settings(), services, exact_ends=exact)


def test_every_reader_at_the_ends_its_writers_reported_ends_the_day() -> None:
    d = driver("echo", "tally")
    d.published({"in/0": 4})  # the outside world's input
    answers = {
        "echo": ack("echo", {"in/0": 4, "back/0": 2}, produced={"out/0": 7}),
        "tally": ack("tally", {"out/0": 7}, produced={"back/0": 2}),
    }
    assert d._caught_up(answers)
    assert d.ends == {"in/0": 4, "out/0": 7, "back/0": 2}


def test_a_record_written_after_its_reader_answered_asks_another_round() -> None:
    # echo wrote its 7th record to out after tally had answered at 6.
    d = driver("echo", "tally")
    answers = {
        "echo": ack("echo", {"in/0": 0}, produced={"out/0": 7}),
        "tally": ack("tally", {"out/0": 6}),
    }
    assert not d._caught_up(answers)
    # The next round's tick names the end, so tally answers once it has committed up to it.
    assert d.ends["out/0"] == 7


def test_input_published_but_not_yet_handled_asks_another_round() -> None:
    d = driver("echo")
    d.published({"in/1": 3})
    assert not d._caught_up({"echo": ack("echo", {"in/1": 2})})
    assert d._caught_up({"echo": ack("echo", {"in/1": 3})})


def test_two_readers_of_one_partition_are_each_checked() -> None:
    d = driver("echo", "tally")
    d.published({"in/0": 4})
    assert d._caught_up({"echo": ack("echo", {"in/0": 4}), "tally": ack("tally", {"in/0": 4})})
    assert not d._caught_up({"echo": ack("echo", {"in/0": 4}), "tally": ack("tally", {"in/0": 3})})


def test_ends_only_grow() -> None:
    d = driver("echo")
    d.published({"in/0": 5})
    d.published({"in/0": 3})  # a restarted relay knows less than was written
    assert d.ends["in/0"] == 5


def test_answers_without_offsets_or_without_exact_ends_leave_it_to_the_counters() -> None:
    d = driver("echo", "tally")
    assert not d._caught_up({"echo": ack("echo", {}), "tally": ack("tally", None)})
    assert not driver("echo", exact=False)._caught_up({"echo": ack("echo", {})})


def test_the_first_tick_names_no_ends_until_the_answers_told_them() -> None:
    d = driver("echo")
    assert not d._ends_known  # the first round's followers ask the broker
    assert d._caught_up({"echo": ack("echo", {}, produced={"out/0": 1})})
    assert d._ends_known


def test_a_later_round_asks_only_the_services_short_of_an_end() -> None:
    d = driver("echo", "tally", "quiet")
    assert d._asked(DAY) is None  # nobody has answered today: everyone (their timers run)
    d._latest = {
        "echo": ack("echo", {"in/0": 0}, produced={"out/0": 7}),
        "tally": ack("tally", {"out/0": 6}),
        "quiet": ack("quiet", {"other/0": 3}),
    }
    d._latest_day = DAY
    assert not d._caught_up(d._latest)
    assert d._asked(DAY) == ["tally"]  # echo and quiet have had nothing since they answered
    d.published({"in/0": 2})  # the people act: echo has input again
    assert d._asked(DAY) == ["echo", "tally"]
    assert d._asked(date(2026, 10, 6)) is None  # a new day asks everyone again


def test_without_exact_ends_every_round_asks_everyone() -> None:
    d = driver("echo", "tally", exact=False)
    d._latest = {"echo": ack("echo", {"in/0": 0}), "tally": ack("tally", {"out/0": 0})}
    d._latest_day = DAY
    d.published({"in/0": 5})
    assert d._asked(DAY) is None
