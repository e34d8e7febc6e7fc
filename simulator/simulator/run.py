"""A simulated run: the outside world talks to the running services through the topics while
the simulation driver moves their shared clock a day at a time (docs/adr/0008).

Per day: tick the day (timers run, the system settles), read what the services published,
let the people act on it, and if they sent anything, tick the day again until it settles.
An empty day costs one round of ticks.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.envelope import (
    HEADER_PREFIX,
    DecodeError,
    Envelope,
    decode,
    encode,
    new_event,
)
from shared.contracts.events.catalogue import spec
from shared.contracts.events.clock import partition_key
from shared.contracts.topics import Kind, TopicNames, TopicSpec, all_topics
from shared.runtime.broker import ends_written
from shared.runtime.settings import Settings
from shared.tools.simulation import SimulationDriver

from .actors import OBSERVED_MODELS, OBSERVED_TYPES, Actors, Outgoing
from .world import WorldConfig

SERVICES = ("intake", "planning", "prephase", "hearing", "decision", "chain-notify")

# Settings of every process in a simulated run (the demo, the e2e tests, the soak and the
# benchmark; docs/adr/0021): the embedded broker holds a fetch for its whole wait, so waits
# are short; one partition a topic (the soak keeps two), since the broker's work for every
# idle fetch grows with the partitions it names; the relay, woken by every commit, polls only
# once a second.
SIMULATION_TUNING: dict[str, int | bool] = {
    "simulated_clock": True,
    "fetch_max_wait_ms": 25,
    "topic_partitions": 1,
    "relay_interval_ms": 1000,
}


def tuned(settings: Settings) -> Settings:
    """Settings for a simulated run (in-process services, the driver and the reader)."""
    return settings.model_copy(update=SIMULATION_TUNING)


def tuning_environment() -> dict[str, str]:
    """The same, as environment variables for services started as processes."""
    return {f"CASEFLOW_{k.upper()}": str(v).lower() for k, v in SIMULATION_TUNING.items()}


def watched(specs: Sequence[TopicSpec] | None = None) -> list[str]:
    """The topics the outside world reads: every service's output, partner and rejection topic."""
    kinds = {Kind.EVENTS, Kind.PARTNER, Kind.REJECTIONS}
    return sorted(s.name for s in (specs or all_topics()) if s.kind in kinds)


def acted_on() -> list[str]:
    """The topics that carry what the people act on, which a run reads as it goes; the partner
    and rejection topics are read only for the summary (a run read every watched topic, a
    third of them for nothing, each fetch costing the broker more as its topics grew)."""
    return sorted({name for model in OBSERVED_MODELS for name in spec(model).topic_names()})


class TopicReader:
    """Reads topics from the start, as far as they go (a plain consumer without a group)."""

    def __init__(self, settings: Settings, topics: Sequence[str]) -> None:
        self.settings = settings
        self.names = TopicNames(settings.topic_prefix)
        self.topics = list(topics)
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: list[TopicPartition] = []

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            max_partition_fetch_bytes=4 * 1024 * 1024,
            client_id="caseflow-simulator-reader",
        )
        await self._consumer.start()
        await self._consumer.topics()
        self._partitions = [
            TopicPartition(self.names(t), p)
            for t in self.topics
            for p in sorted(self._consumer.partitions_for_topic(self.names(t)) or ())
        ]
        self._consumer.assign(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)
        # Paused between drains: an idle consumer fetches every partition every fetch wait,
        # which costs the simulator and the broker CPU the services need.
        self._consumer.pause(*self._partitions)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def drain(self, known: Mapping[str, int] | None = None) -> list[tuple[str, Any]]:
        """Every record published since the last call: (topic without prefix, record); up to
        the ends given ('topic/partition', as the driver knows them from the producers), else
        to the ends the broker lists (which on the embedded broker costs more as topics grow)."""
        consumer = self._consumer
        assert consumer is not None
        if known is None:
            ends = await consumer.end_offsets(self._partitions)
        else:
            ends = {
                tp: known.get(partition_key(tp.topic, tp.partition), 0) for tp in self._partitions
            }
        left = {tp for tp, end in ends.items() if await consumer.position(tp) < end}
        out: list[tuple[str, Any]] = []
        prefix = len(self.settings.topic_prefix)
        consumer.resume(*left)
        try:
            while left:
                batch = await consumer.getmany(*left, timeout_ms=200, max_records=10_000)
                for tp, records in batch.items():
                    out += [(tp.topic[prefix:], r) for r in records]
                done = {tp for tp in left if await consumer.position(tp) >= ends[tp]}
                consumer.pause(*done)
                left -= done
        finally:
            consumer.pause(*self._partitions)
        return out


TYPE_HEADER = HEADER_PREFIX + "type"


def _event_type(record: Any) -> str:
    raw = next((v for k, v in record.headers if k == TYPE_HEADER), None) or b""
    return raw.decode("utf-8", "replace")


def decoded(record: Any) -> Envelope[Any] | None:
    try:
        return decode(record.headers, record.value, ignore_unknown_fields=True)
    except DecodeError:
        return None  # a type this simulator does not know (a newer service): not its business


@dataclass(frozen=True)
class DayCost:
    """What one simulated day cost in wall time (figures for the speed work, never compared)."""

    day: date
    seconds: float
    rounds: int
    inputs: int
    events: int


@dataclass
class RunReport:
    days: int = 0
    rounds: int = 0
    inputs: int = 0
    events: int = 0
    seconds: float = 0.0
    costs: list[DayCost] = field(default_factory=list)
    holes_read_again: int = 0  # acknowledgements the broker showed out of order (ADR 0021)

    def cost_lines(self) -> list[str]:
        """Median and slowest day, apart for days with and without input from outside."""
        lines = []
        for name, days in (
            ("days with input", [c for c in self.costs if c.inputs]),
            ("days without input", [c for c in self.costs if not c.inputs]),
        ):
            if days:
                seconds = sorted(c.seconds for c in days)
                rounds = sum(c.rounds for c in days) / len(days)
                lines.append(
                    f"{len(days)} {name}: median {statistics.median(seconds):.2f} s, "
                    f"slowest {seconds[-1]:.2f} s, {rounds:.1f} rounds a day"
                )
        if self.holes_read_again:
            lines.append(
                f"{self.holes_read_again} time(s) the clock's acknowledgements were read again "
                "at a hole in their offsets (the embedded broker; docs/adr/0021)"
            )
        return lines


class Simulation:
    """The outside world and the clock, for services that already run."""

    def __init__(self, settings: Settings, config: WorldConfig, services: Sequence[str] = SERVICES):
        self.settings = settings
        self.config = config
        self.services = tuple(services)
        self.actors = Actors(config)
        self.report = RunReport()
        self.names = TopicNames(settings.topic_prefix)
        self._watched = {self.names(t) for t in watched()}
        self._sent = 0

    async def run(self, on_day: Callable[[date, Simulation], None] | None = None) -> RunReport:
        started = time.perf_counter()
        reader = TopicReader(self.settings, acted_on())
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            acks="all",
            linger_ms=0,  # a day's input is sent whole before any delivery is awaited
            client_id="caseflow-simulator",
        )
        await reader.start()
        await producer.start()
        try:
            async with SimulationDriver(
                self.settings, self.services, answer_timeout=120, max_rounds=200, exact_ends=True
            ) as driver:
                for n in range(self.config.days):
                    day = self.config.starts + timedelta(days=n)
                    await self._day(day, driver, reader, producer)
                    self.report.holes_read_again = driver.holes_read_again
                    if on_day is not None:
                        on_day(day, self)
        finally:
            await producer.stop()
            await reader.stop()
        self.report.seconds = time.perf_counter() - started
        return self.report

    async def _day(
        self, day: date, driver: SimulationDriver, reader: TopicReader, producer: AIOKafkaProducer
    ) -> None:
        started = time.perf_counter()
        before = (self.report.rounds, self.report.inputs, self.report.events)
        report = await driver.run_day(day)  # timers run; the system settles
        self.report.rounds += report.rounds
        self._observe(day, await reader.drain(driver.ends))
        sent = self.actors.act(day)
        while sent:  # the people act; the system settles again; they may act on that too
            await self._send(day, sent, driver, producer)
            report = await driver.run_day(day)
            self.report.rounds += report.rounds
            self._observe(day, await reader.drain(driver.ends))
            sent = self.actors.act_again(day)
        self.report.days += 1
        # The services' events so far, from what their producers reported (nothing read).
        self.report.events = sum(
            end for key, end in driver.ends.items() if key.rpartition("/")[0] in self._watched
        )
        rounds, inputs, events = before
        self.report.costs.append(
            DayCost(
                day,
                time.perf_counter() - started,
                self.report.rounds - rounds,
                self.report.inputs - inputs,
                self.report.events - events,
            )
        )

    async def _send(
        self, day: date, sent: list[Outgoing], driver: SimulationDriver, producer: AIOKafkaProducer
    ) -> None:
        now = driver.moment(day)
        futures = []
        for out in sent:
            self._sent += 1
            envelope = new_event(
                out.data,
                subject=out.subject,
                stream=out.stream,
                source="/front-end/simulator",
                actor=out.actor,
                time=now,
                event_id=uuid5(NAMESPACE_URL, f"caseflow-sim/{self.config.seed}/{self._sent}"),
            )
            record = encode(envelope, self.names(out.topic))
            futures.append(
                await producer.send(
                    record.topic, key=record.key, value=record.value, headers=list(record.headers)
                )
            )
        driver.published(
            ends_written([await future for future in futures])
        )  # the services answer once they have handled these
        self.report.inputs += len(sent)

    def _observe(self, day: date, records: list[tuple[str, Any]]) -> None:
        # Only what the people act on is decoded (decoding every event was a sixth of the
        # simulator's time); the rest is passed over by its type header.
        envelopes = [
            envelope
            for _, record in records
            if _event_type(record) in OBSERVED_TYPES and (envelope := decoded(record)) is not None
        ]
        # A fixed order, whatever order the partitions were read in.
        envelopes.sort(key=lambda e: (e.subject, e.time, e.type, str(e.id)))
        for envelope in envelopes:
            self.actors.observe(type(envelope.data), envelope.subject, envelope.data, day)
