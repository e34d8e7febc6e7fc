"""When a stage cannot place a released case (StageCouldNotPlace): count it, and re-plan.

A case a stage could not place stays released to that stage, which places it when capacity
appears; until then it takes capacity the plan had given to new releases. So planning keeps,
per cycle, the caseworker days such cases will still need (1/rate each, the case's category)
and the daily pass re-plans (herijking) the rest of the cycle with that much less (R9).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.planning import StageCouldNotPlace

from .config import PlanningConfig
from .model import PoolCase


class PlacementState(BaseModel):
    """Cases the stages could not place; `pending_*` since the last re-plan."""

    model_config = ConfigDict(frozen=True)

    name: str = "placement"
    reported: int = 0
    pending_cases: int = 0
    pending_days: float = 0.0
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


def taken_into_replan(now: PlacementState, taken: PlacementState) -> PlacementState:
    """`now` less what a re-plan took (`taken`, read earlier): reports made since stay."""
    return now.model_copy(
        update={
            "pending_cases": max(0, now.pending_cases - taken.pending_cases),
            "pending_days": max(0.0, round(now.pending_days - taken.pending_days, 4)),
        }
    )
