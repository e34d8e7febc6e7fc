"""Prephase's own settings (prefix CASEFLOW_PREPHASE_), turned into the domain's PrephaseConfig."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from prephase.domain import DEFAULT_CONFIG, PrephaseConfig, Requirement
from shared.contracts.values import Stream


def load_requirements(path: Path) -> dict[str, frozenset[Requirement]]:
    """A TOML file of `<category> = ["attendance", ...]` lines (docs/prephase.md)."""
    with path.open("rb") as f:
        table = tomllib.load(f)
    return {str(k): frozenset(Requirement(v) for v in values) for k, values in table.items()}


class PrephaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_PREPHASE_", extra="ignore")

    pact: bool = Field(False, description="Pact cases go through prephase too (default: not)")
    lead_working_days: int = Field(
        DEFAULT_CONFIG.lead_working_days,
        ge=1,
        description="Working days from the invitation to the earliest prephase day",
    )
    horizon_working_days: int = Field(
        DEFAULT_CONFIG.horizon_working_days,
        ge=1,
        description="Working days ahead within which a prephase day is searched",
    )
    max_reinvitations: int = Field(
        DEFAULT_CONFIG.max_reinvitations,
        ge=0,
        description="Re-invitations after no-shows before the case is put on hold",
    )
    requirements_file: Path | None = Field(
        None, description="TOML file of the outcomes each category requires for completion"
    )
    invitation_timer_seconds: float = Field(
        3600.0, gt=0, description="How often the invitation pass runs on wall time"
    )

    def config(self) -> PrephaseConfig:
        streams = {Stream.BACKLOG} | ({Stream.PACT} if self.pact else set())
        requirements = (
            load_requirements(self.requirements_file)
            if self.requirements_file
            else DEFAULT_CONFIG.requirements
        )
        return PrephaseConfig(
            streams=frozenset(streams),
            lead_working_days=self.lead_working_days,
            horizon_working_days=self.horizon_working_days,
            max_reinvitations=self.max_reinvitations,
            requirements=requirements,
        )
