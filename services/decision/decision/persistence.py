"""Tables of the decision service (its own schema; inbox and outbox come from shared) and the
queries of its timers and commands. A case is its domain state (JSON) plus the columns the
deadline watch, the figures and the commands query."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    any_,
    bindparam,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from decision.domain import Decided, DecisionCase, RateGroup, Recount, Tally
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
    Column("alert", Text, nullable=True),
    # Where the running tallies count the case (the figures pass writes these, never a save):
    # NULL outcome = not counted yet.
    Column("counted_outcome", Text, nullable=True),
    Column("counted_cycle", Text, nullable=True),
    Column("counted_category", Text, nullable=True),
    Index("cases_to_watch", "watch_on", postgresql_where=text("watch_on IS NOT NULL")),
    Index("cases_to_report", "stream", postgresql_where=text("NOT rate_reported")),
    Index(
        "open_cases",
        "stream",
        "on_hold",
        "alert",
        "watch_on",
        postgresql_where=text("status = 'open'"),
    ),
)

# Decisions and grants per (stream, cycle, category) so far; '' stands for an absent cycle or
# category (a key column cannot be NULL).
rate_tallies = Table(
    "rate_tallies",
    metadata,
    Column("stream", Text, primary_key=True),
    Column("cycle", Text, primary_key=True),
    Column("category", Text, primary_key=True),
    Column("decided", Integer, nullable=False),
    Column("grants", Integer, nullable=False),
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
        # False with every save of a decided case (its group is reported again); the figures
        # pass sets it (a plain UPDATE).
        "rate_reported": lambda c: c.issued is None,
        "alert": lambda c: alert_of(c),
    },
)


def alert_of(case: DecisionCase) -> str | None:
    """'late' when the watch sent the breach for the deadline the case has now, 'at risk' when
    it sent only the at-risk alert for it; the gauges count these per stream."""
    if case.late_sent_for is not None and case.late_sent_for == case.deadline:
        return "late"
    if case.at_risk_sent_for is not None and case.at_risk_sent_for == case.deadline:
        return "at risk"
    return None


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


def _group(stream: str, cycle: str | None, category: str | None) -> RateGroup:
    return RateGroup(Stream(stream), cycle or None, Category(category) if category else None)


async def unreported_decisions(session: AsyncSession) -> list[Recount]:
    """The decided cases saved since the last figures (a new decision, or a decided case saved
    again), locked, in case order, each with where the tallies counted it before."""
    c = cases.c
    rows = await session.execute(
        select(
            c.case_id,
            c.stream,
            c.cycle,
            c.category,
            c.outcome,
            c.counted_outcome,
            c.counted_cycle,
            c.counted_category,
        )
        .where(~c.rate_reported)
        .order_by(c.case_id)
        .with_for_update()
    )
    return [
        Recount(
            case_id=row.case_id,
            group=_group(row.stream, row.cycle, row.category),
            outcome=DecisionOutcome(row.outcome) if row.outcome else None,
            was=Decided(
                _group(row.stream, row.counted_cycle, row.counted_category),
                DecisionOutcome(row.counted_outcome),
            )
            if row.counted_outcome
            else None,
        )
        for row in rows
    ]


async def add_to_tallies(
    session: AsyncSession, changes: dict[RateGroup, Tally]
) -> dict[RateGroup, Tally]:
    """Add the changes to the running tallies in one statement; returns the new tallies of
    the groups changed."""
    if not changes:
        return {}
    rows = [
        {
            "stream": group.stream.value,
            "cycle": group.cycle or "",
            "category": group.category.value if group.category else "",
            "decided": change.decided,
            "grants": change.grants,
        }
        for group, change in changes.items()
    ]
    rows.sort(key=lambda row: (row["stream"], row["cycle"], row["category"]))  # a fixed lock order
    values = pg_insert(rate_tallies).values(rows)
    statement = values.on_conflict_do_update(
        index_elements=[rate_tallies.c.stream, rate_tallies.c.cycle, rate_tallies.c.category],
        set_={
            "decided": rate_tallies.c.decided + values.excluded.decided,
            "grants": rate_tallies.c.grants + values.excluded.grants,
        },
    ).returning(*rate_tallies.c)
    result = await session.execute(statement)
    return {
        _group(row.stream, row.cycle, row.category): Tally(row.decided, row.grants)
        for row in result
    }


async def mark_reported(session: AsyncSession, recounts: list[Recount]) -> None:
    """The recounted cases are in the figures now, counted where they are."""
    if not recounts:
        return
    c = cases.c
    ids = [one.case_id for one in recounts]
    await session.execute(
        update(cases)
        # One array parameter: a first pass may mark tens of thousands of cases.
        .where(c.case_id == any_(bindparam("ids", ids, type_=ARRAY(Text))))
        .values(
            rate_reported=True,
            counted_outcome=c.outcome,
            counted_cycle=c.cycle,
            counted_category=c.category,
        )
    )


async def open_case_counts(session: AsyncSession) -> tuple[int, int, dict[tuple[str, str], int]]:
    """Open cases on hold, open cases being watched, and open cases per (stream, "at risk" or
    "late"): the watch sent its at-risk alert, or its breach, for the deadline the case has
    now. One read of the open cases' index; from the database, so every instance reports the
    same figures."""
    c = cases.c
    rows = await session.execute(
        select(
            c.stream,
            func.count().filter(c.on_hold),
            func.count().filter(c.watch_on.is_not(None)),
            func.count().filter(c.alert == "at risk"),
            func.count().filter(c.alert == "late"),
        )
        .where(c.status == "open")
        .group_by(c.stream)
    )
    on_hold = watched = 0
    alerts = {(stream.value, kind): 0 for stream in Stream for kind in ("at risk", "late")}
    for row in rows:
        on_hold += int(row[1])
        watched += int(row[2])
        alerts[(row[0], "at risk")] = int(row[3])
        alerts[(row[0], "late")] = int(row[4])
    return on_hold, watched, alerts


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
