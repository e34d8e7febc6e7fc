"""What a fetch and an end-offset request cost as a partition grows, and what end offset the
broker reports after a batch of several records (docs/adr/0021, session 5).

    uv run python benchmarks/broker_growth.py --sizes 1000,5000,20000

Real servers (the same choice as the tests: environment, testcontainers or embedded). Appends
one-record batches to a partition up to each size, then times fetching its last record and
asking for its end offset, with a second, small partition beside it. On the embedded Tansu
(memory engine) both grow with the batches the partition holds, since it walks them all for
either answer; on Apache Kafka neither should. Last, one produce of 40 records: the end offset
the broker then reports (Tansu: the last batch's first offset + 1).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.tools.testing.servers import real_servers

REPEATS = 20


async def timed(call: object, repeats: int = REPEATS) -> float:
    """Median milliseconds of `repeats` awaits of call()."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(bootstrap: str, sizes: list[int]) -> None:
    big, small = f"growth-{uuid4().hex[:8]}", f"beside-{uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(big, 1, 1), NewTopic(small, 1, 1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0, acks="all")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, fetch_max_wait_ms=25
    )
    await producer.start()
    await consumer.start()
    tp = TopicPartition(big, 0)
    try:
        await producer.send_and_wait(small, b"x")
        consumer.assign([tp])
        consumer.pause(tp)
        written = 0
        for size in sizes:
            # One record a produce request, as the clock's answers come: one batch each.
            while written < size:
                await producer.send_and_wait(big, b"x" * 200)
                written += 1
            end = (await consumer.end_offsets([tp]))[tp]

            async def fetch_last(end: int = end) -> None:
                consumer.resume(tp)
                consumer.seek(tp, end - 1)
                await consumer.getmany(tp, timeout_ms=2000)
                consumer.pause(tp)  # no fetch in flight while the end offset is asked for

            async def end_offset() -> None:
                await consumer.end_offsets([tp])

            fetch_ms = await timed(fetch_last)
            end_ms = await timed(end_offset)
            print(
                f"{written:>8,} records: fetch of the last {fetch_ms:6.2f} ms, "
                f"end offset {end_ms:6.2f} ms (median of {REPEATS})"
            )
        batch = f"batch-{uuid4().hex[:8]}"
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        await admin.create_topics([NewTopic(batch, 1, 1)])
        await admin.close()
        slow = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=50, acks="all")
        await slow.start()
        try:
            sent = [await slow.send(batch, b"x", partition=0) for _ in range(40)]
            last = max(written.offset for written in await asyncio.gather(*sent))
        finally:
            await slow.stop()
        reported = (await consumer.end_offsets([TopicPartition(batch, 0)]))[
            TopicPartition(batch, 0)
        ]
        print(f"one produce of 40 records: last offset {last}, end offset reported {reported}")
    finally:
        await consumer.stop()
        await producer.stop()


def main(
    sizes: str = typer.Option("1000,5000,20000", help="Records in the partition, in steps"),
) -> None:
    steps = sorted(int(size) for size in sizes.split(","))
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        print(f"servers: {servers.origin}")
        asyncio.run(measure(servers.kafka_bootstrap_servers, steps))


if __name__ == "__main__":
    typer.run(main)
