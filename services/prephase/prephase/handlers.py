"""Prephase on the service kit: one registration per event type, over prephase's domain
functions; the daily invitation pass as a timer over the waiting cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from prephase import persistence as db
from prephase.domain import (
    PrephaseCase,
    PrephaseConfig,
    Status,
    day_row_key,
    invite,
    overbooked,
    streams_with_room,
    trim,
    window,
)
from prephase.domain import rules as r
from shared.contracts.envelope import Envelope, encode, new_event
from shared.contracts.events import intake, planning, prephase
from shared.contracts.topics import Stage, stage_events
from shared.runtime.kit import AMSTERDAM, BatchCases, KitBatch, Rules, write
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)


def _day_keys(event: Envelope[Any]) -> Iterable[str]:
    if isinstance(event.data, planning.PrephaseLocationDayPlanned) and event.stream is not None:
        return [day_row_key(event.stream, event.subject)]
    return []


async def load_day_bookings(batch: KitBatch[PrephaseCase], events: Sequence[Envelope[Any]]) -> None:
    """Capacity updates are checked against what is booked: lock those days first (the pass
    locks days before cases too), then count their bookings."""
    keys = [k for e in events for k in _day_keys(e)]
    if keys:
        await db.lock_days(batch.session, keys)
        batch.extras["loads"] = await db.day_loads(batch.session, keys)


def rules(config: PrephaseConfig) -> Rules[PrephaseCase, PrephaseConfig]:
    pp = Rules(
        "prephase",
        store=db.CASES,
        config=config,
        events_topic=lambda case: stage_events(case.stream, Stage.PREPHASE),
        stream_of=lambda case: case.stream,
        prepare=load_day_bookings,
    )
    pp.rows("days", db.DAYS, _day_keys)
    # Facts from intake and planning.
    pp.on(intake.CaseRegistered)(r.registered)
    pp.on(intake.CaseRecategorised)(r.recategorised)
    pp.on(intake.PriorityGroupJoined)(r.group_changed)
    pp.on(intake.PriorityGroupLeft)(r.group_changed)
    pp.on(intake.CaseWithdrawn)(r.withdrawn)
    pp.on(intake.ApplicantLogisticsChanged)(r.logistics_changed)
    pp.on(planning.CaseReleased)(r.released)
    pp.on(planning.PrephaseLocationDayPlanned)(r.day_planned)
    # Input from planners and caseworkers.
    pp.on(prephase.PrephaseDayCancelled)(r.day_cancelled)
    pp.on(prephase.PrephaseAttendanceRecorded)(r.attendance)
    pp.on(prephase.DocumentsRecorded)(r.documents)
    pp.on(prephase.LanguageIndicationRecorded)(r.language_indication)
    pp.on(prephase.OriginInvestigationRecorded)(r.origin_investigation)
    pp.on(prephase.WrittenAccountRecorded)(r.written_account)
    pp.on(prephase.ReturnInformationRecorded)(r.return_information)
    pp.on(prephase.ExclusionSignalRecorded)(r.exclusion_signal)
    pp.on(prephase.ExclusionScreeningRecorded)(r.exclusion_screening)
    pp.on(prephase.PrephaseCompletionRecorded)(r.completion)
    return pp


async def invitation_pass(rules: Rules[PrephaseCase, PrephaseConfig], uow: UnitOfWork) -> int:
    """Hand out location days to the waiting cases (once a day; per simulated day under the
    driven clock). Returns how many cases it invited."""
    batch = KitBatch(rules, uow, BatchCases(rules.store))
    today = uow.clock.now().astimezone(AMSTERDAM).date()
    first, last = window(today, rules.config)
    days = await db.lock_days_between(uow.session, first, last)
    loads = await db.day_loads(uow.session, [d.key for d in days])
    # Days planning cut below their bookings: their last invitations move to another day first.
    cut = overbooked(days, loads)
    # Most days every day is booked up: then a waiting case can at most be owed its report to
    # planning, so the others stay unread. A stream with a cut day counts as having room (the
    # trim below may free a place).
    cut_keys = set(cut)
    room = streams_with_room(days, loads, first, last) | {
        d.stream for d in days if d.key in cut_keys
    }
    locked = await db.lock_waiting(uow.session, booked_on=cut, streams=room)
    waiting = [c for c in locked if c.status is Status.WAITING]
    moved, trimmed = trim(days, [c for c in locked if c.status is Status.INVITED])
    loads = {**loads, **trimmed}
    invited = 0
    results = [
        *moved,
        *invite([*waiting, *(m.case for m in moved)], days, loads, today, rules.config),
    ]
    for result in results:
        case = result.case
        batch.cases.put(case)
        invited += case.booked_day is not None
        for data in result.emit:
            envelope = new_event(
                data,
                subject=case.case_id,
                stream=case.stream,
                source=uow.source,
                actor=f"system:{uow.service}",
                time=uow.clock.now(),
            )
            topic = stage_events(case.stream, Stage.PREPHASE)
            uow.records.append(encode(envelope, uow.topics(topic)))
    await write(batch)
    log.info(
        "invitation pass",
        waiting=len(waiting),  # those read: all, or only those owed a report (no free place)
        invited=invited,
        days=len(days),
        moved=len(moved),
        streams_with_room=sorted(s.value for s in room),
    )
    return invited


_HOLDS: dict[int, Gauge] = {}


def holds_gauge(registry: CollectorRegistry) -> Gauge:
    """caseflow_prephase_holds{reason}: cases on hold, so that none is lost from sight."""
    gauge = _HOLDS.get(id(registry))
    if gauge is None:
        gauge = Gauge(
            "caseflow_prephase_holds",
            "Prephase cases on hold, by reason",
            ["reason"],
            registry=registry,
        )
        _HOLDS[id(registry)] = gauge
    return gauge


async def count_holds(registry: CollectorRegistry, uow: UnitOfWork) -> dict[str, int]:
    counts = await db.holds(uow.session)
    gauge = holds_gauge(registry)
    for reason in ("no_shows", "exclusion_screening"):
        gauge.labels(reason=reason).set(counts.get(reason, 0))
    return counts
