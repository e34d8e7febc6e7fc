"""Small builders shared by the mappings: a partner message on its stream's topic."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from chain_notify.domain.state import Appointment, NotifyCase
from shared.contracts.envelope import EventData
from shared.contracts.events.partners import (
    AppointmentKind,
    LawyerAppointmentCancelled,
    LawyerAppointmentKind,
    LawyerAppointmentPlanned,
    NidosAppointmentCancelled,
    NidosAppointmentPlanned,
)
from shared.contracts.topics import Partner, partner_topic
from shared.runtime.kit import Emit

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def to(partner: Partner, case: NotifyCase, data: EventData) -> Emit:
    """A message for one partner, on the case's stream's topic of that partner (R1)."""
    return Emit(data, topic=partner_topic(case.stream, partner), stream=case.stream)


def local_day(moment: datetime) -> date:
    """The Dutch calendar day of a moment (a letter sent at 00:30 CET is sent that day)."""
    return moment.astimezone(AMSTERDAM).date()


def planned(case: NotifyCase, appointment: Appointment) -> list[Emit]:
    """Tell the lawyer (when known) and, for an AMV, Nidos about an appointment."""
    out: list[Emit] = []
    if case.unaccompanied:
        nidos = NidosAppointmentPlanned(
            v_number=case.v_number,
            kind=appointment.kind,
            day=appointment.day,
            starts_at=appointment.starts_at,
            location=appointment.location,
        )
        out.append(to(Partner.NIDOS, case, nidos))
    if case.lawyer is not None and appointment.kind is not AppointmentKind.PREPHASE_DAY:
        out.append(lawyer_planned(case, case.lawyer, appointment))
    return out


def cancelled(case: NotifyCase, appointment: Appointment) -> list[Emit]:
    """Tell the lawyer (when known) and, for an AMV, Nidos that an appointment is off."""
    out: list[Emit] = []
    if case.unaccompanied:
        nidos = NidosAppointmentCancelled(
            v_number=case.v_number, kind=appointment.kind, day=appointment.day
        )
        out.append(to(Partner.NIDOS, case, nidos))
    if case.lawyer is not None and appointment.kind is not AppointmentKind.PREPHASE_DAY:
        out.append(lawyer_cancelled(case, case.lawyer, appointment))
    return out


def lawyer_planned(case: NotifyCase, lawyer: str, appointment: Appointment) -> Emit:
    data = LawyerAppointmentPlanned(
        lawyer=lawyer,
        v_number=case.v_number,
        kind=LawyerAppointmentKind(appointment.kind.value),
        day=appointment.day,
        starts_at=appointment.starts_at,
        location=appointment.location,
    )
    return to(Partner.LAWYER, case, data)


def lawyer_cancelled(case: NotifyCase, lawyer: str, appointment: Appointment) -> Emit:
    data = LawyerAppointmentCancelled(
        lawyer=lawyer,
        v_number=case.v_number,
        kind=LawyerAppointmentKind(appointment.kind.value),
        day=appointment.day,
    )
    return to(Partner.LAWYER, case, data)
