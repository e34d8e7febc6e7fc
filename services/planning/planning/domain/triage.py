"""Triage (R4): Pact inflow over a rolling window, extrapolated to a year, against 25,000."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .config import PlanningConfig
from .model import TriageState


@dataclass(frozen=True)
class TriageChange:
    active: bool  # True: triggered; False: lifted
    projected: int


def projected_per_year(registered_in_window: int, window_days: int) -> int:
    return round(registered_in_window * 365 / window_days)


def judge_triage(
    state: TriageState, registered_in_window: int, today: date, config: PlanningConfig
) -> tuple[TriageState, TriageChange | None]:
    """Triggered when the projection is above the threshold; lifted once it falls below
    threshold times the lift ratio, so that inflow hovering at the threshold does not flap."""
    projected = projected_per_year(registered_in_window, config.triage_window_days)
    change = None
    if not state.active and projected > config.triage_threshold:
        change = TriageChange(True, projected)
    elif state.active and projected < config.triage_threshold * config.triage_lift_ratio:
        change = TriageChange(False, projected)
    active = change.active if change else state.active
    return TriageState(active=active, projected=projected, judged_on=today), change


def observed_pact_per_day(registered_in_window: int, window_days: int) -> float | None:
    """The Pact inflow a day; None before any Pact case came (then the forecast holds)."""
    return registered_in_window / window_days if registered_in_window else None
