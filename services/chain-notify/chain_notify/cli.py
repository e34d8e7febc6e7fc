"""Chain-notify's own commands, beside `serve`, `migrate` and `stuck`: the delivery log
(what was sent to whom, and when), the replay of a partner's topic from it, and the courts
notices held for a court district."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chain_notify.persistence import courts_held_cases, delivery_log, replay_into_outbox
from shared.contracts.topics import Partner, TopicNames
from shared.contracts.values import Stream
from shared.runtime.database import make_engine, make_session_factory
from shared.runtime.settings import Settings

NAME = "chain-notify"


async def logged(
    sessions: async_sessionmaker[AsyncSession],
    *,
    subject: str | None = None,
    partner: str | None = None,
    stream: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Delivery-log entries, oldest first: id, time, partner, stream, type, subject, topic.
    The record's content is not shown (it holds V-numbers): the id finds it for an auditor."""
    query = select(
        delivery_log.c.event_id,
        delivery_log.c.event_time,
        delivery_log.c.partner,
        delivery_log.c.stream,
        delivery_log.c.event_type,
        delivery_log.c.subject,
        delivery_log.c.topic,
    ).order_by(delivery_log.c.id)
    if subject is not None:
        query = query.where(delivery_log.c.subject == subject)
    if partner is not None:
        query = query.where(delivery_log.c.partner == partner)
    if stream is not None:
        query = query.where(delivery_log.c.stream == stream)
    async with sessions() as session:
        rows = await session.execute(query.limit(limit))
        return [dict(row._mapping) for row in rows]


async def replay_range(
    sessions: async_sessionmaker[AsyncSession],
    *,
    partner: str,
    stream: str,
    since: datetime,
    until: datetime,
    topic: str | None = None,
) -> int:
    """Queue the partner's logged records of [since, until) in the outbox again (one
    transaction); the service's relay publishes them, same ids and bytes. No upstream effect."""
    async with sessions() as session, session.begin():
        return await replay_into_outbox(
            session, partner=partner, stream=stream, since=since, until=until, topic=topic
        )


async def held_list(sessions: async_sessionmaker[AsyncSession], limit: int) -> list[dict[str, Any]]:
    async with sessions() as session:
        return await courts_held_cases(session, limit)


def _sessions(settings: Settings) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(make_engine(settings.database_url, settings.schema_for(NAME)))


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        f"{r['event_time'].isoformat(timespec='seconds')}  {r['partner']:<7} {r['stream']:<8} "
        f"{r['event_type']:<48} {r['subject']:<28} {r['event_id']}"
        for r in rows
    ]
    return "\n".join(lines) if lines else "nothing logged"


def deliveries(
    case: Annotated[
        str | None, typer.Option(help="A case id (or plan cycle, location day): its notices")
    ] = None,
    partner: Annotated[Partner | None, typer.Option(help="Only this partner")] = None,
    stream: Annotated[Stream | None, typer.Option(help="Only this stream")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, oldest first")] = 1000,
) -> None:
    """What was sent to whom, and when: the delivery log per case and partner (ids, types and
    times only; the content stays in the database)."""
    rows = asyncio.run(
        logged(
            _sessions(Settings()),
            subject=case,
            partner=partner.value if partner else None,
            stream=stream.value if stream else None,
            limit=limit,
        )
    )
    typer.echo(_table(rows))


def replay(
    partner: Annotated[Partner, typer.Argument(help="The partner whose topic to rebuild")],
    stream: Annotated[Stream, typer.Argument(help="The stream (each has its own topic)")],
    since: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day (UTC)")],
    until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day (UTC)")],
    to_topic: Annotated[
        str | None, typer.Option(help="Publish on this topic instead (name without prefix)")
    ] = None,
) -> None:
    """Rebuild a partner's topic from the delivery log for a date range: the logged records go
    into the outbox again and the running service publishes them, with their original ids and
    bytes. Nothing upstream happens again; partners deduplicate on the id (docs/chain-notify.md)."""
    settings = Settings()
    topic = TopicNames(settings.topic_prefix)(to_topic) if to_topic else None
    queued = asyncio.run(
        replay_range(
            _sessions(settings),
            partner=partner.value,
            stream=stream.value,
            since=_day_start(since.date()),
            until=_day_start(until.date() + timedelta(days=1)),
            topic=topic,
        )
    )
    typer.echo(
        f"{queued} record(s) queued for {partner.value} ({stream.value}); the relay sends them"
    )


def held(
    limit: Annotated[int, typer.Option(min=1, help="At most this many, longest held first")] = 1000,
) -> None:
    """The refusals whose courts notice waits for the applicant's court district (COA and DT&V
    were told): case ids and since when. Intake's logistics with a district sends each one."""
    rows = asyncio.run(held_list(_sessions(Settings()), limit))
    lines = [
        f"{r['since'].isoformat(timespec='seconds')}  {r['stream']:<8} {r['case_id']}" for r in rows
    ]
    typer.echo("\n".join(lines) if lines else "no courts notice held")
