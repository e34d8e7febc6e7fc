"""A stage that cannot place a released case: planning counts what the case will still need."""

from __future__ import annotations

from datetime import date

from planning.domain.config import PlanningConfig
from planning.domain.model import PoolCase
from planning.domain.placement import PlacementState, could_not_place, taken_into_replan
from shared.contracts.events.planning import PlacementProblem, ReleaseStage, StageCouldNotPlace
from shared.contracts.values import Category, Stream

CONFIG = PlanningConfig()  # A: 2 a caseworker day, C: 1
DAY = date(2026, 11, 3)


def case(category: Category) -> PoolCase:
    return PoolCase(
        case_id=f"case-{category.value.lower()}",
        stream=Stream.BACKLOG,
        nationality="SYR",
        lodged_on=date(2020, 1, 1),
        registered_on=date(2026, 10, 1),
        category=category,
    )


def report(reason: PlacementProblem) -> StageCouldNotPlace:
    return StageCouldNotPlace(stage=ReleaseStage.PREPHASE, reason=reason, searched_until=DAY)


def test_each_report_owes_the_case_s_caseworker_days_until_a_re_plan() -> None:
    state = could_not_place(
        PlacementState(), case(Category.A), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    state = could_not_place(
        state, case(Category.C), report(PlacementProblem.NO_INTERPRETER), DAY, CONFIG
    )
    assert (state.reported, state.pending_cases, state.pending_days) == (2, 2, 1.5)
    assert state.by_reason == {"no_location_day": 1, "no_interpreter": 1}
    assert state.last_reported == DAY


def test_a_re_plan_takes_what_it_read_and_leaves_later_reports() -> None:
    read = could_not_place(
        PlacementState(), case(Category.A), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    later = could_not_place(
        read, case(Category.C), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    after = taken_into_replan(later, read)
    assert (after.pending_cases, after.pending_days, after.reported) == (1, 1.0, 2)
    assert taken_into_replan(read, read).pending_cases == 0
