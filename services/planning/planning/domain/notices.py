"""The appointment notices chain-notify sends Nidos and the lawyer, folded from the events
chain-notify maps them from, with chain-notify's rules (docs/chain-notify.md), for the monthly
figures' partner notices (R14).

Nidos hears of an AMV's prephase days, hearing and post-hearing review, and of a changed or
cancelled one; the lawyer, when known, of the hearing and review (not the prephase day), and
a new lawyer of what is still to come. A withdrawal cancels what is still to come. Only kinds
and days are kept: of the lawyer only a digest, to see that it changed, never who it is.

A refusal's notice to the courts needs the applicant's court district: chain-notify holds it
until intake names one and sends it then (its ADR 0031); it is counted on the day it is sent.
Of the district only whether one is known is kept.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from shared.contracts.envelope import EventData
from shared.contracts.events.hearing import HearingCancelled, HearingPlanned
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.prephase import GuardianNoticeCancelled, GuardianNoticeRequested
from shared.contracts.values import PriorityGroup
from shared.runtime.kit import AMSTERDAM

PREPHASE_DAY, HEARING, REVIEW = "prephase_day", "hearing", "post_hearing_review"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Visit(Frozen):
    """An appointment a partner was told about (chain-notify's Appointment, without names)."""

    kind: str
    day: date
    location: str
    starts_at: datetime | None = None


class Sent(Frozen):
    """One notice: `partner.kind` and the day it was sent."""

    kind: str
    day: date


class PartnerView(Frozen):
    """What Nidos and the lawyer were told about a case, as far as counting needs."""

    guardian: bool = False  # Nidos is told: an AMV as chain-notify knows it
    lawyer: str | None = None  # a digest of the lawyer's id
    guardian_days: tuple[Visit, ...] = ()
    hearing: Visit | None = None
    review: Visit | None = None
    sent: tuple[Sent, ...] = ()
    # The applicant's court district is known; None: a record kept before chain-notify held
    # the courts' notice (ADR 0031), counted as then: with the decision.
    district: bool | None = None
    courts_apart: bool = False  # a refusal's courts notice held for the district (in `sent`)

    @property
    def appointments(self) -> tuple[Visit, ...]:
        return tuple(v for v in (self.hearing, self.review) if v is not None)


def lawyer_digest(lawyer: str | None) -> str | None:
    return hashlib.sha256(lawyer.encode()).hexdigest()[:16] if lawyer is not None else None


def on_registration(event: CaseRegistered) -> PartnerView:
    amv = PriorityGroup.UNACCOMPANIED_MINOR in event.priority_groups
    return PartnerView(guardian=event.unaccompanied or amv, district=False)


def _told(view: PartnerView, visit: Visit, day: date, what: str) -> tuple[Sent, ...]:
    """`what` (planned, cancelled) to Nidos for an AMV and to a known lawyer (not of a prephase
    day): chain-notify's notices.planned and notices.cancelled."""
    out = []
    if view.guardian:
        out.append(Sent(kind=f"nidos.appointment_{what}", day=day))
    if view.lawyer is not None and visit.kind != PREPHASE_DAY:
        out.append(Sent(kind=f"lawyer.appointment_{what}", day=day))
    return tuple(out)


def _with(view: PartnerView, sent: tuple[Sent, ...], **update: object) -> PartnerView:
    return view.model_copy(update={"sent": (*view.sent, *sent), **update})


def noticed(view: PartnerView, event: EventData, day: date, *, closed: bool) -> PartnerView:
    """The view after one event handled on `day`; `closed`: the case was decided or withdrawn
    before it (chain-notify tells partners nothing more of such a case's appointments)."""
    match event:
        case PriorityGroupJoined() | PriorityGroupLeft():
            if event.group is not PriorityGroup.UNACCOMPANIED_MINOR:
                return view
            return view.model_copy(update={"guardian": isinstance(event, PriorityGroupJoined)})
        case ApplicantLogisticsChanged():
            view = view.model_copy(update={"district": event.court_district is not None})
            if view.courts_apart and view.district and not _courts_told(view):
                view = _with(view, (Sent(kind="courts.decision_sent", day=day),))
            lawyer = lawyer_digest(event.lawyer)
            if lawyer == view.lawyer:
                return view
            sent: tuple[Sent, ...] = ()
            if not closed:
                coming = [v for v in view.appointments if v.day >= day]
                for _ in coming:
                    if view.lawyer is not None:
                        sent += (Sent(kind="lawyer.appointment_cancelled", day=day),)
                    if lawyer is not None:
                        sent += (Sent(kind="lawyer.appointment_planned", day=day),)
            return _with(view, sent, lawyer=lawyer)
        case GuardianNoticeRequested():
            visit = Visit(kind=PREPHASE_DAY, day=event.day, location=event.location)
            if visit in view.guardian_days or closed:
                return view
            amv = view.model_copy(update={"guardian": True})
            return _with(
                amv, _told(amv, visit, day, "planned"), guardian_days=(*view.guardian_days, visit)
            )
        case GuardianNoticeCancelled():
            gone = [v for v in view.guardian_days if v.day == event.day]
            kept = tuple(v for v in view.guardian_days if v.day != event.day)
            sent = tuple(s for v in gone for s in _told(view, v, day, "cancelled"))
            return _with(view, sent, guardian_days=kept) if gone else view
        case HearingPlanned():
            if closed:
                return view
            hearing = Visit(
                kind=HEARING,
                day=event.starts_at.astimezone(AMSTERDAM).date(),
                location=event.location,
                starts_at=event.starts_at,
            )
            review = (
                Visit(kind=REVIEW, day=event.review_on, location=event.location)
                if event.review_on is not None
                else None
            )
            sent = ()
            for old, new in ((view.hearing, hearing), (view.review, review)):
                if old == new:
                    continue
                if old is not None:
                    sent += _told(view, old, day, "cancelled")
                if new is not None:
                    sent += _told(view, new, day, "planned")
            return _with(view, sent, hearing=hearing, review=review)
        case HearingCancelled():
            if closed or view.hearing is None or view.hearing.day != event.day:
                return view
            coming = [v for v in view.appointments if v.day >= day]
            sent = tuple(s for v in coming for s in _told(view, v, day, "cancelled"))
            return _with(view, sent, hearing=None, review=None)
    return view


def withdrawn(view: PartnerView, day: date) -> PartnerView:
    """Every coming prephase day, hearing and review is off: Nidos and the lawyer are told."""
    coming = [v for v in (*view.guardian_days, *view.appointments) if v.day >= day]
    sent = tuple(s for v in coming for s in _told(view, v, day, "cancelled"))
    return _with(view, sent, guardian_days=(), hearing=None, review=None)


def _courts_told(view: PartnerView) -> bool:
    return any(s.kind == "courts.decision_sent" for s in view.sent)


def decided(view: PartnerView, sent_on: date, *, refused: bool = False) -> PartnerView:
    """Nidos hears of an AMV's decision (either outcome), on the day it was sent. A refusal
    while no court district is known: the courts' notice is held (counted when it goes)."""
    if refused and view.district is False:
        view = view.model_copy(update={"courts_apart": True})
    if not view.guardian:
        return view
    return _with(view, (Sent(kind="nidos.decision_sent", day=sent_on),))
