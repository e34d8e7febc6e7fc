"""Simulated time across processes: a service follows the driver's clock (docs/adr/0007).

With ``CASEFLOW_SIMULATED_CLOCK=true`` a service's clock is a DrivenClock and its timers do
not run on wall time. The ClockFollower takes each tick from the driver's PostgreSQL
notification, or from the clock topic when one is missed (docs/adr/0021); for each tick it
sets the clock, runs every timer once for a new day, waits until the service is idle (every
record up to the ends the tick names handled, by this process or its group, and its outbox
empty), then acknowledges the tick with its counters. The driver (shared.tools.simulation)
decides from the acknowledgements when a day is over.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import (
    DecodeError,
    Envelope,
    KafkaRecord,
    decode,
    encode,
    new_event,
)
from shared.contracts.events.clock import ClockAcknowledged, ClockTicked, partition_key
from shared.contracts.topics import CLOCK, CLOCK_ACKS, TopicNames
from shared.runtime.clock import Clock, DrivenClock
from shared.runtime.database import asyncpg_dsn, outbox_table
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
PAUSE_LIMIT_SECONDS = 2.0  # longest the input is left unfetched without a tick (the run over)
LISTEN_WAIT_SECONDS = 10.0  # longest a follower's start waits for its notifications


# A tick also goes out as a PostgreSQL notification, which wakes every follower at once; on the
# broker a follower would see it only when its fetch ends (the embedded broker holds an empty
# fetch for its whole wait), and every follower fetching the clock's partitions each wait cost
# the broker more CPU than any service (docs/adr/0021). The topic stays the record and the way
# in when a notification is missed (PostgreSQL restarting): its fetch waits longer instead, a
# second (250 ms cost a whole-programme run a tenth more: docs/adr/0038).
TICK_FETCH_WAIT_MS = 1000
NOTIFY_LIMIT = 7900  # bytes; PostgreSQL refuses a notification payload of 8,000 or more


def clock_channel(topic_prefix: str) -> str:
    """The notification channel of the simulation on these topics (tests run many at once)."""
    return f"caseflow_clock_{hashlib.sha256(topic_prefix.encode()).hexdigest()[:16]}"


def wake_payload(record: KafkaRecord) -> str | None:
    """A tick record as a notification payload, or None when it would not fit."""
    raw = json.dumps(
        {"headers": [[k, v.decode()] for k, v in record.headers], "value": record.value.decode()}
    )
    payload = base64.b64encode(zlib.compress(raw.encode())).decode()
    return payload if len(payload) < NOTIFY_LIMIT else None


def tick_from_wake(payload: str) -> Envelope[Any] | None:
    """The tick a notification carries, or None when it is not one."""
    try:
        raw = json.loads(zlib.decompress(base64.b64decode(payload)))
        headers = [(k, v.encode()) for k, v in raw["headers"]]
        tick: Envelope[Any] = decode(headers, raw["value"].encode())
    except (ValueError, KeyError, TypeError, zlib.error, DecodeError):
        log.warning("clock notification not understood")
        return None
    return tick if isinstance(tick.data, ClockTicked) else None


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
        handled: Callable[[], Mapping[tuple[str, int], int]] = dict,
        seen: Callable[[], Mapping[TopicPartition, int]] = dict,
        fetch_input: Callable[[bool], None] = lambda fetching: None,
        progress: asyncio.Event | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.clock = clock
        self.engine = engine
        self._autocommit: AsyncEngine | None = None  # for the outbox check (_outbox_empty)
        self.group_id = group_id
        self.topics = TopicNames(settings.topic_prefix)
        self.subscriptions = [self.topics(t) for t in subscriptions]
        self.timers = timers
        self.run_work = run_work
        self.published = published
        self.produced = produced  # the relay's ends of the partitions it wrote to
        self.handled = handled  # what this process has handled, ahead of the group's commits
        self.seen = seen  # the ends its consumer's fetches have shown it (their high watermarks)
        self.fetch_input = fetch_input  # pauses (False) or resumes (True) the service's input
        self._resume_later: asyncio.TimerHandle | None = None
        self.progress = progress or asyncio.Event()  # set on each batch handled, outbox emptied
        self._committed_seen: dict[TopicPartition, int] = {}  # the group's, as last asked
        self.ticks_answered = 0
        self._timers_day: date | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._ends: AIOKafkaConsumer | None = None  # made when a tick names no ends
        self._partitions: list[TopicPartition] = []
        self._ack_partitions = 1
        self._coordinator: int | None = None  # the broker that keeps the group's offsets
        self._tasks: list[asyncio.Task[None]] = []
        # Ticks as they come, from the topic ((partition, record, tick)) or a notification
        # ((None, None, tick)); the ids answered last: a tick seen both ways is answered once.
        self._ticks: asyncio.Queue[tuple[TopicPartition | None, Any, Envelope[Any]]] = (
            asyncio.Queue()
        )
        self._answered: deque[Any] = deque(maxlen=64)
        self.listening = asyncio.Event()  # set while the driver's notifications come in

    async def start(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        # No group: every instance reads every tick, and nothing to rebalance.
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=TICK_FETCH_WAIT_MS,
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
        self._tasks = [
            asyncio.create_task(self._follow(), name=f"{self.service}-clock"),
            asyncio.create_task(self._read_ticks(), name=f"{self.service}-clock-topic"),
            asyncio.create_task(self._listen(), name=f"{self.service}-clock-wake"),
        ]
        # Started only once the notifications come in: a follower that read its first tick
        # from the topic, a fetch wait late, could meanwhile handle another service's output
        # of that day on the clock it started with. Without the database the topic still
        # brings the ticks.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.listening.wait(), timeout=LISTEN_WAIT_SECONDS)
        log.info("following the simulated clock", notified=self.listening.is_set())

    async def stop(self) -> None:
        self._fetch_again()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for part in (self._consumer, self._producer):
            if part is not None:
                await part.stop()
        if self._admin is not None:
            await self._admin.close()
        if self._ends is not None:
            await self._ends.stop()
        self._consumer = self._producer = self._admin = self._ends = None

    async def _lister(self) -> AIOKafkaConsumer:
        """A consumer that only asks for partitions' ends: the broker answers a connection's
        requests in turn, so on the tick consumer's connection each would wait for its fetch."""
        if self._ends is None:
            self._ends = AIOKafkaConsumer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                group_id=None,
                enable_auto_commit=False,
                client_id=f"caseflow-{self.service}-clock-ends",
            )
            await self._ends.start()
        return self._ends

    async def _read_ticks(self) -> None:
        """The clock topic: the newest tick of each batch read."""
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
            if newest is not None:
                self._ticks.put_nowait(newest)

    async def _listen(self) -> None:
        """The driver's notifications, on a connection of its own, connected again if lost."""
        channel = clock_channel(self.settings.topic_prefix)

        def woken(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            tick = tick_from_wake(payload)
            if tick is not None:
                self._ticks.put_nowait((None, None, tick))

        while True:
            conn: Any = None
            try:
                lost = asyncio.Event()
                conn = await asyncpg.connect(asyncpg_dsn(self.settings.database_url))
                conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await conn.add_listener(channel, woken)
                self.listening.set()
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # ticks still come by the topic, only later
                log.warning("clock notifications not received", error=type(exc).__name__)
            finally:
                self.listening.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), timeout=1.0)
            await asyncio.sleep(TICK_RETRY_SECONDS)

    async def _follow(self) -> None:
        while True:
            waiting = [await self._ticks.get()]
            while not self._ticks.empty():
                waiting.append(self._ticks.get_nowait())
            # The last one not answered yet: the driver sends a tick only once every service has
            # answered the one before, so older ones are copies of ticks answered already.
            fresh = [item for item in waiting if item[2].id not in self._answered]
            if not fresh:
                continue
            item = fresh[-1]
            asked = item[2].data.services
            if asked is not None and self.service not in asked:
                # Nothing has come for this service since its last answer, which stands.
                self._set_clock(item[2].data)
                self._answered.append(item[2].id)
                continue
            try:
                await self.answer(item[2])
                self._answered.append(item[2].id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The driver sends a tick once and waits for every answer: a tick dropped on a
                # passing fault (PostgreSQL restarting) would stall the simulation. Try it again,
                # unless a newer tick has come meanwhile.
                log.warning("clock tick not answered; trying again", error=type(exc).__name__)
                await asyncio.sleep(TICK_RETRY_SECONDS)
                if self._ticks.empty():
                    self._ticks.put_nowait(item)

    async def answer(self, tick: Envelope[Any]) -> ClockAcknowledged:
        data: ClockTicked = tick.data
        self._fetch_again()
        self._set_clock(data)
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
        if data.ends is not None:
            self._pause_input()
        return ack

    def _pause_input(self) -> None:
        """Stop fetching input until the next tick asks this service: it has handled everything
        up to the ends every producer reported, and a record written after them makes the
        driver ask it again. An idle consumer fetched forty times a second, and the embedded
        broker held each fetch for its whole wait: between rounds, the services' fetches were
        most of the broker's work (docs/adr/0038). Fetching starts again by itself when no tick
        comes for a while (the run is over)."""
        self.fetch_input(False)
        loop = asyncio.get_running_loop()
        self._resume_later = loop.call_later(PAUSE_LIMIT_SECONDS, self._fetch_again)

    def _fetch_again(self) -> None:
        if self._resume_later is not None:
            self._resume_later.cancel()
            self._resume_later = None
        self.fetch_input(True)

    def _set_clock(self, tick: ClockTicked) -> None:
        if tick.now >= self.clock.now():  # a tick read late never turns the clock back
            self.clock.set(tick.now)

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
        woken = False  # by this process's own progress, which `handled` already shows
        while True:
            self.progress.clear()  # before looking: progress made while we look wakes the wait
            positions, behind = await self._consumer_position(known, ask_group=not woken)
            outbox_empty = not behind and await self._outbox_empty()
            if not behind and outbox_empty:
                return positions
            if loop.time() - told > STILL_BUSY_WARNING:
                # A tick left unanswered stops the whole simulation: say what it waits on.
                told = loop.time()
                seen = self.seen()
                handled = self.handled()
                log.warning(
                    "not idle yet",
                    behind={partition_key(tp.topic, tp.partition): n for tp, n in behind.items()},
                    # Where each end comes from: the tick (the producers' reports), the
                    # consumer's last fetch, what this process handled, the group's commits.
                    detail={
                        partition_key(tp.topic, tp.partition): {
                            "tick": (known or {}).get(partition_key(tp.topic, tp.partition)),
                            "fetched": seen.get(tp),
                            "handled": handled.get((tp.topic, tp.partition)),
                            "committed": self._committed_seen.get(tp),
                        }
                        for tp in behind
                    },
                    outbox_empty=outbox_empty,
                )
            # Woken by this process's progress; the polls catch another instance's.
            try:
                await asyncio.wait_for(self.progress.wait(), timeout=delay)
                woken = True
            except TimeoutError:
                woken = False
            delay = min(delay * 2, IDLE_POLL_MOST)

    async def _consumer_position(
        self, known: dict[str, int] | None = None, *, ask_group: bool = True
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
            ends = await (await self._lister()).end_offsets(self._partitions)
        else:
            # The tick's ends, and further where the service's own consumer has seen records
            # come in since (written during this round): handling those before answering saves
            # the round that would otherwise ask for them. The embedded broker may show an end
            # short of the truth (ADR 0021); then only that round is not saved.
            seen = self.seen()
            ends = {
                tp: max(known.get(partition_key(tp.topic, tp.partition), 0), seen.get(tp, 0))
                for tp in self._partitions
            }
        # What this process handled counts at once (the consumer commits it a moment later);
        # the group's committed offsets, a request to the broker, only when that is not enough
        # (another instance's partitions, or what was handled before this process started),
        # and not on a look this process's own progress prompted: while it works through a
        # round's records, each batch asked the broker again for nothing (`ask_group`).
        handled = self.handled()
        offsets = self._offsets(ends, handled)
        if known is None or (ask_group and any(offsets[tp] < end for tp, end in ends.items())):
            committed = await self._committed()
            self._committed_seen.update((tp, max(meta.offset, 0)) for tp, meta in committed.items())
            offsets = self._offsets(ends, handled)
        behind = {tp: end - offsets[tp] for tp, end in ends.items() if offsets[tp] < end}
        return offsets, behind

    def _offsets(
        self, ends: Mapping[TopicPartition, int], handled: Mapping[tuple[str, int], int]
    ) -> dict[TopicPartition, int]:
        return {
            tp: max(self._committed_seen.get(tp, 0), handled.get((tp.topic, tp.partition), 0))
            for tp in ends
        }

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
        # One query needs no transaction: BEGIN and ROLLBACK were two of this check's three
        # round trips, in every service, every round.
        if self._autocommit is None:
            self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # The first row by the primary key: the relay deletes every row it publishes, and a
        # scan of the table read all the dead ones until the next vacuum (a fourth of a
        # millisecond a look); the index skips them once it has seen them dead.
        async with self._autocommit.connect() as conn:
            first = select(outbox_table.c.id).order_by(outbox_table.c.id).limit(1)
            return await conn.scalar(first) is None


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
