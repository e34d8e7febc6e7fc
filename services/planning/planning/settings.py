"""Planning's own settings (prefix CASEFLOW_PLANNING_), turned into the domain's PlanningConfig."""

from __future__ import annotations

from datetime import date

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from planning.domain.config import DEFAULT_CONFIG, PlanningConfig
from shared.contracts.values import Category


class PlanningSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_PLANNING_", extra="ignore")

    programme_start: date = Field(
        DEFAULT_CONFIG.programme_start,
        description="Start of the backlog programme (R6): before it, backlog cases go oldest "
        "first in the capacity left over; from it, plan cycles decide",
    )
    cycle_months: int = Field(
        DEFAULT_CONFIG.cycle_months, description="Length of a plan cycle (R9)"
    )
    pact_via_prephase: bool = Field(
        False, description="Release Pact cases to prephase instead of straight to hearing (R2)"
    )
    rate_a: float = Field(2.0, gt=0, description="Category A hearings per caseworker per day")
    rate_b: float = Field(4.0, gt=0, description="Category B checks per caseworker per day")
    rate_c: float = Field(1.0, gt=0, description="Category C hearings per caseworker per day")
    rate_d: float = Field(1.0, gt=0, description="Category D hearings per caseworker per day")
    rate_outside: float = Field(
        1.0, gt=0, description="Hearings per caseworker per day outside the categories"
    )
    pact_rate: float = Field(1.0, gt=0, description="Pact hearings per caseworker per day")
    grant_rate_a: float = Field(0.2, ge=0, le=1, description="Expected grant rate, category A")
    grant_rate_b: float = Field(0.9, ge=0, le=1, description="Expected grant rate, category B")
    grant_rate_c: float = Field(0.1, ge=0, le=1, description="Expected grant rate, category C")
    grant_rate_d: float = Field(0.5, ge=0, le=1, description="Expected grant rate, category D")
    grant_rate_outside: float = Field(
        0.4, ge=0, le=1, description="Expected grant rate outside the categories"
    )
    target_grant_rate: float = Field(0.4, ge=0, le=1, description="Grant rate a cycle keeps (R10)")
    grant_rate_band: float = Field(
        0.1, ge=0, le=1, description="How far a cycle's expected grant rate may stray (R10)"
    )
    rotation_months: int = Field(6, ge=1, description="Months a nationality stays in (R9)")
    pact_annual_forecast: int = Field(
        25_000, ge=0, description="Pact first applications a year until inflow is observed (R4)"
    )
    pact_margin: float = Field(0.1, ge=0, le=1, description="Pact reservation above inflow (R2)")
    triage_threshold: int = Field(25_000, ge=1, description="Pact applications a year (R4)")
    triage_window_days: int = Field(
        90, ge=7, le=730, description="Rolling window the triage projection rests on (R4)"
    )
    decision_lag_weeks: int = Field(
        6, ge=0, description="Weeks from release to the expected decision (court forecast)"
    )
    observed_rate_min_decisions: int = Field(
        DEFAULT_CONFIG.observed_rate_min_decisions,
        ge=1,
        description="Backlog decisions in a category before its observed grant rate replaces "
        "the configured one (R10)",
    )
    appeal_share: float = Field(
        DEFAULT_CONFIG.appeal_share,
        ge=0,
        le=1,
        description="Share of refusals appealed: the monthly figures' expected appeals, and on "
        "each PlanCycleOpened for the courts' appeal forecast chain-notify sends",
    )
    timer_seconds: float = Field(
        3600.0, gt=0, description="How often the daily planning pass runs on wall time"
    )

    def config(self) -> PlanningConfig:
        return PlanningConfig(
            programme_start=self.programme_start,
            cycle_months=self.cycle_months,
            pact_via_prephase=self.pact_via_prephase,
            hearing_rates={
                Category.A: self.rate_a,
                Category.B: self.rate_b,
                Category.C: self.rate_c,
                Category.D: self.rate_d,
                Category.OUTSIDE: self.rate_outside,
            },
            pact_rate=self.pact_rate,
            grant_rates={
                Category.A: self.grant_rate_a,
                Category.B: self.grant_rate_b,
                Category.C: self.grant_rate_c,
                Category.D: self.grant_rate_d,
                Category.OUTSIDE: self.grant_rate_outside,
            },
            target_grant_rate=self.target_grant_rate,
            grant_rate_band=self.grant_rate_band,
            rotation_months=self.rotation_months,
            pact_annual_forecast=self.pact_annual_forecast,
            pact_margin=self.pact_margin,
            triage_threshold=self.triage_threshold,
            triage_window_days=self.triage_window_days,
            decision_lag_weeks=self.decision_lag_weeks,
            observed_rate_min_decisions=self.observed_rate_min_decisions,
            appeal_share=self.appeal_share,
        )
