"""Prephase (voorfase): the applicant's one day at the central location, and what it yields.

Every backlog case starts here after planning released it. The day: transport (COA),
documents, origin investigation, a language indication (taalindicatie), the written
motive and account (kernrelaas), information on procedure and voluntary return, and
1F/NV signals passed to a specialised department. Its outcome can move a case from
category B to D (R8): intake does that, from PrephaseCompleted.

The events record *that* something happened and its classified result; the content
(the account, documents, findings in detail) stays in the case file and never travels
on a topic.
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


class ExclusionSignalKind(StrEnum):
    """The kind of a 1F/NV signal: Article 1F Refugee Convention, or national security (NV)."""

    ARTICLE_1F = "article_1f"
    NATIONAL_SECURITY = "national_security"


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


class PrephaseDayBooked(EventData):
    """A planner booked the applicant's prephase day (input; key = case id).

    Answered with PrephaseInvited, and TransportRequested when the applicant travels
    from a COA location. Refused for a backlog case that planning has not released
    (CaseReleased, stage prephase); Pact cases enter the prephase without a cohort.
    """

    event_type = "nl.ind.prephase.day-booked"

    day: date
    location: LocationId = Field(description="the prephase location")
    reception_location: LocationId | None = Field(
        description="COA location the applicant travels from; absent: no transport needed"
    )
    interpreter_language: LanguageCode | None = Field(description="absent: no interpreter needed")
    return_information: bool = Field(
        description="DT&V/IOM give voluntary-return information that day"
    )


class PrephaseDayCancelled(EventData):
    """A planner cancelled the booked prephase day (input; key = case id).

    Answered with PrephaseInvitationCancelled, and TransportCancelled when transport
    was requested.
    """

    event_type = "nl.ind.prephase.day-cancelled"

    reason: PrephaseCancellationReason


class PrephaseAttendanceRecorded(EventData):
    """A caseworker recorded whether the applicant came on the prephase day (input; key = case id).

    Answered with PrephaseAttended or PrephaseNoShow.
    """

    event_type = "nl.ind.prephase.attendance-recorded"

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
    """A caseworker passed a 1F/NV signal to the specialised department (input; key = case id).

    Only the kind of signal travels; its content goes to the department directly.
    """

    event_type = "nl.ind.prephase.exclusion-signal-recorded"

    kind: ExclusionSignalKind
    hold: bool = Field(description="hold the case until the department concludes")


class ExclusionScreeningRecorded(EventData):
    """The specialised department recorded its conclusion on a 1F/NV signal (input)."""

    event_type = "nl.ind.prephase.exclusion-screening-recorded"

    outcome: ExclusionScreeningOutcome


class PrephaseCompletionRecorded(EventData):
    """A caseworker closed the prephase of a case (input; key = case id).

    Answered with PrephaseCompleted; refused while the day was not attended or the
    language indication or origin investigation is missing.
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
    """A 1F/NV signal went to the specialised department; hearing and decision wait if held.

    Internal only: no partner ever receives this or anything derived from it.
    """

    event_type = "nl.ind.prephase.exclusion-signal-raised"

    kind: ExclusionSignalKind
    case_on_hold: bool


class ExclusionScreeningConcluded(EventData):
    """The specialised department concluded on a 1F/NV signal; a hold, if any, is lifted."""

    event_type = "nl.ind.prephase.exclusion-screening-concluded"

    outcome: ExclusionScreeningOutcome
    hold_lifted: bool


class PrephaseCompleted(EventData):
    """The prephase of a case is complete: its classified findings, for intake (R8) and hearing."""

    event_type = "nl.ind.prephase.completed"

    completed_on: date
    language_indication: LanguageIndicationResult
    origin: OriginFinding
    original_identity_document: bool
    written_account: bool = Field(description="the written account was received")
    exclusion_signal: bool = Field(
        description="a 1F/NV signal was raised (its content is not here)"
    )
