"""Suspending the legal clock (opschorting): the deadline moves by the suspended days, exactly,
across month ends and leap days, together with extensions in either order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from intake.domain import (
    DEFAULT_TERMS,
    DeadlineChanged,
    DeadlineChangeReason,
    DeadlineSuspensionGranted,
    ExtensionGround,
    IntakeCase,
    Procedure,
    Refusal,
    RefusalKind,
    extend,
    legal_deadline,
    suspend,
    suspend_deadline,
)

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
MakeCase = Callable[..., IntakeCase]
AWB = "Awb art. 4:15(1)(a)"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lodged", "days", "due"),
    [
        # 6 months from 31 August is 28 February 2027 (clamped); 3 days on: 3 March.
        (date(2026, 8, 31), 3, date(2027, 3, 3)),
        # 6 months from 31 August 2027 is 29 February 2028 (a leap day); 1 day on: 1 March.
        (date(2027, 8, 31), 1, date(2028, 3, 1)),
        # Into the leap day itself: 28 February 2028 + 1.
        (date(2027, 8, 28), 1, date(2028, 2, 29)),
        # Across a year end: 15 December 2026 + 20 days.
        (date(2026, 6, 15), 20, date(2027, 1, 4)),
    ],
)
def test_a_suspension_adds_calendar_days_across_month_ends_and_leap_days(
    lodged: date, days: int, due: date
) -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(lodged))
    suspended = suspend(deadline, days, AWB)
    assert suspended.due == due
    assert suspended.basis == f"Reg. (EU) 2024/1348 art. 35(4) + {AWB}"


def test_suspension_and_extension_give_the_same_deadline_in_either_order() -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 8, 31)))
    first_suspended = extend(suspend(deadline, 10, AWB), 1, ExtensionGround.COMPLEX_CASE)
    first_extended = suspend(extend(deadline, 1, ExtensionGround.COMPLEX_CASE), 10, AWB)
    # 7 months from 31 August 2026 is 31 March 2027; the 10 days come after the months.
    assert first_suspended.due == first_extended.due == date(2027, 4, 10)
    assert len(first_suspended.suspensions) == 1
    assert len(first_suspended.extensions) == 1


def test_two_suspensions_add_up() -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 7, 1)))
    twice = suspend(suspend(deadline, 10, AWB), 5, "Awb art. 4:15(2)(b)")
    assert twice.due == date(2027, 1, 16)
    assert twice.basis.count(" + ") == 2


def test_the_border_decision_due_moves_with_the_deadline() -> None:
    deadline = legal_deadline(
        Procedure.PACT_BORDER, at(date(2026, 7, 1)), registered_at=at(date(2026, 7, 1))
    )
    assert deadline.decision_due is not None
    suspended = suspend(deadline, 7, AWB, DEFAULT_TERMS)
    assert suspended.due == date(2026, 9, 30)
    assert suspended.decision_due == date(2026, 8, 5)


def test_a_suspension_is_a_deadline_change_with_its_reason(registered: MakeCase) -> None:
    case = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    request = DeadlineSuspensionGranted(days=14, basis=AWB, note="documents from abroad")
    decision = suspend_deadline("case-001", case, request, now=NOW)
    (changed,) = decision.outcomes
    assert isinstance(changed, DeadlineChanged)
    assert (changed.old_deadline, changed.new_deadline) == (date(2027, 1, 1), date(2027, 1, 15))
    assert changed.reason is DeadlineChangeReason.SUSPENSION
    assert AWB in changed.basis
    assert "abroad" not in changed.model_dump_json()  # the note stays with intake
    assert decision.case.deadline.due == date(2027, 1, 15)


def test_a_suspension_after_the_deadline_is_refused(registered: MakeCase) -> None:
    case = registered()  # lodged March 2025: the national term ended in September 2025
    with pytest.raises(Refusal) as refusal:
        suspend_deadline("case-001", case, DeadlineSuspensionGranted(days=3, basis=AWB), now=NOW)
    assert refusal.value.kind is RefusalKind.DEADLINE_ALREADY_PASSED


def test_a_suspension_of_an_unknown_case_is_refused() -> None:
    with pytest.raises(Refusal) as refusal:
        suspend_deadline("case-404", None, DeadlineSuspensionGranted(days=3, basis=AWB), now=NOW)
    assert refusal.value.kind is RefusalKind.UNKNOWN_CASE
