"""R7: priority groups, membership and precedence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.domain import PRECEDENCE, handling_group, is_minor_on
from intake.domain.priority import memberships
from shared.contracts.values import PriorityGroup


@pytest.mark.parametrize(
    ("born", "on", "minor"),
    [
        (date(2008, 6, 12), date(2026, 6, 11), True),  # the day before the 18th birthday
        (date(2008, 6, 12), date(2026, 6, 12), False),  # the 18th birthday
        (date(2008, 6, 12), date(2026, 6, 13), False),
        (date(2008, 2, 29), date(2026, 2, 28), True),  # born on a leap day
        (date(2008, 2, 29), date(2026, 3, 1), False),
        (date(2025, 1, 1), date(2026, 6, 12), True),
        (date(1970, 1, 1), date(2026, 6, 12), False),
    ],
)
def test_minor_means_under_18_on_the_date(born: date, on: date, minor: bool) -> None:
    assert is_minor_on(born, on) is minor


@settings(deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 40_000))
def test_minority_ends_once_and_for_all(born: date, days: int) -> None:
    """Monotonic: once an adult on some day, an adult on every later day."""
    on = date.fromordinal(born.toordinal() + days)
    later = date.fromordinal(on.toordinal() + 1)
    if not is_minor_on(born, on):
        assert not is_minor_on(born, later)
    assert is_minor_on(born, born)


def test_an_unaccompanied_minor_needs_both_conditions() -> None:
    amv = PriorityGroup.UNACCOMPANIED_MINOR
    flags = {"nuisance": False, "former_safe_country": False}
    assert amv in memberships(minor_on_lodging=True, unaccompanied=True, **flags)
    assert amv not in memberships(minor_on_lodging=True, unaccompanied=False, **flags)
    assert amv not in memberships(minor_on_lodging=False, unaccompanied=True, **flags)


def test_every_applicable_group_is_a_membership() -> None:
    assert memberships(
        nuisance=True, minor_on_lodging=True, unaccompanied=True, former_safe_country=True
    ) == frozenset(PriorityGroup)
    assert (
        memberships(
            nuisance=False, minor_on_lodging=False, unaccompanied=False, former_safe_country=False
        )
        == frozenset()
    )


def test_precedence_nuisance_then_minor_then_former_safe_country() -> None:
    assert PRECEDENCE == (
        PriorityGroup.NUISANCE,
        PriorityGroup.UNACCOMPANIED_MINOR,
        PriorityGroup.FORMER_SAFE_COUNTRY,
    )
    assert handling_group(set(PriorityGroup)) is PriorityGroup.NUISANCE
    assert (
        handling_group({PriorityGroup.UNACCOMPANIED_MINOR, PriorityGroup.FORMER_SAFE_COUNTRY})
        is PriorityGroup.UNACCOMPANIED_MINOR
    )
    assert handling_group(set()) is None


@given(st.sets(st.sampled_from(list(PriorityGroup))))
def test_the_handling_group_is_a_membership_that_no_other_membership_outranks(
    groups: set[PriorityGroup],
) -> None:
    chosen = handling_group(groups)
    if not groups:
        assert chosen is None
        return
    assert chosen in groups
    assert all(PRECEDENCE.index(chosen) <= PRECEDENCE.index(other) for other in groups)
