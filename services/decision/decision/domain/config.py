"""Decision's configuration: routes of the priority groups, four eyes, the hard-case quorum,
the periods partners act on (each with its legal basis), the deadline watch, and the
intended-decision step for old-rules cases (off: abolished, also for the backlog)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.common import DecisionOutcome, Procedure, RejectionKind
from shared.contracts.events.decision import DecisionRoute
from shared.contracts.values import PriorityGroup


class Period(BaseModel):
    """A number of days with the legal source it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: int = Field(ge=0)
    basis: str = Field(min_length=3, max_length=120)


def _appeal_periods() -> dict[str, Period]:
    # Vw 2000 art. 69: four weeks, one week after a rejection as manifestly unfounded or
    # inadmissible (the accelerated and general procedures). Pact: Reg. 2024/1348 art. 67(7),
    # between one week and one month; the Dutch choice is the implementing law's (assumed equal).
    return {
        DecisionOutcome.GRANT.value: Period(days=28, basis="Vw 2000 art. 69(1)"),
        RejectionKind.UNFOUNDED.value: Period(days=28, basis="Vw 2000 art. 69(1)"),
        RejectionKind.MANIFESTLY_UNFOUNDED.value: Period(days=7, basis="Vw 2000 art. 69(2)"),
        DecisionOutcome.INADMISSIBLE.value: Period(days=7, basis="Vw 2000 art. 69(2)"),
    }


DEFAULT_AT_RISK_DAYS: dict[Procedure, int] = {
    Procedure.NATIONAL_REGULAR: 15,
    Procedure.PACT_REGULAR: 10,
    Procedure.PACT_ADMISSIBILITY: 5,
    Procedure.PACT_ACCELERATED: 5,
    Procedure.PACT_BORDER: 3,
}


class DecisionConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    priority_routes: dict[PriorityGroup, DecisionRoute] = Field(
        default_factory=lambda: dict.fromkeys(PriorityGroup, DecisionRoute.INDIVIDUAL),
        description="how each priority group (R7) is decided; individual by default",
    )
    four_eyes: frozenset[DecisionRoute] = Field(
        default=frozenset(DecisionRoute),
        description="routes whose drafts a second decider reviews before issue",
    )
    hard_case_quorum: int = Field(default=3, ge=1, description="equal votes the team needs")
    appeal_periods: dict[str, Period] = Field(
        default_factory=_appeal_periods,
        description="by rejection kind, or by outcome for a grant or inadmissibility",
    )
    departure_period: Period = Field(
        default=Period(days=28, basis="Vw 2000 art. 62(1)"),
        description="after a refusal, unless the decider sets it (0 on a risk of absconding)",
    )
    at_risk_days: dict[Procedure, int] = Field(
        default_factory=lambda: dict(DEFAULT_AT_RISK_DAYS),
        description="working days before the deadline an undecided case is at risk",
    )
    intended_decision: bool = Field(
        default=False,
        description="the intended-decision step (voornemen) for cases lodged under the old "
        "rules: a refusal is issued no sooner than the response period after its draft",
    )
    intended_decision_response_days: int = Field(default=28, ge=1)
    old_rules_before: date = Field(
        default=date(2026, 6, 12), description="cases lodged before this day: old rules (R1)"
    )

    def appeal_period(self, outcome: DecisionOutcome, kind: RejectionKind | None) -> Period:
        key = kind.value if outcome is DecisionOutcome.REJECTION and kind else outcome.value
        return self.appeal_periods[key]

    def at_risk(self, procedure: Procedure) -> int:
        return self.at_risk_days.get(procedure, DEFAULT_AT_RISK_DAYS[procedure])


DEFAULT_CONFIG = DecisionConfig()
