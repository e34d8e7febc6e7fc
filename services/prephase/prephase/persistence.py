"""Prephase's tables and the queries over them (schema `prephase`; inbox and outbox from shared).

A case and a location day are stored as their domain state (JSON) plus the columns that the
daily invitation pass and the hold count query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Text,
    and_,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from prephase.domain import DayLoad, LocationDay, PrephaseCase, Status, day_row_key
from prephase.domain.model import PRIORITY_RANK
from shared.contracts.values import Stream
from shared.runtime.kit import StateStore, state_table

metadata = MetaData()

cases = state_table(
    "cases",
    metadata,
    Column("status", Text, nullable=False),
    Column("hold", Text, nullable=True),
    Column("booked_day", Text, nullable=True),  # the location_days key this case holds a place on
    Column("interpreter", Text, nullable=True),  # the interpreter language booked with it
    Column("stream", Text, nullable=False),
    # Planning is still owed a one-time "no day fits" (PrephaseCase.placement_report_due).
    Column("report_due", Boolean, nullable=False),
    # The case's place in the pass's fixed order (PrephaseCase.queue_order), so that a pass
    # with a few free places reads the waiting cases in that order only as far as needed.
    Column("queue_day", Date, nullable=False),
    Column("queue_rank", Integer, nullable=False),
    Column("lodged_at", DateTime(timezone=True), nullable=False),
    # The interpreter languages (none: empty; no logistics yet: null): which free places the
    # case might take.
    Column("languages", ARRAY(Text), nullable=True),
)

location_days = state_table(
    "location_days",
    metadata,
    Column("stream", Text, nullable=False),
    Column("day", Date, nullable=False),
    key="key",
)


def _booked_key(case: PrephaseCase) -> str | None:
    return day_row_key(case.stream, case.booked_day) if case.booked_day else None


CASES = StateStore(
    cases,
    PrephaseCase,
    key=lambda case: case.case_id,
    columns={
        "status": lambda case: case.status.value,
        "hold": lambda case: case.hold,
        "booked_day": _booked_key,
        "interpreter": lambda case: case.booked_language,
        "stream": lambda case: case.stream.value,
        "report_due": lambda case: case.placement_report_due,
        "queue_day": lambda case: case.release_day or date.max,
        "queue_rank": lambda case: PRIORITY_RANK[case.priority_group],
        "lodged_at": lambda case: case.lodged_at,
        "languages": lambda case: (
            list(case.logistics.interpreter_languages) if case.logistics is not None else None
        ),
    },
)

DAYS = StateStore(
    location_days,
    LocationDay,
    key=lambda day: day.key,
    columns={"stream": lambda day: day.stream.value, "day": lambda day: day.day},
)


async def lock_days_between(session: AsyncSession, first: date, last: date) -> list[LocationDay]:
    """The location days a pass may book, locked in key order (before any case: the order the
    capacity updates take too, so no two transactions lock in two orders)."""
    rows = await session.execute(
        select(location_days.c.state)
        .where(location_days.c.day.between(first, last))
        .order_by(location_days.c.key)
        .with_for_update()
    )
    return [LocationDay.model_validate(row.state) for row in rows]


async def lock_days(session: AsyncSession, keys: Sequence[str]) -> None:
    if keys:
        await session.execute(
            select(location_days.c.key)
            .where(location_days.c.key.in_(sorted(set(keys))))
            .order_by(location_days.c.key)
            .with_for_update()
        )


async def lock_waiting(
    session: AsyncSession,
    booked_on: Sequence[str] = (),
    streams: Iterable[Stream] | None = None,
    case_ids: Iterable[str] = (),
) -> list[PrephaseCase]:
    """The waiting cases, and the cases booked on `booked_on` days (location_days keys), locked
    in one query in key order, as the kit locks a batch's cases (no two orders, no deadlock).

    With `streams` (or `case_ids`), only the waiting cases of those streams (the ones a free
    place may go to), the waiting cases named, and the waiting cases still owed a report to
    planning: the rest cannot change on this pass, so they are neither read nor locked."""
    return await _cases(session, _wanted(booked_on, streams, case_ids), lock=True)


async def read_booked(session: AsyncSession, booked_on: Sequence[str]) -> list[PrephaseCase]:
    """The cases booked on `booked_on` days, unlocked (a first look; `lock_waiting` locks)."""
    if not booked_on:
        return []
    return await _cases(session, cases.c.booked_day.in_(sorted(set(booked_on))), lock=False)


QueueKey = tuple[date, int, datetime, str]
"""A waiting case's place in the pass's order, as `PrephaseCase.queue_order` gives it."""

_ORDER: tuple[ColumnElement[Any], ...] = (
    cases.c.queue_day,
    cases.c.queue_rank,
    cases.c.lodged_at,
    # Case ids in code-point order, as Python compares them.
    literal_column('case_id COLLATE "C"'),
)


async def read_waiting_in_order(
    session: AsyncSession,
    stream: Stream,
    after: QueueKey | None,
    limit: int,
    languages: Iterable[str],
) -> list[PrephaseCase]:
    """Waiting cases of a stream in the pass's fixed order (`PrephaseCase.queue_order`), the
    first `limit` after `after`, unlocked: a first look at how far the free places reach
    (index waiting_cases_in_queue_order). Only those that might take a free place: with known
    logistics, and needing no interpreter or one of `languages`."""
    free = sorted(set(languages))
    might_fit = cases.c.languages.is_not(None) & (
        (func.cardinality(cases.c.languages) == 0) | cases.c.languages.overlap(free)
        if free
        else func.cardinality(cases.c.languages) == 0
    )
    where = [cases.c.status == Status.WAITING.value, cases.c.stream == stream.value, might_fit]
    if after is not None:
        where.append(tuple_(*_ORDER) > tuple_(*after))
    rows = await session.execute(select(cases.c.state).where(*where).order_by(*_ORDER).limit(limit))
    return [PrephaseCase.model_validate(row.state) for row in rows]


def _wanted(
    booked_on: Sequence[str], streams: Iterable[Stream] | None, case_ids: Iterable[str]
) -> ColumnElement[bool]:
    waiting = cases.c.status == Status.WAITING.value
    wanted = waiting
    named = sorted(set(case_ids))
    if streams is not None or named:
        open_streams = sorted(s.value for s in streams or ())
        could_change: ColumnElement[bool] = cases.c.report_due
        if open_streams:
            could_change = or_(cases.c.stream.in_(open_streams), could_change)
        if named:
            could_change = or_(cases.c.case_id.in_(named), could_change)
        wanted = and_(waiting, could_change)
    if booked_on:
        wanted = or_(wanted, cases.c.booked_day.in_(sorted(set(booked_on))))
    return wanted


async def _cases(
    session: AsyncSession, wanted: ColumnElement[bool], *, lock: bool
) -> list[PrephaseCase]:
    query = select(cases.c.state).where(wanted).order_by(cases.c.case_id)
    rows = await session.execute(query.with_for_update() if lock else query)
    return [PrephaseCase.model_validate(row.state) for row in rows]


async def day_loads(session: AsyncSession, keys: Sequence[str]) -> dict[str, DayLoad]:
    """What each location day has booked: places and interpreter places per language, counted
    from the invited cases (so a cancellation frees its place without touching the day)."""
    if not keys:
        return {}
    rows = await session.execute(
        select(cases.c.booked_day, cases.c.interpreter, func.count())
        .where(cases.c.booked_day.in_(sorted(set(keys))))
        .group_by(cases.c.booked_day, cases.c.interpreter)
    )
    loads: dict[str, DayLoad] = {}
    for key, language, count in rows:
        load = loads.get(key, DayLoad())
        interpreters = dict(load.interpreters)
        if language is not None:
            interpreters[language] = interpreters.get(language, 0) + count
        loads[key] = DayLoad(places=load.places + count, interpreters=interpreters)
    return loads


async def holds(session: AsyncSession) -> dict[str, int]:
    """Cases on hold, by reason."""
    rows = await session.execute(
        select(cases.c.hold, func.count()).where(cases.c.hold.is_not(None)).group_by(cases.c.hold)
    )
    return {reason: count for reason, count in rows}
