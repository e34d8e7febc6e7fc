"""One valid example of every catalogue message, with a deterministic envelope.

Used by the tests (round trips through encode/decode) and by the generated docs
(AsyncAPI message examples), so the docs show payloads that really validate. The
people are fictional; the V-number is made up.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from shared.contracts.envelope import Envelope, EventData, encode
from shared.contracts.events import catalogue as cat
from shared.contracts.events import clock as clk
from shared.contracts.events import decision as d
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import partners as p
from shared.contracts.events import planning as pl
from shared.contracts.events import prephase as pp
from shared.contracts.events.common import (
    DecisionOutcome,
    LegalGround,
    ObstacleKind,
    Procedure,
    RejectionKind,
    Sex,
)
from shared.contracts.rejections import OriginalRecord, Rejection
from shared.contracts.values import Category, PriorityGroup, Stream

V_NUMBER = "1234567890"
CASE_ID = cat.CASE_KEY.example
MOMENT = datetime(2026, 10, 5, 8, 15, tzinfo=UTC)

_SELECTIONS = (
    pl.CohortSelection(category=Category.A, nationalities=("SYR", "YEM"), max_cases=1800),
    pl.CohortSelection(category=Category.C, nationalities=("IRQ",), max_cases=600),
)
_DOCUMENTS = (
    pp.HandedInDocument(kind=pp.DocumentKind.PASSPORT, original=True, issuing_country="SYR"),
    pp.HandedInDocument(
        kind=pp.DocumentKind.BIRTH_CERTIFICATE, original=False, issuing_country="SYR"
    ),
)

# The values an input's example shares with the example of the output that answers it:
# written once, so that the two cannot drift apart.
# intake
_APPLICATION: dict[str, Any] = {
    "v_number": V_NUMBER,
    "nationality": "SYR",
    "lodged_at": datetime(2025, 11, 3, 9, 30, tzinfo=UTC),
    "unaccompanied": False,
}
_REASSESSMENT: dict[str, Any] = {
    "group": PriorityGroup.UNACCOMPANIED_MINOR,
    "reason": "age assessment: adult",
}
_COUNTRY_POLICY: dict[str, Any] = {
    "policy_version": "cp-2026-10",
    "effective_from": date(2026, 10, 1),
}
_LOGISTICS: dict[str, Any] = {
    "interpreter_languages": ("apc", "ara"),
    "reception_location": "coa-budel",
    "lawyer": "rvr-40211",
    "court_district": i.CourtDistrict.OOST_BRABANT,
}
# planning
_PLAN_CYCLE: dict[str, Any] = {
    "starts_on": date(2026, 10, 1),
    "ends_on": date(2026, 12, 31),
    "selections": _SELECTIONS,
}
# prephase
_PREPHASE_DAY: dict[str, Any] = {
    "day": date(2026, 10, 14),
    "location": "prephase-zwolle",
    "interpreter_language": "ara",
    "return_information": False,
}
_LANGUAGE_INDICATION: dict[str, Any] = {
    "result": pp.LanguageIndicationResult.CONSISTENT,
    "language": "apc",
}
_WRITTEN_ACCOUNT: dict[str, Any] = {
    "received_on": date(2026, 10, 14),
    "language": "ara",
    "pages": 6,
    "translation_needed": True,
}
_RETURN_INFORMATION: dict[str, Any] = {
    "given_on": date(2026, 10, 14),
    "given_by": pp.ReturnInformant.DTV,
}
# hearing
_HEARING: dict[str, Any] = {
    "starts_at": datetime(2026, 11, 10, 8, 30, tzinfo=UTC),
    "location": "ind-den-bosch",
    "room": h.HearingRoom.STANDARD,
    "format": h.HearingFormat.SHORT_TARGETED,
    "interpreter_language": "apc",
    "review_on": date(2026, 11, 11),
    "team": "team-syria-1",
}
_HEARING_HELD: dict[str, Any] = {
    "held_on": date(2026, 11, 10),
    "kind": h.HearingKind.FIRST,
    "duration_minutes": 150,
    "interpreter_language": "apc",
    "lawyer_present": True,
}
_WRITTEN_HEARING: dict[str, Any] = {"sent_on": date(2026, 11, 2), "answers_due": date(2026, 11, 23)}
_CORRECTIONS: dict[str, Any] = {"received_on": date(2026, 11, 11), "submitted": True}
_HEARING_OBSTACLE: dict[str, Any] = {
    "obstacle": ObstacleKind.INVESTIGATION_ABROAD,
    "review_on": date(2027, 2, 1),
}
# decision
_DECISION_DRAFT: dict[str, Any] = {
    "proposed_outcome": DecisionOutcome.REJECTION,
    "standardised": True,
    "rejection_kind": RejectionKind.UNFOUNDED,
}
_DECISION_ISSUE: dict[str, Any] = {
    "outcome": DecisionOutcome.REJECTION,
    "rejection_kind": RejectionKind.UNFOUNDED,
    "standardised": True,
    "issued_on": date(2026, 12, 1),
    "sent_at": datetime(2026, 12, 1, 15, 0, tzinfo=UTC),
    "departure_period_days": 28,
}
_DECISION_OBSTACLE: dict[str, Any] = {
    "obstacle": ObstacleKind.DEPARTURE_MORATORIUM,
    "review_on": date(2027, 3, 1),
}

_EXAMPLES: tuple[EventData, ...] = (
    # intake
    i.ApplicationRegistered(
        **_APPLICATION,
        sex=Sex.FEMALE,
        date_of_birth=date(1991, 3, 14),
        registered_at=datetime(2025, 10, 29, 13, 0, tzinfo=UTC),
        nuisance=False,
    ),
    i.ApplicationWithdrawn(withdrawn_at=MOMENT, reason="applicant withdrew in writing"),
    i.PriorityGroupReassessed(**_REASSESSMENT, member=False),
    i.DeadlineExtensionGranted(months=9, ground=i.ExtensionGround.MANY_APPLICATIONS),
    i.DeadlineSuspensionGranted(days=21, basis="Awb art. 4:15(1)(a)"),
    i.CountryPolicyPublished(
        **_COUNTRY_POLICY,
        rules=(
            i.CountryPolicyRule(nationality="SYR", category=Category.A),
            i.CountryPolicyRule(nationality="AFG", sex=Sex.FEMALE, category=Category.B),
            i.CountryPolicyRule(nationality="IRQ", category=Category.C),
        ),
        former_safe_countries=("GEO",),
    ),
    i.CaseRegistered(
        **_APPLICATION,
        stream=Stream.BACKLOG,
        procedure=Procedure.NATIONAL_REGULAR,
        category=Category.A,
        priority_group=None,
        priority_groups=(),
        policy_version="cp-2026-10",
        deadline=date(2026, 5, 3),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
    ),
    i.CaseRecategorised(
        old_category=Category.B,
        new_category=Category.D,
        reason=i.RecategorisationReason.PREPHASE_OUTCOME,
    ),
    i.PriorityGroupJoined(
        group=PriorityGroup.FORMER_SAFE_COUNTRY,
        reason="country policy cp-2026-10",
        priority_group=PriorityGroup.FORMER_SAFE_COUNTRY,
    ),
    i.PriorityGroupLeft(**_REASSESSMENT, priority_group=None),
    i.LegalDeadlineChanged(
        old_deadline=date(2026, 5, 3),
        new_deadline=date(2027, 2, 3),
        reason=i.DeadlineChangeReason.MANY_APPLICATIONS,
        basis="Vw 2000 art. 42(1) + Vw 2000 art. 42(4)",
    ),
    i.CaseWithdrawn(withdrawn_at=MOMENT),
    i.CountryPolicyAdopted(**_COUNTRY_POLICY, adopted_at=MOMENT, cases_recategorised=412),
    i.ApplicantLogisticsRecorded(**_LOGISTICS),
    i.ApplicantLogisticsChanged(
        **_LOGISTICS,
        changed=(i.LogisticsPart.INTERPRETER_LANGUAGES, i.LogisticsPart.RECEPTION_LOCATION),
    ),
    # planning
    pl.CapacityDeclared(
        prephase_places=2400,
        hearing_days=3100,
        decision_days=3900,
        prephase_location_operational=False,
    ),
    pl.TeamCapacityChanged(
        effective_on=date(2026, 11, 16),
        caseworkers=2,
        hours_per_week=36,
        nationalities=("SYR",),
        languages=("ara", "apc"),
        location="ind-den-bosch",
        members=(
            pl.CaseworkerCapacity(
                caseworker="cw-1001", specialisms=(pl.Specialism.NATIONALITY,), hours_per_week=36
            ),
            pl.CaseworkerCapacity(caseworker="cw-1002", hours_per_week=18),
        ),
        note="cw-1003 leaves the team",
    ),
    pl.PlanCycleProposed(**_PLAN_CYCLE, target_grant_rate=0.55),
    pl.PlanCycleOpened(**_PLAN_CYCLE, planned_cases=2400, expected_grant_rate=0.56),
    pl.PlanCycleClosed(
        closed_on=date(2026, 12, 31), cases_released=2350, cases_decided=1710, grant_rate=0.57
    ),
    pl.CohortReleased(
        cohort="cohort-2026-4-01",
        released_on=date(2026, 10, 1),
        category=Category.A,
        nationalities=("SYR",),
        cases=300,
        prephase_from=date(2026, 10, 12),
    ),
    pl.CapacityChanged(
        prephase_places=2400,
        hearing_days=1900,
        decision_days=2400,
        share=0.61,
        reason=pl.CapacityChangeReason.PACT_INFLOW,
    ),
    pl.HearingRosterPlanned(
        teams=(
            pl.RosterTeam(
                team="team-syria-1",
                location="ind-den-bosch",
                caseworkers=(
                    pl.CaseworkerCapacity(
                        caseworker="cw-1001",
                        specialisms=(pl.Specialism.NATIONALITY, pl.Specialism.LANGUAGE),
                        hours_per_week=36,
                    ),
                    pl.CaseworkerCapacity(caseworker="cw-1002", hours_per_week=18),
                ),
            ),
        ),
        rates=(
            pl.CategoryRate(category=Category.A, per_day=2),
            pl.CategoryRate(category=Category.C, per_day=1),
        ),
        interpreters=(pl.InterpreterPlaces(language="ara", places=6),),
        full_time_hours=36,
    ),
    pl.PrephaseLocationDayPlanned(
        location="prephase-zwolle",
        day=date(2026, 10, 14),
        places=40,
        interpreters=(
            pl.InterpreterPlaces(language="ara", places=12),
            pl.InterpreterPlaces(language="apc", places=8),
        ),
        return_information=True,
    ),
    pl.BacklogForecastMade(
        as_of=date(2026, 10, 1),
        cleared_on=date(2029, 3, 30),
        target=date(2029, 6, 12),
        open_at_target=310,
        pooled=51200,
        held=310,
    ),
    pl.TriageTriggered(
        triggered_on=date(2027, 3, 1), projected_first_applications=31200, window_months=6
    ),
    pl.TriageLifted(lifted_on=date(2027, 9, 1), projected_first_applications=22800),
    pl.CaseReleased(
        stage=pl.ReleaseStage.PREPHASE,
        release_day=date(2026, 10, 12),
        team="team-syria-1",
        specialisms=(pl.Specialism.NATIONALITY, pl.Specialism.LANGUAGE),
        cycle="cycle-2026-4",
        cohort="cohort-2026-4-01",
    ),
    pl.ReleaseHeld(
        stage=pl.ReleaseStage.DECISION,
        missing_items=(pl.FileItem.WRITTEN_ACCOUNT,),
    ),
    pl.StageCouldNotPlace(
        stage=pl.ReleaseStage.PREPHASE,
        reason=pl.PlacementProblem.NO_INTERPRETER,
        searched_until=date(2026, 11, 13),
        language="tir",
    ),
    # prephase
    pp.PrephaseDayCancelled(reason=pp.PrephaseCancellationReason.RESCHEDULED),
    pp.PrephaseAttendanceRecorded(day=date(2026, 10, 14), attended=True),
    pp.DocumentsRecorded(documents=_DOCUMENTS),
    pp.LanguageIndicationRecorded(**_LANGUAGE_INDICATION),
    pp.OriginInvestigationRecorded(result=pp.OriginFinding.PLAUSIBLE),
    pp.WrittenAccountRecorded(**_WRITTEN_ACCOUNT),
    pp.ReturnInformationRecorded(**_RETURN_INFORMATION),
    pp.ExclusionSignalRecorded(signalled_on=date(2026, 10, 14)),
    pp.ExclusionScreeningRecorded(outcome=pp.ExclusionScreeningOutcome.NO_INDICATIONS),
    pp.PrephaseCompletionRecorded(completed_on=date(2026, 10, 21)),
    pp.PrephaseInvited(**_PREPHASE_DAY),
    pp.PrephaseInvitationCancelled(
        day=date(2026, 10, 14), reason=pp.PrephaseCancellationReason.RESCHEDULED
    ),
    pp.TransportRequested(
        day=date(2026, 10, 14), from_location="coa-budel", to_location="prephase-zwolle"
    ),
    pp.TransportCancelled(day=date(2026, 10, 14)),
    pp.GuardianNoticeRequested(day=date(2026, 10, 14), location="prephase-zwolle"),
    pp.GuardianNoticeCancelled(day=date(2026, 10, 14)),
    pp.PrephaseOnHold(reason=pp.PrephaseHoldReason.NO_SHOWS, no_shows=3),
    pp.PrephaseAttended(day=date(2026, 10, 14)),
    pp.PrephaseNoShow(day=date(2026, 10, 14), reason=pp.NoShowReason.TRANSPORT_FAILURE),
    pp.DocumentsHandedIn(documents=_DOCUMENTS, original_identity_document=True),
    pp.LanguageIndicationCompleted(**_LANGUAGE_INDICATION),
    pp.OriginInvestigationCompleted(result=pp.OriginFinding.PLAUSIBLE),
    pp.WrittenAccountReceived(**_WRITTEN_ACCOUNT),
    pp.ReturnInformationGiven(**_RETURN_INFORMATION),
    pp.ExclusionSignalRaised(signalled_on=date(2026, 10, 14)),
    pp.ExclusionScreeningConcluded(
        outcome=pp.ExclusionScreeningOutcome.NO_INDICATIONS, hold_lifted=True
    ),
    pp.PrephaseCompleted(
        completed_on=date(2026, 10, 21),
        waiver_eligible=False,
        waiver_missing=(pp.WaiverCondition.ORIGIN_NOT_IN_DOUBT,),
        language_indication=pp.LanguageIndicationResult.CONSISTENT,
        origin=pp.OriginFinding.PLAUSIBLE,
        original_identity_document=True,
        written_account=True,
        exclusion_signal=False,
    ),
    # hearing
    h.LawyerRecorded(lawyer="lawyer-4711"),
    h.HearingRescheduleRequested(reason=h.RescheduleReason.INTERPRETER_UNAVAILABLE),
    h.HearingNoShowRecorded(day=date(2026, 11, 10)),
    h.HearingWaiverRecorded(reason=h.WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED),
    h.HearingHeldRecorded(**_HEARING_HELD),
    h.WrittenHearingStartRecorded(**_WRITTEN_HEARING),
    h.WrittenHearingAnswersRecorded(received_on=date(2026, 11, 19)),
    h.AdditionalHearingRecorded(reason=h.AdditionalHearingReason.CONTRADICTIONS),
    h.CorrectionsRecorded(**_CORRECTIONS),
    h.HearingObstacleRecorded(**_HEARING_OBSTACLE),
    h.HearingObstacleCleared(cleared_on=date(2027, 1, 20)),
    h.HearingPlanned(**_HEARING, caseworker="cw-1042", lawyer="lawyer-4711"),
    h.HearingCancelled(
        day=date(2026, 11, 10), reason=h.CancellationReason.RESCHEDULED, lawyer="lawyer-4711"
    ),
    h.HearingNoShow(day=date(2026, 11, 10)),
    h.LawyerAssigned(lawyer="lawyer-4711"),
    h.ReadyForDecision(
        ready_on=date(2026, 11, 13),
        heard=True,
        additional_hearing=False,
        category=Category.A,
        route=h.HearingRoute.VIA_PREPHASE,
    ),
    h.HearingWaived(reason=h.WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED),
    h.HearingHeld(**_HEARING_HELD),
    h.WrittenHearingStarted(**_WRITTEN_HEARING),
    h.WrittenHearingAnswered(received_on=date(2026, 11, 19), days_taken=17),
    h.AdditionalHearingNeeded(reason=h.AdditionalHearingReason.CONTRADICTIONS),
    h.CorrectionsAndAdditionsReceived(**_CORRECTIONS),
    h.HearingOnHold(**_HEARING_OBSTACLE, since=date(2026, 11, 3)),
    h.HearingResumed(resumed_on=date(2027, 1, 20), days_on_hold=78),
    # decision
    d.DecisionDraftRecorded(**_DECISION_DRAFT),
    d.DecisionReviewRecorded(approved=True),
    d.HardCaseReferralRecorded(reason=d.EscalationReason.CONFLICTING_INFORMATION),
    d.HardCaseVoteRecorded(outcome=DecisionOutcome.GRANT, legal_ground=LegalGround.B),
    d.DecisionIssueRecorded(**_DECISION_ISSUE),
    d.DecisionObstacleRecorded(**_DECISION_OBSTACLE),
    d.DecisionObstacleCleared(cleared_on=date(2027, 2, 15)),
    d.IntendedDecisionRecorded(sent_on=date(2026, 11, 24)),
    d.ApplicantViewRecorded(received_on=date(2026, 12, 15)),
    d.DecisionDrafted(**_DECISION_DRAFT),
    d.IntendedDecisionSent(
        proposed_outcome=DecisionOutcome.REJECTION,
        rejection_kind=RejectionKind.UNFOUNDED,
        sent_on=date(2026, 11, 24),
        response_due=date(2026, 12, 22),
    ),
    d.ApplicantViewReceived(received_on=date(2026, 12, 15), response_due=date(2026, 12, 22)),
    d.DecisionReviewed(approved=True),
    d.HardCaseDecided(
        outcome=DecisionOutcome.GRANT,
        legal_ground=LegalGround.B,
        votes=3,
        quorum=3,
        decided_on=date(2026, 11, 27),
    ),
    d.DecisionEscalated(
        reason=d.EscalationReason.CONFLICTING_INFORMATION, escalated_on=date(2026, 11, 20)
    ),
    d.DecisionIssued(
        **_DECISION_ISSUE,
        hard_case_team=False,
        appeal_period_days=28,
        enforceable_from=date(2026, 12, 30),
        deadline=date(2027, 2, 3),
        days_relative_to_deadline=-64,
        deadline_met=True,
        route=d.DecisionRoute.CATEGORY_A,
        policy_version="cp-2026-10",
        appeal_period_basis="Vw 2000 art. 69(2)",
        departure_period_basis="set by the decider",
    ),
    d.DecisionAtRisk(
        deadline=date(2027, 2, 3),
        as_of=date(2027, 1, 20),
        working_days_left=10,
        procedure=Procedure.NATIONAL_REGULAR,
    ),
    d.DecisionLate(deadline=date(2027, 2, 3), as_of=date(2027, 2, 4), days_late=1),
    d.GrantRateReported(
        category=Category.A,
        cycle="cycle-2026-4",
        as_of=date(2026, 12, 1),
        decided=120,
        grants=18,
        grant_rate=0.15,
    ),
    d.DecisionOnHold(**_DECISION_OBSTACLE, since=date(2026, 12, 1)),
    d.DecisionResumed(resumed_on=date(2027, 2, 15), days_on_hold=76),
    # partners
    p.CoaTransportRequested(
        v_number=V_NUMBER,
        day=date(2026, 10, 14),
        from_location="coa-budel",
        to_location="prephase-zwolle",
    ),
    p.CoaTransportCancelled(v_number=V_NUMBER, day=date(2026, 10, 14)),
    p.CoaHousingRequested(
        v_number=V_NUMBER, granted_on=date(2026, 12, 1), family_reunification_expected=True
    ),
    p.CoaReceptionEnds(
        v_number=V_NUMBER, decision_sent_on=date(2026, 12, 1), reception_ends_on=date(2026, 12, 29)
    ),
    p.DtvRefusalNotified(
        v_number=V_NUMBER,
        decision_sent_on=date(2026, 12, 1),
        enforceable_from=date(2026, 12, 30),
        departure_period_days=28,
        entry_ban=False,
    ),
    p.DtvReturnInformationPlanned(day=date(2026, 10, 14), location="prephase-zwolle"),
    p.CourtsDecisionSent(
        outcome=DecisionOutcome.REJECTION,
        sent_on=date(2026, 12, 1),
        appeal_period_days=28,
        court_district=i.CourtDistrict.OOST_BRABANT,
    ),
    p.CourtsAppealForecast(
        cycle_revision=0,
        court_district=i.CourtDistrict.OOST_BRABANT,
        weeks=(
            p.WeeklyAppeals(week_of=date(2026, 10, 5), expected_appeals=42),
            p.WeeklyAppeals(week_of=date(2026, 10, 12), expected_appeals=47),
        ),
    ),
    p.LawyerAppointmentPlanned(
        lawyer="rvr-40211",
        v_number=V_NUMBER,
        kind=p.LawyerAppointmentKind.HEARING,
        day=date(2026, 11, 10),
        starts_at=datetime(2026, 11, 10, 8, 30, tzinfo=UTC),
        location="ind-den-bosch",
    ),
    p.LawyerAppointmentCancelled(
        lawyer="rvr-40211",
        v_number=V_NUMBER,
        kind=p.LawyerAppointmentKind.HEARING,
        day=date(2026, 11, 10),
    ),
    p.NidosAppointmentPlanned(
        v_number=V_NUMBER,
        kind=p.AppointmentKind.HEARING,
        day=date(2026, 11, 10),
        starts_at=datetime(2026, 11, 10, 8, 30, tzinfo=UTC),
        location="ind-den-bosch",
    ),
    p.NidosAppointmentCancelled(
        v_number=V_NUMBER, kind=p.AppointmentKind.HEARING, day=date(2026, 11, 10)
    ),
    p.NidosDecisionSent(
        v_number=V_NUMBER,
        outcome=DecisionOutcome.GRANT,
        legal_ground=LegalGround.A,
        sent_on=date(2026, 12, 1),
        appeal_period_days=28,
    ),
    p.VolumeForecast(
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        expected_decisions=1700,
        expected_grants=950,
        expected_refusals=750,
    ),
    # rejections
    Rejection(
        code="schema-invalid",
        reason="nl.ind.prephase.language-indication-recorded.v1: result: "
        "Input should be 'consistent', 'inconsistent' or 'inconclusive'",
        rejected_by="prephase",
        original=OriginalRecord(
            topic="ind.backlog.prephase.input.v1",
            partition=3,
            offset=1187,
            key=CASE_ID,
            headers={"ce_type": "nl.ind.prephase.language-indication-recorded.v1"},
            value_base64=base64.b64encode(b'{"result":"positive","language":"apc"}').decode(
                "ascii"
            ),
        ),
    ),
    # simulated time
    clk.ClockTicked(day=date(2026, 10, 5), round=0, now=MOMENT),
    clk.ClockAcknowledged(
        service="intake",
        day=date(2026, 10, 5),
        round=1,
        consumed=5412,
        published=5398,
        timers_run=0,
    ),
)

EXAMPLES: dict[str, EventData] = {e.ce_type(): e for e in _EXAMPLES}


def example(message: str | type[EventData]) -> EventData:
    """The example payload of a message, by CloudEvents type or model class."""
    ce_type = message if isinstance(message, str) else message.ce_type()
    return EXAMPLES[ce_type]


def example_envelope(
    spec: cat.MessageSpec, stream: Stream | None, more: MoreExample | None = None
) -> Envelope[EventData]:
    """A complete, deterministic envelope around the example payload, as it would be published.

    An answer's example follows from the example of the input it answers (same
    correlation id, causation id = the input's id), as it would on the wire. With
    ``more``, the envelope of that further example instead of the first.
    """
    data = more.data if more is not None else example(spec.ce_type)
    producer = data.rejected_by if isinstance(data, Rejection) else spec.producers[0]
    if ":" in producer:
        actor, source = _HUMAN_ACTORS[producer.split(":", 1)[1]], f"/{producer.replace(':', '/')}"
    else:
        actor, source = cat.system(producer), f"/caseflow/{producer}"
    name = f"caseflow:{spec.ce_type}:{stream}"
    if more is not None:
        name += f":{MORE_EXAMPLES[spec.ce_type].index(more) + 1}"
    event_id = uuid5(NAMESPACE_URL, name)
    correlation, causation = event_id, None
    subject = spec.key.example
    if spec.direction is not cat.Direction.INPUT:
        cause = more.cause if more is not None else _cause(spec, stream)
        correlation = cause.correlationid if cause else _CORRELATION
        causation = cause.id if cause else _CAUSATION
    if isinstance(data, Rejection) and data.original.key is not None:
        subject = data.original.key  # a rejection is keyed like the record it rejects
    return Envelope[EventData](
        id=event_id,
        source=source,
        type=spec.ce_type,
        time=MOMENT,
        subject=subject,
        stream=stream,
        correlationid=correlation,
        causationid=causation,
        actor=actor,
        data=data,
    )


def example_envelopes(spec: cat.MessageSpec) -> list[Envelope[EventData]]:
    """The first example on the message's first stream, then every further example."""
    first = example_envelope(spec, spec.streams[0])
    return [
        first,
        *(example_envelope(spec, m.stream, m) for m in MORE_EXAMPLES.get(spec.ce_type, ())),
    ]


def _cause(spec: cat.MessageSpec, stream: Stream | None) -> Envelope[EventData] | None:
    """The example input that this output answers, if any: the one _CAUSES names, else the
    first input in the catalogue that it answers."""
    if spec.model in _CAUSES:
        named = _CAUSES[spec.model]
        candidates = [cat.spec(named)] if named is not None else []
    else:
        candidates = [c for c in cat.CATALOGUE if spec.model in c.answers]
    for candidate in candidates:
        for input_stream in (stream, None):
            if input_stream in candidate.topics:
                return example_envelope(candidate, input_stream)
    return None


_CAUSES: dict[type[EventData], type[EventData] | None] = {
    # The examples' reasons say which input (or None: another service's event) they follow.
    i.CaseRecategorised: None,  # prephase_outcome: follows LanguageIndicationCompleted
    i.PriorityGroupJoined: i.CountryPolicyPublished,  # "country policy cp-2026-10"
    i.PriorityGroupLeft: i.PriorityGroupReassessed,  # "age assessment: adult"
    i.LegalDeadlineChanged: i.DeadlineExtensionGranted,  # many_applications
}


_HUMAN_ACTORS = {
    cat.CASEWORKER: "caseworker:cw-1042",
    cat.DECIDER: "decider:dc-0007",
    cat.SENIOR_DECIDER: "senior-decider:sd-0003",
    cat.PLANNER: "planner:pl-0117",
    cat.POLICY_OFFICER: "policy-officer:po-0031",
}
# For examples of events that follow from another service's event, not from an input.
_CORRELATION = UUID("6f1c2a8e-3d4b-4f5a-9b7c-1e2d3f4a5b6c")
_CAUSATION = UUID("0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b")


def example_headers(envelope: Envelope[Any]) -> dict[str, str]:
    """The Kafka headers of an example, as text."""
    record = encode(envelope, topic="-")
    return {k: v.decode() for k, v in record.headers}


@dataclass(frozen=True, slots=True)
class MoreExample:
    """A further example of a message: its payload, the stream it travels on and, for a
    rejection, the envelope of the input it rejects (which it follows)."""

    data: EventData
    stream: Stream | None
    cause: Envelope[EventData] | None = None


# A second application of the example applicant, refused: the first one is still open.
_SECOND_APPLICATION = Envelope[EventData](
    id=uuid5(NAMESPACE_URL, "caseflow:example:second-application"),
    source="/frontend/caseworker",
    type=i.ApplicationRegistered.ce_type(),
    time=MOMENT,
    subject="case-2026-000456",
    stream=None,
    correlationid=uuid5(NAMESPACE_URL, "caseflow:example:second-application"),
    causationid=None,
    actor=_HUMAN_ACTORS[cat.CASEWORKER],
    data=i.ApplicationRegistered(
        v_number=V_NUMBER,
        nationality="SYR",
        sex=Sex.FEMALE,
        date_of_birth=date(1991, 3, 14),
        lodged_at=datetime(2026, 10, 5, 7, 40, tzinfo=UTC),
        unaccompanied=False,
        nuisance=False,
    ),
)

MORE_EXAMPLES: dict[str, tuple[MoreExample, ...]] = {
    Rejection.ce_type(): (
        # A business refusal: code "refused", and refusal_kind names the rule.
        MoreExample(
            Rejection(
                code="refused",
                reason=f"this applicant (V-number) already has an open application: case "
                f"{CASE_ID}; a second open application is not registered",
                refusal_kind="second_open_application",
                rejected_by="intake",
                original=OriginalRecord(
                    topic="ind.intake.input.v1",
                    partition=7,
                    offset=52214,
                    key=_SECOND_APPLICATION.subject,
                    headers=example_headers(_SECOND_APPLICATION),
                    value_base64=base64.b64encode(
                        encode(_SECOND_APPLICATION, "ind.intake.input.v1").value
                    ).decode("ascii"),
                ),
            ),
            stream=None,
            cause=_SECOND_APPLICATION,
        ),
    ),
}
"""Further examples, by CloudEvents type: the docs show them after the first."""
