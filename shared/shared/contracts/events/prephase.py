"""Prephase (voorfase): the applicant's one day at the central location, and what it yields.

Every backlog case starts here after planning released it (CaseReleased, stage prephase):
prephase picks a location day within planning's capacity (PrephaseLocationDayPlanned) and
invites the applicant. The day: transport (COA), documents, origin investigation, a language
indication (taalindicatie), the written motive and account (kernrelaas), information on
procedure and voluntary return, and 1F/NV signals passed to a specialised department. Its
findings can move a case from category B to D (R8): intake does that, from
LanguageIndicationCompleted and OriginInvestigationCompleted. PrephaseCompleted tells hearing
whether a category-B case is eligible for a waiver; hearing decides.

The events record *that* something happened and its classified result; the content
(the account, documents, findings in detail, anything about a 1F/NV signal beyond its
existence) stays in the case file or with the specialised unit and never travels on a topic.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import LanguageCode, LocationId, Part
from shared.contracts.values import Nationality


class PrephaseCancellationReason(StrEnum):
    RESCHEDULED = "rescheduled"
    CASE_WITHDRAWN = "case_withdrawn"
    APPLICANT_UNAVAILABLE = "applicant_unavailable"
    LOCATION_UNAVAILABLE = "location_unavailable"


class NoShowReason(StrEnum):
    """Why the applicant did not come; deliberately coarse (no health detail)."""

    EXCUSED = "excused"
    UNEXCUSED = "unexcused"
    TRANSPORT_FAILURE = "transport_failure"


class DocumentKind(StrEnum):
    PASSPORT = "passport"
    IDENTITY_CARD = "identity_card"
    BIRTH_CERTIFICATE = "birth_certificate"
    DRIVING_LICENCE = "driving_licence"
    OTHER_IDENTITY = "other_identity"
    SUPPORTING_EVIDENCE = "supporting_evidence"


IDENTITY_DOCUMENTS = frozenset(
    {DocumentKind.PASSPORT, DocumentKind.IDENTITY_CARD, DocumentKind.OTHER_IDENTITY}
)


class HandedInDocument(Part):
    """One document handed in: its kind, not its content."""

    kind: DocumentKind
    original: bool = Field(description="false: a copy")
    issuing_country: Nationality | None = None


class LanguageIndicationResult(StrEnum):
    """Result of the language indication (taalindicatie) against the stated origin."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    INCONCLUSIVE = "inconclusive"


class OriginFinding(StrEnum):
    """Result of the origin investigation."""

    PLAUSIBLE = "plausible"
    DOUBTFUL = "doubtful"
    INCONCLUSIVE = "inconclusive"


class ReturnInformant(StrEnum):
    """Who gave information about voluntary return."""

    DTV = "dtv"
    IOM = "iom"
    IND = "ind"


class WaiverCondition(StrEnum):
    """The three things that establish a category-B case's group membership."""

    LANGUAGE_CONSISTENT = "language_consistent"
    ORIGIN_NOT_IN_DOUBT = "origin_not_in_doubt"
    NO_EXCLUSION_INDICATION = "no_exclusion_indication"


class PrephaseHoldReason(StrEnum):
    """Why a case's prephase is on hold."""

    NO_SHOWS = "no_shows"


class ExclusionScreeningOutcome(StrEnum):
    """What the specialised department concluded on a 1F/NV signal."""

    NO_INDICATIONS = "no_indications"
    INDICATIONS_CONFIRMED = "indications_confirmed"


# --- fields an input shares with its answer -------------------------------------------
# No event_type: this is not a message, so it is not registered; each message below keeps
# its own docstring, type and version.


class _ReturnInformationFields(EventData):
    """What ReturnInformationRecorded and its answer ReturnInformationGiven carry."""

    given_on: date
    given_by: ReturnInformant


# --- input -----------------------------------------------------------------------------


class PrephaseDayCancelled(EventData):
    """A planner cancelled the case's prephase day (input; key = case id).

    Answered with PrephaseInvitationCancelled, TransportCancelled when transport was
    requested and GuardianNoticeCancelled for an AMV case. The case is invited for another
    day (rescheduling), unless it was withdrawn. Refused when no day is booked.
    """

    event_type = "nl.ind.prephase.day-cancelled"

    reason: PrephaseCancellationReason


class PrephaseAttendanceRecorded(EventData):
    """A caseworker recorded whether the applicant came on the prephase day (input; key = case id).

    Answered with PrephaseAttended or PrephaseNoShow (then the case is invited again, or held
    after too many no-shows: PrephaseOnHold). Refused for a day that was cancelled.
    """

    event_type = "nl.ind.prephase.attendance-recorded"

    day: date | None = Field(
        default=None, description="the day the attendance is for; absent: the invited day"
    )
    attended: bool
    no_show_reason: NoShowReason | None = Field(
        default=None, description="required when not attended"
    )

    @model_validator(mode="after")
    def _reason_iff_absent(self) -> Self:
        if self.attended == (self.no_show_reason is not None):
            raise ValueError("no_show_reason is required when not attended, and only then")
        return self


class DocumentsRecorded(EventData):
    """A caseworker recorded the documents handed in (input; key = case id). Empty: none."""

    event_type = "nl.ind.prephase.documents-recorded"

    documents: tuple[HandedInDocument, ...]


class LanguageIndicationRecorded(EventData):
    """A caseworker recorded the language indication (input; key = case id)."""

    event_type = "nl.ind.prephase.language-indication-recorded"

    result: LanguageIndicationResult
    language: LanguageCode | None = Field(description="the language indicated, if one was")


class OriginInvestigationRecorded(EventData):
    """A caseworker recorded the result of the origin investigation (input; key = case id)."""

    event_type = "nl.ind.prephase.origin-investigation-recorded"

    result: OriginFinding


class WrittenAccountRecorded(EventData):
    """A caseworker recorded that the written motive and account (kernrelaas) arrived (input).

    Only its arrival and size; the text stays in the case file.
    """

    event_type = "nl.ind.prephase.written-account-recorded"

    received_on: date
    language: LanguageCode
    pages: int = Field(ge=1, le=500)
    translation_needed: bool


class ReturnInformationRecorded(_ReturnInformationFields):
    """A caseworker recorded that voluntary-return information was given (input; key = case id)."""

    event_type = "nl.ind.prephase.return-information-recorded"


class ExclusionSignalRecorded(EventData):
    """A caseworker passed a 1F/NV signal to the specialised unit (input; key = case id).

    Only the fact of the signal travels, not even its kind: the content goes to the unit
    directly, outside this system. The case is held until the unit concludes.
    Version 2: the kind and the hold flag are gone (every signal holds).
    """

    event_type = "nl.ind.prephase.exclusion-signal-recorded"
    version = 2

    signalled_on: date = Field(description="the day the signal went to the specialised unit")


class ExclusionScreeningRecorded(EventData):
    """The specialised unit's conclusion on a 1F/NV signal, recorded by a caseworker (input).

    Nothing about the grounds. No indications lifts the hold; confirmed indications keep it.
    """

    event_type = "nl.ind.prephase.exclusion-screening-recorded"

    outcome: ExclusionScreeningOutcome


class PrephaseCompletionRecorded(EventData):
    """A caseworker closed the prephase of a case (input; key = case id).

    Answered with PrephaseCompleted; refused, listing what is missing, while an outcome the
    case's category requires is missing (docs/prephase.md), while the case is on hold, and
    when the prephase was completed before.
    """

    event_type = "nl.ind.prephase.completion-recorded"

    completed_on: date


# --- output ----------------------------------------------------------------------------


class PrephaseInvited(EventData):
    """The applicant was invited for a prephase day."""

    event_type = "nl.ind.prephase.invited"

    day: date
    location: LocationId
    interpreter_language: LanguageCode | None
    return_information: bool


class GuardianNoticeRequested(EventData):
    """An unaccompanied minor (AMV) is invited: the guardian (Nidos) attends the day."""

    event_type = "nl.ind.prephase.guardian-notice-requested"

    day: date
    location: LocationId


class GuardianNoticeCancelled(EventData):
    """The AMV's prephase day the guardian was told about no longer takes place."""

    event_type = "nl.ind.prephase.guardian-notice-cancelled"

    day: date


class PrephaseOnHold(EventData):
    """The case's prephase is on hold; it is not invited again until planning releases it anew."""

    event_type = "nl.ind.prephase.on-hold"

    reason: PrephaseHoldReason
    no_shows: int = Field(ge=0)


class PrephaseInvitationCancelled(EventData):
    """A prephase invitation was cancelled."""

    event_type = "nl.ind.prephase.invitation-cancelled"

    day: date = Field(description="the day that no longer takes place")
    reason: PrephaseCancellationReason


class TransportRequested(EventData):
    """Transport to the prephase day is needed (for COA): from where, to where, which day."""

    event_type = "nl.ind.prephase.transport-requested"

    day: date
    from_location: LocationId
    to_location: LocationId


class TransportCancelled(EventData):
    """Requested transport is no longer needed."""

    event_type = "nl.ind.prephase.transport-cancelled"

    day: date


class PrephaseAttended(EventData):
    """The applicant came on the prephase day."""

    event_type = "nl.ind.prephase.attended"

    day: date


class PrephaseNoShow(EventData):
    """The applicant did not come on the prephase day; planning books a new one."""

    event_type = "nl.ind.prephase.no-show"

    day: date
    reason: NoShowReason


class DocumentsHandedIn(EventData):
    """Documents were handed in (kinds only)."""

    event_type = "nl.ind.prephase.documents-handed-in"

    documents: tuple[HandedInDocument, ...]
    original_identity_document: bool = Field(description="at least one original identity document")


class LanguageIndicationCompleted(EventData):
    """The language indication (taalindicatie) is done; inconsistent can move B to D (R8)."""

    event_type = "nl.ind.prephase.language-indication-completed"

    result: LanguageIndicationResult
    language: LanguageCode | None


class OriginInvestigationCompleted(EventData):
    """The origin investigation is done; doubt can move B to D (R8)."""

    event_type = "nl.ind.prephase.origin-investigation-completed"

    result: OriginFinding


class WrittenAccountReceived(EventData):
    """The written motive and account (kernrelaas) arrived: size and language only."""

    event_type = "nl.ind.prephase.written-account-received"

    received_on: date
    language: LanguageCode
    pages: int = Field(ge=1)
    translation_needed: bool


class ReturnInformationGiven(_ReturnInformationFields):
    """Voluntary-return information was given to the applicant."""

    event_type = "nl.ind.prephase.return-information-given"


class ExclusionSignalRaised(EventData):
    """A 1F/NV signal went to the specialised unit: the case is on hold until it concludes.

    Internal only: no partner ever receives this or anything derived from it. Version 2:
    the kind is gone (only the fact of the signal travels) and every signal holds.
    """

    event_type = "nl.ind.prephase.exclusion-signal-raised"
    version = 2

    signalled_on: date


class ExclusionScreeningConcluded(EventData):
    """The specialised department concluded on a 1F/NV signal; a hold, if any, is lifted."""

    event_type = "nl.ind.prephase.exclusion-screening-concluded"

    outcome: ExclusionScreeningOutcome
    hold_lifted: bool


class PrephaseCompleted(EventData):
    """The prephase of a case is complete: its classified findings and whether they make a
    category-B case eligible for a waiver of the hearing.

    Prephase records the facts; hearing decides (it plans the hearing, or waives it with
    HearingWaived, which decision acts on: decision listens to hearing only). Version 2: the
    waiver eligibility with the conditions not met, and findings a category need not require.
    """

    event_type = "nl.ind.prephase.completed"
    version = 2

    completed_on: date
    waiver_eligible: bool = Field(
        description="a category-B case whose group membership the prephase established: a "
        "consistent language indication, an origin not in doubt and no 1F/NV indication"
    )
    waiver_missing: tuple[WaiverCondition, ...] = Field(
        description="for a category-B case: the conditions not met (why it is not eligible)"
    )
    language_indication: LanguageIndicationResult | None
    origin: OriginFinding | None
    original_identity_document: bool
    written_account: bool = Field(description="the written account was received")
    exclusion_signal: bool = Field(
        description="a 1F/NV signal was raised (nothing of its content is here)"
    )

    @model_validator(mode="after")
    def _eligible_iff_nothing_missing(self) -> Self:
        if self.waiver_eligible and self.waiver_missing:
            raise ValueError("a case eligible for a waiver misses no condition")
        return self
