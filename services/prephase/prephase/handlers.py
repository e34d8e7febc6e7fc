"""Prephase on the service kit: one registration per event type, over prephase's domain
functions; the daily invitation pass as a timer over the waiting cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from prephase import persistence as db
from prephase.domain import (
    DayLoad,
    Invited,
    LocationDay,
    PrephaseCase,
    PrephaseConfig,
    Status,
    booked_loads,
    day_row_key,
    free_places,
    invite,
    open_room,
    overbooked,
    room_after,
    streams_with_room,
    trim,
    window,
)
from prephase.domain import rules as r
from shared.contracts.envelope import Envelope, encode, new_event
from shared.contracts.events import intake, planning, prephase
from shared.contracts.topics import Stage, stage_events
from shared.contracts.values import Stream
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


FIRST_LOOK = 32
"""The fewest waiting cases a pass reads of a stream with free places at first (then as many
again each time, until no free place is left); more than its free places, as some cases wait
for a later release day, an interpreter or logistics."""


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
    # With a few free places, only the first waiting cases of a stream that might fit them can
    # get one: a first look (unlocked) finds how far the places reach; then those cases are
    # locked in key order with the rest, in one query as before.
    reach, first_ones = await _reach(uow, rules.config, days, loads, cut, room, today)
    locked = await db.lock_waiting(uow.session, booked_on=cut, streams=(), case_ids=first_ones)
    results, waiting, moved, after = _place(locked, days, loads, today, rules.config)
    if not _reached(reach, after, days, first, last):
        # What the first look read changed before the lock (a case withdrawn meanwhile, say):
        # a place is left over that the cases not read might take, so serve those streams'
        # waiting cases in full, as before.
        log.info("invitation pass reads in full", streams=sorted(s.value for s in room))
        locked = await db.lock_waiting(uow.session, booked_on=cut, streams=room)
        results, waiting, moved, after = _place(locked, days, loads, today, rules.config)
    invited = 0
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
        waiting=len(waiting),  # those read: the first in the order and those owed a report
        invited=invited,
        days=len(days),
        moved=moved,
        streams_with_room=sorted(s.value for s in room),
    )
    return invited


def _place(
    locked: Sequence[PrephaseCase],
    days: Sequence[LocationDay],
    loads: dict[str, DayLoad],
    today: date,
    config: PrephaseConfig,
) -> tuple[list[Invited], list[PrephaseCase], int, dict[str, DayLoad]]:
    """The pass over the locked cases: trim the cut days, then invite in the fixed order.
    Returns the results, the waiting cases read, how many invitations moved and the days'
    loads afterwards."""
    waiting = [c for c in locked if c.status is Status.WAITING]
    moved, trimmed = trim(days, [c for c in locked if c.status is Status.INVITED])
    trimmed_loads = {**loads, **trimmed}
    invited = invite([*waiting, *(m.case for m in moved)], days, trimmed_loads, today, config)
    return [*moved, *invited], waiting, len(moved), booked_loads(trimmed_loads, invited)


async def _reach(
    uow: UnitOfWork,
    config: PrephaseConfig,
    days: Sequence[LocationDay],
    loads: dict[str, DayLoad],
    cut: Sequence[str],
    room: frozenset[Stream],
    today: date,
) -> tuple[dict[Stream, frozenset[str] | None], list[str]]:
    """How far the free places reach, per stream with room: the waiting cases that might fit
    them are read in the fixed order until `room_after` says none is left (None) or to the end
    of those that might fit what is left (the languages it then left). Returns that per stream
    and the ids of the cases read."""
    first, last = window(today, config)
    moved, trimmed = trim(days, await db.read_booked(uow.session, cut))
    loads = {**loads, **trimmed}
    reach: dict[Stream, frozenset[str] | None] = {}
    ids: list[str] = []
    for stream in sorted(room):
        left = open_room(days, loads, stream, first, last)
        read: list[PrephaseCase] = []
        limit = max(FIRST_LOOK, 4 * free_places(days, loads, stream, first, last))
        while left is not None:
            after = read[-1].queue_order() if read else None
            page = await db.read_waiting_in_order(uow.session, stream, after, limit, left)
            read.extend(page)
            if len(page) < limit:
                break  # every case that might fit what is left is read
            left = room_after(stream, read, (m.case for m in moved), days, loads, today, config)
            limit *= 2
        reach[stream] = left
        ids.extend(c.case_id for c in read)
    return reach, ids


def _reached(
    reach: dict[Stream, frozenset[str] | None],
    loads: dict[str, DayLoad],
    days: Sequence[LocationDay],
    first: date,
    last: date,
) -> bool:
    """Whether the pass over the locked cases left no place that a case not read might take:
    none at all where the first look found none left, else none with another interpreter
    language than those the first look read every case for."""
    for stream, left in reach.items():
        now = open_room(days, loads, stream, first, last)
        if now is not None and (left is None or not now <= left):
            return False
    return True


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
