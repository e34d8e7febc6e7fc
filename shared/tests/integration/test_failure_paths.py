"""Failure paths that never lose work, against the real PostgreSQL and broker (issue 7).

A bad record is rejected with its reason and takes no other record with it; a fault of the
system (a missing table, PostgreSQL restarting) stops the consumer instead of rejecting, and
it resumes by itself with every record handled once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from sqlalchemy import text

from shared.contracts.envelope import KafkaRecord, decode, encode
from shared.contracts.topics import TopicNames, rejections
from shared.contracts.values import Stream
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.servers import Servers
from shared.tools.testing.waiting import wait_until

pytestmark = pytest.mark.integration

REJECTIONS = rejections(Stream.BACKLOG)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(echo.definition, settings)
    await service.migrate()
    await service.start()
    yield service
    await service.stop()


def request(text_: str, subject: str = "case-0001") -> Any:
    return front_end_event(echo.EchoRequested(text=text_), subject=subject, stream=Stream.BACKLOG)


async def effect_count(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as conn:
        return len(await echo.recorded_texts(conn))


async def send_raw(settings: Settings, records: list[KafkaRecord]) -> None:
    """Publish as a careless front-end might: large records allowed through the producer."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, max_request_size=8 * 1024 * 1024
    )
    await producer.start()
    try:
        pending = [
            await producer.send(r.topic, key=r.key, value=r.value, headers=list(r.headers))
            for r in records
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def texts(records: list[Any]) -> list[str]:
    return [decode(r.headers, r.value).data.text for r in records]


async def test_bad_records_of_every_kind_are_rejected_and_their_batch_is_answered(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    topic = TopicNames(settings.topic_prefix)(echo.INPUT)
    good = [encode(request(f"good {n}", subject="case-0001"), topic) for n in range(200)]
    template = encode(request("bad"), topic)
    bad_header = KafkaRecord(
        topic,
        template.key,
        template.value,
        tuple((k, v + b"\xff") if k == "ce_source" else (k, v) for k, v in template.headers),
    )
    no_value = KafkaRecord(topic, b"case-0001", None, encode(request("x"), topic).headers)  # type: ignore[arg-type]
    big = encode(request("big"), topic)
    too_large = KafkaRecord(topic, big.key, b'{"text": "' + b"x" * 5_000_000 + b'"}', big.headers)
    bad_key = encode(request("key"), topic)
    bad_key = KafkaRecord(topic, b"case-\xff", bad_key.value, bad_key.headers)
    # The bad ones in the middle of the good ones, on one key: one partition, one batch.
    await send_raw(settings, [*good[:100], bad_header, no_value, too_large, bad_key, *good[100:]])

    answers = await read_topic(settings, echo.OUTPUT, expect=200, settle=1.0)
    rejected = await read_topic(settings, REJECTIONS, expect=4, settle=1.0)

    assert sorted(texts(answers)) == sorted(f"good {n}" for n in range(200))
    codes = sorted(decode(r.headers, r.value).data.code for r in rejected)
    assert codes == ["bad-header", "no-data", "too-large", "wrong-key"]
    for record in rejected:
        assert len(record.value) < 1_048_576  # a rejection never carries an oversize copy
    assert runtime.processor is not None
    assert runtime.processor.problem() is None


async def committed_offsets(settings: Settings, group: str, topic: str) -> list[int | None]:
    """The group's committed offsets of a topic, read without joining the group."""
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        partitions = sorted(reader.partitions_for_topic(topic) or [])
        return [await reader.committed(TopicPartition(topic, p)) for p in partitions]
    finally:
        await reader.stop()


async def health(runtime: ServiceRuntime) -> httpx.Response:
    transport = httpx.ASGITransport(app=runtime.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get("/health")


async def test_a_missing_table_stops_the_consumer_and_nothing_is_rejected(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    assert runtime.processor is not None
    runtime.processor.backoff_seconds = (0.05, 0.2)
    async with runtime.engine.begin() as conn:
        await conn.execute(text("DROP TABLE echo_cases"))
    requests = [request(f"r{n}", subject=f"case-{n:04d}") for n in range(30)]
    await publish(settings, echo.INPUT, *requests)

    async def stopped() -> bool:
        return runtime.processor is not None and runtime.processor.problem() is not None

    await wait_until(stopped)
    response = await health(runtime)
    assert response.status_code == 503
    assert response.json()["checks"]["consumer"] is False
    assert "UndefinedTableError, SQLSTATE 42P01" in response.json()["problems"]["consumer"]
    assert runtime.metrics.consumer_stopped._value.get() == 1
    group = f"{settings.topic_prefix}caseflow-echo"
    input_topic = TopicNames(settings.topic_prefix)(echo.INPUT)
    assert set(await committed_offsets(settings, group, input_topic)) <= {None, 0}
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=1.0) == []

    async with runtime.engine.begin() as conn:
        await conn.run_sync(echo.metadata.create_all)

    answers = await read_topic(settings, echo.OUTPUT, expect=30, settle=1.0)
    assert sorted(texts(answers)) == sorted(f"r{n}" for n in range(30))
    assert await effect_count(runtime) == 30
    assert runtime.processor.problem() is None
    assert runtime.metrics.consumer_stopped._value.get() == 0
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=0.5) == []
    assert (await health(runtime)).status_code == 200


async def test_a_postgres_restart_mid_stream_dead_letters_nothing(
    runtime: ServiceRuntime, settings: Settings, servers: Servers
) -> None:
    if servers.postgres is None:
        pytest.skip("needs the embedded PostgreSQL, which the test can restart")
    assert runtime.processor is not None
    runtime.processor.backoff_seconds = (0.1, 0.5)
    first = [request(f"a{n}", subject=f"case-{n:04d}") for n in range(300)]
    then = [request(f"b{n}", subject=f"case-{n:04d}") for n in range(300)]
    await publish(settings, echo.INPUT, *first)
    await asyncio.to_thread(servers.postgres.stop)
    await publish(settings, echo.INPUT, *then)
    await asyncio.sleep(1.0)
    await asyncio.to_thread(servers.postgres.start)

    answers = await read_topic(settings, echo.OUTPUT, expect=600, timeout=60, settle=1.0)
    assert sorted(texts(answers)) == sorted(
        [f"a{n}" for n in range(300)] + [f"b{n}" for n in range(300)]
    )
    assert await read_topic(settings, REJECTIONS, expect=1, timeout=0.5) == []
    assert await effect_count(runtime) == 600
