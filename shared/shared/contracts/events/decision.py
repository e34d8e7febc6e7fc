"""Decision (besluit): drafted, escalated to the hard-case team, issued, late, on hold.

No time is cut from careful decision making. Category A mostly gets a standardised
rejection on weight, B a grant on the refugee ground (a-grond), C and D individual
decisions with formats. Complex cases go to the hard-case team
(knopen-doorhak-team), whose senior deciders each vote; a quorum of equal votes decides.
Where configured, a second reader reviews a draft before it is issued (four eyes). The
intended-decision step (voornemen) is abolished; a setting switches it back on for cases
lodged under the old rules: the intended decision is sent, the applicant's view (zienswijze)
may come within its period, then the decision is issued. Decision
also watches each case's legal deadline as intake publishes it (at risk, late) and reports
grant rates per stream, category and plan cycle (R10, R14).

Who drafted, reviewed and voted stays in decision's own audit trail: no message here names a
member of staff, and none carries the written account or 1F/NV content.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import (
    DecisionOutcome,
    LegalGround,
    ObstacleKind,
    PlanId,
    Procedure,
    RejectionKind,
)
from shared.contracts.events.intake import LegalBasis, PolicyVersion
from shared.contracts.values import Category


class DecisionRoute(StrEnum):
    """How a case is decided, from its category or priority group (docs/decision.md)."""

    CATEGORY_A = "category_a"  # standardised rejection on weight; individual grant possible
    CATEGORY_B = "category_b"  # grant on group membership, mostly on ground a
    INDIVIDUAL = "individual"  # C, D, outside the categories, the Pact stream


class EscalationReason(StrEnum):
    """Why a case goes to the hard-case team (knopen-doorhak-team)."""

    COMPLEX_LEGAL_QUESTION = "complex_legal_question"
    CONFLICTING_INFORMATION = "conflicting_information"
    PRECEDENT_VALUE = "precedent_value"
    OTHER = "other"


def _check_proposal(
    outcome: DecisionOutcome, ground: LegalGround | None, kind: RejectionKind | None
) -> None:
    """A grant has a legal ground, a rejection its kind, and neither has the other's."""
    if outcome is DecisionOutcome.GRANT and ground is None:
        raise ValueError("a grant needs its legal ground (a or b)")
    if outcome is not DecisionOutcome.GRANT and ground is not None:
        raise ValueError(f"a legal ground belongs to a grant, not to {outcome}")
    if kind is not None and outcome is not DecisionOutcome.REJECTION:
        raise ValueError("rejection_kind belongs to a rejection only")


def _check_outcome(
    decision: DecisionIssueRecorded | DecisionIssued, *, departure_required: bool = True
) -> None:
    """A grant has a legal ground and nothing about departure; a refusal the reverse. On the
    input the departure period may be left out: decision then takes it from configuration."""
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
    if departure_required and decision.departure_period_days is None:
        raise ValueError(f"{outcome} needs a departure period (0 or 28 days, usually)")


# --- input -----------------------------------------------------------------------------


class DecisionDraftRecorded(EventData):
    """A decider recorded a draft decision (input; key = case id); answer: DecisionDrafted.

    Refused before the case is ready for decision, while it is on hold or with the hard-case
    team, when the route does not allow it (a standardised decision outside categories A and
    B), or when a decision was issued already. A new draft replaces an unreviewed one."""

    event_type = "nl.ind.decision.draft-recorded"

    proposed_outcome: DecisionOutcome
    proposed_legal_ground: LegalGround | None = Field(
        default=None, description="for a proposed grant"
    )
    standardised: bool = Field(
        description="uses the standardised decision (category A rejection, category B grant)"
    )
    rejection_kind: RejectionKind | None = Field(
        default=None, description="for a proposed rejection; absent: unfounded"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_proposal(self.proposed_outcome, self.proposed_legal_ground, self.rejection_kind)
        return self


class DecisionReviewRecorded(EventData):
    """A second decider reviewed the draft (four eyes; input; key = case id).

    Answered with DecisionReviewed; refused without a draft, for a draft reviewed already,
    and when the reviewer drafted it."""

    event_type = "nl.ind.decision.review-recorded"

    approved: bool = Field(description="false: the draft goes back to its drafter")


class HardCaseVoteRecorded(EventData):
    """A senior decider of the hard-case team voted on a referred case (input; key = case id).

    When a quorum of senior deciders (a setting) voted the same outcome and ground, the team
    has decided: HardCaseDecided, and that decision is the draft a decider issues. Refused for
    a case not referred, and for a second vote by the same senior decider."""

    event_type = "nl.ind.decision.hard-case-vote-recorded"

    outcome: DecisionOutcome
    legal_ground: LegalGround | None = Field(default=None, description="for a grant")
    rejection_kind: RejectionKind | None = Field(default=None, description="for a rejection")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_proposal(self.outcome, self.legal_ground, self.rejection_kind)
        return self


class HardCaseReferralRecorded(EventData):
    """A decider referred the case to the hard-case team (input; key = case id).

    Answered with DecisionEscalated.
    """

    event_type = "nl.ind.decision.hard-case-referral-recorded"

    reason: EscalationReason


class DecisionIssueRecorded(EventData):
    """A decider recorded that the decision was signed and sent (input; key = case id).

    Answered with DecisionIssued; refused when the outcome's fields do not fit together
    (e.g. a grant without legal ground) or differ from the draft, without a draft, before
    the draft's review where four eyes apply, for a second issue, or while the case is on
    hold. Periods left out come from configuration, with their legal basis.
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
        description="not for a grant; normally 28, 0 on a risk of absconding; absent for a "
        "refusal: the configured period",
    )
    entry_ban: bool = False
    family_reunification_expected: bool | None = Field(
        default=None, description="grants only: family reunification (nareis) is expected, if known"
    )
    appeal_period_days: int | None = Field(
        default=None, ge=1, le=31, description="absent: the configured period for the procedure"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_outcome(self, departure_required=False)
        return self


class DecisionObstacleRecorded(EventData):
    """A decider recorded a long-term obstacle to deciding (input; key = case id)."""

    event_type = "nl.ind.decision.obstacle-recorded"

    obstacle: ObstacleKind
    review_on: date


class DecisionObstacleCleared(EventData):
    """A decider recorded that the obstacle to deciding is gone (input; key = case id)."""

    event_type = "nl.ind.decision.obstacle-cleared"

    cleared_on: date


class IntendedDecisionRecorded(EventData):
    """A decider sent the applicant the intended decision (voornemen) of the case's draft
    refusal (input; key = case id); answer: IntendedDecisionSent.

    Only where the step is switched on, for a case lodged under the old rules and a draft
    that refuses (four eyes: once approved). Refused otherwise, and for a draft whose intended
    decision was sent already."""

    event_type = "nl.ind.decision.intended-decision-recorded"

    sent_on: date = Field(description="the day the intended decision was sent")


class ApplicantViewRecorded(EventData):
    """The applicant's view (zienswijze) on the intended decision came in (input; key = case
    id); answer: ApplicantViewReceived. Its content stays in the file, not in any message.

    Refused without an intended decision, a second time, or after the response period."""

    event_type = "nl.ind.decision.applicant-view-recorded"

    received_on: date


# --- output ----------------------------------------------------------------------------


class DecisionDrafted(EventData):
    """A draft decision exists."""

    event_type = "nl.ind.decision.drafted"

    proposed_outcome: DecisionOutcome
    proposed_legal_ground: LegalGround | None = None
    standardised: bool
    rejection_kind: RejectionKind | None = None


class IntendedDecisionSent(EventData):
    """The intended decision went to the applicant (old-rules cases, where switched on); the
    decision follows the view, or the end of the response period."""

    event_type = "nl.ind.decision.intended-decision-sent"

    proposed_outcome: DecisionOutcome
    rejection_kind: RejectionKind | None = None
    sent_on: date
    response_due: date = Field(description="the last day the applicant's view is taken")


class ApplicantViewReceived(EventData):
    """The applicant's view on the intended decision came in within its period."""

    event_type = "nl.ind.decision.applicant-view-received"

    received_on: date
    response_due: date


class DecisionReviewed(EventData):
    """A second decider reviewed the draft (four eyes): approved, or back to its drafter."""

    event_type = "nl.ind.decision.reviewed"

    approved: bool


class HardCaseDecided(EventData):
    """The hard-case team decided a referred case: a quorum of senior deciders voted alike."""

    event_type = "nl.ind.decision.hard-case-decided"

    outcome: DecisionOutcome
    legal_ground: LegalGround | None = None
    rejection_kind: RejectionKind | None = None
    votes: int = Field(ge=1, description="senior deciders who voted on the case")
    quorum: int = Field(ge=1, description="equal votes the team needed")
    decided_on: date


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
    deadline_met: bool = Field(description="issued on or before the deadline")
    route: DecisionRoute
    policy_version: PolicyVersion = Field(description="the country policy the decision used")
    appeal_period_basis: LegalBasis = Field(
        description="where the appeal period comes from: the decider, or its legal source"
    )
    departure_period_basis: LegalBasis | None = Field(
        default=None, description="where the departure period comes from (refusals)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_outcome(self)
        if self.deadline_met != (self.days_relative_to_deadline <= 0):
            raise ValueError("deadline_met says whether days_relative_to_deadline <= 0")
        return self


class DecisionLate(EventData):
    """The legal deadline passed without a decision (penalty payments, dwangsommen, may follow)."""

    event_type = "nl.ind.decision.late"

    deadline: date
    as_of: date
    days_late: int = Field(ge=1)


class DecisionAtRisk(EventData):
    """The legal deadline of an undecided case is near (a configured number of working days
    ahead, per procedure): a signal in time (R14), once per deadline."""

    event_type = "nl.ind.decision.at-risk"

    deadline: date
    as_of: date
    working_days_left: int = Field(ge=0)
    procedure: Procedure


class GrantRateReported(EventData):
    """Decisions and grants so far in one stream, category and plan cycle (R10, R14); keyed
    'rates-<cycle or none>-<category or none>' on the stream's decision events topic."""

    event_type = "nl.ind.decision.grant-rate-reported"

    category: Category | None = Field(description="absent: Pact cases and priority groups")
    cycle: PlanId | None = Field(description="the plan cycle; absent for Pact cases")
    as_of: date
    decided: int = Field(ge=1)
    grants: int = Field(ge=0)
    grant_rate: float = Field(ge=0, le=1)


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
