"""Decision (besluit): drafted, escalated to the hard-case team, issued, late, on hold.

No time is cut from careful decision making. Category A mostly gets a standardised
rejection on weight, B a grant on the refugee ground (a-grond), C and D individual
decisions with formats. Complex cases go to the hard-case team
(knopen-doorhak-team). The intended-decision step (voornemen) no longer exists, so
there is no event for it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import DecisionOutcome, LegalGround, ObstacleKind, RejectionKind


class EscalationReason(StrEnum):
    """Why a case goes to the hard-case team (knopen-doorhak-team)."""

    COMPLEX_LEGAL_QUESTION = "complex_legal_question"
    CONFLICTING_INFORMATION = "conflicting_information"
    PRECEDENT_VALUE = "precedent_value"
    OTHER = "other"


def _check_outcome(decision: DecisionIssueRecorded | DecisionIssued) -> None:
    """A grant has a legal ground and nothing about departure; a refusal the reverse."""
    outcome = decision.outcome
    if outcome is DecisionOutcome.GRANT:
        if decision.legal_ground is None:
            raise ValueError("a grant needs its legal ground (a or b)")
        if (
            decision.rejection_kind is not None
            or decision.departure_period_days is not None
            or decision.entry_ban
        ):
            raise ValueError("a grant has no rejection kind, departure period or entry ban")
        return
    if decision.legal_ground is not None:
        raise ValueError(f"a legal ground belongs to a grant, not to {outcome}")
    if (decision.rejection_kind is not None) != (outcome is DecisionOutcome.REJECTION):
        raise ValueError("rejection_kind is required for a rejection, and only then")
    if decision.departure_period_days is None:
        raise ValueError(f"{outcome} needs a departure period (0 or 28 days, usually)")


# --- input -----------------------------------------------------------------------------


class DecisionDraftRecorded(EventData):
    """A caseworker recorded a draft decision (input; key = case id); answer: DecisionDrafted."""

    event_type = "nl.ind.decision.draft-recorded"

    proposed_outcome: DecisionOutcome
    proposed_legal_ground: LegalGround | None = Field(
        default=None, description="for a proposed grant"
    )
    standardised: bool = Field(description="uses the standardised decision (category A)")


class HardCaseReferralRecorded(EventData):
    """A caseworker referred the case to the hard-case team (input; key = case id).

    Answered with DecisionEscalated.
    """

    event_type = "nl.ind.decision.hard-case-referral-recorded"

    reason: EscalationReason


class DecisionIssueRecorded(EventData):
    """A caseworker recorded that the decision was signed and sent (input; key = case id).

    Answered with DecisionIssued; refused when the outcome's fields do not fit together
    (e.g. a grant without legal ground), or while the case is on hold.
    """

    event_type = "nl.ind.decision.issue-recorded"

    outcome: DecisionOutcome
    legal_ground: LegalGround | None = Field(
        default=None, description="Vw 2000 art. 29: required for a grant"
    )
    rejection_kind: RejectionKind | None = Field(
        default=None, description="required for a rejection"
    )
    standardised: bool
    issued_on: date
    sent_at: AwareDatetime = Field(
        description="when it was sent to applicant and lawyer: the appeal clock starts"
    )
    departure_period_days: int | None = Field(
        default=None,
        ge=0,
        le=28,
        description="not for a grant; normally 28, 0 on a risk of absconding",
    )
    entry_ban: bool = False
    family_reunification_expected: bool | None = Field(
        default=None, description="grants only: family reunification (nareis) is expected, if known"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_outcome(self)
        return self


class DecisionObstacleRecorded(EventData):
    """A caseworker recorded a long-term obstacle to deciding (input; key = case id)."""

    event_type = "nl.ind.decision.obstacle-recorded"

    obstacle: ObstacleKind
    review_on: date


class DecisionObstacleCleared(EventData):
    """A caseworker recorded that the obstacle to deciding is gone (input; key = case id)."""

    event_type = "nl.ind.decision.obstacle-cleared"

    cleared_on: date


# --- output ----------------------------------------------------------------------------


class DecisionDrafted(EventData):
    """A draft decision exists."""

    event_type = "nl.ind.decision.drafted"

    proposed_outcome: DecisionOutcome
    proposed_legal_ground: LegalGround | None = None
    standardised: bool


class DecisionEscalated(EventData):
    """The case went to the hard-case team (knopen-doorhak-team), who decide together."""

    event_type = "nl.ind.decision.escalated"

    reason: EscalationReason
    escalated_on: date


class DecisionIssued(EventData):
    """A decision was issued, with its outcome and legal ground, and how it stands to the deadline.

    What follows for the partners (COA, DT&V, courts, Nidos) is derived from this by
    chain-notify, each with only what that partner needs.
    """

    event_type = "nl.ind.decision.issued"

    outcome: DecisionOutcome
    legal_ground: LegalGround | None = Field(
        default=None, description="Vw 2000 art. 29: set for a grant"
    )
    rejection_kind: RejectionKind | None = None
    standardised: bool
    hard_case_team: bool = Field(description="decided by the hard-case team")
    issued_on: date
    sent_at: AwareDatetime
    appeal_period_days: int = Field(ge=1, le=31)
    departure_period_days: int | None = Field(default=None, ge=0, le=28)
    entry_ban: bool = False
    enforceable_from: date | None = Field(
        default=None,
        description="when a refusal can be enforced if no appeal with suspensive effect is lodged; "
        "absent for a grant or when a court decides it",
    )
    family_reunification_expected: bool | None = None
    deadline: date
    days_relative_to_deadline: int = Field(description="negative: days early; positive: days late")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_outcome(self)
        return self


class DecisionLate(EventData):
    """The legal deadline passed without a decision (penalty payments, dwangsommen, may follow)."""

    event_type = "nl.ind.decision.late"

    deadline: date
    as_of: date
    days_late: int = Field(ge=1)


class DecisionOnHold(EventData):
    """Deciding is on hold for a long-term obstacle: tracked, not lost."""

    event_type = "nl.ind.decision.on-hold"

    obstacle: ObstacleKind
    since: date
    review_on: date


class DecisionResumed(EventData):
    """The obstacle to deciding is gone."""

    event_type = "nl.ind.decision.resumed"

    resumed_on: date
    days_on_hold: int = Field(ge=0)
