"""Rebuild the case records from the topics (the monthly figures' projection, R14).

Reads every topic the records are kept from, from the start to the end offsets as they are
when the rebuild begins, with a plain consumer (no group, nothing committed), and folds the
events with the same function the service applies (domain/records.py). A rebuild gives the
same figures as the records the service kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition

from planning.domain.model import ForecastMade
from planning.domain.records import CaseRecord, replay
from shared.contracts.envelope import DecodeError, EventData, decode
from shared.contracts.events import catalogue
from shared.contracts.events.planning import BacklogForecastMade, CaseReleased
from shared.contracts.topics import TopicNames
from shared.runtime.kit import AMSTERDAM, Rules
from shared.runtime.settings import Settings

CHUNK_MS = 500


def record_topics(rules: Rules[Any, Any]) -> list[str]:
    """The case-keyed topics of every type the rules handle, and planning's own releases."""
    topics = {t for r in rules.registrations.values() for t in r.topics}
    topics |= set(catalogue.spec(CaseReleased.ce_type()).topic_names())
    return sorted(topics)


async def read_events(
    settings: Settings, topics: Iterable[str]
) -> list[tuple[str, EventData, Any]]:
    """(case id, event, day) of every record on the topics, up to their current end."""
    names = TopicNames(settings.topic_prefix)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        client_id=f"planning-rebuild-{uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        assignment = [
            TopicPartition(names(t), p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(names(t)) or ())
        ]
        if not assignment:
            return []
        consumer.assign(assignment)
        await consumer.seek_to_beginning(*assignment)
        ends = await consumer.end_offsets(assignment)
        left = {tp for tp, end in ends.items() if end > 0}
        out: list[tuple[str, EventData, Any]] = []
        while left:
            batch = await consumer.getmany(*left, timeout_ms=CHUNK_MS)
            for tp, items in batch.items():
                for item in items:
                    try:
                        envelope = decode(item.headers, item.value, ignore_unknown_fields=True)
                    except DecodeError:
                        continue  # not an event (a rejection topic is not read)
                    day = envelope.time.astimezone(AMSTERDAM).date()
                    out.append((envelope.subject, envelope.data, (envelope.time, day)))
                if items and items[-1].offset + 1 >= ends[tp]:
                    left.discard(tp)
        out.sort(key=lambda e: e[2][0])  # topics have no order among them; time gives one
        return [(case, data, when[1]) for case, data, when in out]
    finally:
        await consumer.stop()


async def rebuild(settings: Settings, rules: Rules[Any, Any]) -> dict[str, CaseRecord]:
    return replay(await read_events(settings, record_topics(rules)))


async def forecasts(settings: Settings) -> list[ForecastMade]:
    """The clearance forecasts planning published (BacklogForecastMade), for the figures."""
    topics = catalogue.spec(BacklogForecastMade.ce_type()).topic_names()
    return [
        ForecastMade(as_of=e.as_of, cleared_on=e.cleared_on, open_at_target=e.open_at_target)
        for _, e, _ in await read_events(settings, topics)
        if isinstance(e, BacklogForecastMade)
    ]
