"""Intake's tables and the queries over them (schema `intake`; inbox and outbox come from shared).

A case is stored as its domain state (JSON) plus the columns that queries need.
"""

from __future__ import annotations

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
    MetaData,
    Table,
    Text,
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


async def lock_open_unheard(session: AsyncSession) -> dict[str, IntakeCase]:
    """The cases a new country policy may still change (both streams), locked."""
    rows = await session.execute(
        select(cases.c.state)
        .where(cases.c.status == CaseStatus.OPEN.value, ~cases.c.heard)
        .order_by(cases.c.case_id)
        .with_for_update()
    )
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


async def policies_due(session: AsyncSession, today: date) -> list[tuple[str, dict[str, Any]]]:
    """Published, not yet adopted, in effect by today: (version, the event that published it)."""
    rows = await session.execute(
        select(policies.c.policy_version, policies.c.published_event)
        .where(policies.c.adopted_at.is_(None), policies.c.effective_from <= today)
        .order_by(policies.c.effective_from, policies.c.seq)
        .with_for_update(skip_locked=True)
    )
    return [(row.policy_version, row.published_event) for row in rows]


async def mark_adopted(session: AsyncSession, policy_version: str, at: datetime) -> None:
    await session.execute(
        update(policies).where(policies.c.policy_version == policy_version).values(adopted_at=at)
    )
