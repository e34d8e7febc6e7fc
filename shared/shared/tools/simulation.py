"""The simulation driver: moves the shared simulated clock one day at a time (docs/adr/0007).

It publishes "day D, round r" on the clock topic and waits for every expected service's
acknowledgement of (D, r); each service answers only once it is idle. With `exact_ends` (the
simulator, which reports what it publishes) a day is over in the round whose answers have every
service committed up to the ends all producers reported (`_caught_up`); otherwise when a
round's counters equal those of the round before it, every service idle in both (Termination).
A round with no answer for `ask_again_after` seconds sends its tick again (a follower answers
the newest tick it reads), and a round no service finishes within
`answer_timeout` stops the run with the names of the silent services. It never reads a
service's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.envelope import DecodeError, Envelope, KafkaRecord, decode, encode, new_event
from shared.contracts.events.catalogue import SIMULATOR, system
from shared.contracts.events.clock import SIMULATION_KEY, ClockAcknowledged, ClockTicked
from shared.contracts.topics import CLOCK, CLOCK_ACKS, TopicNames
from shared.runtime.database import asyncpg_dsn
from shared.runtime.logs import get_logger
from shared.runtime.settings import Settings
from shared.runtime.simulation import clock_channel, clock_partition, wake_payload

log = get_logger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


GAP_PATIENCE = 2.0
"""Seconds a hole in the acknowledgements' offsets is read again before it is taken as real."""


class SimulationStuck(RuntimeError):
    """Some service did not answer a tick in time, or a day never settled."""


Counters = Mapping[str, tuple[int, int]]


class Termination:
    """Decides when the system is quiet: every service idle in two consecutive rounds and no
    counter (records consumed, records published) moved between them.

    Why that suffices: a service answers round r only when everything it had consumed is
    handled and published. A record published before some ack of round r is on its topic
    before the driver sends round r+1, so each reader of it has committed past it before its
    ack of round r+1. If no counter moved between the rounds, nothing was consumed or
    published in between: every record published before round r was consumed by then and its
    reactions were published by then too, so nothing is left to happen.

    The two rounds may straddle a day boundary (the last round of day D-1 and round 0 of
    day D): timers run before the ack of round 0, so a timer that emitted moves the published
    counter. A day with nothing to do thus takes one round.
    """

    def __init__(self, services: Iterable[str]) -> None:
        self.services = frozenset(services)
        self._previous: dict[str, tuple[int, int]] | None = None

    def settled(self, counters: Counters) -> bool:
        """Record a round in which every service answered; True when nothing moved since the
        previous round."""
        missing = self.services - counters.keys()
        if missing:
            raise ValueError(f"a round needs every service's answer; missing {sorted(missing)}")
        current = {s: counters[s] for s in self.services}
        quiet = current == self._previous
        self._previous = current
        return quiet

    def forget(self) -> None:
        """Start over (e.g. after a service was restarted out of turn)."""
        self._previous = None


@dataclass(frozen=True)
class DayReport:
    day: date
    rounds: int
    seconds: float
    timers_run: int


class SimulationDriver:
    """Drives the simulated clock for the services named; one driver per simulation."""

    def __init__(
        self,
        settings: Settings,
        services: Sequence[str],
        *,
        at: time_of_day = time_of_day(9, 0),
        answer_timeout: float = 60.0,
        max_rounds: int = 100,
        ask_again_after: float = 10.0,
        exact_ends: bool = False,
    ) -> None:
        self.settings = settings
        self.services = tuple(services)
        self.at = at  # the local (Amsterdam) time the services' clocks read during a day
        self.answer_timeout = answer_timeout
        self.max_rounds = max_rounds
        self.ask_again_after = (
            ask_again_after  # seconds without any answer before a tick is sent again
        )
        self.termination = Termination(services)
        self.exact_ends = exact_ends
        """The caller reports every record it publishes to the services (`published`): the
        driver then knows the end of every partition from the answers, tells the services in
        each tick, and ends a day in the round whose answers are all at those ends. Without it,
        services ask the broker for the ends and two quiet rounds end a day (Termination)."""
        self.ends: dict[str, int] = {}
        """The end offset of every partition written so far ('topic/partition'), as its
        producers reported it (with `exact_ends`)."""
        self._ends_known = False  # after a round whose answers all carried what they wrote
        # Each service's latest answer and the day of the last round that asked them all: a
        # later round of that day asks only the services with records they have not committed.
        self._latest: dict[str, ClockAcknowledged] = {}
        self._latest_day: date | None = None
        names = TopicNames(settings.topic_prefix)
        self._tick_topic = names(CLOCK)
        self._ack_topic = names(CLOCK_ACKS)
        self._tick_partitions = self._ack_partitions = 1
        self._acks = TopicPartition(self._ack_topic, 0)  # the current round's
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._notifier: Any = None  # a PostgreSQL connection that wakes the followers
        self._channel = clock_channel(settings.topic_prefix)
        self._next_ack = 0  # the offset of the next acknowledgement to read
        self._hole_since: float | None = None
        self.holes_read_again = 0
        """Acknowledgements the broker showed after a later one (see `_unbroken`)."""

    async def start(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, client_id="caseflow-simulator", acks="all"
        )
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            client_id="caseflow-simulator",
        )
        await self._producer.start()
        await self._consumer.start()
        # The producer's look-up waits for the topics' metadata (the consumer's may lack them).
        self._tick_partitions = len(await self._producer.partitions_for(self._tick_topic))
        self._ack_partitions = len(await self._producer.partitions_for(self._ack_topic))
        # Every partition assigned once (assigning anew each round costs a metadata round
        # trip), all paused but the current round's.
        everything = [TopicPartition(self._ack_topic, p) for p in range(self._ack_partitions)]
        self._consumer.assign(everything)
        self._consumer.pause(*everything)

    async def stop(self) -> None:
        for part in (self._consumer, self._producer):
            if part is not None:
                await part.stop()
        self._consumer = self._producer = None
        if self._notifier is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._notifier.close(), timeout=1.0)
            self._notifier = None

    async def _wake(self, record: KafkaRecord) -> None:
        """Notify the followers of a tick (they read it from the topic too, only later); a
        connection lost (PostgreSQL restarting) is made again at the next tick."""
        payload = wake_payload(record)
        if payload is None:
            log.debug("tick too large for a notification; by the topic only")
            return
        try:
            if self._notifier is None or self._notifier.is_closed():
                self._notifier = await asyncpg.connect(asyncpg_dsn(self.settings.database_url))
            await self._notifier.execute("select pg_notify($1, $2)", self._channel, payload)
        except Exception as exc:
            log.warning("followers not notified; ticks go by the topic", error=type(exc).__name__)
            self._notifier = None

    async def __aenter__(self) -> SimulationDriver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def moment(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=AMSTERDAM).astimezone(UTC)

    async def run(self, first: date, days: int) -> list[DayReport]:
        return [await self.run_day(first + timedelta(days=n)) for n in range(days)]

    async def run_day(self, day: date) -> DayReport:
        started = time.perf_counter()
        timers_run = 0
        for round_ in range(self.max_rounds):
            asked = self._asked(day)
            if asked == []:  # nobody has anything new: the day stays settled
                return DayReport(day, round_, time.perf_counter() - started, timers_run)
            answers, caught_up = await self._round(day, round_, asked)
            timers_run += sum(a.timers_run for a in answers.values())
            counters = {s: (a.consumed, a.published) for s, a in self._latest.items()}
            quiet = self.termination.settled(counters)  # first: it remembers every round
            if (quiet and asked is None) or caught_up:
                report = DayReport(day, round_ + 1, time.perf_counter() - started, timers_run)
                log.debug("simulated day over", day=day.isoformat(), rounds=report.rounds)
                return report
        raise SimulationStuck(f"{day}: still busy after {self.max_rounds} rounds")

    def published(self, ends: Mapping[str, int]) -> None:
        """Records the caller published (the end offset of each partition it wrote to,
        'topic/partition': last offset + 1), before the round that should see them handled."""
        for key, end in ends.items():
            self.ends[key] = max(self.ends.get(key, 0), end)

    def _asked(self, day: date) -> list[str] | None:
        """The services the next round asks (None: all). All of them in a day's first round
        (their timers run) and without exact ends; after that, with exact ends, only those whose
        latest answer is short of an end reported since: the others were idle and have had no
        record since, so their answers stand, and they are spared a round's work (a day took
        five rounds, most of them for one or two services)."""
        if not self.exact_ends or self._latest_day != day:
            return None
        if any(a.positions is None for a in self._latest.values()):
            return None
        return [
            service
            for service in self.services
            if any(
                offset < self.ends.get(key, 0)
                for key, offset in (self._latest[service].positions or {}).items()
            )
        ]

    def _caught_up(self, answers: Mapping[str, ClockAcknowledged]) -> bool:
        """With `exact_ends`: whether every service, when it answered, had committed up to the
        end of every partition it reads, the ends being what all producers reported, the
        answers' included.

        Each answered once idle, and timers run only before a day's first answer; a record
        anyone wrote is below an end reported by now, so if every reader had committed past
        all of them and every outbox was empty, nothing is left to happen today. This saves
        the round that would only confirm it, and every service's asking the broker for its
        partitions' ends on each poll (the embedded broker lists every record batch of a
        partition to answer that, a cost that grew with each simulated day; docs/adr/0021)."""
        if not self.exact_ends:
            return False
        if any(a.positions is None or a.produced is None for a in answers.values()):
            return False
        for ack in answers.values():
            self.published(ack.produced or {})
        self._ends_known = True
        return all(
            offset >= self.ends.get(key, 0)
            for ack in answers.values()
            for key, offset in (ack.positions or {}).items()
        )

    async def _send_tick(self, day: date, round_: int, asked: list[str] | None = None) -> None:
        if self._producer is None:
            raise RuntimeError("start the driver first")
        now = self.moment(day)
        ends = dict(self.ends) if self._ends_known else None
        tick = new_event(
            ClockTicked(day=day, round=round_, now=now, ends=ends, services=asked),
            subject=SIMULATION_KEY,
            stream=None,
            source=f"/caseflow/{SIMULATOR}",
            actor=system(SIMULATOR),
            time=now,
        )
        record = encode(tick, self._tick_topic)
        await self._producer.send_and_wait(
            record.topic,
            key=record.key,
            value=record.value,
            headers=list(record.headers),
            partition=clock_partition(day, round_, self._tick_partitions),
        )
        await self._wake(record)

    async def _listen(self, day: date, round_: int) -> None:
        """Read the round's answers from where its partition ends now, before the tick goes
        out (answers already there are to earlier runs or rounds)."""
        consumer = self._consumer
        assert consumer is not None
        consumer.pause(self._acks)
        self._acks = TopicPartition(
            self._ack_topic, clock_partition(day, round_, self._ack_partitions)
        )
        self._next_ack = (await consumer.end_offsets([self._acks]))[self._acks]
        consumer.seek(self._acks, self._next_ack)
        consumer.resume(self._acks)
        self._hole_since = None

    async def _round(
        self, day: date, round_: int, asked: list[str] | None = None
    ) -> tuple[dict[str, ClockAcknowledged], bool]:
        """The answers of the services asked (None: all), and whether, with them in, every
        service is caught up by its latest answer (then the day is over without a round to
        confirm it)."""
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("start the driver first")
        expected = self.services if asked is None else tuple(asked)
        await self._listen(day, round_)
        await self._send_tick(day, round_, asked)
        answers: dict[str, ClockAcknowledged] = {}
        deadline = time.monotonic() + self.answer_timeout
        while len(answers) < len(expected):
            left = deadline - time.monotonic()
            if left <= 0:
                missing = sorted(set(expected) - answers.keys())
                _log_follower_stacks(missing)
                raise SimulationStuck(f"{day} round {round_}: no answer from {missing}")
            wait = min(left, self.ask_again_after)
            batch = await consumer.getmany(self._acks, timeout_ms=int(wait * 1000) + 1)
            if not batch and len(answers) < len(expected):
                # Ask again: a follower answers the newest tick it reads, so a tick it missed
                # costs one more record instead of the whole run.
                await self._send_tick(day, round_, asked)
            for item in await self._unbroken(batch.get(self._acks, [])):
                ack = _acknowledgement(item)
                if ack is not None and _answers(ack, expected, day, round_):
                    answers[ack.service] = ack
        consumer.pause(self._acks)  # no fetches while the caller works between rounds
        self._latest.update(answers)
        if asked is None:
            self._latest_day = day
        return answers, self._caught_up(self._latest)

    async def _unbroken(self, records: Sequence[Any]) -> list[Any]:
        """The records that continue the offsets read so far without a hole.

        Every service answers a round at about the same moment, on one partition. The embedded
        broker (Tansu) can then serve a later answer before an earlier one is visible, and a
        reader that moved past the earlier offset would never see it: the run stalled on "no
        answer" from a service that had answered (docs/adr/0021). At a hole the reader goes
        back and fetches again; a hole still there after GAP_PATIENCE seconds is taken as real
        (a broker may leave offsets unused)."""
        consumer = self._consumer
        assert consumer is not None
        unbroken = []
        for record in records:
            if record.offset < self._next_ack:
                continue  # read again after going back to a hole
            if record.offset > self._next_ack:
                now = time.monotonic()
                self._hole_since = self._hole_since or now
                if now - self._hole_since < GAP_PATIENCE:
                    consumer.seek(self._acks, self._next_ack)
                    self.holes_read_again += 1
                    await asyncio.sleep(0.005)
                    break
                log.warning(
                    "acknowledgement offsets skipped", first=self._next_ack, next=record.offset
                )
            self._hole_since = None
            unbroken.append(record)
            self._next_ack = record.offset + 1
        return unbroken


def _log_follower_stacks(services: Sequence[str]) -> None:
    """Where the clock followers of the services that did not answer are waiting, when they
    run in this process (the tests); services in their own processes log their own warnings."""
    for task in asyncio.all_tasks():
        if task.get_name() in {f"{s}-clock" for s in services}:
            stack = io.StringIO()
            task.print_stack(limit=30, file=stack)
            log.warning(
                "clock follower did not answer", task=task.get_name(), stack=stack.getvalue()
            )


def _answers(ack: ClockAcknowledged, services: Sequence[str], day: date, round_: int) -> bool:
    """Whether an ack answers this tick (answers to earlier rounds are late, not wrong)."""
    return ack.service in services and (ack.day, ack.round) == (day, round_)


def _acknowledgement(record: Any) -> ClockAcknowledged | None:
    try:
        envelope: Envelope[Any] = decode(record.headers, record.value)
    except DecodeError:
        return None
    return envelope.data if isinstance(envelope.data, ClockAcknowledged) else None
