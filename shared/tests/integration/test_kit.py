"""The service kit on the real PostgreSQL and broker: refusals undo their event, facts that come
early are parked and applied later, facts that contradict are recorded conflicts (issue 8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shared.contracts.envelope import KafkaRecord, decode, encode
from shared.contracts.topics import TopicNames, rejections
from shared.contracts.values import Stream
from shared.runtime.database import conflicts_table, parked_facts_table
from shared.runtime.service import ServiceRuntime, watch_parked_facts
from shared.runtime.settings import Settings
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, publish_records, read_topic
from shared.tools.testing.waiting import table_rows, wait_until

pytestmark = pytest.mark.integration

REJECTIONS = rejections(Stream.BACKLOG)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(echo.definition, settings)
    await service.migrate()
    await service.start()
    yield service
    await service.stop()


def event(data: Any, subject: str) -> Any:
    return front_end_event(data, subject=subject, stream=Stream.BACKLOG)


def fact(data: Any, subject: str) -> Any:
    # Another service's output: its system actor.
    return front_end_event(data, subject=subject, stream=Stream.BACKLOG, actor="system:hearing")


def texts(records: list[Any]) -> list[str]:
    return sorted(decode(r.headers, r.value).data.text for r in records)


def test_subscriptions_and_handled_types_come_from_the_registrations() -> None:
    rules = echo.rules()
    assert rules.subscriptions() == sorted({echo.INPUT, echo.OTHERS})
    assert set(rules.handled_types) == {echo.EchoRequested, echo.EchoNoted, echo.EchoAnnounced}


async def test_a_decision_saves_rows_of_the_rules_other_stores(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    requests = [event(echo.EchoRequested(text=f"r{n}"), f"case-{n % 7:04d}") for n in range(40)]
    await publish(settings, echo.INPUT, *requests, event(echo.EchoRequested(text="refuse"), "c-1"))
    await read_topic(settings, echo.OUTPUT, expect=40)

    async def counted() -> bool:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(echo.counters.c.state))).one_or_none()
        return row is not None and row.state == {"name": "answered", "count": 40}

    await wait_until(counted)


async def test_after_commit_callbacks_run_once_for_each_committed_event(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    # A bug in one event fails its batch: the batch is rolled back and split, and the others
    # are handled again. Their callbacks run once, after the commit that kept them.
    echo.COMMITTED.clear()
    good = [event(echo.EchoRequested(text=f"t{n}"), f"case-{n:04d}") for n in range(6)]
    failing = event(echo.EchoRequested(text="boom"), "case-0099")
    refused = event(echo.EchoRequested(text="refuse"), "case-0098")
    await publish(settings, echo.INPUT, *good[:3], failing, refused, *good[3:])
    await read_topic(settings, echo.OUTPUT, expect=6)

    async def all_committed() -> bool:
        return len(echo.COMMITTED) >= 6

    await wait_until(all_committed)
    assert sorted(echo.COMMITTED) == [f"t{n}" for n in range(6)]


async def test_a_refusal_after_an_emit_publishes_nothing_of_that_event(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    refused = event(echo.EchoAnnounced(text="refuse"), "case-0001")
    await publish(settings, echo.INPUT, refused, event(echo.EchoAnnounced(text="ok"), "case-0001"))

    answers = await read_topic(settings, echo.OUTPUT, expect=1, settle=1.0)
    rejected = await read_topic(settings, REJECTIONS, expect=1, settle=0.5)

    assert texts(answers) == ["announcing ok"]
    [report] = [decode(r.headers, r.value) for r in rejected]
    assert report.causationid == refused.id
    assert report.data.reason == "echo will not announce 'refuse'"


async def test_an_early_fact_is_parked_and_applied_when_its_case_arrives(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    early = fact(echo.EchoNoted(text="seen"), "case-0100")
    await publish(settings, echo.OTHERS, early)

    async def parked() -> bool:
        return len(await table_rows(runtime.engine, parked_facts_table)) == 1

    await wait_until(parked)
    [row] = await table_rows(runtime.engine, parked_facts_table)
    assert row.event_id == early.id
    assert row.reason == "echo has not seen a request for this case yet"

    await publish(settings, echo.INPUT, event(echo.EchoRequested(text="first"), "case-0100"))
    answers = await read_topic(settings, echo.OUTPUT, expect=2, settle=1.0)

    assert texts(answers) == ["first", "noted seen"]
    noted = next(decode(r.headers, r.value) for r in answers if b"noted" in r.value)
    assert noted.causationid == early.id  # the parked fact caused it, not the request
    assert await table_rows(runtime.engine, parked_facts_table) == []
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=0.5) == []


async def test_a_contradicting_or_refused_fact_is_a_conflict_not_a_rejection(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, echo.INPUT, event(echo.EchoRequested(text="known"), "case-0200"))
    await read_topic(settings, echo.OUTPUT, expect=1)
    contradicting = fact(echo.EchoNoted(text="contradict"), "case-0200")
    refused = fact(echo.EchoRequested(text="refuse"), "case-0200")  # a fact it would refuse
    await publish(settings, echo.OTHERS, contradicting, refused)

    async def recorded() -> bool:
        return len(await table_rows(runtime.engine, conflicts_table)) == 2

    await wait_until(recorded)
    conflicts = await table_rows(runtime.engine, conflicts_table)
    assert [c.event_id for c in conflicts] == [contradicting.id, refused.id]
    assert conflicts[0].reason == "the note contradicts what echo knows of the case"
    assert runtime.metrics.conflicts._value.get() == 2
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=1.0) == []


async def test_an_undecodable_fact_is_a_conflict_and_the_next_fact_is_applied(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, echo.INPUT, event(echo.EchoRequested(text="known"), "case-0400"))
    await read_topic(settings, echo.OUTPUT, expect=1)
    topic = TopicNames(settings.topic_prefix)(echo.OTHERS)
    good = encode(fact(echo.EchoNoted(text="after"), "case-0400"), topic)
    broken = KafkaRecord(topic, good.key, b"not json", good.headers)
    await publish_records(settings, [broken, good])

    answers = await read_topic(settings, echo.OUTPUT, expect=2, settle=0.5)
    assert texts(answers) == ["known", "noted after"]
    [conflict] = await table_rows(runtime.engine, conflicts_table)
    assert conflict.reason.startswith("undecodable: ")
    assert conflict.topic == echo.OTHERS
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=1.0) == []


async def test_a_fact_parked_past_its_limit_is_flagged(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, echo.OTHERS, fact(echo.EchoNoted(text="lonely"), "case-0300"))

    async def parked() -> bool:
        return len(await table_rows(runtime.engine, parked_facts_table)) == 1

    await wait_until(parked)
    assert runtime.processor is not None
    await runtime.processor.run_work(lambda uow: watch_parked_facts(runtime, uow))
    assert runtime.metrics.parked_facts._value.get() == 1
    assert runtime.metrics.parked_facts_overdue._value.get() == 0

    limit = timedelta(hours=settings.parked_fact_limit_hours)
    runtime.processor.clock = _Later(limit + timedelta(minutes=1))
    await runtime.processor.run_work(lambda uow: watch_parked_facts(runtime, uow))
    assert runtime.metrics.parked_facts_overdue._value.get() == 1


class _Later:
    """The wall clock, moved on: as if the fact had waited that long."""

    def __init__(self, by: timedelta) -> None:
        self.by = by

    def now(self) -> Any:
        from datetime import UTC, datetime

        return datetime.now(UTC) + self.by
