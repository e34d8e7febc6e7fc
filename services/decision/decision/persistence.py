"""Tables of the decision service (its own schema; inbox and outbox come from shared) and the
queries of its timers and commands. A case is its domain state (JSON) plus the columns the
deadline watch, the figures and the commands query."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Column, Date, Index, MetaData, Text, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from decision.domain import Decided, DecisionCase, RateGroup
from shared.contracts.events.common import DecisionOutcome
from shared.contracts.values import Category, Stream
from shared.runtime.kit import StateStore, state_table

metadata = MetaData()

cases = state_table(
    "cases",
    metadata,
    Column("stream", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("watch_on", Date, nullable=True),
    Column("on_hold", Boolean, nullable=False),
    Column("category", Text, nullable=True),
    Column("cycle", Text, nullable=True),
    Column("outcome", Text, nullable=True),
    Column("rate_reported", Boolean, nullable=False),
    Index("cases_to_watch", "watch_on", postgresql_where=text("watch_on IS NOT NULL")),
    Index("cases_to_report", "stream", postgresql_where=text("NOT rate_reported")),
)

CASES = StateStore(
    cases,
    DecisionCase,
    key=lambda case: case.case_id,
    columns={
        "stream": lambda c: c.stream.value,
        "status": lambda c: c.status.value,
        "deadline": lambda c: c.deadline,
        "watch_on": lambda c: c.watch_on,
        "on_hold": lambda c: c.hold is not None,
        "category": lambda c: c.category.value if c.category else None,
        "cycle": lambda c: c.cycle,
        "outcome": lambda c: c.issued.proposal.outcome.value if c.issued else None,
        # Saved false once with the issue; the figures timer sets it (a plain UPDATE).
        "rate_reported": lambda c: c.issued is None,
    },
)


def _case(row: Any) -> DecisionCase:
    return DecisionCase.model_validate(row.state)


async def lock_due(session: AsyncSession, today: date, limit: int) -> list[DecisionCase]:
    """Cases the deadline watch must look at today, locked; another instance skips them."""
    rows = await session.execute(
        select(cases.c.state)
        .where(cases.c.watch_on <= today)
        .order_by(cases.c.case_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_case(row) for row in rows]


async def decided_in_unreported_groups(session: AsyncSession) -> list[Decided]:
    """Every decided case of each (stream, cycle, category) that has a decision not yet in
    the figures; marks those reported."""
    groups = (
        select(cases.c.stream, cases.c.cycle, cases.c.category)
        .where(~cases.c.rate_reported)
        .distinct()
        .subquery()
    )
    rows = await session.execute(
        select(cases.c.stream, cases.c.cycle, cases.c.category, cases.c.outcome)
        .join(
            groups,
            (groups.c.stream == cases.c.stream)
            & groups.c.cycle.is_not_distinct_from(cases.c.cycle)
            & groups.c.category.is_not_distinct_from(cases.c.category),
        )
        .where(cases.c.outcome.is_not(None))
    )
    decided = [
        Decided(
            RateGroup(
                Stream(row.stream),
                row.cycle,
                Category(row.category) if row.category else None,
            ),
            DecisionOutcome(row.outcome),
        )
        for row in rows
    ]
    await session.execute(update(cases).where(~cases.c.rate_reported).values(rate_reported=True))
    return decided


async def counts(session: AsyncSession) -> tuple[int, int]:
    """Open cases on hold, and open cases being watched."""
    row = (
        await session.execute(
            select(
                func.count().filter(cases.c.on_hold),
                func.count().filter(cases.c.watch_on.is_not(None)),
            ).where(cases.c.status == "open")
        )
    ).one()
    return int(row[0]), int(row[1])


async def deadline_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Open cases per (stream, "at risk" or "late"): the watch sent its at-risk alert, or its
    breach, for the deadline the case has now. Read from the database, so every instance
    reports the same figures."""
    deadline = func.to_char(cases.c.deadline, "YYYY-MM-DD")
    late = cases.c.state["late_sent_for"].astext == deadline
    at_risk = (cases.c.state["at_risk_sent_for"].astext == deadline) & ~late
    rows = await session.execute(
        select(cases.c.stream, func.count().filter(at_risk), func.count().filter(late))
        .where(cases.c.status == "open")
        .group_by(cases.c.stream)
    )
    counts = {(stream.value, kind): 0 for stream in Stream for kind in ("at risk", "late")}
    for row in rows:
        counts[(row[0], "at risk")] = int(row[1])
        counts[(row[0], "late")] = int(row[2])
    return counts


async def load_case(conn: AsyncConnection, case_id: str) -> DecisionCase | None:
    row = (await conn.execute(select(cases.c.state).where(cases.c.case_id == case_id))).first()
    return None if row is None else _case(row)


async def open_cases_due_by(conn: AsyncConnection, last_day: date) -> list[DecisionCase]:
    rows = await conn.execute(
        select(cases.c.state)
        .where(cases.c.status == "open", cases.c.deadline <= last_day)
        .order_by(cases.c.deadline, cases.c.case_id)
    )
    return [_case(row) for row in rows]
