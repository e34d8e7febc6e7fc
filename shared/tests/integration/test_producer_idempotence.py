"""Duplicate records on a topic are avoided wherever the broker allows (issue 15): on Apache
Kafka the relay's producer is idempotent, so its own retries after a lost acknowledgement write
nothing twice. The testcontainers run (CASEFLOW_TEST_CONTAINERS=1 where a Docker engine
answers) verifies that; the embedded Tansu has no idempotent producer, which a second test holds
it to, so that docs/architecture.md changes when Tansu does."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.contracts.topics import TopicNames
from shared.runtime.broker import make_producer
from shared.runtime.settings import Settings
from shared.tools.testing import echo
from shared.tools.testing.servers import Servers

pytestmark = pytest.mark.integration


async def test_the_relay_producer_is_idempotent_on_apache_kafka(
    servers: Servers, settings: Settings
) -> None:
    """The broker hands the relay's producer a producer id, which every record then carries
    with its sequence number: a retried batch is written once."""
    if not servers.idempotent_producer:
        pytest.skip(
            f"the session's broker has no idempotent producer ({servers.origin}); this runs "
            "with CASEFLOW_TEST_CONTAINERS=1 where a Docker engine answers"
        )
    assert settings.kafka_idempotence
    producer = make_producer(settings, "idempotence-check")
    await producer.start()
    try:
        topic = TopicNames(settings.topic_prefix)(echo.OUTPUT)
        await (await producer.send(topic, value=b"{}", key=b"case-0001"))
        manager = producer._txn_manager
    finally:
        await producer.stop()
    assert manager is not None, "the producer was made without idempotence"
    assert manager.has_pid()


async def test_the_embedded_broker_refuses_the_idempotent_producer(
    servers: Servers, settings: Settings
) -> None:
    """Tansu (memory-only) answers InitProducerId with an error: on it the idempotent producer
    cannot start, which is why CASEFLOW_KAFKA_IDEMPOTENCE is off by default and on in deploy/,
    and why the soak counts duplicate records (docs/soak.md)."""
    if "kafka: embedded" not in servers.origin:
        pytest.skip(f"the session's broker is not the embedded one ({servers.origin})")
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True
    )
    topic = TopicNames(settings.topic_prefix)(echo.OUTPUT)
    refused: BaseException | None = None
    try:
        await asyncio.wait_for(producer.start(), 30)
        await asyncio.wait_for(await producer.send(topic, value=b"{}", key=b"k"), 30)
    except (KafkaError, TimeoutError) as exc:
        refused = exc
    finally:
        await producer.stop()
    assert refused is not None, "Tansu took an idempotent producer: update docs/architecture.md"
