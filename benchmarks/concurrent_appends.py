"""Whether a plain reader sees every record when several producers append to one partition at
the same moment, as every service's clock follower does on the acknowledgement topic.

    uv run python benchmarks/concurrent_appends.py --rounds 2000 --producers 6

Real servers (the same choice as the tests: environment, testcontainers or embedded). Each
round, every producer appends one record to partition 0 at once; a reader that moves on record
by record (as any Kafka consumer does) reads them. Prints the offsets the reader never saw
although the partition's end offset counts them, and the rounds in which a record arrived
late. On the embedded Tansu some are skipped (docs/adr/0021); on Apache Kafka none should be.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.tools.testing.servers import real_servers


async def measure(bootstrap: str, rounds: int, producers: int) -> tuple[int, int, list[int]]:
    """Returns (rounds with a late record, end offset, offsets never seen)."""
    topic = f"appends-{uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    writers = [AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all") for _ in range(producers)]
    reader = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=10
    )
    partition = TopicPartition(topic, 0)
    for writer in writers:
        await writer.start()
    await reader.start()
    try:
        reader.assign([partition])
        await reader.seek_to_beginning(partition)
        seen: set[int] = set()
        late = 0
        for n in range(rounds):
            await asyncio.gather(
                *(
                    w.send_and_wait(topic, f"{n}-{i}".encode(), partition=0)
                    for i, w in enumerate(writers)
                )
            )
            wanted = (n + 1) * producers
            deadline = time.monotonic() + 1.0
            while (await reader.position(partition)) < wanted and time.monotonic() < deadline:
                batch = await reader.getmany(partition, timeout_ms=50)
                seen.update(r.offset for r in batch.get(partition, []))
            if await reader.position(partition) < wanted:
                late += 1
        # Whatever is still on its way.
        for _ in range(20):
            batch = await reader.getmany(partition, timeout_ms=50)
            seen.update(r.offset for r in batch.get(partition, []))
        end = (await reader.end_offsets([partition]))[partition]
        return late, end, sorted(set(range(end)) - seen)
    finally:
        await reader.stop()
        for writer in writers:
            await writer.stop()


def main(
    rounds: int = typer.Option(2000, help="Rounds of simultaneous appends"),
    producers: int = typer.Option(6, help="Producers appending at once (the services)"),
) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        late, end, never = asyncio.run(measure(servers.kafka_bootstrap_servers, rounds, producers))
    print(f"servers: {servers.origin}; {rounds} rounds of {producers} simultaneous appends")
    print(f"end offset {end} (expected {rounds * producers})")
    print(f"rounds not read to their end within 1 s: {late}")
    print(f"offsets the reader skipped for good: {len(never)} {never[:10]}")


if __name__ == "__main__":
    typer.run(main)
