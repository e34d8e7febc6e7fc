"""Kafka at the edge: the FastStream broker factory, the relay's producer, topic provisioning."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from shared.contracts.envelope import KafkaRecord
from shared.contracts.events.clock import partition_key
from shared.contracts.topics import Kind, TopicNames, TopicSpec
from shared.runtime.logs import get_logger
from shared.runtime.settings import Settings

log = get_logger(__name__)


def make_broker(settings: Settings, service: str, registry: CollectorRegistry) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"caseflow-{service}",
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=service)],
        logger=get_logger("faststream"),
        log_level=logging.DEBUG,  # "Received"/"Processed" per batch is noise at INFO
        graceful_timeout=15.0,
    )


def make_producer(settings: Settings, client_id: str) -> AIOKafkaProducer:
    """The relay's producer: acks from all replicas; idempotent where the broker supports it."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        # The relay enqueues a whole pass before it awaits any delivery, so the pass is one
        # batch already; lingering would only delay every pass (docs/adr/0034).
        linger_ms=0,
        **_size_limits(settings, 256 * 1024),
    )


def _size_limits(settings: Settings, batch_bytes: int) -> dict[str, int]:
    """A record over the limit fails at the producer, before the broker sees it; a batch never
    outgrows the topic's max.message.bytes, which Kafka applies to whole batches."""
    return {
        "max_request_size": settings.max_record_bytes,
        "max_batch_size": min(batch_bytes, settings.max_record_bytes),
    }


async def publish_records(settings: Settings, records: Sequence[KafkaRecord]) -> dict[str, int]:
    """Publish records in order, awaiting all acknowledgements at the end (one key's records
    stay in order): for tools and tests that publish as a front-end would. Returns the end of
    each partition written ('topic/partition': last offset + 1), as a simulation's driver is
    told (SimulationDriver.published)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=20,
        **_size_limits(settings, 512 * 1024),
    )
    await producer.start()
    try:
        pending = [
            await producer.send(r.topic, key=r.key, value=r.value, headers=list(r.headers))
            for r in records
        ]
        return ends_written(await asyncio.gather(*pending))
    finally:
        await producer.stop()


def ends_written(delivered: Iterable[Any]) -> dict[str, int]:
    """The end of each partition written ('topic/partition': last offset + 1), from the
    producer's delivery reports (RecordMetadata), as a simulation's driver is told."""
    written: dict[str, int] = {}
    for meta in delivered:
        key = partition_key(meta.topic, meta.partition)
        written[key] = max(written.get(key, 0), meta.offset + 1)
    return written


def topic_configs(settings: Settings, spec: TopicSpec) -> dict[str, str]:
    """The configuration a topic is created with."""
    return {
        "retention.ms": str(spec.retention_ms),
        "max.message.bytes": str(settings.max_record_bytes),
    }


async def ensure_topics(
    settings: Settings, specs: Iterable[TopicSpec], *, replication_factor: int = 1
) -> list[str]:
    """Create every topic that is missing, with its retention and the maximum record size
    (max.message.bytes = settings.max_record_bytes); returns the names created. Existing
    topics are left alone (docs/architecture.md says how to align them)."""
    names = TopicNames(settings.topic_prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                names(spec.name),
                num_partitions=min(spec.partitions, settings.topic_partitions)
                if settings.topic_partitions and spec.kind is not Kind.CONTROL
                else spec.partitions,
                replication_factor=replication_factor,
                topic_configs=topic_configs(settings, spec),
            )
            for spec in specs
            if names(spec.name) not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
        return [topic.name for topic in wanted]
    finally:
        await admin.close()
