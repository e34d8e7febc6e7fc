"""Case events to partner messages: registration and logistics (intake), prephase days and
transport (prephase), the decision (decision). One plain function per event type.

A fact about a case chain-notify has not seen registered waits for it (parked by the kit). A
refusal goes to COA and DT&V at once; only the courts' notice waits for the applicant's court
district, which the courts need: never guessed, never dropped, held in the case's state and sent
when the district arrives (docs/adr/0031). What a partner was told is kept in the state, so that
a repeated fact says nothing new and a moved appointment is cancelled before the new one is
announced.
"""

from __future__ import annotations

from datetime import date, timedelta

from chain_notify.domain.notices import cancelled, lawyer_cancelled, lawyer_planned, local_day, to
from chain_notify.domain.notices import planned as appointment_planned
from chain_notify.domain.state import Appointment, HeldCourtsNotice, NotifyCase, NotifyConfig
from shared.contracts.events.common import DecisionOutcome
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CaseWithdrawn,
    CourtDistrict,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.partners import (
    AppointmentKind,
    CoaHousingRequested,
    CoaReceptionEnds,
    CoaTransportCancelled,
    CoaTransportRequested,
    CourtsDecisionSent,
    DtvRefusalNotified,
    NidosDecisionSent,
)
from shared.contracts.events.prephase import (
    GuardianNoticeCancelled,
    GuardianNoticeRequested,
    TransportCancelled,
    TransportRequested,
)
from shared.contracts.topics import Partner
from shared.contracts.values import PriorityGroup
from shared.runtime.kit import Conflict, Context, Decision, Emit, Outcome, Wait

Ctx = Context[NotifyConfig]
NOT_SEEN = "chain-notify has not seen this case registered yet"


def registered(case: NotifyCase | None, event: CaseRegistered, ctx: Ctx) -> Outcome[NotifyCase]:
    """Remember whom to address: V-number, stream, whether an unaccompanied minor (R7)."""
    if case is not None:
        return Decision(None)  # registered once; a second registration of one case id is intake's
    unaccompanied = event.unaccompanied or PriorityGroup.UNACCOMPANIED_MINOR in (
        event.priority_groups
    )
    return Decision(
        NotifyCase(
            case_id=ctx.case_id,
            stream=event.stream,
            v_number=event.v_number,
            unaccompanied=unaccompanied,
        )
    )


def logistics_changed(
    case: NotifyCase | None, event: ApplicantLogisticsChanged, ctx: Ctx
) -> Outcome[NotifyCase]:
    """Keep COA's location, the lawyer and the court district. A new lawyer hears of the
    coming appointments (those read before any lawyer was known too); the old one that they
    are off for them. A refusal's courts notice held for the district goes out with it."""
    if case is None:
        return Wait(NOT_SEEN)
    emit: list[Emit] = []
    if event.lawyer != case.lawyer and not (case.withdrawn or case.decided):
        # Only what is still ahead by the service clock: a past hearing is no news.
        coming = [a for a in case.appointments if a.day >= ctx.today]
        for appointment in coming:
            if case.lawyer is not None:
                emit.append(lawyer_cancelled(case, case.lawyer, appointment))
            if event.lawyer is not None:
                emit.append(lawyer_planned(case, event.lawyer, appointment))
    held = case.courts_held
    if held is not None and event.court_district is not None:
        emit.append(courts_notice(case, held, event.court_district))
        held = None
    updated = case.model_copy(
        update={
            "reception_location": event.reception_location,
            "lawyer": event.lawyer,
            "court_district": event.court_district,
            "courts_held": held,
        }
    )
    return Decision(updated, emit)


def courts_notice(case: NotifyCase, held: HeldCourtsNotice, district: CourtDistrict) -> Emit:
    """The courts' part of a refusal: no V-number, only what starts the appeal clock and the
    district court that would hear an appeal."""
    notice = CourtsDecisionSent(
        outcome=held.outcome,
        sent_on=held.sent_on,
        appeal_period_days=held.appeal_period_days,
        court_district=district,
    )
    return to(Partner.COURTS, case, notice)


def _amv(case: NotifyCase | None, group: PriorityGroup, member: bool) -> Outcome[NotifyCase]:
    if case is None:
        return Wait(NOT_SEEN)
    if group is not PriorityGroup.UNACCOMPANIED_MINOR or case.unaccompanied == member:
        return Decision(None)
    return Decision(case.model_copy(update={"unaccompanied": member}))


def group_joined(
    case: NotifyCase | None, event: PriorityGroupJoined, ctx: Ctx
) -> Outcome[NotifyCase]:
    """An AMV from now on: Nidos hears of the next steps."""
    return _amv(case, event.group, member=True)


def group_left(case: NotifyCase | None, event: PriorityGroupLeft, ctx: Ctx) -> Outcome[NotifyCase]:
    """Not an AMV (an age assessment found an adult): Nidos hears no more of the case."""
    return _amv(case, event.group, member=False)


def withdrawn(case: NotifyCase | None, event: CaseWithdrawn, ctx: Ctx) -> Outcome[NotifyCase]:
    """Every coming transport and appointment is off; partners are told so."""
    if case is None:
        return Wait(NOT_SEEN)
    if case.withdrawn:
        return Decision(None)
    today = ctx.today
    emit: list[Emit] = [
        to(Partner.COA, case, CoaTransportCancelled(v_number=case.v_number, day=day))
        for day in case.transports
        if day >= today
    ]
    for appointment in (*case.guardian_days, *case.appointments):
        if appointment.day >= today:
            emit += cancelled(case, appointment)
    updated = case.model_copy(
        update={
            "withdrawn": True,
            "transports": (),
            "guardian_days": (),
            "hearing": None,
            "review": None,
        }
    )
    return Decision(updated, emit)


def transport_requested(
    case: NotifyCase | None, event: TransportRequested, ctx: Ctx
) -> Outcome[NotifyCase]:
    """COA: who (V-number), from which reception location, to which location, which day."""
    if case is None:
        return Wait(NOT_SEEN)
    if event.day in case.transports or case.withdrawn:
        return Decision(None)
    request = CoaTransportRequested(
        v_number=case.v_number,
        day=event.day,
        from_location=event.from_location,
        to_location=event.to_location,
    )
    updated = case.model_copy(update={"transports": tuple(sorted((*case.transports, event.day)))})
    return Decision(updated, [to(Partner.COA, case, request)])


def transport_cancelled(
    case: NotifyCase | None, event: TransportCancelled, ctx: Ctx
) -> Outcome[NotifyCase]:
    if case is None:
        return Wait(NOT_SEEN)
    if event.day not in case.transports:
        if case.withdrawn:
            return Decision(None)  # cancelled with the withdrawal already
        return Conflict("a transport cancelled that COA was never asked for")
    updated = case.model_copy(
        update={"transports": tuple(d for d in case.transports if d != event.day)}
    )
    cancel = CoaTransportCancelled(v_number=case.v_number, day=event.day)
    return Decision(updated, [to(Partner.COA, case, cancel)])


def guardian_notice_requested(
    case: NotifyCase | None, event: GuardianNoticeRequested, ctx: Ctx
) -> Outcome[NotifyCase]:
    """Nidos: the AMV's prephase day, which the guardian attends."""
    if case is None:
        return Wait(NOT_SEEN)
    day = Appointment(
        kind=AppointmentKind.PREPHASE_DAY, day=event.day, starts_at=None, location=event.location
    )
    if day in case.guardian_days or case.withdrawn:
        return Decision(None)
    # Prephase asks for the guardian of an AMV: Nidos hears of it even if intake's word that the
    # case is an AMV has not reached us yet.
    amv = case.model_copy(
        update={"unaccompanied": True, "guardian_days": (*case.guardian_days, day)}
    )
    return Decision(amv, appointment_planned(amv, day))


def guardian_notice_cancelled(
    case: NotifyCase | None, event: GuardianNoticeCancelled, ctx: Ctx
) -> Outcome[NotifyCase]:
    if case is None:
        return Wait(NOT_SEEN)
    gone = [a for a in case.guardian_days if a.day == event.day]
    if not gone:
        if case.withdrawn:
            return Decision(None)
        return Conflict("a guardian notice cancelled that Nidos was never sent")
    kept = tuple(a for a in case.guardian_days if a.day != event.day)
    updated = case.model_copy(update={"guardian_days": kept})
    return Decision(updated, [e for a in gone for e in cancelled(updated, a)])


def reception_ends_on(event: DecisionIssued) -> date | None:
    """When the right to reception ends after a refusal: at the end of the departure period,
    which runs from the day the refusal can be enforced. Absent when a court decides that
    (no enforceable date follows from the decision)."""
    if event.enforceable_from is None or event.departure_period_days is None:
        return None
    return event.enforceable_from + timedelta(days=event.departure_period_days)


def decision_issued(
    case: NotifyCase | None, event: DecisionIssued, ctx: Ctx
) -> Outcome[NotifyCase]:
    """A grant: COA arranges housing. A refusal: COA ends reception, DT&V takes over return, the
    court of the applicant's region expects a possible appeal. An AMV: Nidos hears either.

    The courts need the applicant's court district: while it is unknown, their notice is held
    in the case (and counted for operators) and sent when the district comes; COA, DT&V and
    Nidos do not wait for it."""
    if case is None:
        return Wait(NOT_SEEN)
    if case.decided:
        return Conflict("a second decision for a case already decided")
    sent_on = local_day(event.sent_at)
    emit: list[Emit] = []
    held: HeldCourtsNotice | None = None
    if event.outcome is DecisionOutcome.GRANT:
        housing = CoaHousingRequested(
            v_number=case.v_number,
            granted_on=event.issued_on,
            family_reunification_expected=event.family_reunification_expected,
        )
        emit.append(to(Partner.COA, case, housing))
    else:
        if event.departure_period_days is None:  # DecisionIssued's own validation forbids it
            return Conflict("a refusal without a departure period")
        ends = reception_ends_on(event)
        emit += [
            to(
                Partner.COA,
                case,
                CoaReceptionEnds(
                    v_number=case.v_number,
                    decision_sent_on=sent_on,
                    reception_ends_on=ends,
                ),
            ),
            to(
                Partner.DTV,
                case,
                DtvRefusalNotified(
                    v_number=case.v_number,
                    decision_sent_on=sent_on,
                    enforceable_from=event.enforceable_from,
                    departure_period_days=event.departure_period_days,
                    entry_ban=event.entry_ban,
                ),
            ),
        ]
        held = HeldCourtsNotice(
            outcome=event.outcome,
            sent_on=sent_on,
            appeal_period_days=event.appeal_period_days,
            since=ctx.now,
        )
        if case.court_district is not None:
            emit.append(courts_notice(case, held, case.court_district))
            held = None
    if case.unaccompanied:
        nidos = NidosDecisionSent(
            v_number=case.v_number,
            outcome=event.outcome,
            legal_ground=event.legal_ground,
            sent_on=sent_on,
            appeal_period_days=event.appeal_period_days,
        )
        emit.append(to(Partner.NIDOS, case, nidos))
    return Decision(case.model_copy(update={"decided": True, "courts_held": held}), emit)
