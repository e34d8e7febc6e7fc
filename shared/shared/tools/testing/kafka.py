"""Publish and read topics the way a front-end or a partner would: plain Kafka records."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts.envelope import Envelope, EventData, encode, new_event
from shared.contracts.topics import TopicNames
from shared.contracts.values import Stream
from shared.runtime.broker import publish_records
from shared.runtime.clock import Clock, WallClock
from shared.runtime.settings import Settings


def front_end_event(
    data: EventData,
    *,
    subject: str,
    stream: Stream | None,
    actor: str = "caseworker:cw-0001",
    clock: Clock | None = None,
) -> Envelope[Any]:
    return new_event(
        data,
        subject=subject,
        stream=stream,
        source="/front-end/test",
        actor=actor,
        time=(clock or WallClock()).now(),
    )


async def publish(settings: Settings, topic: str, *events: Envelope[Any]) -> dict[str, int]:
    """Publish events on a topic (name without prefix), as a front-end would; returns the ends
    written (publish_records)."""
    names = TopicNames(settings.topic_prefix)
    return await publish_records(settings, [encode(event, names(topic)) for event in events])


async def read_topic(
    settings: Settings,
    topic: str,
    *,
    expect: int,
    timeout: float = 20.0,
    settle: float = 0.0,
) -> list[Any]:
    """Read a topic (name without prefix) from the start until `expect` records arrived or time ran
    out; then keep listening `settle` seconds more, so that extra copies would show up too."""
    name = TopicNames(settings.topic_prefix)(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"reader-{uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(name)
        deadline = time.monotonic() + timeout
        while not partitions and time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(name)
            await asyncio.sleep(0.1)
        assignment = [TopicPartition(name, p) for p in sorted(partitions or [])]
        consumer.assign(assignment)
        await consumer.seek_to_beginning(*assignment)
        records: list[Any] = []
        settle_until: float | None = None
        while True:
            now = time.monotonic()
            if len(records) >= expect and settle_until is None:
                settle_until = now + settle
            if settle_until is not None and now >= settle_until:
                break
            if settle_until is None and now >= deadline:
                break
            batch = await consumer.getmany(timeout_ms=200)
            for items in batch.values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()
