"""Hearing's planning, for the lawyer and (AMV) Nidos. Kept apart and small: hearing is being
built in parallel and its messages may still change (map only what HearingPlanned carries)."""

from __future__ import annotations

from chain_notify.domain.notices import cancelled, local_day, planned
from chain_notify.domain.state import Appointment, NotifyCase, NotifyConfig
from shared.contracts.events.hearing import HearingCancelled, HearingPlanned
from shared.contracts.events.partners import AppointmentKind
from shared.runtime.kit import Context, Decision, Emit, Outcome, Wait


def appointments_of(event: HearingPlanned) -> tuple[Appointment, Appointment | None]:
    """The hearing (with its time) and the post-hearing review (a whole day at the same
    location, where lawyers see several clients: day two)."""
    hearing = Appointment(
        kind=AppointmentKind.HEARING,
        day=local_day(event.starts_at),
        starts_at=event.starts_at,
        location=event.location,
    )
    review = (
        Appointment(
            kind=AppointmentKind.POST_HEARING_REVIEW,
            day=event.review_on,
            starts_at=None,
            location=event.location,
        )
        if event.review_on is not None
        else None
    )
    return hearing, review


def hearing_planned(
    case: NotifyCase | None, event: HearingPlanned, ctx: Context[NotifyConfig]
) -> Outcome[NotifyCase]:
    """A hearing planned or moved: cancel what moved, announce what is new; an unchanged
    appointment is not announced twice."""
    if case is None:
        return Wait("chain-notify has not seen this case registered yet")
    if case.withdrawn or case.decided:
        return Decision(None)  # nothing to attend any more: partners need not hear of it
    hearing, review = appointments_of(event)
    emit: list[Emit] = []
    for old, new in ((case.hearing, hearing), (case.review, review)):
        if old == new:
            continue
        if old is not None:
            emit += cancelled(case, old)
        if new is not None:
            emit += planned(case, new)
    return Decision(case.model_copy(update={"hearing": hearing, "review": review}), emit)


def hearing_cancelled(
    case: NotifyCase | None, event: HearingCancelled, ctx: Context[NotifyConfig]
) -> Outcome[NotifyCase]:
    """A hearing is off without a new one yet (on hold, waived, rescheduled): the lawyer and
    Nidos hear that the hearing and its review no longer take place. A withdrawal was told
    already; a hearing planned since (another day) is left alone."""
    if case is None:
        return Wait("chain-notify has not seen this case registered yet")
    if case.withdrawn or case.decided or case.hearing is None or case.hearing.day != event.day:
        return Decision(None)
    emit: list[Emit] = []
    for appointment in (case.hearing, case.review):
        if appointment is not None and appointment.day >= ctx.today:
            emit += cancelled(case, appointment)
    return Decision(case.model_copy(update={"hearing": None, "review": None}), emit)
