"""Decision's own settings (prefix CASEFLOW_DECISION_), turned into the domain's DecisionConfig."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from decision.domain import DEFAULT_CONFIG, DecisionConfig, Period
from shared.contracts.events.common import Procedure
from shared.contracts.events.decision import DecisionRoute
from shared.contracts.values import PriorityGroup


class DecisionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_DECISION_", extra="ignore")

    four_eyes_routes: list[DecisionRoute] = Field(
        sorted(DEFAULT_CONFIG.four_eyes),
        description="Routes whose drafts a second decider approves before issue (JSON list)",
    )
    hard_case_quorum: int = Field(
        DEFAULT_CONFIG.hard_case_quorum, ge=1, description="Equal senior-decider votes needed"
    )
    priority_routes: dict[PriorityGroup, DecisionRoute] = Field(
        DEFAULT_CONFIG.priority_routes, description="Route of each priority group (JSON object)"
    )
    at_risk_days: dict[Procedure, int] = Field(
        DEFAULT_CONFIG.at_risk_days,
        description="Working days before the deadline a case is at risk, per procedure (JSON)",
    )
    departure_days: int = Field(
        DEFAULT_CONFIG.departure_period.days, ge=0, le=28, description="Default departure period"
    )
    departure_basis: str = Field(
        DEFAULT_CONFIG.departure_period.basis, description="Legal basis of the departure period"
    )
    intended_decision: bool = Field(
        False, description="Switch the intended-decision step back on for old-rules cases"
    )
    intended_decision_response_days: int = Field(
        DEFAULT_CONFIG.intended_decision_response_days,
        ge=1,
        description="The period for the applicant's view after the intended decision was sent",
    )
    watch_timer_seconds: float = Field(
        3600.0, gt=0, description="How often the deadline watch and the figures run (wall time)"
    )
    watch_batch: int = Field(1000, ge=1, description="Cases the deadline watch locks at once")

    def config(self) -> DecisionConfig:
        return DEFAULT_CONFIG.model_copy(
            update={
                "four_eyes": frozenset(self.four_eyes_routes),
                "hard_case_quorum": self.hard_case_quorum,
                "priority_routes": dict(self.priority_routes),
                "at_risk_days": dict(self.at_risk_days),
                "departure_period": Period(days=self.departure_days, basis=self.departure_basis),
                "intended_decision": self.intended_decision,
                "intended_decision_response_days": self.intended_decision_response_days,
            }
        )
