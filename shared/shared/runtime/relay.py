"""The outbox relay: publishes what the batch transactions queued, in order, and deletes what the
broker acknowledged (docs/adr/0004-inbox-outbox-and-batches.md)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.runtime.database import outbox_table
from shared.runtime.logs import get_logger
from shared.runtime.metrics import Metrics

log = get_logger(__name__)


class OutboxRelay:
    """Publishes the outbox in id order; one relay per schema at a time (advisory lock)."""

    def __init__(
        self,
        engine: AsyncEngine,
        metrics: Metrics,
        *,
        batch_size: int = 2000,
        idle_interval: float = 0.2,
    ) -> None:
        self.engine = engine
        self.producer: AIOKafkaProducer | None = None  # made in the event loop, at start
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self._wake = asyncio.Event()

    def problem(self) -> str | None:
        """Why the relay cannot make progress, or None."""
        return None

    def wake(self) -> None:
        self._wake.set()

    async def publish_once(
        self, before_publish: Callable[[], Awaitable[None]] | None = None
    ) -> int:
        """Publish one batch; returns how many records went out."""
        if self.producer is None:
            raise RuntimeError("the relay has no producer yet")
        producer = self.producer
        async with self.engine.begin() as conn:
            locked = await conn.scalar(
                select(func.pg_try_advisory_xact_lock(func.hashtext(func.current_schema())))
            )
            if not locked:
                return 0
            rows = (
                await conn.execute(
                    select(
                        outbox_table.c.id,
                        outbox_table.c.topic,
                        outbox_table.c.key,
                        outbox_table.c.value,
                        outbox_table.c.headers,
                    )
                    .order_by(outbox_table.c.id)
                    .limit(self.batch_size)
                )
            ).all()
            self.metrics.outbox_pending.set(len(rows))
            if not rows:
                return 0
            if before_publish is not None:
                await before_publish()
            pending = []
            for row in rows:
                # send() only enqueues; awaiting each delivery would make the relay latency-bound.
                pending.append(
                    await producer.send(
                        row.topic,
                        key=row.key,
                        value=row.value,
                        headers=[(k, v.encode("utf-8")) for k, v in row.headers],
                    )
                )
            await asyncio.gather(*pending)
            await conn.execute(
                delete(outbox_table).where(outbox_table.c.id.in_([r.id for r in rows]))
            )
        self.metrics.published.inc(len(rows))
        log.debug("outbox published", records=len(rows))
        return len(rows)

    async def run(self) -> None:
        while True:
            try:
                sent = await self.publish_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay pass failed; retrying", error=type(exc).__name__)
                sent = 0
                await asyncio.sleep(1.0)
            if sent == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_interval)
