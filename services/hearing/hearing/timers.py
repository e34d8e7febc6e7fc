"""Hearing's timer work: lapse reviews, give back cancelled slots, hand out slots, observe.

One Periodic through the kit's transaction and outbox (on wall time every
CASEFLOW_HEARING_ALLOCATION_TIMER_SECONDS; once per simulated day under the driven clock).
Time comes from the unit of work's clock only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from hearing import persistence as db
from hearing.domain import steps
from hearing.domain.capacity import (
    CaseworkerDay,
    Room,
    Roster,
    allocate,
    day_keys,
    first_day,
    free_slots,
    overbooked,
    room_in,
    trim,
)
from hearing.domain.case import HearingCase, HearingConfig, Mode, Status, queue_order, route_of
from hearing.handlers import events_topic
from hearing.metrics import HearingMetrics
from shared.contracts.envelope import EventData, encode, new_event
from shared.runtime.kit import AMSTERDAM
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)


def _emit(uow: UnitOfWork, case: HearingCase, events: Iterable[EventData]) -> None:
    for data in events:
        envelope = new_event(
            data,
            subject=case.case_id,
            stream=case.stream,
            source=uow.source,
            actor=f"system:{uow.service}",
            time=uow.clock.now(),
        )
        uow.records.append(encode(envelope, uow.topics(events_topic(case))))


FIRST_LOOK = 64
"""How many queued cases a pass reads at first (then twice as many each time, until none that
might fit is left). Small: what a page leaves narrows the next page's filter, and allocating
page by page costs no more than at once."""


@dataclass
class _Pass:
    """What a pass does with the cases it read: the new states, the events in order, and the
    capacity it used."""

    due: dict[str, HearingCase]
    changed: dict[str, HearingCase] = field(default_factory=dict)
    emits: list[tuple[HearingCase, list[EventData]]] = field(default_factory=list)
    days: dict[str, CaseworkerDay] = field(default_factory=dict)
    freed: list[CaseworkerDay] = field(default_factory=list)
    trimmed: list[CaseworkerDay] = field(default_factory=list)
    moved: int = 0
    waiting: list[HearingCase] = field(default_factory=list)


def _prepare(
    due: Iterable[HearingCase],
    days: dict[str, CaseworkerDay],
    rosters: Mapping[str, Roster],
    over: set[date],
    today: date,
    now: datetime,
    config: HearingConfig,
) -> _Pass:
    """Everything before the allocation: lapsed reviews, cancelled slots given back, bookings
    moved off cut days; `waiting` is then the queue as far as it was read."""
    run = _Pass(due={c.case_id: c for c in due}, days=dict(days))
    # Reviews whose term ended: ready for decision.
    for case in run.due.values():
        result = steps.lapse_review(case, today, now, config)
        if result is not None:
            ready, events = result
            run.changed[case.case_id] = ready
            run.emits.append((ready, list(events)))
    # Slots: the cancelled ones' capacity back first, then the bookings planning's cut no
    # longer covers are moved, then the queue is served in the fixed order.
    cancelled = [
        (c.case_id, c.slot_to_free) for c in run.due.values() if c.slot_to_free is not None
    ]
    run.freed = free_slots(run.days, cancelled, today)
    run.days |= {d.key: d for d in run.freed}
    for case_id, _ in cancelled:
        run.changed[case_id] = run.due[case_id].model_copy(update={"slot_to_free": None})
    trimmed = trim(run.days, {**run.due, **run.changed}, rosters, over, config)
    run.trimmed = trimmed.days
    run.days |= {d.key: d for d in trimmed.days}
    for moved, cancelled_slot in trimmed.moved:
        run.changed[moved.case_id] = moved
        run.emits.append((moved, [cancelled_slot]))
    run.moved = len(trimmed.moved)
    waiting = [run.changed.get(c.case_id, c) for c in run.due.values()]
    run.waiting = [c for c in waiting if c.status is Status.WAITING_SLOT]
    return run


async def daily(uow: UnitOfWork, config: HearingConfig, metrics: HearingMetrics) -> None:
    now = uow.clock.now()
    today = now.astimezone(AMSTERDAM).date()
    start = first_day(today, config)
    rosters = await db.rosters_from(uow.session, today)
    # The caseworker days first (as prephase's pass locks its days before its cases), then the
    # cases, among them those booked on days planning's roster no longer covers.
    days = {d.key: d for d in await db.DAYS.lock(uow.session, day_keys(rosters, today, config))}
    over = overbooked(days.values(), rosters, today, config)
    on_cut_days = {b.case_id for d in days.values() if d.day in over for b in d.bookings}
    # Only teams with room can give a queued case a slot, and only to the first of their
    # queue: a first look (unlocked) finds how far their room reaches; then those cases are
    # locked in key order with the rest of the pass's cases, in one query as before.
    look = _prepare(
        await db.read_due(uow.session, today, on_cut_days, start),
        days,
        rosters,
        over,
        today,
        now,
        config,
    )
    reach, first_ones = await _reach(uow, look, rosters, today, config)
    due = await db.lock_due(uow.session, today, also=on_cut_days, queue=first_ones, start=start)
    run = _prepare(due, days, rosters, over, today, now, config)
    allocation = allocate(run.waiting, rosters, run.days, today=today, config=config)
    after = run.days | {d.key: d for d in allocation.days}
    if not room_in(rosters, after, start, config).within(reach):
        # What the first look read changed before the lock (a case withdrawn meanwhile, say):
        # room is left that a case not read might take, so serve the whole queue, as before.
        log.info("hearing pass reads the whole queue")
        due = await db.lock_due(uow.session, today, also=on_cut_days)
        run = _prepare(due, days, rosters, over, today, now, config)
        allocation = allocate(run.waiting, rosters, run.days, today=today, config=config)
    changed = run.changed
    for case, slot in allocation.booked:
        planned, event = steps.book(case, slot)
        changed[case.case_id] = planned
        run.emits.append((planned, [event]))
    # The queued cases not read are all without a slot (their teams have no room).
    unread = await db.queued(uow.session) - sum(
        c.status is Status.WAITING_SLOT and not c.exclusion_hold for c in due
    )
    unplaced = len(allocation.unplaced) + unread
    if unplaced:
        # One line a pass, not one a case: thousands wait on a busy day, every day. The
        # reasons are those of the cases read (the others: no slot with their teams).
        reasons = Counter(str(u.reason.value) for u in allocation.unplaced)
        log.info("cases without a hearing slot yet", cases=unplaced, **reasons)
    for unplaced_case in allocation.unplaced:
        told = steps.could_not_place(unplaced_case)
        if told is not None:
            reported, notice = told
            changed[reported.case_id] = reported
            run.emits.append((reported, [notice]))
    for case, events in run.emits:
        _emit(uow, case, events)
    # Measures of the cases that are ready, once each.
    for case in list(run.due.values()) + list(changed.values()):
        current = changed.get(case.case_id, case)
        if not current.measured:
            # Observed once the run commits: a run rolled back and retried observes nothing twice.
            uow.after_commit(partial(_observe, current, config, metrics))
            changed[case.case_id] = current.model_copy(update={"measured": True})
    await db.CASES.save(uow.session, list(changed.values()))
    saved = {d.key: d for d in [*run.freed, *run.trimmed, *allocation.days]}
    await db.DAYS.save(uow.session, list(saved.values()))
    per_day = [
        (rate_class, sum(b.rate_class == rate_class for b in row.bookings))
        for row in allocation.days
        for rate_class in sorted({b.rate_class for b in row.bookings})
    ]
    uow.after_commit(partial(_observe_slots, per_day, metrics))
    metrics.waiting.set(unplaced)
    await _hold_gauges(uow, today, metrics)


async def _reach(
    uow: UnitOfWork,
    look: _Pass,
    rosters: Mapping[str, Roster],
    today: date,
    config: HearingConfig,
) -> tuple[Room, list[str]]:
    """How far the room reaches in the queue: the queued cases that might fit it are read in
    the fixed order, allocated as the pass would (with those of `look`, owed a report, released
    later or moved off a cut day, that come before the last of them), and read no further once
    the room left fits none, or to the end of those that might fit what is left. Returns what
    was left for the last read (no openings: nothing) and the ids of the cases read."""
    start = first_day(today, config)
    room = room_in(rosters, look.days, start, config)
    read: dict[str, HearingCase] = {}
    after: db.QueueKey | None = None
    limit = FIRST_LOOK
    # The allocation of what was read so far, page by page: a page's cases all come after the
    # last page's in the order, so allocating them on the days as the last page left them is
    # allocating everything read at once.
    booked = dict(look.days)
    while room.openings:
        page = await db.read_queue(uow.session, room, after, limit)
        read |= {c.case_id: c for c in page}
        if len(page) < limit:
            break  # every case that might fit what is left is read
        since, after = after, queue_order(page[-1])
        batch = {
            c.case_id: c
            for c in look.waiting
            if (since is None or since < queue_order(c)) and queue_order(c) <= after
        }
        batch |= {c.case_id: c for c in page}
        sim = allocate(batch.values(), rosters, booked, today=today, config=config)
        booked |= {d.key: d for d in sim.days}
        room = room_in(rosters, booked, start, config)
        limit *= 2
    return room, sorted(read)


def _observe_slots(per_day: list[tuple[str, int]], metrics: HearingMetrics) -> None:
    for rate_class, count in per_day:
        metrics.slots.labels(rate_class).observe(count)


def _observe(case: HearingCase, config: HearingConfig, metrics: HearingMetrics) -> None:
    category = case.category.value if case.category else "pact"
    for kind, minutes in case.oral_minutes:
        metrics.hearing_minutes.labels(category, kind.value).observe(minutes)
    if case.written_days is not None:
        metrics.written_days.labels(category).observe(case.written_days)
    if case.ready_at is not None and case.queued_on is not None:
        started: date = case.prephase.completed_on if case.prephase else case.queued_on
        days = (case.ready_at.astimezone(AMSTERDAM).date() - started).days
        mode = case.plan.mode if case.plan else Mode.ORAL
        metrics.to_ready_days.labels(category, route_of(case, config).value, mode.value).observe(
            days
        )


async def _hold_gauges(uow: UnitOfWork, today: date, metrics: HearingMetrics) -> None:
    ages: dict[str, list[int]] = {}
    for obstacle, since in await db.holds(uow.session):
        ages.setdefault(obstacle, []).append((today - since).days)
    metrics.holds.clear()
    metrics.oldest_hold_days.clear()
    for obstacle, found in ages.items():
        metrics.holds.labels(obstacle).set(len(found))
        metrics.oldest_hold_days.labels(obstacle).set(max(found))
