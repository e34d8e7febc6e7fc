"""Fetches that wait in the client for announced ends (docs/adr/0037), on the real servers: the
relay announces what each pass wrote, in its transaction; a consumer with no broker-side wait
waits after an empty fetch until an end beyond its position is announced; and the echo service
answers through it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

import shared.runtime.wakeups as wakeups_module
from shared.contracts.envelope import encode
from shared.contracts.events.clock import partition_key
from shared.contracts.topics import TopicNames
from shared.contracts.values import Stream
from shared.runtime.database import asyncpg_dsn
from shared.runtime.messaging import add_to_outbox
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.runtime.wakeups import process_wakeups, wake_channel
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration


def request(text: str, subject: str) -> Any:
    return front_end_event(echo.EchoRequested(text=text), subject=subject, stream=Stream.BACKLOG)


@pytest.fixture
def waking(settings: Settings) -> Settings:
    return settings.model_copy(update={"fetch_wakeups": True})


@pytest.fixture
async def heard(waking: Settings) -> AsyncIterator[list[dict[str, int]]]:
    """The announcements on the run's channel, as they come."""
    announcements: list[dict[str, int]] = []
    conn = await asyncpg.connect(asyncpg_dsn(waking.database_url))
    await conn.add_listener(
        wake_channel(waking.topic_prefix),
        lambda _c, _p, _ch, payload: announcements.append(json.loads(payload)),
    )
    yield announcements
    await conn.close()


async def test_the_relay_announces_the_ends_each_pass_wrote_once_they_are_written(
    waking: Settings, heard: list[dict[str, int]]
) -> None:
    runtime = ServiceRuntime(echo.definition, waking)  # for its schema and engine only
    await runtime.migrate()
    assert runtime.relay.announce_on == wake_channel(waking.topic_prefix)
    topic = TopicNames(waking.topic_prefix)(echo.OUTPUT)
    records = [encode(request(f"answer {n}", f"case-{n:04d}"), topic) for n in range(30)]
    async with runtime.session_factory() as session, session.begin():
        await add_to_outbox(session, records)
    relay = runtime.relay
    relay.producer = AIOKafkaProducer(bootstrap_servers=waking.kafka_bootstrap_servers)
    await relay.producer.start()
    try:
        assert await relay.publish_once() == 30
        assert await relay.publish_once() == 0  # nothing sent: nothing announced
        await asyncio.sleep(0.2)  # notifications are delivered after the commit
    finally:
        await relay.producer.stop()
        await runtime.engine.dispose()

    assert heard == [relay.produced]
    assert sum(relay.produced.values()) == 30  # both partitions, every record counted
    assert set(relay.produced) <= {partition_key(topic, p) for p in (0, 1)}


async def test_after_an_empty_fetch_a_consumer_waits_for_an_announced_end(
    waking: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wakeups_module, "FALLBACK_SECONDS", 3.0)  # far beyond the checks below
    names = TopicNames(waking.topic_prefix)
    topic = names(echo.OUTPUT)
    tp = TopicPartition(topic, 0)
    async with process_wakeups(waking) as wakeups:
        assert wakeups is not None
        await asyncio.wait_for(wakeups.listening.wait(), timeout=10)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=waking.kafka_bootstrap_servers,
            group_id=None,
            fetch_max_wait_ms=wakeups_module.fetch_wait_ms(waking),
        )
        producer = AIOKafkaProducer(bootstrap_servers=waking.kafka_bootstrap_servers)
        await consumer.start()
        await producer.start()
        try:
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            assert await consumer.getmany(tp, timeout_ms=300) == {}  # fetched, found nothing
            written = await producer.send_and_wait(topic, b"unannounced", partition=0)
            # Its fetch waits for an announcement, not for the record.
            assert await consumer.getmany(tp, timeout_ms=500) == {}
            await wakeups.announce({partition_key(topic, 0): written.offset + 1})
            got = await consumer.getmany(tp, timeout_ms=5000)
            assert [r.value for r in got.get(tp, [])] == [b"unannounced"]
        finally:
            await producer.stop()
            await consumer.stop()


async def test_a_service_on_announced_ends_answers_its_input(waking: Settings) -> None:
    service = ServiceRuntime(echo.definition, waking)
    await service.migrate()
    await service.start()
    try:
        await publish(waking, echo.INPUT, *(request(f"hello {n}", f"case-{n}") for n in range(5)))
        answers = await read_topic(waking, echo.OUTPUT, expect=5, settle=0.5)
    finally:
        await service.stop()
    assert sorted(r.key for r in answers) == sorted(f"case-{n}".encode() for n in range(5))
