"""Planning's configuration as the domain sees it (settings.py fills it from the environment)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.planning import PACT_ANNUAL_PLANNING_ASSUMPTION
from shared.contracts.values import Category

# Hearings (or, for B, group-membership checks) a caseworker finishes per day, by category.
# A: 2 a day under the new approach (seed 004); B has no hearing (group membership), so more.
DEFAULT_RATES: dict[Category, float] = {
    Category.A: 2.0,
    Category.B: 4.0,
    Category.C: 1.0,
    Category.D: 1.0,
    Category.OUTSIDE: 1.0,
}

# Until decisions flow: the expected share of grants per category (R10). A and C mostly end in
# a rejection, B mostly in a grant, D is mixed (docs/planning.md).
DEFAULT_GRANT_RATES: dict[Category, float] = {
    Category.A: 0.2,
    Category.B: 0.9,
    Category.C: 0.1,
    Category.D: 0.5,
    Category.OUTSIDE: 0.4,
}


class PlanningConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    programme_start: date = Field(date(2026, 10, 1), description="R6")
    cycle_months: int = Field(3, ge=1, le=6, description="R9")
    pact_via_prephase: bool = False
    hearing_rates: dict[Category, float] = Field(default_factory=lambda: dict(DEFAULT_RATES))
    pact_rate: float = Field(1.0, gt=0, description="Pact hearings per caseworker per day")
    grant_rates: dict[Category, float] = Field(default_factory=lambda: dict(DEFAULT_GRANT_RATES))
    target_grant_rate: float = Field(0.4, ge=0, le=1)
    grant_rate_band: float = Field(0.1, ge=0, le=1)
    rotation_months: int = Field(6, ge=1, description="R9: months a nationality stays in")
    chunk: int = Field(25, ge=1, description="cases a cohort grows by per step of the draft")
    pact_annual_forecast: int = Field(PACT_ANNUAL_PLANNING_ASSUMPTION, ge=0)
    pact_margin: float = Field(0.1, ge=0, le=1, description="Pact reservation on top of inflow")
    triage_threshold: int = Field(PACT_ANNUAL_PLANNING_ASSUMPTION, ge=1, description="R4")
    triage_window_days: int = Field(90, ge=7, le=730)
    triage_lift_ratio: float = Field(0.95, gt=0, le=1)
    full_time_hours: float = Field(36.0, gt=0, description="a Dutch full-time week")
    decision_lag_weeks: int = Field(6, ge=0, description="from release to the expected decision")
    observed_rate_min_decisions: int = Field(
        30, ge=1, description="decisions in a category before its observed grant rate counts"
    )
    # Planning owns it: the figures' expected appeals, and on each PlanCycleOpened for
    # chain-notify's courts' forecast (one figure, one owner).
    appeal_share: float = Field(0.8, ge=0, le=1, description="share of refusals appealed")

    def rate(self, category: str, overrides: dict[Category, float] | None = None) -> float:
        rates = {**self.hearing_rates, **(overrides or {})}
        return rates.get(Category(category), rates.get(Category.OUTSIDE, 1.0))

    def grant_rate(self, category: str, observed: dict[Category, float] | None = None) -> float:
        """Observed rates replace the configured ones as decisions arrive."""
        rates = {**self.grant_rates, **(observed or {})}
        return rates.get(Category(category), 0.5)

    @property
    def band(self) -> tuple[float, float]:
        return (
            max(0.0, self.target_grant_rate - self.grant_rate_band),
            min(1.0, self.target_grant_rate + self.grant_rate_band),
        )


DEFAULT_CONFIG = PlanningConfig()
