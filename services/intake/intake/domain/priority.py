"""Priority groups handled before the categories (R7).

A case can be a member of several groups at once; it is *handled* in one, the first of
``PRECEDENCE`` it is a member of:

1. nuisance-causing applicants (overlastgevend): R7 gives them the highest priority and the
   accelerated procedure, so they come first;
2. unaccompanied minors (AMV): special team, location and hearing rooms;
3. former safe countries of origin: priority only, nothing else changes.

Memberships are kept separately, so an unaccompanied minor who is handled as nuisance still
has the AMV safeguards and still counts in the separate AMV progress report (R14).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from intake.domain.dates import anniversary
from shared.contracts.values import PriorityGroup

PRECEDENCE: tuple[PriorityGroup, ...] = (
    PriorityGroup.NUISANCE,
    PriorityGroup.UNACCOMPANIED_MINOR,
    PriorityGroup.FORMER_SAFE_COUNTRY,
)
AGE_OF_MAJORITY = 18


def is_minor_on(date_of_birth: date, on: date) -> bool:
    """Under 18 on ``on``: the 18th birthday itself is the first day of adulthood."""
    return on < anniversary(date_of_birth, AGE_OF_MAJORITY)


def memberships(
    *, nuisance: bool, minor_on_lodging: bool, unaccompanied: bool, former_safe_country: bool
) -> frozenset[PriorityGroup]:
    """The groups an application belongs to at registration.

    An unaccompanied minor (AMV) is a minor *on the lodging date* who is unaccompanied; an
    applicant who turns 18 later stays in the group (the lodging date fixes it).
    """
    groups = set()
    if nuisance:
        groups.add(PriorityGroup.NUISANCE)
    if minor_on_lodging and unaccompanied:
        groups.add(PriorityGroup.UNACCOMPANIED_MINOR)
    if former_safe_country:
        groups.add(PriorityGroup.FORMER_SAFE_COUNTRY)
    return frozenset(groups)


def handling_group(groups: Iterable[PriorityGroup]) -> PriorityGroup | None:
    """The group a case is handled in: the first of PRECEDENCE it belongs to, if any."""
    present = set(groups)
    return next((group for group in PRECEDENCE if group in present), None)
