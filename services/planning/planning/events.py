"""Planning's own state as the plan-level events it publishes."""

from __future__ import annotations

from planning.domain.config import PlanningConfig
from planning.domain.cycles import ALL, expected_decisions
from planning.domain.model import NO_PRIORITY, Cycle
from shared.contracts.events.planning import (
    CohortSelection,
    PlanCycleOpened,
    PlannedCohort,
    WeeklyDecisions,
)


def cycle_opened(cycle: Cycle, config: PlanningConfig) -> PlanCycleOpened | None:
    """The cycle as opened or re-planned; None for a cycle without cases (nothing to open)."""
    cohorts = [c for c in cycle.cohorts if c.planned]
    if not cohorts:
        return None
    by_category: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for c in cohorts:
        by_category.setdefault(c.category, [])
        if c.nationality != ALL and ALL not in by_category[c.category]:
            by_category[c.category].append(c.nationality)
        else:
            by_category[c.category] = [ALL]
        counts[c.category] = counts.get(c.category, 0) + c.planned
    selections = tuple(
        CohortSelection(
            category=category,  # type: ignore[arg-type]
            nationalities=() if ALL in nationalities else tuple(sorted(nationalities)),
            max_cases=counts[category],
        )
        for category, nationalities in sorted(by_category.items())
    )
    return PlanCycleOpened(
        starts_on=cycle.starts_on,
        ends_on=cycle.ends_on,
        selections=selections,
        planned_cases=cycle.planned,
        expected_grant_rate=cycle.expected_grant_rate,
        revision=cycle.revision,
        reason=cycle.origin.value,
        cohorts=tuple(
            PlannedCohort(
                cohort=c.cohort_id,
                category=c.category,
                nationality=None if c.nationality == ALL else c.nationality,
                priority=c.rank < NO_PRIORITY,
                cases=c.planned,
            )
            for c in cohorts
        ),
        expected_decisions=tuple(
            WeeklyDecisions(week_of=week, category=category, decisions=n)
            for week, category, n in expected_decisions(cycle, config)
        ),
        appeal_share=config.appeal_share,
    )
