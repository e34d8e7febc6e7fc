"""Hearing's tables (schema `hearing`; inbox, outbox and parked facts come from shared).

A case is stored as its domain state (JSON) plus the columns the timers query: its status,
whether a cancelled slot is to be given back, and a hold's obstacle and start (operators see
what is on hold, why and since when).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Text,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hearing.domain.capacity import CaseworkerDay, Room, Roster, slot_language
from hearing.domain.case import NEVER, HearingCase, Status, queue_order
from shared.runtime.kit import StateStore, state_table
from shared.runtime.parsed import Parsed, digest_of, state_unless

metadata = MetaData()

cases = state_table(
    "cases",
    metadata,
    Column("status", Text, nullable=False),
    Column("slot_to_free", Boolean, nullable=False),
    Column("review_due", Date, nullable=True),
    Column("obstacle", Text, nullable=True),
    Column("on_hold_since", Date, nullable=True),
    Column("to_measure", Boolean, nullable=False),
    Column("exclusion_since", Date, nullable=True),
    # The allocation queue (waiting for a slot, no 1F/NV hold: what `allocate` serves), read in
    # the fixed order only as far as the teams' free capacity reaches (migration 0006).
    Column("in_queue", Boolean, nullable=False),
    Column("team", Text, nullable=True),
    Column("queue_rank", Integer, nullable=False),
    Column("lodged_at", DateTime(timezone=True), nullable=False),
    Column("release_day", Date, nullable=True),
    Column("unplaced_reported", Boolean, nullable=False),
    # What a slot for it needs: the caseworker's specialisms and the interpreter.
    Column("specialisms", ARRAY(Text), nullable=False),
    Column("slot_language", Text, nullable=True),
    Index("cases_to_allocate", "status", postgresql_where=text("status = 'waiting_slot'")),
    Index("cases_with_a_slot_to_free", "case_id", postgresql_where=text("slot_to_free")),
    Index("cases_to_measure", "case_id", postgresql_where=text("to_measure")),
    Index("cases_on_hold", "on_hold_since", postgresql_where=text("status = 'on_hold'")),
    Index("cases_in_review", "review_due", postgresql_where=text("status = 'heard'")),
    Index(
        "cases_on_exclusion_hold",
        "exclusion_since",
        postgresql_where=text("exclusion_since IS NOT NULL"),
    ),
)

caseworker_days = state_table("caseworker_days", metadata, key="day_key")

CASES = StateStore(
    cases,
    HearingCase,
    key=lambda case: case.case_id,
    columns={
        "status": lambda case: case.status.value,
        "slot_to_free": lambda case: case.slot_to_free is not None,
        "review_due": lambda case: case.review_due,
        "obstacle": lambda case: case.hold.obstacle.value if case.hold else None,
        "on_hold_since": lambda case: case.hold.since if case.hold else None,
        "to_measure": lambda case: not case.measured,
        "exclusion_since": lambda case: case.exclusion_since if case.exclusion_hold else None,
        "in_queue": lambda case: case.status is Status.WAITING_SLOT and not case.exclusion_hold,
        "team": lambda case: case.team,
        "queue_rank": lambda case: queue_order(case)[0],
        "lodged_at": lambda case: case.lodged_at or NEVER,
        "release_day": lambda case: case.release_day,
        "unplaced_reported": lambda case: case.unplaced_reported,
        "specialisms": lambda case: sorted(s.value for s in case.specialisms),
        "slot_language": slot_language,
    },
)

DAYS = StateStore(caseworker_days, CaseworkerDay, key=lambda day: day.key)

# Planning's roster per month (HearingRosterPlanned): a handful of rows, read whole by the run.
rosters = state_table("rosters", metadata, key="month")
ROSTERS = StateStore(rosters, Roster, key=lambda roster: roster.month)


QueueKey = tuple[int, datetime, str]
"""A queued case's place in the fixed order, as queue_order gives it."""


async def lock_due(
    session: AsyncSession,
    today: date,
    also: Collection[str] = (),
    queue: Collection[str] | None = None,
    start: date | None = None,
) -> list[HearingCase]:
    """In one query, in key order (as the kit locks cases, so the two never deadlock): the
    cases waiting for a slot, those with a cancelled slot to give back, those whose review term
    ended before today, the ready ones whose measures are not observed yet, and `also` (the
    cases booked on days planning cut).

    With `queue` (case ids), of the allocation queue only those, the ones planning is still
    owed a report about and the ones released for a day after `start`: the rest of the queue
    cannot get a slot on this pass (their teams have no room), so it is neither read nor
    locked."""
    return await _due(session, today, also, queue, start, lock=True)


async def read_due(
    session: AsyncSession, today: date, also: Collection[str], start: date
) -> list[HearingCase]:
    """`lock_due` with `queue=()`, unlocked: the pass's first look."""
    return await _due(session, today, also, (), start, lock=False)


async def _due(
    session: AsyncSession,
    today: date,
    also: Collection[str],
    queue: Collection[str] | None,
    start: date | None,
    *,
    lock: bool,
) -> list[HearingCase]:
    queued: ColumnElement[bool] = cases.c.status == Status.WAITING_SLOT.value
    if queue is not None:
        could_change = or_(
            ~cases.c.unplaced_reported,
            cases.c.release_day > (start or today),
            cases.c.case_id.in_(sorted(queue)),
        )
        queued = and_(cases.c.in_queue, could_change)
    query = (
        select(cases.c.state)
        .where(
            or_(
                queued,
                cases.c.slot_to_free,
                (cases.c.status == Status.HEARD.value) & (cases.c.review_due < today),
                cases.c.to_measure,
                cases.c.case_id.in_(sorted(also)),
            )
        )
        .order_by(cases.c.case_id)
    )
    rows = await session.execute(query.with_for_update() if lock else query)
    return [HearingCase.model_validate(row.state) for row in rows]


_ORDER: tuple[ColumnElement[Any], ...] = (
    cases.c.queue_rank,
    cases.c.lodged_at,
    literal_column('case_id COLLATE "C"'),
)


async def read_queue(
    session: AsyncSession, room: Room, after: QueueKey | None, limit: int
) -> list[HearingCase]:
    """The queued cases that might fit `room`, in the fixed order (queue_order), the first
    `limit` after `after`, unlocked: the pass's first look at how far the room reaches."""
    if not room.openings:
        return []
    fits: list[ColumnElement[bool]] = []
    for team, specialisms, languages in sorted(
        room.openings, key=lambda o: (o[0], sorted(o[1]), sorted(o[2] or ()), o[2] is None)
    ):
        opening = [cases.c.team == team, cases.c.specialisms.contained_by(sorted(specialisms))]
        if languages is not None:
            opening.append(
                cases.c.slot_language.is_(None) | cases.c.slot_language.in_(sorted(languages))
            )
        fits.append(and_(*opening))
    where: list[ColumnElement[bool]] = [cases.c.in_queue, or_(*fits)]
    if after is not None:
        where.append(tuple_(*_ORDER) > tuple_(*after))
    rows = await session.execute(select(cases.c.state).where(*where).order_by(*_ORDER).limit(limit))
    return [HearingCase.model_validate(row.state) for row in rows]


async def furthest(session: AsyncSession) -> tuple[date | None, date | None]:
    """The latest release day in the allocation queue and the latest day of a cancelled slot
    to give back: how far beyond the usual window a pass must lock and load caseworker days
    (two index lookups)."""
    released = select(func.max(cases.c.release_day)).where(cases.c.in_queue)
    freed = select(func.max(cases.c.state["slot_to_free"]["day"].astext.cast(Date))).where(
        cases.c.slot_to_free
    )
    return (
        (await session.execute(released)).scalar_one(),
        (await session.execute(freed)).scalar_one(),
    )


async def queued(session: AsyncSession) -> int:
    """How many cases the allocation queue holds."""
    return (await session.execute(select(func.count()).where(cases.c.in_queue))).scalar_one()


EXCLUSION_SCREENING = "exclusion_screening"  # the hold gauges' label for a 1F/NV hold


async def holds(session: AsyncSession) -> list[tuple[str, date]]:
    """Every hold: its reason (the obstacle, or the 1F/NV screening) and since when."""
    obstacles = await session.execute(
        select(cases.c.obstacle, cases.c.on_hold_since).where(
            cases.c.status == Status.ON_HOLD.value
        )
    )
    screening = await session.execute(
        select(cases.c.exclusion_since).where(cases.c.exclusion_since.is_not(None))
    )
    return [(row.obstacle, row.on_hold_since) for row in obstacles] + [
        (EXCLUSION_SCREENING, row.exclusion_since) for row in screening
    ]


ROSTERS_READ = Parsed(Roster, size=64)
"""The rosters as parsed: the daily pass reads every roster in force or to come, each with
hundreds of caseworkers (and their language codes, each checked against ISO 639-3)."""


async def rosters_from(session: AsyncSession, today: date) -> dict[str, Roster]:
    """The rosters a run can need: the one in force today (its month's, else the latest before)
    and those of the months after it; older months are history. A roster parsed before (the
    same stored state) is not sent again nor parsed (ADR 0035)."""
    month = today.strftime("%Y-%m")
    in_force = select(func.max(rosters.c.month)).where(rosters.c.month <= month)
    since = func.coalesce(in_force.scalar_subquery(), "")
    rows_of = (
        select(digest_of(rosters).label("digest"), rosters.c.state)
        .where(rosters.c.month >= since)
        .subquery("rows_of")
    )
    query = select(
        rows_of.c.digest, state_unless(rows_of.c.digest, rows_of.c.state, ROSTERS_READ.known())
    )
    found = ROSTERS_READ.states((r[0], r[1]) for r in await session.execute(query))
    return {r.month: r for r in found}
