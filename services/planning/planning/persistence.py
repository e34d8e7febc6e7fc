"""Planning's tables and the queries over them (schema `planning`; inbox and outbox from shared).

The pool is one row per case (its state as JSON, and the columns the daily release queries
need); capacity is one row per month, plan cycles one per cycle, triage one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Text,
    column,
    func,
    select,
    text,
    true,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from planning.domain.capacity import month_key
from planning.domain.cohorts import CohortSummary
from planning.domain.cycles import ALL
from planning.domain.model import (
    CohortPlan,
    Cycle,
    MonthCapacity,
    PoolCase,
    PoolStatus,
    TriageState,
)
from planning.domain.placement import PlacementState
from planning.domain.records import CaseRecord, CaseStep, with_steps
from shared.contracts.values import Category, Stream
from shared.runtime.kit import StateStore, state_table
from shared.runtime.parsed import Parsed, digest_of, state_unless

metadata = MetaData()

pool = state_table(
    "pool_cases",
    metadata,
    Column("stream", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("priority_rank", Integer, nullable=False),
    Column("category", Text, nullable=False),
    Column("nationality", Text, nullable=False),
    Column("lodged_on", Date, nullable=False),
    Column("registered_on", Date, nullable=False),
    # The daily release reads the pooled backlog cases of a cohort in the fixed order.
    Index(
        "pool_queue",
        "priority_rank",
        "category",
        "nationality",
        "lodged_on",
        "case_id",
        postgresql_where=text("status = 'pooled' AND stream = 'backlog'"),
    ),
    Index("pact_inflow", "registered_on", postgresql_where=text("stream = 'pact'")),
)
capacity = state_table("capacity", metadata, key="month")
cycles = state_table(
    "cycles",
    metadata,
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    key="cycle_id",
)
plan_state = state_table("plan_state", metadata, key="name")
# Each case's record across the stages (domain/records.py): the figures and the timeline.
records = state_table(
    "case_records",
    metadata,
    Column("stream", Text, nullable=False),
    # What a stage could not place (CaseRecord.unplaced): the daily gauges count these rows
    # through their index, not every record ever kept (issue 16, migration 0006).
    Column("unplaced_stage", Text, nullable=True),
    Column("unplaced_reason", Text, nullable=True),
    Index(
        "records_unplaced",
        "stream",
        "unplaced_stage",
        "unplaced_reason",
        postgresql_where=text("unplaced_stage IS NOT NULL"),
    ),
)

POOL = StateStore(
    pool,
    PoolCase,
    key=lambda c: c.case_id,
    columns={
        "stream": lambda c: c.stream.value,
        "status": lambda c: c.status.value,
        "priority_rank": lambda c: c.rank,
        "category": lambda c: c.cohort_category.value,
        "nationality": lambda c: c.nationality,
        "lodged_on": lambda c: c.lodged_on,
        "registered_on": lambda c: c.registered_on,
    },
)
CAPACITY = StateStore(capacity, MonthCapacity, key=lambda c: c.month)
CYCLES = StateStore(
    cycles,
    Cycle,
    key=lambda c: c.cycle_id,
    columns={"starts_on": lambda c: c.starts_on, "ends_on": lambda c: c.ends_on},
)
RECORDS = StateStore(
    records,
    CaseRecord,
    key=lambda r: r.case_id,
    columns={
        "stream": lambda r: r.stream.value,
        "unplaced_stage": lambda r: r.unplaced.stage if r.unplaced else None,
        "unplaced_reason": lambda r: r.unplaced.reason if r.unplaced else None,
    },
)
# The steps of each case's timeline, one row a step, written once (ADR 0035, migration 0007).
steps = state_table(
    "case_steps",
    metadata,
    Column("case_id", Text, nullable=False),
    Column("n", Integer, nullable=False),
    Index("case_steps_in_order", "case_id", "n"),
    key="step_key",
)
STEPS = StateStore(
    steps,
    CaseStep,
    key=lambda s: s.key,
    columns={"case_id": lambda s: s.case_id, "n": lambda s: s.n},
)
TRIAGE = StateStore(plan_state, TriageState, key=lambda t: t.name)
# The same table, another row: what the stages could not place (domain/placement.py).
PLACEMENT = StateStore(plan_state, PlacementState, key=lambda p: p.name)

# Arbitrary but fixed: one daily planning pass at a time, across instances.
PLAN_LOCK = 0x1A7A4E_0010


async def lock_plan(session: AsyncSession) -> None:
    await session.execute(select(func.pg_advisory_xact_lock(PLAN_LOCK)))


MONTHS = Parsed(MonthCapacity)
"""The declared months as parsed: every batch reads the month in force (its teams and their
rosters); parsing it for each batch was 4% of planning's CPU in the bench (issue 18)."""


async def capacities(
    session: AsyncSession, first: date | None = None, last: date | None = None
) -> dict[str, MonthCapacity]:
    """The declared months; with `first` and `last`, only those a day's pass can read between
    them (R13): the months from `first` to `last`, and the latest declared before `first`
    (the teams in force, domain/capacity.py in_force). Not the years around them (issue 16).
    A month parsed before (the same stored state) is not sent again nor parsed (ADR 0035)."""
    rows_of = select(capacity.c.month, digest_of(capacity).label("digest"), capacity.c.state)
    end: str | None = None
    if first is not None and last is not None:
        start, end = month_key(first), month_key(last)
        in_force = (
            select(func.max(capacity.c.month)).where(capacity.c.month <= start).scalar_subquery()
        )
        rows_of = rows_of.where(
            capacity.c.month <= end,
            (capacity.c.month >= start) | (capacity.c.month == in_force),
        )
    rows = rows_of.subquery("rows_of")
    known = MONTHS.known(lambda c: end is None or c.month <= end)
    query = select(rows.c.digest, state_unless(rows.c.digest, rows.c.state, known))
    found = MONTHS.states((r[0], r[1]) for r in await session.execute(query))
    return {c.month: c for c in found}


async def pact_registered_since(session: AsyncSession, since: date) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(pool)
        .where(pool.c.stream == Stream.PACT.value, pool.c.registered_on >= since)
    )
    return int(count or 0)


async def decision_counts(session: AsyncSession) -> dict[Category, tuple[int, int]]:
    """Backlog first decisions and grants so far per category at the decision (R10)."""
    category = records.c.state["decided_category"].astext
    granted = records.c.state["outcome"].astext == "grant"
    rows = await session.execute(
        select(category, func.count(), func.count().filter(granted))
        .where(
            records.c.stream == Stream.BACKLOG.value,
            records.c.state["decided_on"].astext.is_not(None),
            category.is_not(None),
        )
        .group_by(category)
    )
    return {Category(r[0]): (int(r[1]), int(r[2])) for r in rows}


async def pool_summary(session: AsyncSession) -> list[CohortSummary]:
    """The pooled backlog cases by cohort: count and earliest lodging."""
    rows = await session.execute(
        select(
            pool.c.priority_rank,
            pool.c.category,
            pool.c.nationality,
            func.count(),
            func.min(pool.c.lodged_on),
        )
        .where(pool.c.status == PoolStatus.POOLED.value, pool.c.stream == Stream.BACKLOG.value)
        .group_by(pool.c.priority_rank, pool.c.category, pool.c.nationality)
    )
    return [CohortSummary(r[0], Category(r[1]), r[2], int(r[3]), r[4]) for r in rows]


async def cycle_on(session: AsyncSession, day: date) -> Cycle | None:
    """The cycle that covers a day, locked."""
    row = await session.scalar(
        select(cycles.c.state)
        .where(cycles.c.starts_on <= day, cycles.c.ends_on >= day)
        .order_by(cycles.c.starts_on.desc())
        .limit(1)
        .with_for_update()
    )
    return Cycle.model_validate(row) if row is not None else None


async def cycles_before(session: AsyncSession, day: date) -> list[Cycle]:
    """Earlier cycles, most recent first (rotation, R9)."""
    rows = await session.execute(
        select(cycles.c.state).where(cycles.c.starts_on < day).order_by(cycles.c.starts_on.desc())
    )
    return [Cycle.model_validate(r.state) for r in rows]


async def queue(session: AsyncSession, cohort: CohortPlan | None, limit: int) -> list[PoolCase]:
    """The first `limit` pooled backlog cases of a cohort (None: of the whole pool) in the fixed
    order, then locked in key order (as every batch locks), and checked again."""
    query = select(pool.c.case_id).where(
        pool.c.status == PoolStatus.POOLED.value, pool.c.stream == Stream.BACKLOG.value
    )
    if cohort is not None:
        query = query.where(
            pool.c.priority_rank == cohort.rank, pool.c.category == cohort.category.value
        )
        if cohort.nationality != ALL:
            query = query.where(pool.c.nationality == cohort.nationality)
    query = query.order_by(pool.c.priority_rank, pool.c.lodged_on, pool.c.case_id).limit(limit)
    ids = list(await session.scalars(query))
    locked = await POOL.lock(session, ids)
    return [c for c in locked if c.status is PoolStatus.POOLED]


async def queues(
    session: AsyncSession, wanted: Sequence[tuple[CohortPlan, int]]
) -> list[list[PoolCase]]:
    """`queue` for several cohorts of one nationality each, in one query and one lock: per
    cohort, its first `limit` pooled backlog cases in the fixed order, then locked in key order
    and checked again (each list in key order, as `queue` returns it). Cohorts must not share
    cases (no ALL cohort beside another of its rank and category): one cohort's releases would
    change what the next one finds."""
    if not wanted:
        return []
    asked = values(
        column("n", Integer),
        column("rank", Integer),
        column("category", Text),
        column("nationality", Text),
        column("quota", Integer),
        name="asked",
    ).data(
        [
            (n, cohort.rank, cohort.category.value, cohort.nationality, limit)
            for n, (cohort, limit) in enumerate(wanted)
        ]
    )
    first = (
        select(pool.c.case_id)
        .where(
            pool.c.status == PoolStatus.POOLED.value,
            pool.c.stream == Stream.BACKLOG.value,
            pool.c.priority_rank == asked.c.rank,
            pool.c.category == asked.c.category,
            pool.c.nationality == asked.c.nationality,
        )
        .order_by(pool.c.priority_rank, pool.c.lodged_on, pool.c.case_id)
        .limit(asked.c.quota)
        .lateral("first")
    )
    rows = await session.execute(
        select(asked.c.n, first.c.case_id).select_from(asked.join(first, true()))
    )
    cohort_of = {row.case_id: row.n for row in rows}
    found: list[list[PoolCase]] = [[] for _ in wanted]
    for case in await POOL.lock(session, cohort_of):
        if case.status is PoolStatus.POOLED:
            found[cohort_of[case.case_id]].append(case)
    return found


async def placement_state(session: AsyncSession) -> PlacementState:
    found = await PLACEMENT.lock(session, ["placement"])
    return found[0] if found else PlacementState()


async def placement_unlocked(session: AsyncSession) -> PlacementState:
    row = await session.scalar(select(plan_state.c.state).where(plan_state.c.name == "placement"))
    return PlacementState.model_validate(row) if row is not None else PlacementState()


async def cycles_ended_open(session: AsyncSession, today: date) -> list[Cycle]:
    """Cycles that ended before today and are not closed yet. The closed ones are left in the
    database (JSON null or absent reads as SQL NULL): they are all the cycles ever made."""
    rows = await session.execute(
        select(cycles.c.state)
        .where(cycles.c.ends_on < today, cycles.c.state["closed_on"].astext.is_(None))
        .order_by(cycles.c.starts_on)
    )
    found = (Cycle.model_validate(r.state) for r in rows)
    return [c for c in found if c.closed_on is None]


async def cycle_decisions(session: AsyncSession, cycle_id: str) -> tuple[int, int]:
    """(decided, granted) among the cases a cycle released."""
    granted = records.c.state["outcome"].astext == "grant"
    row = (
        await session.execute(
            select(func.count(), func.count().filter(granted))
            .select_from(pool.join(records, pool.c.case_id == records.c.case_id))
            .where(
                pool.c.state["cycle"].astext == cycle_id,
                records.c.state["decided_on"].astext.is_not(None),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def triage_state(session: AsyncSession) -> TriageState:
    found = await TRIAGE.lock(session, ["triage"])
    return found[0] if found else TriageState()


def cycle_row(cycle: Cycle) -> dict[str, Any]:
    return cycle.model_dump(mode="json")


async def all_records(session: AsyncSession) -> list[CaseRecord]:
    """Every case record (the monthly figures are computed over them all)."""
    rows = await session.execute(select(records.c.state).order_by(records.c.case_id))
    return [CaseRecord.model_validate(r.state) for r in rows]


async def load_record(session: AsyncSession, case_id: str) -> CaseRecord | None:
    """A case's record with its whole timeline (the steps kept apart, then its own)."""
    row = await session.scalar(select(records.c.state).where(records.c.case_id == case_id))
    if row is None:
        return None
    kept = await session.execute(
        select(steps.c.state).where(steps.c.case_id == case_id).order_by(steps.c.n)
    )
    return with_steps(
        CaseRecord.model_validate(row), (CaseStep.model_validate(r.state) for r in kept)
    )


async def load_pool_case(session: AsyncSession, case_id: str) -> PoolCase | None:
    row = await session.scalar(select(pool.c.state).where(pool.c.case_id == case_id))
    return PoolCase.model_validate(row) if row is not None else None


async def pool_counts(session: AsyncSession) -> dict[str, int]:
    """Backlog cases by pool status (the forecast's held and in-progress counts)."""
    rows = await session.execute(
        select(pool.c.status, func.count())
        .where(pool.c.stream == Stream.BACKLOG.value)
        .group_by(pool.c.status)
    )
    return {r[0]: int(r[1]) for r in rows}


async def all_cycles(session: AsyncSession) -> list[Cycle]:
    rows = await session.execute(select(cycles.c.state).order_by(cycles.c.starts_on))
    return [Cycle.model_validate(r.state) for r in rows]


async def unplaced_counts(session: AsyncSession) -> dict[tuple[str, str, str], int]:
    """Cases a stage could not place and nothing has placed since, per (stream, stage, reason)."""
    stage, reason = records.c.unplaced_stage, records.c.unplaced_reason
    rows = await session.execute(
        select(records.c.stream, stage, reason, func.count())
        .where(stage.is_not(None))
        .group_by(records.c.stream, stage, reason)
    )
    return {(r[0], r[1], r[2]): int(r[3]) for r in rows}
