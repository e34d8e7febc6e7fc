"""Issue 7, finding (a), on real servers: 2,000 inputs to the echo test service, one of them a
5 MB schema-invalid record (rejected) and one a valid 5 MB request (its answer is over the relay's
1 MB limit, so it is parked). Prints what reached the topics; every answer must appear once.

    uv run --no-sync python benchmarks/relay_oversized.py
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from shared.contracts.envelope import Envelope, KafkaRecord, decode, encode
from shared.contracts.topics import TopicNames, TopicSpec, all_topics, rejections
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.database import outbox_parked_table, outbox_table
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, read_topic
from shared.tools.testing.servers import Servers, real_servers

FIVE_MB = 5_000_000


def request(text: str, subject: str) -> Envelope[Any]:
    return front_end_event(echo.EchoRequested(text=text), subject=subject, stream=Stream.BACKLOG)


async def run(servers: Servers) -> None:
    settings = Settings(
        kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
        database_url=servers.database_url,
        topic_prefix="bench.",
        schema_prefix="bench_",
        batch_timeout_ms=20,
        relay_interval_ms=20,
        log_json=False,
        log_level="WARNING",
    )
    specs = [
        TopicSpec(t.name, t.kind, t.stream, t.owner, t.description, partitions=2)
        for t in all_topics()
    ]
    await ensure_topics(settings, specs)
    runtime = ServiceRuntime(echo.definition, settings)
    await runtime.migrate()
    await runtime.start()
    topic = TopicNames(settings.topic_prefix)(echo.INPUT)
    records = [encode(request(f"n{i}", f"case-{i % 300:04d}"), topic) for i in range(1998)]
    bad = encode(request("x", "case-9001"), topic)
    invalid = json.dumps({"text": 1, "pad": "y" * FIVE_MB}).encode()
    records.insert(500, KafkaRecord(topic, bad.key, invalid, bad.headers))
    records.insert(1000, encode(request("z" * FIVE_MB, "case-9002"), topic))
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, max_request_size=8 << 20
    )
    await producer.start()
    started = time.monotonic()
    futures = [
        await producer.send(r.topic, r.value, key=r.key, headers=list(r.headers)) for r in records
    ]
    await asyncio.gather(*futures)
    await producer.stop()
    answers = await read_topic(settings, echo.OUTPUT, expect=1998, timeout=120, settle=5.0)
    elapsed = time.monotonic() - started
    rejected = await read_topic(settings, rejections(Stream.BACKLOG), expect=1, settle=1.0)
    async with runtime.engine.connect() as conn:
        parked = (await conn.execute(select(outbox_parked_table.c.reason))).scalars().all()
        left = await conn.scalar(select(func.count()).select_from(outbox_table))
    await runtime.stop()
    copies = Counter(decode(r.headers, r.value).data.text for r in answers)
    print(
        f"inputs: {len(records)}; answers published: {len(answers)} ({len(copies)} distinct, "
        f"most copies of one: {max(copies.values())}); {elapsed:.1f} s including 5 s settle"
    )
    print(f"rejections: {len(rejected)}, sizes in bytes: {[len(r.value) for r in rejected]}")
    print(f"parked: {len(parked)} {[p.split(':')[0] for p in parked]}; outbox left: {left}")
    print(f"relay problem: {runtime.relay.problem()}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="relay-bench-") as folder:
        Path(folder).chmod(0o755)  # the embedded PostgreSQL runs as its own user
        with real_servers(Path(folder)) as servers:
            asyncio.run(run(servers))


if __name__ == "__main__":
    main()
