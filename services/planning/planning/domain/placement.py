"""When a stage cannot place a released case (StageCouldNotPlace): another team, or re-plan.

When the team planning chose is short (no hearing slot, no matching caseworker), the case is
released again to the same stage, to another team whose specialisms match (R12), with the
same cycle and cohort: the plan's capacity is all teams', so nothing is re-planned. Each team
that reported is remembered for the case; when no matching team is left untried, or the
problem is not a team's (no prephase location day, no interpreter), the case stays released
to that stage, which places it when capacity appears. Until then it takes capacity the plan
had given to new releases, so planning keeps the caseworker days such cases will still need
(1/rate each, the case's category) and the daily pass re-plans (herijking) the rest of the
cycle with that much less (R9).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.planning import CaseReleased, PlacementProblem, StageCouldNotPlace

from . import cases as pool
from .config import PlanningConfig
from .dispatch import another_team
from .model import PoolCase, PoolStatus, Team

TEAM_SHORT = frozenset({PlacementProblem.NO_HEARING_SLOT, PlacementProblem.NO_MATCHING_CASEWORKER})
"""Problems another team can solve; the rest are a location's or an interpreter's."""


class PlacementState(BaseModel):
    """Cases the stages could not place; `pending_*` since the last re-plan."""

    model_config = ConfigDict(frozen=True)

    name: str = "placement"
    reported: int = 0
    pending_cases: int = 0
    pending_days: float = 0.0
    moved: int = 0  # released again to another team (R12)
    by_reason: dict[str, int] = Field(default_factory=dict)
    last_reported: date | None = None


def could_not_place(
    state: PlacementState,
    case: PoolCase,
    event: StageCouldNotPlace,
    day: date,
    config: PlanningConfig,
) -> PlacementState:
    """The state after one report: the case's cost in caseworker days waits for the re-plan."""
    reason = event.reason.value
    return state.model_copy(
        update={
            "reported": state.reported + 1,
            "pending_cases": state.pending_cases + 1,
            "pending_days": round(state.pending_days + 1 / config.rate(case.cohort_category), 4),
            "by_reason": {**state.by_reason, reason: state.by_reason.get(reason, 0) + 1},
            "last_reported": day,
        }
    )


def moved(
    case: PoolCase, event: StageCouldNotPlace, teams: Sequence[Team], day: date
) -> tuple[PoolCase, CaseReleased] | None:
    """The case released again to the same stage, to a matching team not yet tried, or None
    when the problem is not a team's or no such team is left. The release keeps the cycle and
    cohort (the case keeps its place in the plan) and a hold (counted apart, R12 holds)."""
    if event.reason not in TEAM_SHORT or case.status is PoolStatus.WITHDRAWN:
        return None
    tried = {*case.tried_teams, *(t for t in (event.team, case.team) if t)}
    choice = another_team(case, teams, tried)
    if choice is None:
        return None
    team, specialisms = choice
    released, release = pool.release(
        case, event.stage, day, team, specialisms, case.cycle, case.cohort
    )
    return released.model_copy(
        update={"tried_teams": tuple(sorted(tried)), "status": case.status}
    ), release


def counted_as_moved(state: PlacementState, event: StageCouldNotPlace, day: date) -> PlacementState:
    """The state after a report that moved its case to another team: counted, not re-planned."""
    reason = event.reason.value
    return state.model_copy(
        update={
            "reported": state.reported + 1,
            "moved": state.moved + 1,
            "by_reason": {**state.by_reason, reason: state.by_reason.get(reason, 0) + 1},
            "last_reported": day,
        }
    )


def taken_into_replan(now: PlacementState, taken: PlacementState) -> PlacementState:
    """`now` less what a re-plan took (`taken`, read earlier): reports made since stay."""
    return now.model_copy(
        update={
            "pending_cases": max(0, now.pending_cases - taken.pending_cases),
            "pending_days": max(0.0, round(now.pending_days - taken.pending_days, 4)),
        }
    )
