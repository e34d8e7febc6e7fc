"""Simulated time across processes: a service follows the driver's clock (docs/adr/0007).

With ``CASEFLOW_SIMULATED_CLOCK=true`` a service's clock is a DrivenClock and its timers do
not run on wall time. The ClockFollower reads the clock topic; for each tick it sets the
clock, runs every timer once for a new day, waits until the service is idle (its consumer
group has committed up to the end of every partition it reads, and its outbox is empty),
then acknowledges the tick with its counters. The driver (shared.tools.simulation) decides
from the acknowledgements when a day is over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import DecodeError, Envelope, decode, encode, new_event
from shared.contracts.events.clock import ClockAcknowledged, ClockTicked, partition_key
from shared.contracts.topics import CLOCK, CLOCK_ACKS, TopicNames
from shared.runtime.clock import Clock, DrivenClock
from shared.runtime.database import outbox_table
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork
from shared.runtime.settings import Settings

log = get_logger(__name__)


def clock_partition(day: date, round_: int, partitions: int) -> int:
    """The partition of a round's tick and of its answers, both sides work it out: each round
    takes the next, so that no partition grows long. The embedded broker lists every record
    batch of a partition for each fetch that finds data there, and one partition for all
    acknowledgements cost the driver 50 ms a fetch a year into a run (docs/adr/0021)."""
    return (day.toordinal() + round_) % max(partitions, 1)


SIMULATION_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
"""Where a simulated clock stands before the first tick sets it."""

IDLE_POLL_FIRST = 0.002
IDLE_POLL_MOST = 0.05  # seconds; the wait doubles from the first to this while work goes on
STILL_BUSY_WARNING = 30.0  # seconds a tick waits for idleness before the follower says on what

TICK_RETRY_SECONDS = 0.5  # before a tick whose answer failed is tried again

Work = Callable[[UnitOfWork], Awaitable[bool | None]]  # True: more to do (bulk work)


def clock_for(settings: Settings, clock: Clock) -> Clock:
    """The clock a service runs on: a DrivenClock when the simulated clock is on."""
    if settings.simulated_clock and not isinstance(clock, DrivenClock):
        return DrivenClock(SIMULATION_EPOCH)
    return clock


@dataclass(frozen=True)
class Timer:
    name: str
    work: Work


class ClockFollower:
    """Follows the simulated clock for one service (one instance per service)."""

    def __init__(
        self,
        *,
        service: str,
        settings: Settings,
        clock: DrivenClock,
        engine: AsyncEngine,
        group_id: str,
        subscriptions: Sequence[str],
        timers: Sequence[Timer],
        run_work: Callable[[Work], Awaitable[bool | None]] | None,
        published: Callable[[], int],
        produced: Callable[[], dict[str, int]] = dict,
    ) -> None:
        self.service = service
        self.settings = settings
        self.clock = clock
        self.engine = engine
        self.group_id = group_id
        self.topics = TopicNames(settings.topic_prefix)
        self.subscriptions = [self.topics(t) for t in subscriptions]
        self.timers = timers
        self.run_work = run_work
        self.published = published
        self.produced = produced  # the relay's ends of the partitions it wrote to
        self.ticks_answered = 0
        self._timers_day: date | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._partitions: list[TopicPartition] = []
        self._ack_partitions = 1
        self._coordinator: int | None = None  # the broker that keeps the group's offsets
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        # No group: every instance reads every tick, and nothing to rebalance.
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            client_id=f"caseflow-{self.service}-clock",
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, client_id=f"caseflow-{self.service}-clock", acks="all"
        )
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await self._consumer.start()
        await self._producer.start()
        await self._admin.start()
        await self._consumer.topics()  # loads the metadata of every topic
        self._partitions = [
            TopicPartition(topic, p)
            for topic in self.subscriptions
            for p in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]
        # The producer's look-up waits for the topics' metadata (the consumer's may lack them).
        ticks = self.topics(CLOCK)
        tick_partitions = [
            TopicPartition(ticks, p) for p in sorted(await self._producer.partitions_for(ticks))
        ]
        acks = await self._producer.partitions_for(self.topics(CLOCK_ACKS))
        self._ack_partitions = len(acks)
        self._consumer.assign(tick_partitions)
        ends = await self._consumer.end_offsets(tick_partitions)
        # From the last tick of each partition, of which the newest is the one the driver may be
        # waiting on if we start (or restart) mid-simulation; older ones were answered already.
        for tp, end in ends.items():
            self._consumer.seek(tp, max(end - 1, 0))
        self._task = asyncio.create_task(self._follow(), name=f"{self.service}-clock")
        log.info("following the simulated clock")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for part in (self._consumer, self._producer):
            if part is not None:
                await part.stop()
        if self._admin is not None:
            await self._admin.close()
        self._consumer = self._producer = self._admin = None

    async def _follow(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while True:
            try:
                batch = await consumer.getmany(timeout_ms=1000)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a follower that died here would stall the run unseen
                log.warning("clock topic not readable; trying again", error=type(exc).__name__)
                await asyncio.sleep(TICK_RETRY_SECONDS)
                continue
            newest = _newest_tick([(tp, r) for tp, records in batch.items() for r in records])
            if newest is None:
                continue
            # Only the newest tick matters: older ones are days the driver has moved past.
            tick_partition, last, tick = newest
            try:
                await self.answer(tick)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The driver sends a tick once and waits for every answer: a tick dropped on a
                # passing fault (PostgreSQL restarting) would stall the simulation. Read it again.
                log.warning("clock tick not answered; trying again", error=type(exc).__name__)
                await asyncio.sleep(TICK_RETRY_SECONDS)
                consumer.seek(tick_partition, last.offset)

    async def answer(self, tick: Envelope[Any]) -> ClockAcknowledged:
        data: ClockTicked = tick.data
        if data.now >= self.clock.now():
            self.clock.set(data.now)
        timers_run = 0
        if self._timers_day != data.day:  # timers fire once a day, whatever the round
            timers_run = await self._run_timers()
            self._timers_day = data.day
        positions = await self._wait_until_idle(data.ends)
        ack = ClockAcknowledged(
            service=self.service,
            day=data.day,
            round=data.round,
            consumed=sum(positions.values()),
            published=self.published(),
            produced=dict(self.produced()),
            timers_run=timers_run,
            positions={partition_key(tp.topic, tp.partition): n for tp, n in positions.items()},
        )
        envelope = new_event(
            ack,
            subject=self.service,
            stream=None,
            source=f"/caseflow/{self.service}",
            actor=f"system:{self.service}",
            time=self.clock.now(),
            cause=tick,
        )
        record = encode(envelope, self.topics(CLOCK_ACKS))
        assert self._producer is not None
        await self._producer.send_and_wait(
            record.topic,
            key=record.key,
            value=record.value,
            headers=list(record.headers),
            partition=clock_partition(data.day, data.round, self._ack_partitions),
        )
        self.ticks_answered += 1
        return ack

    async def _run_timers(self) -> int:
        if not self.timers:
            return 0
        if self.run_work is None:
            raise RuntimeError("a periodic task needs the service's handler")
        ran = 0
        for timer in self.timers:
            try:
                while await self.run_work(timer.work):  # bulk work: chunk after chunk
                    pass
                ran += 1
            except Exception as exc:  # as on wall time: one failed pass does not stop the others
                log.warning("periodic task failed", task=timer.name, error=type(exc).__name__)
        return ran

    async def _wait_until_idle(
        self, known: dict[str, int] | None = None
    ) -> dict[TopicPartition, int]:
        """Wait until the group has committed every record on the topics it reads, up to the
        ends the tick names when it names them (else the ends the broker lists), then until the
        outbox is empty (in that order: a batch commits its outbox rows before its offsets);
        returns the committed offset of each partition."""
        delay = IDLE_POLL_FIRST
        loop = asyncio.get_running_loop()
        told = loop.time()
        while True:
            positions, behind = await self._consumer_position(known)
            outbox_empty = not behind and await self._outbox_empty()
            if not behind and outbox_empty:
                return positions
            if loop.time() - told > STILL_BUSY_WARNING:
                # A tick left unanswered stops the whole simulation: say what it waits on.
                told = loop.time()
                log.warning(
                    "not idle yet",
                    behind={partition_key(tp.topic, tp.partition): n for tp, n in behind.items()},
                    outbox_empty=outbox_empty,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, IDLE_POLL_MOST)

    async def _consumer_position(
        self, known: dict[str, int] | None = None
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        """The group's committed offset of each partition, and by how many it is behind the end
        of each partition it has not caught up on.

        The ends are the tick's when it names them: the embedded broker lists every record batch
        of a partition to answer for its end, a cost that grew with every simulated day and,
        asked for on every poll, came to dominate a day (docs/adr/0021)."""
        if not self._partitions:
            return {}, {}
        assert self._consumer is not None
        assert self._admin is not None
        if known is None:
            ends = await self._consumer.end_offsets(self._partitions)
        else:
            ends = {
                tp: known.get(partition_key(tp.topic, tp.partition), 0) for tp in self._partitions
            }
        committed = await self._committed()
        offsets = {tp: max(committed[tp].offset, 0) if tp in committed else 0 for tp in ends}
        behind = {tp: end - offsets[tp] for tp, end in ends.items() if offsets[tp] < end}
        return offsets, behind

    async def _committed(self) -> dict[TopicPartition, Any]:
        """The group's committed offsets, asking the coordinator found before (one request a
        poll instead of two); a coordinator that moved is looked up again."""
        assert self._admin is not None
        for attempt in (1, 2):
            if self._coordinator is None:
                self._coordinator = await self._admin.find_coordinator(self.group_id)
            try:
                committed: dict[
                    TopicPartition, Any
                ] = await self._admin.list_consumer_group_offsets(
                    self.group_id, self._coordinator, partitions=self._partitions
                )
                return committed
            except Exception:
                self._coordinator = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _outbox_empty(self) -> bool:
        async with self.engine.connect() as conn:
            return not await conn.scalar(select(exists().select_from(outbox_table)))


def _newest_tick(
    records: Sequence[tuple[TopicPartition, Any]],
) -> tuple[TopicPartition, Any, Envelope[Any]] | None:
    """The latest day and round among the ticks read (each round has its own partition)."""
    newest: tuple[TopicPartition, Any, Envelope[Any]] | None = None
    for tp, record in records:
        try:
            tick: Envelope[Any] = decode(record.headers, record.value)
        except DecodeError as exc:
            log.warning("clock tick not understood", error=exc.code, offset=record.offset)
            continue
        if not isinstance(tick.data, ClockTicked):
            continue
        if newest is None or (tick.data.day, tick.data.round) >= (
            newest[2].data.day,
            newest[2].data.round,
        ):
            newest = (tp, record, tick)
    return newest
