"""Intake's tables and the queries over them (schema `intake`; inbox and outbox come from shared).

A case is stored as its domain state (JSON) plus the columns that queries need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.domain import CaseStatus, CountryPolicy, IntakeCase, PolicyBook

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


def _case(row: Any) -> IntakeCase:
    return IntakeCase.model_validate(row.state)


async def lock_cases(
    session: AsyncSession, case_ids: Iterable[str], v_numbers: Iterable[str]
) -> dict[str, IntakeCase]:
    """The cases a batch touches: by id, and every case of the applicants registering.

    Locked (FOR UPDATE, in case-id order) until the transaction ends, so that two
    transactions touching one case run one after the other: no lost update, and one case's
    outbox rows in commit order."""
    ids, numbers = list(set(case_ids)), list(set(v_numbers))
    if not ids and not numbers:
        return {}
    rows = await session.execute(
        select(cases.c.state)
        .where(or_(cases.c.case_id.in_(ids), cases.c.v_number.in_(numbers)))
        .order_by(cases.c.case_id)
        .with_for_update()
    )
    return {c.case_id: c for c in map(_case, rows)}


async def lock_open_unheard(session: AsyncSession) -> dict[str, IntakeCase]:
    """The cases a new country policy may still change (both streams), locked."""
    rows = await session.execute(
        select(cases.c.state)
        .where(cases.c.status == CaseStatus.OPEN.value, ~cases.c.heard)
        .order_by(cases.c.case_id)
        .with_for_update()
    )
    return {c.case_id: c for c in map(_case, rows)}


async def save_cases(session: AsyncSession, changed: Sequence[IntakeCase]) -> None:
    """Insert or update cases, in one statement for the whole batch."""
    if not changed:
        return
    rows = [
        {
            "case_id": case.case_id,
            "v_number": case.application.v_number,
            "stream": case.stream.value,
            "status": case.status.value,
            "heard": case.heard,
            "state": case.model_dump(mode="json"),
        }
        for case in changed
    ]
    statement = pg_insert(cases)
    statement = statement.on_conflict_do_update(
        index_elements=[cases.c.case_id],
        set_={
            "status": statement.excluded.status,
            "heard": statement.excluded.heard,
            "state": statement.excluded.state,
            "updated_at": func.now(),
        },
    )
    await session.execute(statement, rows)


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
