"""The outbox relay: publishes what the batch transactions queued, in order, deletes what the
broker acknowledged and parks what it will never take
(docs/adr/0004-inbox-outbox-and-batches.md)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from sqlalchemy import Row, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.events.clock import partition_key
from shared.runtime.database import in_array, outbox_parked_table, outbox_table
from shared.runtime.logs import get_logger
from shared.runtime.metrics import Metrics

log = get_logger(__name__)

# The record's own fault: sending it again can never succeed.
RECORD_ERRORS: tuple[type[Exception], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    CorruptRecordException,
)
# A broker refusing a whole produce batch for one of these may be refusing one record in it, or the
# batch's size: each record of that batch is tried alone before any is parked.
BATCH_ERRORS: tuple[type[Exception], ...] = (*RECORD_ERRORS, RecordListTooLargeError)
# What send() itself raises for a record it cannot serialise.
SEND_ERRORS: tuple[type[Exception], ...] = (*RECORD_ERRORS, TypeError, ValueError)


def parking_reason(exc: BaseException) -> str:
    """Why a record was parked: the error's type, and aiokafka's own message (sizes, never
    values); other errors' messages may quote the value, so only their type."""
    if isinstance(exc, KafkaError) and str(exc):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__


@dataclass
class _Pass:
    """What one pass did with the rows it read."""

    acknowledged: list[int] = field(default_factory=list)
    parked: dict[int, BaseException] = field(default_factory=dict)
    kept: int = 0  # rows left in the outbox after a transient error
    transient: str | None = None  # the error type that kept them


_DELETE = delete(outbox_table).where(in_array(outbox_table.c.id, "ids"))

MEASURE_INTERVAL = 1.0  # seconds between two readings of the outbox gauges
CONTENDED_INTERVAL = 0.05  # seconds before a pass that found the lock taken tries again


class OutboxRelay:
    """Publishes the outbox in id order; one relay per schema at a time (advisory lock)."""

    def __init__(
        self,
        engine: AsyncEngine,
        metrics: Metrics,
        *,
        batch_size: int = 2000,
        idle_interval: float = 0.2,
        stall_seconds: float = 60.0,
        backoff: Sequence[float] = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
        on_empty: Callable[[], None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.producer: AIOKafkaProducer | None = None  # made in the event loop, at start
        self.metrics = metrics
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self.stall_seconds = stall_seconds
        self.backoff = backoff
        self.on_empty = on_empty  # called after a pass that found the outbox empty
        self._wake = asyncio.Event()
        self.produced: dict[str, int] = {}
        """The end offset ('topic/partition': last offset + 1) of each partition this relay has
        written to, from the broker's acknowledgements (the simulated clock's bookkeeping)."""
        self._failures = 0  # passes in a row that left rows behind after a transient error
        self._last_success = time.monotonic()
        self._last_error: str | None = None
        self._pending = 0
        self._parked = 0
        self._measured_at = float("-inf")
        self.emptied = False  # the last pass saw the whole outbox and sent all of it
        self.contended = False  # the last pass found another instance's relay at work

    def problem(self) -> str | None:
        """Why the relay cannot make progress, or None."""
        if self._parked:
            return (
                f"{self._parked} outbox record(s) parked: the broker will never take them, and "
                "later records of their cases wait behind them (see table outbox_parked)"
            )
        stalled = time.monotonic() - self._last_success
        if self._pending and stalled > self.stall_seconds:
            return (
                f"{self._pending} outbox record(s) waiting and no relay pass has succeeded for "
                f"{stalled:.0f} s (last error: {self._last_error or 'none'})"
            )
        return None

    def wake(self) -> None:
        self._wake.set()

    async def publish_once(
        self, before_publish: Callable[[], Awaitable[None]] | None = None
    ) -> int:
        """Publish one batch; returns how many records the broker acknowledged."""
        if self.producer is None:
            raise RuntimeError("the relay has no producer yet")
        result = _Pass()
        rows: Sequence[Row[Any]] = ()
        async with self.engine.begin() as conn:
            locked = await conn.scalar(
                select(func.pg_try_advisory_xact_lock(func.hashtext(func.current_schema())))
            )
            if locked:
                parked_key = exists().where(outbox_parked_table.c.key == outbox_table.c.key)
                rows = (
                    await conn.execute(
                        select(outbox_table)
                        .where(~parked_key)  # a case's later records wait behind its parked one
                        .order_by(outbox_table.c.id)
                        .limit(self.batch_size)
                    )
                ).all()
                if rows:
                    if before_publish is not None:
                        await before_publish()
                    result = await self._send(self.producer, rows)
                    await self._settle(conn, rows, result)
            # The gauges cost a query, which every pass would wait for. A pass that held the
            # lock, saw fewer rows than its limit, with nothing parked, and sent them all saw
            # the whole outbox and emptied it: the gauges are known without asking. Otherwise,
            # and at least once a second, they are read.
            now = time.monotonic()
            emptied = (
                locked
                and not self._parked
                and not result.parked
                and result.transient is None
                and len(rows) < self.batch_size
            )
            self.emptied = bool(emptied)
            self.contended = not locked
            if not emptied or now - self._measured_at >= MEASURE_INTERVAL:
                await self._measure(conn)
                self._measured_at = now
            else:
                self._gauges(pending=0, parked=0, age=0.0)
        # Counted after the commit: a rolled-back pass deleted and parked nothing.
        self.metrics.published.inc(len(result.acknowledged))
        for exc in result.parked.values():
            self.metrics.parked.labels(type(exc).__name__).inc()
        if result.transient is None:
            self._failures = 0
            self._last_success = time.monotonic()
        else:
            self._failures += 1
            self._last_error = result.transient
            log.warning(
                "outbox records not acknowledged; kept for the next pass",
                acknowledged=len(result.acknowledged),
                kept=result.kept,
                error=result.transient,
            )
        log.debug("outbox published", records=len(result.acknowledged))
        return len(result.acknowledged)

    async def _send(self, producer: AIOKafkaProducer, rows: Sequence[Row[Any]]) -> _Pass:
        result = _Pass()
        held: set[bytes] = set()  # keys with an earlier row not sent in this pass
        unreachable: set[str] = set()  # topics send() failed for: each try waits for metadata
        sent: list[tuple[Row[Any], asyncio.Future[Any]]] = []
        for row in rows:
            if row.key in held or row.topic in unreachable:
                result.kept += 1
                continue
            try:
                # send() only enqueues; awaiting each delivery would make the relay latency-bound.
                sent.append((row, await _send(producer, row)))
            except SEND_ERRORS as exc:
                result.parked[row.id] = exc
                held.add(row.key)
            except Exception as exc:  # broker away, no metadata yet: not the record's fault
                result.transient = type(exc).__name__
                result.kept += 1
                held.add(row.key)
                unreachable.add(row.topic)
        outcomes = await asyncio.gather(*(future for _, future in sent), return_exceptions=True)
        suspects = []
        for (row, _), outcome in zip(sent, outcomes, strict=True):
            if not isinstance(outcome, BaseException):
                result.acknowledged.append(row.id)
                self._note(outcome)
            elif isinstance(outcome, BATCH_ERRORS):
                suspects.append(row)
            else:
                result.transient = type(outcome).__name__
                result.kept += 1
        # Rare: the broker refused a produce batch. Each of its records alone tells whose fault
        # it was; only here does the relay wait for one delivery before the next send.
        for row in suspects:
            try:
                self._note(await (await _send(producer, row)))
                result.acknowledged.append(row.id)
            except RECORD_ERRORS as exc:
                result.parked[row.id] = exc
            except Exception as exc:
                result.transient = type(exc).__name__
                result.kept += 1
        return result

    def _note(self, written: Any) -> None:
        key = partition_key(written.topic, written.partition)
        self.produced[key] = max(self.produced.get(key, 0), written.offset + 1)

    async def _settle(self, conn: AsyncConnection, rows: Sequence[Row[Any]], result: _Pass) -> None:
        """Delete the acknowledged rows and move the parked ones, in the pass's transaction."""
        if result.acknowledged:
            await conn.execute(_DELETE, {"ids": result.acknowledged})
        if not result.parked:
            return
        by_id = {row.id: row for row in rows}
        await conn.execute(
            insert(outbox_parked_table),
            [
                {**by_id[row_id]._asdict(), "reason": parking_reason(exc)}
                for row_id, exc in result.parked.items()
            ],
        )
        await conn.execute(_DELETE, {"ids": list(result.parked)})
        for row_id, exc in result.parked.items():
            log.error(
                "outbox record parked: the broker will never take it",
                outbox_id=row_id,
                topic=by_id[row_id].topic,
                error=type(exc).__name__,
            )

    async def _measure(self, conn: AsyncConnection) -> None:
        """The outbox gauges, from the database in one small query (the oldest row by the primary
        key, not a scan)."""
        oldest = (
            select(func.extract("epoch", func.clock_timestamp() - outbox_table.c.created_at))
            .order_by(outbox_table.c.id)
            .limit(1)
            .scalar_subquery()
        )
        pending, age, parked = (
            await conn.execute(
                select(
                    select(func.count()).select_from(outbox_table).scalar_subquery(),
                    oldest,
                    select(func.count()).select_from(outbox_parked_table).scalar_subquery(),
                )
            )
        ).one()
        self._gauges(pending=int(pending), parked=int(parked), age=max(float(age or 0), 0.0))

    def _gauges(self, *, pending: int, parked: int, age: float) -> None:
        self._pending, self._parked = pending, parked
        self.metrics.outbox_pending.set(pending)
        self.metrics.outbox_parked.set(parked)
        self.metrics.outbox_oldest_age.set(age)

    async def run(self) -> None:
        while True:
            # Cleared before the pass, not after: a commit that wakes the relay while a pass
            # finds nothing is seen at once, not one idle interval later.
            self._wake.clear()
            try:
                sent = await self.publish_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("outbox relay pass failed; retrying", error=type(exc).__name__)
                self._failures += 1
                self._last_error = type(exc).__name__
                sent = 0
            if self._failures:
                # Transient trouble (broker or database away): the kept rows wait, with backoff.
                step = min(self._failures, len(self.backoff)) - 1
                await asyncio.sleep(self.backoff[step])
            elif sent == 0 or (self.emptied and not self._wake.is_set()):
                # A pass that emptied the outbox, with no commit since it began, needs no
                # second pass to find it empty: that pass cost every batch four statements.
                self.on_empty()
                # Another instance's relay, now at work, does not look again for what this
                # instance commits meanwhile: this one tries again soon.
                idle = CONTENDED_INTERVAL if self.contended else self.idle_interval
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=idle)


async def _send(producer: AIOKafkaProducer, row: Row[Any]) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = await producer.send(
        row.topic,
        key=row.key,
        value=row.value,
        headers=[(k, v.encode("utf-8")) for k, v in row.headers],
    )
    return future
