"""A tiny service for the foundation tests: it records each request and answers it.

Run in-process (ServiceRuntime) or as a process: `python -m shared.tools.testing.echo serve`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, Text, Uuid, insert

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.rejections import Refused
from shared.contracts.topics import Stage, stage_events, stage_input
from shared.contracts.values import Stream
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceDefinition, ServiceRuntime, main

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


definition = ServiceDefinition(
    name="echo",
    migrations="shared.tools.testing:echo_migrations",
    default_port=8199,
    subscriptions=lambda: [INPUT, OTHERS],
    make_handler=make_handler,
)

if __name__ == "__main__":
    main(definition)
