"""Intake's own settings (prefix CASEFLOW_INTAKE_), turned into the domain's IntakeConfig."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.domain import DEFAULT_CONFIG, DEFAULT_CUTOFF, CutOff, IntakeConfig, load_terms


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_INTAKE_", extra="ignore")

    cutoff_date: date = Field(
        DEFAULT_CUTOFF.effective_from, description="First lodging day of the Pact stream (R1)"
    )
    cutoff_source: str = Field(
        DEFAULT_CUTOFF.source, description="The legal source of the cut-off date"
    )
    cutoff_timezone: str = Field(
        DEFAULT_CUTOFF.timezone, description="Time zone in which lodging dates are counted"
    )
    terms_file: Path | None = Field(
        None, description="TOML file overriding the legal decision terms (docs/intake.md)"
    )
    clock_tolerance_seconds: int = Field(
        int(DEFAULT_CONFIG.clock_tolerance.total_seconds()),
        ge=0,
        description="How far ahead of now a reported moment may be before it is 'in the future'",
    )
    policy_timer_seconds: float = Field(
        60.0, gt=0, description="How often published policies are checked for their start date"
    )

    adoption_chunk: int = Field(
        1000,
        ge=1,
        description="Cases one transaction re-categorises when a country policy is adopted",
    )

    def config(self) -> IntakeConfig:
        cutoff = CutOff(
            effective_from=self.cutoff_date,
            timezone=self.cutoff_timezone,
            source=self.cutoff_source,
        )
        terms = load_terms(self.terms_file) if self.terms_file else DEFAULT_CONFIG.terms
        return IntakeConfig(
            cutoff=cutoff,
            terms=terms,
            clock_tolerance=timedelta(seconds=self.clock_tolerance_seconds),
        )
