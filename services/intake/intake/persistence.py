"""Intake's tables and the queries over them (schema `intake`; inbox and outbox come from shared).

A case is stored as its domain state (JSON) plus the columns that queries need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    exists,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.domain import CaseStatus, CountryPolicy, IntakeCase, PolicyBook
from shared.runtime.kit import StateStore

metadata = MetaData()

cases = Table(
    "cases",
    metadata,
    Column("case_id", Text, primary_key=True),
    Column("v_number", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("heard", Boolean, nullable=False),
    Column("state", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("cases_by_applicant", "v_number"),
    # The database keeps the rule too: one open application per applicant.
    Index(
        "one_open_case_per_applicant",
        "v_number",
        unique=True,
        postgresql_where=text("status = 'open'"),
    ),
    Index("open_unheard_cases", "stream", postgresql_where=text("status = 'open' AND NOT heard")),
)

policies = Table(
    "country_policies",
    metadata,
    Column("policy_version", Text, primary_key=True),
    Column("effective_from", Date, nullable=False),
    Column("body", JSONB, nullable=False),
    Column("published_event", JSONB, nullable=True),  # the input that published it: causation
    Column("adopted_at", DateTime(timezone=True), nullable=True),  # open cases re-categorised
    # An adoption in progress: the last case id of its last committed chunk, and the count so far.
    Column("adoption_cursor", Text, nullable=True),
    Column("adoption_recategorised", Integer, nullable=False, server_default="0"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Publication order (several may be recorded in one transaction, at one now()).
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
)


# Intake's cases as the kit's typed state; a registration also locks its applicant's cases.
CASES = StateStore(
    cases,
    IntakeCase,
    key=lambda case: case.case_id,
    columns={
        "v_number": lambda case: case.application.v_number,
        "stream": lambda case: case.stream.value,
        "status": lambda case: case.status.value,
        "heard": lambda case: case.heard,
    },
    indexes=("v_number",),
)


def _case(row: Any) -> IntakeCase:
    return IntakeCase.model_validate(row.state)


async def lock_open_unheard(
    session: AsyncSession, *, after: str | None, limit: int
) -> dict[str, IntakeCase]:
    """The next `limit` cases after `after` (case id order) that a new country policy may still
    change (both streams), locked."""
    query = select(cases.c.state).where(cases.c.status == CaseStatus.OPEN.value, ~cases.c.heard)
    if after is not None:
        query = query.where(cases.c.case_id > after)
    rows = await session.execute(query.order_by(cases.c.case_id).limit(limit).with_for_update())
    return {c.case_id: c for c in map(_case, rows)}


# Arbitrary but fixed: the advisory lock that orders policy changes against case work.
POLICY_LOCK = 0x1A7A4E_0001


async def lock_policies(session: AsyncSession, *, exclusive: bool) -> None:
    """Until the transaction ends: exclusive for adopting policy, shared for case work."""
    take = func.pg_advisory_xact_lock if exclusive else func.pg_advisory_xact_lock_shared
    await session.execute(select(take(POLICY_LOCK)))


async def load_policy_book(session: AsyncSession) -> PolicyBook:
    rows = await session.execute(select(policies.c.body).order_by(policies.c.seq))
    book = PolicyBook()
    for row in rows:
        book = book.publish(CountryPolicy.model_validate(row.body))
    return book


async def record_policy(
    session: AsyncSession, policy: CountryPolicy, published_event: dict[str, Any] | None
) -> None:
    await session.execute(
        pg_insert(policies)
        .values(
            policy_version=policy.policy_version,
            effective_from=policy.effective_from,
            body=policy.model_dump(mode="json"),
            published_event=published_event,
        )
        .on_conflict_do_nothing()
    )


@dataclass(frozen=True)
class DuePolicy:
    version: str
    published_event: dict[str, Any] | None  # the input that published it: the cause
    cursor: str | None  # the last case of the adoption's last committed chunk
    recategorised: int  # by the adoption's committed chunks


def _due(today: date) -> Any:
    return (policies.c.adopted_at.is_(None), policies.c.effective_from <= today)


async def any_policy_due(session: AsyncSession, today: date) -> bool:
    """Whether a policy waits for adoption; no lock (the timer's check when nothing is due)."""
    return bool(await session.scalar(select(exists().where(*_due(today)))))


async def policies_due(session: AsyncSession, today: date) -> list[DuePolicy]:
    """Published, not yet adopted, in effect by today; locked, skipping those another
    instance is adopting."""
    rows = await session.execute(
        select(
            policies.c.policy_version,
            policies.c.published_event,
            policies.c.adoption_cursor,
            policies.c.adoption_recategorised,
        )
        .where(*_due(today))
        .order_by(policies.c.effective_from, policies.c.seq)
        .with_for_update(skip_locked=True)
    )
    return [
        DuePolicy(row.policy_version, row.published_event, row.adoption_cursor, row[3])
        for row in rows
    ]


async def record_adoption_progress(
    session: AsyncSession, policy_version: str, cursor: str, recategorised: int
) -> None:
    await session.execute(
        update(policies)
        .where(policies.c.policy_version == policy_version)
        .values(adoption_cursor=cursor, adoption_recategorised=recategorised)
    )


async def mark_adopted(session: AsyncSession, policy_version: str, at: datetime) -> None:
    await session.execute(
        update(policies).where(policies.c.policy_version == policy_version).values(adopted_at=at)
    )
