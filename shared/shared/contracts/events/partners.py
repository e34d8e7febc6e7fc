"""Messages to chain partners (ketenpartners): COA, DT&V, the courts, Nidos and lawyers.

chain-notify derives them from case events and publishes them per partner and per
stream on ``ind.<stream>.partner.<partner>.v1``. Data minimisation decides every field:
a partner gets what it acts on and nothing else. No partner ever receives the asylum
motive, the account, hearing reports, health data, 1F/NV content, nationality, sex,
date of birth, category or priority group; the tests in
shared/tests/events/test_partners.py enforce that by field name.

The choices per partner are in PARTNER_DATA, which the generated docs quote.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, Field, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import DecisionOutcome, LegalGround, LocationId, Part
from shared.contracts.events.intake import CourtDistrict, LawyerId
from shared.contracts.topics import Partner
from shared.contracts.values import VNumber

PARTNER_DATA: dict[Partner, str] = {
    Partner.COA: (
        "COA (reception) gets the V-number, because it houses and transports people by it; "
        "the prephase day and locations for transport; after a grant that housing is needed "
        "(and whether family reunification is expected); after a refusal when the reception "
        "right ends. Not the legal ground, not the outcome's reasons, no personal details "
        "beyond the V-number."
    ),
    Partner.DTV: (
        "DT&V (return) gets, for a refusal, the V-number, the date the decision was sent, "
        "when it can be enforced, the departure period and whether there is an entry ban. "
        "Nationality is not sent: DT&V reads it from the shared aliens administration by "
        "V-number. For return information on prephase days it gets the day and location "
        "only, keyed by location and day, not by case: it plans staff, not people, and no "
        "key or field links such a day to the person whose refusal it may later receive."
    ),
    Partner.COURTS: (
        "The courts (Rechtspraak) get refusals only: outcome, the date sent (it starts the "
        "appeal clock), the appeal period and the court district whose region hears the "
        "appeal, keyed by the case id, which an appeal quotes. No V-number: the appeal itself "
        "identifies the applicant; this feed is for planning court capacity. Plus volume "
        "forecasts per plan cycle and, per court district, the appeals to expect per week."
    ),
    Partner.NIDOS: (
        "Nidos (guardian of unaccompanied minors, AMV) gets, for AMV cases only, the V-number, "
        "the appointments its guardian attends (prephase day, hearing, post-hearing review: "
        "day, time, location) and the decision (outcome, legal ground, date sent, appeal "
        "period), so that the guardian can advise on an appeal."
    ),
    Partner.LAWYER: (
        "The applicant's lawyer (through legal aid, Raad voor Rechtsbijstand) gets the "
        "hearing and post-hearing review appointments of their clients: the lawyer's code in "
        "the legal-aid register (to route the notice; never a name), the client's V-number, "
        "the kind of appointment, day, time and location; a change is a cancellation of the "
        "old appointment and a new one. Not the decision (the lawyer receives it with the "
        "decision itself), no hearing format, interpreter language or anything said."
    ),
}


class AppointmentKind(StrEnum):
    """An appointment an AMV's guardian attends."""

    PREPHASE_DAY = "prephase_day"
    HEARING = "hearing"
    POST_HEARING_REVIEW = "post_hearing_review"


class LawyerAppointmentKind(StrEnum):
    """An appointment the applicant's lawyer attends (or prepares the client for)."""

    HEARING = "hearing"
    POST_HEARING_REVIEW = "post_hearing_review"


# --- COA -------------------------------------------------------------------------------


class CoaTransportRequested(EventData):
    """COA: transport an applicant to the prephase location on a day."""

    event_type = "nl.ind.partner.coa.transport-requested"

    v_number: VNumber
    day: date
    from_location: LocationId = Field(description="the COA location the applicant lives at")
    to_location: LocationId = Field(description="the prephase location")


class CoaTransportCancelled(EventData):
    """COA: the transport requested for a day is no longer needed."""

    event_type = "nl.ind.partner.coa.transport-cancelled"

    v_number: VNumber
    day: date


class CoaHousingRequested(EventData):
    """COA: a status holder after a grant, to move out to housing in a municipality."""

    event_type = "nl.ind.partner.coa.housing-requested"

    v_number: VNumber
    granted_on: date
    family_reunification_expected: bool | None = Field(
        default=None, description="family reunification (nareis) expected; absent: not known"
    )


class CoaReceptionEnds(EventData):
    """COA: after a refusal, when the right to reception ends."""

    event_type = "nl.ind.partner.coa.reception-ends"

    v_number: VNumber
    decision_sent_on: date
    reception_ends_on: date | None = Field(
        description="absent: it depends on an appeal with suspensive effect"
    )


# --- DT&V ------------------------------------------------------------------------------


class DtvRefusalNotified(EventData):
    """DT&V: a refusal (rejection or inadmissibility) that leads to return."""

    event_type = "nl.ind.partner.dtv.refusal-notified"

    v_number: VNumber
    decision_sent_on: date
    enforceable_from: date | None = Field(description="absent: a court decides when")
    departure_period_days: int = Field(ge=0, le=28)
    entry_ban: bool


class DtvReturnInformationPlanned(EventData):
    """DT&V: voluntary-return information is to be given on a prephase day (no applicant data).

    Keyed by location and day (``LOCATION-YYYY-MM-DD``), never by case id: DT&V's topic
    also carries refusals with V-number and case id, which a case key would link to this day.
    """

    event_type = "nl.ind.partner.dtv.return-information-planned"

    day: date
    location: LocationId


# --- courts ----------------------------------------------------------------------------


class CourtsDecisionSent(EventData):
    """Courts: a refusal was sent; an appeal may follow within the appeal period."""

    event_type = "nl.ind.partner.courts.decision-sent"

    outcome: DecisionOutcome
    sent_on: date = Field(description="the appeal clock starts here")
    appeal_period_days: int = Field(ge=1, le=31)
    court_district: CourtDistrict = Field(description="the district court whose region hears it")

    @model_validator(mode="after")
    def _refusals_only(self) -> Self:
        if self.outcome is DecisionOutcome.GRANT:
            raise ValueError("the courts' feed carries refusals only")
        return self


class WeeklyAppeals(Part):
    """Appeals a court district can expect in one week."""

    week_of: date = Field(description="the Monday of the week")
    expected_appeals: int = Field(ge=0)


class CourtsAppealForecast(EventData):
    """Courts: the appeals to expect per week in one court district from a plan cycle (key =
    plan cycle id). Figures only: the cycle's expected decisions per week, the refusals among
    them by the grant rate, the share of refusals appealed, and the district's share of the
    stream's cases. A new revision of the cycle sends a new forecast that replaces this one."""

    event_type = "nl.ind.partner.courts.appeal-forecast"

    cycle_revision: int = Field(ge=0, description="the plan cycle revision it follows")
    court_district: CourtDistrict
    weeks: tuple[WeeklyAppeals, ...]


# --- Nidos -----------------------------------------------------------------------------


class NidosAppointmentPlanned(EventData):
    """Nidos: an appointment the guardian of an unaccompanied minor attends."""

    event_type = "nl.ind.partner.nidos.appointment-planned"

    v_number: VNumber
    kind: AppointmentKind
    day: date
    starts_at: AwareDatetime | None = Field(description="absent for a whole-day appointment")
    location: LocationId


class NidosAppointmentCancelled(EventData):
    """Nidos: an appointment no longer takes place."""

    event_type = "nl.ind.partner.nidos.appointment-cancelled"

    v_number: VNumber
    kind: AppointmentKind
    day: date


class NidosDecisionSent(EventData):
    """Nidos: the decision on an unaccompanied minor's application was sent."""

    event_type = "nl.ind.partner.nidos.decision-sent"

    v_number: VNumber
    outcome: DecisionOutcome
    legal_ground: LegalGround | None = Field(description="set for a grant")
    sent_on: date
    appeal_period_days: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _ground_iff_grant(self) -> Self:
        if (self.legal_ground is not None) != (self.outcome is DecisionOutcome.GRANT):
            raise ValueError("legal_ground is set for a grant, and only then")
        return self


# --- lawyers (legal aid) ----------------------------------------------------------------


class LawyerAppointmentPlanned(EventData):
    """Lawyer: a client's hearing or post-hearing review is planned (well ahead)."""

    event_type = "nl.ind.partner.lawyer.appointment-planned"

    lawyer: LawyerId
    v_number: VNumber
    kind: LawyerAppointmentKind
    day: date
    starts_at: AwareDatetime | None = Field(description="absent for a whole-day appointment")
    location: LocationId


class LawyerAppointmentCancelled(EventData):
    """Lawyer: a client's appointment no longer takes place (moved: a new one follows)."""

    event_type = "nl.ind.partner.lawyer.appointment-cancelled"

    lawyer: LawyerId
    v_number: VNumber
    kind: LawyerAppointmentKind
    day: date


# --- several partners ------------------------------------------------------------------


class VolumeForecast(EventData):
    """COA, DT&V, courts: expected decisions in a plan cycle (key = cycle id; R10 chain balance).

    Figures only; grants drive COA outflow and family reunification, refusals drive
    returns and appeals.
    """

    event_type = "nl.ind.partner.volume-forecast"

    period_start: date
    period_end: date
    expected_decisions: int = Field(ge=0)
    expected_grants: int = Field(ge=0)
    expected_refusals: int = Field(ge=0)

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.expected_grants + self.expected_refusals != self.expected_decisions:
            raise ValueError("expected_grants + expected_refusals must equal expected_decisions")
        return self
