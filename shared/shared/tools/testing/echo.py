"""A tiny service for the foundation tests: it records each request and answers it.

Run in-process (ServiceRuntime) or as a process: `python -m shared.tools.testing.echo serve`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Text, Uuid, insert

from shared.contracts.envelope import Envelope, EventData, encode, new_event
from shared.contracts.rejections import Refused
from shared.contracts.topics import Stage, stage_events, stage_input
from shared.contracts.values import Stream
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime, main

INPUT = stage_input(Stream.BACKLOG, Stage.PREPHASE)
OUTPUT = stage_events(Stream.BACKLOG, Stage.PREPHASE)
OTHERS = stage_events(Stream.BACKLOG, Stage.HEARING)  # another service's output it listens to

metadata = MetaData()
effects = Table(
    "echo_effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("text", Text, nullable=False),
)


class EchoRequested(EventData):
    event_type = "nl.ind.test.echo-requested"
    text: str


class EchoDone(EventData):
    event_type = "nl.ind.test.echo-done"
    text: str


class EchoHandler:
    handled_types: tuple[type[EventData], ...] = (EchoRequested,)

    async def prepare(self, events: Any, uow: UnitOfWork) -> None:
        return None

    async def finish(self, uow: UnitOfWork) -> None:
        return None

    async def handle(self, event: Envelope[Any], uow: UnitOfWork) -> None:
        text = event.data.text
        if text == "refuse":
            raise Refused("echo refuses to repeat 'refuse'")
        if text == "boom":
            raise RuntimeError("a bug in the handler")
        await uow.session.execute(insert(effects).values(event_id=event.id, text=text))
        uow.emit(EchoDone(text=text), topic=OUTPUT, cause=event)


def make_handler(runtime: ServiceRuntime) -> EchoHandler:
    return EchoHandler()


def emit_on_timer(uow: UnitOfWork, data: EventData, *, topic: str, subject: str) -> None:
    """Queue an event that a timer causes (no consumed event to follow)."""
    envelope = new_event(
        data,
        subject=subject,
        stream=Stream.BACKLOG,
        source=uow.source,
        actor=f"system:{uow.service}",
        time=uow.clock.now(),
    )
    uow.records.append(encode(envelope, uow.topics(topic)))


async def weekly_echo(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    """On Mondays (every 7th day), echo the day unasked: a timer for the simulation tests."""
    today = uow.clock.now().date()
    if today.weekday() == 0:
        emit_on_timer(uow, EchoDone(text=f"weekly {today}"), topic=OUTPUT, subject="timer-weekly")


definition = ServiceDefinition(
    name="echo",
    migrations="shared.tools.testing:echo_migrations",
    default_port=8199,
    subscriptions=lambda: [INPUT, OTHERS],
    make_handler=make_handler,
    # Daily on wall time; once per simulated day with CASEFLOW_SIMULATED_CLOCK.
    periodic=(Periodic("weekly-echo", timedelta(days=1).total_seconds(), weekly_echo),),
)

if __name__ == "__main__":
    main(definition)
