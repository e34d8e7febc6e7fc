"""Hearing (gehoor): targeted hearing shaped by the prephase results.

Category A gets a short targeted hearing (two a caseworker a day), B none when group
membership is established, C and D a targeted hearing per motive. A written hearing
(schriftelijk horen) is an option; contradictions lead to an additional hearing; the
lawyer's corrections and additions (nabespreking) follow, ideally on day two. Long-term
obstacles put a case on hold.

As in the prephase, events record facts and classified results, never the hearing
report or what the applicant said.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import LanguageCode, LocationId, ObstacleKind, TeamId
from shared.contracts.values import Category

CaseworkerId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"), Field(description="staff code")
]
"""Staff code of an IND caseworker ('cw-1042'), as in the ce_actor header."""

LawyerId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"),
    Field(description="the lawyer's registration code with the legal aid board"),
]
"""Code of a lawyer (advocaat) as the legal aid board registers them: never a name."""


class HearingFormat(StrEnum):
    """The kind of hearing booked."""

    SHORT_TARGETED = "short_targeted"
    TARGETED_PER_MOTIVE = "targeted_per_motive"
    FULL = "full"
    ADDITIONAL = "additional"


class HearingRoom(StrEnum):
    STANDARD = "standard"
    CHILD_FRIENDLY = "child_friendly"


class HearingKind(StrEnum):
    FIRST = "first"
    ADDITIONAL = "additional"


class WaiverReason(StrEnum):
    """Why no hearing is needed."""

    GROUP_MEMBERSHIP_ESTABLISHED = "group_membership_established"
    WRITTEN_ACCOUNT_SUFFICIENT = "written_account_sufficient"


class CancellationReason(StrEnum):
    """Why a planned hearing does not take place."""

    RESCHEDULED = "rescheduled"
    CASE_WITHDRAWN = "case_withdrawn"
    ON_HOLD = "on_hold"
    WAIVED = "waived"


class RescheduleReason(StrEnum):
    """Why a planner moves a planned hearing (coarse: no health detail)."""

    APPLICANT_UNAVAILABLE = "applicant_unavailable"
    LAWYER_UNAVAILABLE = "lawyer_unavailable"
    CASEWORKER_UNAVAILABLE = "caseworker_unavailable"
    INTERPRETER_UNAVAILABLE = "interpreter_unavailable"


class HearingRoute(StrEnum):
    """How a case came to the hearing: after the prephase, or straight from its release."""

    VIA_PREPHASE = "via_prephase"
    DIRECT = "direct"


class AdditionalHearingReason(StrEnum):
    CONTRADICTIONS = "contradictions"
    PARTICULARS = "particulars"
    WRITTEN_ACCOUNT_INSUFFICIENT = "written_account_insufficient"
    WRITTEN_HEARING_INSUFFICIENT = "written_hearing_insufficient"


# --- fields an input shares with its answer -------------------------------------------
# No event_type: this is not a message, so it is not registered; each message below keeps
# its own docstring, type and version.


class _WrittenHearingStartFields(EventData):
    """What WrittenHearingStartRecorded and its answer WrittenHearingStarted carry."""

    sent_on: date
    answers_due: date


# --- input -----------------------------------------------------------------------------


class HearingWaiverRecorded(EventData):
    """A caseworker recorded that no hearing is needed (input; key = case id).

    Answered with HearingWaived; refused for category B after a negative language
    indication or doubt about origin (those cases are heard, and move to D: R8).
    """

    event_type = "nl.ind.hearing.waiver-recorded"

    reason: WaiverReason


class HearingHeldRecorded(EventData):
    """A caseworker recorded that a hearing took place (input; key = case id). Facts only."""

    event_type = "nl.ind.hearing.held-recorded"

    held_on: date
    kind: HearingKind
    duration_minutes: int = Field(ge=1, le=720)
    interpreter_language: LanguageCode | None
    lawyer_present: bool


class WrittenHearingStartRecorded(_WrittenHearingStartFields):
    """A caseworker sent written questions instead of an oral hearing (input; key = case id)."""

    event_type = "nl.ind.hearing.written-hearing-start-recorded"

    @model_validator(mode="after")
    def _due_after_sent(self) -> Self:
        if self.answers_due <= self.sent_on:
            raise ValueError("answers_due must be after sent_on")
        return self


class WrittenHearingAnswersRecorded(EventData):
    """A caseworker recorded that the written answers arrived (input; key = case id)."""

    event_type = "nl.ind.hearing.written-hearing-answers-recorded"

    received_on: date


class AdditionalHearingRecorded(EventData):
    """A caseworker decided an additional hearing is needed (input; key = case id)."""

    event_type = "nl.ind.hearing.additional-hearing-recorded"

    reason: AdditionalHearingReason


class CorrectionsRecorded(EventData):
    """A caseworker recorded the lawyer's corrections and additions, or that none came (input)."""

    event_type = "nl.ind.hearing.corrections-recorded"

    received_on: date
    submitted: bool = Field(description="false: the term passed without corrections or additions")


class HearingObstacleRecorded(EventData):
    """A caseworker recorded a long-term obstacle to a hearing (input; key = case id)."""

    event_type = "nl.ind.hearing.obstacle-recorded"

    obstacle: ObstacleKind
    review_on: date = Field(description="when the obstacle is looked at again")


class HearingObstacleCleared(EventData):
    """A caseworker recorded that the obstacle is gone (input; key = case id)."""

    event_type = "nl.ind.hearing.obstacle-cleared"

    cleared_on: date


class HearingNoShowRecorded(EventData):
    """A caseworker recorded that the applicant did not come to the planned hearing (input).

    Answered with HearingNoShow; the case gets the next free slot.
    """

    event_type = "nl.ind.hearing.no-show-recorded"

    day: date


class HearingRescheduleRequested(EventData):
    """A planner asked to move the planned hearing (input; key = case id).

    Answered with HearingCancelled (reason rescheduled); the case gets the next free slot.
    """

    event_type = "nl.ind.hearing.reschedule-requested"

    reason: RescheduleReason


class LawyerRecorded(EventData):
    """A caseworker recorded the applicant's lawyer (input; key = case id). Answered with
    LawyerAssigned; the lawyer's clients get their review on one day where possible."""

    event_type = "nl.ind.hearing.lawyer-recorded"

    lawyer: LawyerId


# --- output ----------------------------------------------------------------------------


class HearingPlanned(EventData):
    """A hearing was planned."""

    event_type = "nl.ind.hearing.planned"

    starts_at: AwareDatetime
    location: LocationId
    room: HearingRoom
    format: HearingFormat
    interpreter_language: LanguageCode | None
    review_on: date | None
    team: TeamId | None = None
    caseworker: CaseworkerId | None = Field(
        default=None, description="the caseworker who hears the case"
    )
    lawyer: LawyerId | None = Field(
        default=None, description="the applicant's lawyer, told through chain-notify"
    )


class HearingCancelled(EventData):
    """A planned hearing will not take place; the lawyer is told through chain-notify."""

    event_type = "nl.ind.hearing.cancelled"

    day: date = Field(description="the hearing day that no longer takes place")
    reason: CancellationReason
    lawyer: LawyerId | None = None


class HearingNoShow(EventData):
    """The applicant did not come to the planned hearing; the next free slot follows."""

    event_type = "nl.ind.hearing.no-show"

    day: date


class LawyerAssigned(EventData):
    """The applicant's lawyer is known to the hearing (for the notices and the review day)."""

    event_type = "nl.ind.hearing.lawyer-assigned"

    lawyer: LawyerId


class ReadyForDecision(EventData):
    """Hearing is done with the case: the file is complete for a decider (the hearing and the
    post-hearing review, or a written hearing, are behind it; or the hearing was waived).
    Decision acts on this, or on HearingWaived; it carries facts about the hearing, never what
    was said. The envelope's time is the moment."""

    event_type = "nl.ind.hearing.ready-for-decision"

    ready_on: date
    heard: bool = Field(description="false: no oral or written hearing was held (a waiver)")
    additional_hearing: bool = Field(
        default=False, description="an additional hearing was held (contradictions, particulars)"
    )
    category: Category | None = Field(
        default=None, description="backlog category; absent for Pact cases and priority groups"
    )
    route: HearingRoute | None = Field(
        default=None, description="how the case came to the hearing: after the prephase or direct"
    )


class HearingWaived(EventData):
    """No hearing is held (category B with group membership established, or evident grant)."""

    event_type = "nl.ind.hearing.waived"

    reason: WaiverReason


class HearingHeld(EventData):
    """A hearing took place."""

    event_type = "nl.ind.hearing.held"

    held_on: date
    kind: HearingKind
    duration_minutes: int = Field(ge=1)
    interpreter_language: LanguageCode | None
    lawyer_present: bool


class WrittenHearingStarted(_WrittenHearingStartFields):
    """Written questions were sent instead of an oral hearing (schriftelijk horen)."""

    event_type = "nl.ind.hearing.written-hearing-started"


class WrittenHearingAnswered(EventData):
    """The written answers arrived; days_taken measures the written hearing's time gain."""

    event_type = "nl.ind.hearing.written-hearing-answered"

    received_on: date
    days_taken: int = Field(ge=0)


class AdditionalHearingNeeded(EventData):
    """An additional hearing is needed."""

    event_type = "nl.ind.hearing.additional-hearing-needed"

    reason: AdditionalHearingReason


class CorrectionsAndAdditionsReceived(EventData):
    """The post-hearing review (nabespreking) is done: corrections and additions came, or none."""

    event_type = "nl.ind.hearing.corrections-and-additions-received"

    received_on: date
    submitted: bool


class HearingOnHold(EventData):
    """The hearing is on hold for a long-term obstacle: tracked, not lost."""

    event_type = "nl.ind.hearing.on-hold"

    obstacle: ObstacleKind
    since: date
    review_on: date


class HearingResumed(EventData):
    """The obstacle is gone; the hearing can be planned again."""

    event_type = "nl.ind.hearing.resumed"

    resumed_on: date
    days_on_hold: int = Field(ge=0)
