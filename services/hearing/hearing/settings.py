"""Hearing's own settings (prefix CASEFLOW_HEARING_), turned into the domain's config."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearing.domain.case import HearingConfig

DEFAULTS = HearingConfig()


class HearingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_HEARING_", extra="ignore")

    pact_via_prephase: bool = Field(
        False, description="Pact cases wait for a prephase completion before their hearing"
    )
    daily_rates: dict[str, int] = Field(
        DEFAULTS.daily_rates,
        description="Hearings a caseworker holds a day for 'pact' and 'priority' cases, and per "
        "category until planning's roster gives the category's rate (JSON)",
    )
    written_categories: list[str] = Field(
        [], description='Categories heard in writing (JSON list, e.g. ["C"]); empty: none'
    )
    lead_working_days: int = Field(
        DEFAULTS.lead_working_days, ge=0, description="Working days from today to the first slot"
    )
    horizon_working_days: int = Field(
        DEFAULTS.horizon_working_days, ge=1, description="Working days an allocation run books"
    )
    lawyer_grouping_days: int = Field(
        DEFAULTS.lawyer_grouping_days,
        ge=0,
        description="Working days a slot may move later to put a lawyer's reviews on one day",
    )
    review_term_working_days: int = Field(
        DEFAULTS.review_term_working_days,
        ge=0,
        description="Working days after the review day before the review lapses",
    )
    allocation_timer_seconds: float = Field(
        60.0, gt=0, description="How often slots are handed out and reviews checked for lapse"
    )

    def config(self) -> HearingConfig:
        rates = {**DEFAULTS.daily_rates, **self.daily_rates}
        return DEFAULTS.model_copy(
            update={
                "pact_via_prephase": self.pact_via_prephase,
                "daily_rates": rates,
                "written_categories": frozenset(self.written_categories),
                "lead_working_days": self.lead_working_days,
                "horizon_working_days": self.horizon_working_days,
                "lawyer_grouping_days": self.lawyer_grouping_days,
                "review_term_working_days": self.review_term_working_days,
            }
        )
