"""Chain-notify's tables (schema `chain-notify`; inbox and outbox from shared): its cases, the
location days DT&V was told about, and the delivery log.

The delivery log keeps every partner record exactly as it went into the outbox (topic, key,
value, headers), in the same transaction: what was sent to whom and when can be shown per case
and partner, and a partner's topic can be rebuilt from it byte for byte (docs/chain-notify.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from chain_notify.domain.state import NotifyCase, ReturnDay
from shared.contracts.envelope import KafkaRecord
from shared.contracts.events.intake import CourtDistrict
from shared.contracts.topics import Kind, kind_of
from shared.runtime.database import outbox_table
from shared.runtime.kit import StateStore, state_table

metadata = MetaData()

cases = state_table(
    "cases",
    metadata,
    Column("stream", Text, nullable=False),
    Column("court_district", Text, nullable=True),
    # Set while a refusal's courts notice waits for the court district (the held-notices gauge).
    Column("courts_held_since", DateTime(timezone=True), nullable=True),
)
return_days = state_table("return_days", metadata, key="key")

delivery_log = Table(
    "delivery_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("partner", Text, nullable=False),
    Column("stream", Text, nullable=False),
    Column("subject", Text, nullable=False),  # the record key: a case, plan cycle or location day
    Column("event_type", Text, nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("topic", Text, nullable=False),  # with the deployment's prefix, as sent
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("logged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("delivery_log_by_subject", "subject", "partner"),
    Index("delivery_log_by_partner_time", "partner", "stream", "event_time"),
)

CASES = StateStore(
    cases,
    NotifyCase,
    key=lambda case: case.case_id,
    columns={
        "stream": lambda case: case.stream.value,
        "court_district": lambda case: case.court_district.value if case.court_district else None,
        "courts_held_since": lambda case: case.courts_held.since if case.courts_held else None,
    },
)
RETURN_DAYS = StateStore(return_days, ReturnDay, key=lambda day: day.key)


async def district_shares(session: AsyncSession, stream: str) -> dict[CourtDistrict, int]:
    """The stream's known cases per court district (the split of the courts' forecast)."""
    rows = await session.execute(
        select(cases.c.court_district, func.count())
        .where(cases.c.stream == stream, cases.c.court_district.is_not(None))
        .group_by(cases.c.court_district)
    )
    return {CourtDistrict(district): int(n) for district, n in rows}


async def courts_notices_held(
    session: AsyncSession, now: datetime, limit: timedelta
) -> dict[str, tuple[int, int]]:
    """Per stream: refusals whose courts notice waits for the court district, and how many of
    them longer than `limit`."""
    held = cases.c.courts_held_since
    rows = await session.execute(
        select(cases.c.stream, func.count(), func.count().filter(held < now - limit))
        .where(held.is_not(None))
        .group_by(cases.c.stream)
    )
    return {stream: (int(n), int(overdue)) for stream, n, overdue in rows}


async def courts_held_cases(session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """The cases whose courts notice is held, longest first: case id, stream, since."""
    held = cases.c.courts_held_since
    rows = await session.execute(
        select(cases.c.case_id, cases.c.stream, held.label("since"))
        .where(held.is_not(None))
        .order_by(held, cases.c.case_id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


def _header(record: KafkaRecord, name: str) -> str:
    return next(v.decode("utf-8") for k, v in record.headers if k == name)


def log_rows(records: Sequence[KafkaRecord], prefix: str) -> list[dict[str, Any]]:
    """Delivery-log rows of the partner records among `records` (the outbox's own bytes)."""
    rows = []
    for record in records:
        topic = record.topic.removeprefix(prefix)
        if kind_of(topic) is not Kind.PARTNER:
            continue
        _, stream, _, partner, _ = topic.split(".")  # ind.<stream>.partner.<partner>.v1
        rows.append(
            {
                "event_id": _header(record, "ce_id"),
                "partner": partner,
                "stream": stream,
                "subject": _header(record, "ce_subject"),
                "event_type": _header(record, "ce_type"),
                "event_time": datetime.fromisoformat(_header(record, "ce_time")),
                "topic": record.topic,
                "key": record.key,
                "value": record.value,
                "headers": [[k, v.decode("utf-8")] for k, v in record.headers],
            }
        )
    return rows


async def log_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Write delivery-log rows in the caller's transaction (the one that fills the outbox).
    A notice made again from the same cause has the same id: it is logged once."""
    if rows:
        await session.execute(
            pg_insert(delivery_log).on_conflict_do_nothing(index_elements=["event_id"]), rows
        )


def count_by(rows: Sequence[dict[str, Any]]) -> Counter[tuple[str, str, str]]:
    """Logged notices per partner, stream and type (for the volume metrics)."""
    return Counter((r["partner"], r["stream"], r["event_type"]) for r in rows)


async def replay_into_outbox(
    session: AsyncSession,
    *,
    partner: str,
    stream: str,
    since: datetime,
    until: datetime,
    topic: str | None = None,
) -> int:
    """Queue a partner's logged records of [since, until) again, in their original order and
    bytes; the relay publishes them. `topic` (with prefix) sends them elsewhere (a rebuilt
    topic under a new name); by default to the topic they went to."""
    chosen = (
        select(
            delivery_log.c.topic if topic is None else literal(topic, Text),
            delivery_log.c.key,
            delivery_log.c.value,
            delivery_log.c.headers,
        )
        .where(
            delivery_log.c.partner == partner,
            delivery_log.c.stream == stream,
            delivery_log.c.event_time >= since,
            delivery_log.c.event_time < until,
        )
        .order_by(delivery_log.c.id)
    )
    result = await session.execute(
        insert(outbox_table).from_select(["topic", "key", "value", "headers"], chosen)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
