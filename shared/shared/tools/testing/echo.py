"""A tiny service written on the service kit: it records each request and answers it.

The example of docs/how-to-write-a-service.md, and the foundation tests' subject.

Run in-process (ServiceRuntime) or as a process: `python -m shared.tools.testing.echo serve`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import MetaData, select

from shared.contracts.envelope import Envelope, EventData, encode, new_event
from shared.contracts.rejections import Refused
from shared.contracts.topics import Stage, stage_events, stage_input
from shared.contracts.values import Stream
from shared.runtime.kit import (
    Conflict,
    Context,
    Decision,
    Emit,
    KitBatch,
    Outcome,
    Refusal,
    Rules,
    StateStore,
    Wait,
    state_table,
)
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime, main

INPUT = stage_input(Stream.BACKLOG, Stage.PREPHASE)
OUTPUT = stage_events(Stream.BACKLOG, Stage.PREPHASE)
OTHERS = stage_events(Stream.BACKLOG, Stage.HEARING)  # another service's output it listens to


# --- Events (test types, not in the catalogue) ---


class EchoRequested(EventData):
    event_type = "nl.ind.test.echo-requested"
    text: str


class EchoDone(EventData):
    event_type = "nl.ind.test.echo-done"
    text: str


class EchoNoted(EventData):
    """A fact from another service about a case echo has (or has not yet) seen."""

    event_type = "nl.ind.test.echo-noted"
    text: str


class EchoAnnounced(EventData):
    """A command over the batch: emits, then may refuse (the refusal must undo the emit)."""

    event_type = "nl.ind.test.echo-announced"
    text: str


# --- State ---


class EchoCase(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    texts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class Counter(BaseModel):
    """A second kind of row: how many requests echo answered (as a stage counts capacity)."""

    model_config = ConfigDict(frozen=True)

    name: str
    count: int = 0


metadata = MetaData()
cases = state_table("echo_cases", metadata)
CASES = StateStore(cases, EchoCase, key=lambda case: case.case_id)
counters = state_table("echo_counters", metadata, key="name")
COUNTERS = StateStore(counters, Counter, key=lambda counter: counter.name)


COMMITTED: list[str] = []
"""Texts of requests whose batch committed, appended by ctx.after_commit (a metric stand-in)."""


# --- Domain functions: plain, no I/O ---


def requested(case: EchoCase | None, event: EchoRequested, ctx: Context[None]) -> Outcome[EchoCase]:
    if event.text == "refuse":
        return Refusal("echo refuses to repeat 'refuse'")
    if event.text == "boom":
        raise RuntimeError("a bug in the handler")
    case = case or EchoCase(case_id=ctx.case_id)
    answered = ctx.rows["counters"].get("answered") or Counter(name="answered")
    ctx.after_commit(lambda: COMMITTED.append(event.text))
    return Decision(
        case.model_copy(update={"texts": (*case.texts, event.text)}),
        [EchoDone(text=event.text)],
        rows=[answered.model_copy(update={"count": answered.count + 1})],
    )


def noted(case: EchoCase | None, event: EchoNoted, ctx: Context[None]) -> Outcome[EchoCase]:
    if case is None:
        return Wait("echo has not seen a request for this case yet")
    if event.text == "contradict":
        return Conflict("the note contradicts what echo knows of the case")
    updated = case.model_copy(update={"notes": (*case.notes, event.text)})
    return Decision(updated, [EchoDone(text=f"noted {event.text}")])


async def announced(event: Envelope[Any], batch: KitBatch[EchoCase]) -> None:
    batch.apply(
        Decision(None, [Emit(EchoDone(text=f"announcing {event.data.text}"), topic=OUTPUT)]),
        event,
        event.subject,
    )
    if event.data.text == "refuse":
        raise Refused("echo will not announce 'refuse'")


def rules() -> Rules[EchoCase, None]:
    echo = Rules("echo", store=CASES, config=None, events_topic=lambda case: OUTPUT)
    echo.rows(
        "counters", COUNTERS, lambda e: ["answered"] if e.type == EchoRequested.ce_type() else []
    )
    echo.on(EchoRequested, topics=[INPUT, OTHERS])(requested)
    echo.on(EchoNoted, topics=[OTHERS])(noted)
    echo.command(EchoAnnounced, topics=[INPUT])(announced)
    return echo


async def recorded_texts(conn: Any) -> list[str]:
    """Every text echo recorded, case by case (tests count effects with it)."""
    rows = await conn.execute(select(cases.c.state).order_by(cases.c.case_id))
    return [text for row in rows for text in row.state["texts"]]


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
    rules=rules,
    # Daily on wall time; once per simulated day with CASEFLOW_SIMULATED_CLOCK.
    periodic=(Periodic("weekly-echo", timedelta(days=1).total_seconds(), weekly_echo),),
)

if __name__ == "__main__":
    main(definition)
