"""Hearing's timer work: lapse reviews, give back cancelled slots, hand out slots, observe.

One Periodic through the kit's transaction and outbox (on wall time every
CASEFLOW_HEARING_ALLOCATION_TIMER_SECONDS; once per simulated day under the driven clock).
Time comes from the unit of work's clock only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import partial

from hearing import persistence as db
from hearing.domain import steps
from hearing.domain.capacity import allocate, day_keys, free_slots, overbooked, trim
from hearing.domain.case import HearingCase, HearingConfig, Mode, Status, route_of
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


async def daily(uow: UnitOfWork, config: HearingConfig, metrics: HearingMetrics) -> None:
    now = uow.clock.now()
    today = now.astimezone(AMSTERDAM).date()
    rosters = await db.rosters_from(uow.session, today)
    # The caseworker days first (as prephase's pass locks its days before its cases), then the
    # cases, among them those booked on days planning's roster no longer covers.
    days = {d.key: d for d in await db.DAYS.lock(uow.session, day_keys(rosters, today, config))}
    over = overbooked(days.values(), rosters, today, config)
    on_cut_days = {b.case_id for d in days.values() if d.day in over for b in d.bookings}
    due = {c.case_id: c for c in await db.lock_due(uow.session, today, also=on_cut_days)}
    changed: dict[str, HearingCase] = {}
    # Reviews whose term ended: ready for decision.
    for case in due.values():
        result = steps.lapse_review(case, today, now, config)
        if result is not None:
            ready, events = result
            changed[case.case_id] = ready
            _emit(uow, ready, events)
    # Slots: the cancelled ones' capacity back first, then the bookings planning's cut no
    # longer covers are moved, then the queue is served in the fixed order.
    cancelled = [(c.case_id, c.slot_to_free) for c in due.values() if c.slot_to_free is not None]
    freed = free_slots(days, cancelled, today)
    days |= {d.key: d for d in freed}
    for case_id, _ in cancelled:
        changed[case_id] = due[case_id].model_copy(update={"slot_to_free": None})
    trimmed = trim(days, {**due, **changed}, rosters, over, config)
    days |= {d.key: d for d in trimmed.days}
    for moved, cancelled_slot in trimmed.moved:
        changed[moved.case_id] = moved
        _emit(uow, moved, [cancelled_slot])
    if trimmed.moved:
        log.info("hearings moved after a capacity cut", cases=len(trimmed.moved), days=len(over))
    waiting = [changed.get(c.case_id, c) for c in due.values()]
    waiting = [c for c in waiting if c.status is Status.WAITING_SLOT]
    allocation = allocate(waiting, rosters, days, today=today, config=config)
    for case, slot in allocation.booked:
        planned, event = steps.book(case, slot)
        changed[case.case_id] = planned
        _emit(uow, planned, [event])
    if allocation.unplaced:
        # One line a pass, not one a case: thousands wait on a busy day, every day.
        reasons = Counter(str(u.reason.value) for u in allocation.unplaced)
        log.info("cases without a hearing slot yet", cases=len(allocation.unplaced), **reasons)
    for unplaced in allocation.unplaced:
        told = steps.could_not_place(unplaced)
        if told is not None:
            reported, notice = told
            changed[reported.case_id] = reported
            _emit(uow, reported, [notice])
    # Measures of the cases that are ready, once each.
    for case in list(due.values()) + list(changed.values()):
        current = changed.get(case.case_id, case)
        if not current.measured:
            # Observed once the run commits: a run rolled back and retried observes nothing twice.
            uow.after_commit(partial(_observe, current, config, metrics))
            changed[case.case_id] = current.model_copy(update={"measured": True})
    await db.CASES.save(uow.session, list(changed.values()))
    saved = {d.key: d for d in [*freed, *trimmed.days, *allocation.days]}
    await db.DAYS.save(uow.session, list(saved.values()))
    per_day = [
        (rate_class, sum(b.rate_class == rate_class for b in row.bookings))
        for row in allocation.days
        for rate_class in sorted({b.rate_class for b in row.bookings})
    ]
    uow.after_commit(partial(_observe_slots, per_day, metrics))
    metrics.waiting.set(len(allocation.unplaced))
    await _hold_gauges(uow, today, metrics)


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
