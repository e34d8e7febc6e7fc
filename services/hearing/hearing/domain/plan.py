"""The hearing plan of a case: from its category, priority group and prephase results.

- A: a short, targeted hearing.
- B: waived when the prephase establishes group membership: no negative language indication,
  no doubt about origin, no 1F/NV signal. Otherwise heard (intake moves it to D, R8).
- C and D: a targeted hearing with a format per motive.
- Outside the categories, Pact cases and priority groups (R7): the configured format.
- A written hearing for the configured categories (the caseworker sends the questions).
"""

from __future__ import annotations

from hearing.domain.case import HearingCase, HearingConfig, Mode, Plan, PrephaseResult
from shared.contracts.events.hearing import HearingFormat, HearingRoom
from shared.contracts.events.prephase import LanguageIndicationResult, OriginFinding
from shared.contracts.values import Category, PriorityGroup

CATEGORY_FORMATS = {
    Category.A: HearingFormat.SHORT_TARGETED,
    Category.B: HearingFormat.TARGETED_PER_MOTIVE,
    Category.C: HearingFormat.TARGETED_PER_MOTIVE,
    Category.D: HearingFormat.TARGETED_PER_MOTIVE,
    Category.OUTSIDE: HearingFormat.FULL,
}


def group_membership_established(prephase: PrephaseResult | None) -> bool:
    """Category B needs no hearing when the prephase found nothing against the group (R8)."""
    return (
        prephase is not None
        and prephase.language_indication is not LanguageIndicationResult.INCONSISTENT
        and prephase.origin is not OriginFinding.DOUBTFUL
        and not prephase.exclusion_signal
    )


def plan_for(case: HearingCase, config: HearingConfig) -> Plan:
    room = (
        HearingRoom.CHILD_FRIENDLY
        if case.priority_group is PriorityGroup.UNACCOMPANIED_MINOR
        else HearingRoom.STANDARD
    )
    if case.priority_group is not None:
        return Plan(mode=Mode.ORAL, format=config.priority_formats[case.priority_group], room=room)
    if case.category is None:
        return Plan(mode=Mode.ORAL, format=config.pact_format, room=room)
    if case.category is Category.B and group_membership_established(case.prephase):
        return Plan(mode=Mode.WAIVED, format=None, room=room)
    if case.category.value in config.written_categories:
        return Plan(mode=Mode.WRITTEN, format=None, room=room)
    return Plan(mode=Mode.ORAL, format=CATEGORY_FORMATS[case.category], room=room)
