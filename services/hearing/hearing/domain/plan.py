"""The hearing plan of a case: from its category, priority group and prephase results.

- A: a short, targeted hearing.
- B: waived when prephase marked the case eligible (group membership established: prephase
  owns that rule). Otherwise heard (a negative finding moves it to D through intake, R8).
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


def waiver_eligible(prephase: PrephaseResult | None) -> bool:
    """Prephase marked the case eligible for a waiver (its rule: a consistent language
    indication, an origin not in doubt, no 1F/NV indication); hearing decides on that fact."""
    return prephase is not None and prephase.waiver_eligible


def negative_finding(prephase: PrephaseResult | None) -> bool:
    """A finding that makes a category-B case heard whatever a caseworker says (R8): an
    inconsistent language indication, doubt about origin or a 1F/NV signal."""
    return prephase is not None and (
        prephase.language_indication is LanguageIndicationResult.INCONSISTENT
        or prephase.origin is OriginFinding.DOUBTFUL
        or prephase.exclusion_signal
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
    if case.category is Category.B and waiver_eligible(case.prephase):
        return Plan(mode=Mode.WAIVED, format=None, room=room)
    if case.category.value in config.written_categories:
        return Plan(mode=Mode.WRITTEN, format=None, room=room)
    return Plan(mode=Mode.ORAL, format=CATEGORY_FORMATS[case.category], room=room)
