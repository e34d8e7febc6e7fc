"""`make bench`: the backlog through all six services, as a share of this machine's ceiling.

    BENCH_SCALE=0.1 uv run python benchmarks/pipeline.py --json .data/bench.json

One run on one pair of embedded servers (free ports, a temporary folder):

1. ceiling: a raw produce-and-consume hop through the broker, and the kit's inbox + state +
   outbox writes batched straight into PostgreSQL (no service, no Python domain work);
2. pipeline: the six services as their own processes on the driven clock, the simulator
   (`simulator`, unlimited caseworker capacity) playing the outside world, until every backlog
   case is closed or on hold. Transitions are counted from each service's inbox table (one
   row per event handled with its state and outbox committed) and its outbox identity
   sequence (rows committed for the relay); CPU per process from /proc;
3. latency: a fresh set of the six services on the wall clock; registrations at a steady
   rate (intake's input -> CaseRegistered), then refusals recorded by a decider's front-end at
   100 a second (decision's input -> the COA, DT&V and courts notices chain-notify sends).

A benchmark reports; it asserts nothing (docs/benchmarks.md says what each figure means).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import psutil
import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from shared.contracts.envelope import DecodeError, EventData, decode, encode
from shared.contracts.events.common import DecisionOutcome, RejectionKind
from shared.contracts.events.decision import (
    DecisionDraftRecorded,
    DecisionIssued,
    DecisionIssueRecorded,
    DecisionReviewRecorded,
)
from shared.contracts.events.hearing import ReadyForDecision
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    ApplicationRegistered,
    CaseRegistered,
    CourtDistrict,
    LogisticsPart,
)
from shared.contracts.events.partners import (
    CoaReceptionEnds,
    CourtsDecisionSent,
    DtvRefusalNotified,
)
from shared.contracts.events.planning import CaseReleased, ReleaseStage
from shared.contracts.topics import (
    REGISTRATION_INPUT,
    Kind,
    Partner,
    Stage,
    TopicNames,
    TopicSpec,
    all_topics,
    partner_topic,
    stage_events,
    stage_input,
)
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics, publish_records
from shared.runtime.database import asyncpg_dsn
from shared.runtime.logs import configure_logging
from shared.runtime.services import SERVICES
from shared.runtime.settings import Settings
from shared.tools.demo import NotHealthy, start_service, wait_healthy
from shared.tools.embedded import EmbeddedServers, exit_cleanly_on_sigterm, free_port
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event
from simulator.run import Simulation, tuned, tuning_environment
from simulator.world import WorldConfig

B = Stream.BACKLOG
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
TARGET_TRANSITIONS = 3_000  # per second end to end on 2 cores (issue 18)
TARGET_P99_MS = 250  # decision -> partner notices at 100 a second (issue 18)
WARM_UP = 100  # inputs sent first at the same rate, answered before the timed ones start
# The services' fetch wait on the wall clock: the embedded broker answers a fetch at once when
# records are there and holds an empty one, answering up to half its wait after records arrive;
# every empty fetch costs it and the service CPU (docs/adr/0034).
LATENCY_FETCH_WAIT_MS = 100


# --- processes and CPU -------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process, from /proc/<pid>/stat (fields 14 and 15)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def tree_cpu(match: str) -> float:
    """CPU of every process whose command line holds `match`, and of their children (the
    PostgreSQL backends, the broker)."""
    pids: set[int] = set()
    for process in psutil.process_iter(["pid", "cmdline"]):
        if match in " ".join(process.info["cmdline"] or ()):
            pids.add(process.pid)
            with contextlib.suppress(psutil.NoSuchProcess):
                pids.update(child.pid for child in process.children(recursive=True))
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            pass
    return total


@contextmanager
def six_services(
    servers: EmbeddedServers,
    settings: Settings,
    workdir: Path,
    label: str,
    config: WorldConfig,
    simulated: bool,
) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Every service as its own process, as `make demo` starts them, on free HTTP ports."""
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CASEFLOW_DATABASE_URL": servers.postgres.url,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        # As `make demo` runs them; the latency runs on wall time, with its own fetch wait.
        **tuning_environment(),
        "CASEFLOW_FETCH_MAX_WAIT_MS": str(settings.fetch_max_wait_ms),
        "CASEFLOW_SIMULATED_CLOCK": "true" if simulated else "false",
        "CASEFLOW_LOG_LEVEL": "WARNING",
        # Planning reserves the Pact's forecast inflow first (R13); at a fraction of the
        # volumes the forecast is that fraction, or it would leave nothing for the backlog.
        "CASEFLOW_PLANNING_PACT_ANNUAL_FORECAST": str(
            max(1, round(config.pact_per_year * config.scale))
        ),
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    ports = {s.name: free_port() for s in SERVICES}
    try:
        for service in SERVICES:
            log = logs / f"{label}-{service.name}.log"
            processes[service.name] = start_service(service.module, env, ports[service.name], log)
        try:
            wait_healthy(processes, ports, 180, logs)
        except NotHealthy as problem:
            raise SystemExit(f"services did not come up: {problem}") from None
        yield processes
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    if len(samples) < 2:
        return {"p50": samples[0] if samples else 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 1),
        "p95": round(cuts[94], 1),
        "p99": round(cuts[98], 1),
        "max": round(max(samples), 1),
    }


# --- 1. the ceiling ----------------------------------------------------------------------


def _registered(v_number: int) -> EventData:
    """A category-A backlog case as intake registers it (the catalogue's example), lodged on
    1 September 2025 and due on 1 March 2027."""
    update = {
        "v_number": f"{v_number}",
        "lodged_at": datetime(2025, 9, 1, 9, tzinfo=UTC),
        "policy_version": "cp-bench",
        "deadline": date(2027, 3, 1),
    }
    return example(CaseRegistered).model_copy(update=update)


def _sample_record(n: int) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """A record the size and shape of a stage event (an encoded CaseRegistered)."""
    data = _registered(5_000_000_000 + n)
    record = encode(front_end_event(data, subject=f"c-{n}", stream=B), "ceiling.hop")
    return record.key, record.value, list(record.headers)


async def kafka_hop(bootstrap: str, records: int, partitions: int) -> dict[str, Any]:
    """Produce `records` (acks=all, as the relay does) and consume them with a plain consumer
    at the same time; records per second from the first send to the last record read."""
    settings = Settings(kafka_bootstrap_servers=bootstrap)
    spec = TopicSpec("ceiling.hop", Kind.EVENTS, None, "bench", "ceiling", partitions=partitions)
    await ensure_topics(settings, [spec])
    _, value, headers = _sample_record(0)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, fetch_max_wait_ms=10, enable_auto_commit=False
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        await consumer.topics()
        parts = [TopicPartition("ceiling.hop", p) for p in range(partitions)]
        consumer.assign(parts)
        await consumer.seek_to_end(*parts)
        for tp in parts:
            await consumer.position(tp)

        async def consume() -> None:
            seen = 0
            while seen < records:
                batch = await consumer.getmany(timeout_ms=500, max_records=10_000)
                seen += sum(len(r) for r in batch.values())

        reading = asyncio.create_task(consume())
        started = time.perf_counter()
        pending = [
            await producer.send("ceiling.hop", key=f"c-{n}".encode(), value=value, headers=headers)
            for n in range(records)
        ]
        await asyncio.gather(*pending)
        await asyncio.wait_for(reading, 600)
        seconds = time.perf_counter() - started
    finally:
        await producer.stop()
        await consumer.stop()
    return {
        "records": records,
        "seconds": round(seconds, 2),
        "per_second": round(records / seconds),
    }


CEILING_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS ceiling;
SET search_path = ceiling;
CREATE TABLE inbox (event_id uuid PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE cases (case_id text PRIMARY KEY, state jsonb NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE outbox (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, topic text NOT NULL,
                     key bytea NOT NULL, value bytea NOT NULL, headers jsonb NOT NULL,
                     created_at timestamptz NOT NULL DEFAULT now());
"""


async def postgres_writes(url: str, events: int, batch: int, writers: int) -> dict[str, Any]:
    """Per batch of `batch` events, one transaction: claim the ids in the inbox, load the
    cases' states, upsert them, insert one outbox row per event (what the kit does per batch,
    in the fewest statements). `writers` connections at once, like several services."""
    dsn = asyncpg_dsn(url)
    setup = await asyncpg.connect(dsn)
    try:
        await setup.execute(CEILING_SCHEMA)
    finally:
        await setup.close()
    _, value, headers = _sample_record(0)
    header_json = json.dumps({k: v.decode("latin-1") for k, v in headers})
    state = json.dumps({"case_id": "x", "stage": "intake", "notes": "n" * 600})

    async def writer(w: int) -> None:
        conn = await asyncpg.connect(dsn, server_settings={"search_path": "ceiling"})
        try:
            for start in range(w * batch, events, batch * writers):
                n = min(batch, events - start)
                ids = [uuid4() for _ in range(n)]
                keys = [f"c-{(start + i) % 54_000}" for i in range(n)]
                async with conn.transaction():
                    fresh = await conn.fetch(
                        "INSERT INTO inbox (event_id) SELECT unnest($1::uuid[]) "
                        "ON CONFLICT DO NOTHING RETURNING event_id",
                        ids,
                    )
                    await conn.fetch(
                        "SELECT case_id, state FROM cases WHERE case_id = ANY($1)", keys
                    )
                    await conn.execute(
                        "INSERT INTO cases (case_id, state) SELECT * FROM unnest($1::text[], "
                        "$2::jsonb[]) ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, "
                        "updated_at = now()",
                        sorted(set(keys)),
                        [state] * len(set(keys)),
                    )
                    await conn.execute(
                        "INSERT INTO outbox (topic, key, value, headers) SELECT * FROM unnest("
                        "$1::text[], $2::bytea[], $3::bytea[], $4::jsonb[])",
                        ["ceiling.hop"] * len(fresh),
                        [k.encode() for k in keys[: len(fresh)]],
                        [value] * len(fresh),
                        [header_json] * len(fresh),
                    )
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    seconds = time.perf_counter() - started
    return {
        "events": events,
        "batch": batch,
        "writers": writers,
        "seconds": round(seconds, 2),
        "per_second": round(events / seconds),
    }


# --- 2. the pipeline ---------------------------------------------------------------------


class BacklogDone(Exception):
    """Every backlog case is closed or on hold: the replay is over."""


@dataclass
class Durable:
    inbox: dict[str, int] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)


async def durable_counts(url: str, settings: Settings) -> Durable:
    """Per service: inbox rows (events handled, state and outbox committed) and the last
    outbox id handed out (rows committed for the relay; the relay deletes sent rows)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        out = Durable()
        for service in SERVICES:
            schema = settings.schema_for(service.name)
            out.inbox[service.name] = int(
                await conn.fetchval(f'SELECT count(*) FROM "{schema}".inbox')
            )
            last = await conn.fetchval(
                "SELECT last_value FROM pg_sequences WHERE schemaname = $1 "
                "AND sequencename = 'outbox_id_seq'",
                schema,
            )
            out.outbox[service.name] = int(last or 0)
        return out
    finally:
        await conn.close()


QUIET_DAYS = 7


@dataclass
class Progress:
    """When the replay is over: every backlog case closed or on hold, or, once cases close at
    all, QUIET_DAYS simulated days in a row each closing fewer than one in 500 backlog cases
    (the rest wait on something long: an obstacle, a no-show's new invitation)."""

    registration_ends: date
    closed: int = 0
    quiet: int = 0
    last_closed_at: float = 0.0

    def over(self, simulation: Simulation, day: date, now: float) -> bool:
        backlog = [c for c in simulation.actors.cases.values() if c.stream is B]
        closed = sum(1 for c in backlog if c.closed)
        if closed > self.closed:
            self.last_closed_at = now
        if closed - self.closed >= max(1, len(backlog) // 500):
            self.quiet = 0
        elif closed:
            self.quiet += 1
        self.closed = closed
        if day < self.registration_ends or not backlog:
            return False
        return all(c.closed or c.held for c in backlog) or self.quiet >= QUIET_DAYS


async def replay(settings: Settings, config: WorldConfig) -> tuple[float, float, int, Simulation]:
    """The replay; returns its wall time, the wall time to the last backlog case closed, the
    simulated days and the simulation."""
    simulation = Simulation(settings, config)
    progress = Progress(config.starts + timedelta(days=config.backlog_registration_days + 1))
    started = time.perf_counter()
    last = [started]

    def on_day(day: date, sim: Simulation) -> None:
        now = time.perf_counter()
        if now - last[0] > 15:
            last[0] = now
            where = Counter(
                f"{c.stage}:{c.status}" for c in sim.actors.cases.values() if c.stream is B
            )
            print(
                f"  {day}: {sim.report.events} events published; backlog {dict(where)}",
                file=sys.stderr,
            )
        if progress.over(sim, day, now):
            raise BacklogDone

    with contextlib.suppress(BacklogDone):
        await simulation.run(on_day)
    ended = time.perf_counter()
    to_last = (progress.last_closed_at or ended) - started
    return ended - started, to_last, simulation.report.days, simulation


# --- 3. latency --------------------------------------------------------------------------


async def _positioned_consumer(settings: Settings, topics: list[str]) -> AIOKafkaConsumer:
    names = TopicNames(settings.topic_prefix)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        fetch_max_wait_ms=5,
        enable_auto_commit=False,
    )
    await consumer.start()
    await consumer.topics()
    parts = [
        TopicPartition(names(t), p)
        for t in topics
        for p in sorted(consumer.partitions_for_topic(names(t)) or ())
    ]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    return consumer


@dataclass
class Answered:
    """What `steady` saw of one input: when it was sent, the broker timestamps (the producer's
    create time: the relay's send) of its intermediate and last answers, when the last was read."""

    sent: float
    via: float | None = None  # the intermediate event's create time (e.g. DecisionIssued)
    answers: list[tuple[float, float]] = field(default_factory=list)  # (create time, read at)


Usage = Callable[[], dict[str, float]]  # CPU seconds so far per process


async def steady(
    settings: Settings,
    inputs: list[tuple[str, Any]],
    rate: float,
    answers: list[str],
    answered: Callable[[Any], str | None],
    expect_per_input: int,
    timeout: float,
    usage: Usage,
    via: tuple[list[str], Callable[[Any], str | None]] | None = None,
) -> dict[str, Any]:
    """Send the first WARM_UP of `inputs` (topic, envelope) at `rate` a second and wait until
    they are all answered (the services' consumer groups have joined, lazy imports are done);
    then the rest at `rate`, timed: per input, milliseconds from its send to the last of its
    `expect_per_input` answers read from `answers`. `via` names the topics and the test of an
    intermediate event, whose broker timestamp splits the path into its hops; the CPU each
    process used over the timed inputs comes from `usage`."""
    names = TopicNames(settings.topic_prefix)
    via_topics = {names(t) for t in via[0]} if via is not None else set()
    consumer = await _positioned_consumer(settings, answers + (via[0] if via else []))
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", linger_ms=0
    )
    await producer.start()
    seen: dict[str, Answered] = {}
    done: set[str] = set()
    warm_up, timed_inputs = inputs[:WARM_UP], inputs[WARM_UP:]
    warm = {e.subject for _, e in warm_up}
    warmed = asyncio.Event()

    async def read() -> None:
        while len(done) < len(inputs):
            batch = await consumer.getmany(timeout_ms=200, max_records=5_000)
            now = time.time()
            for records in batch.values():
                for record in records:
                    if record.topic in via_topics and via is not None:
                        subject = via[1](record)
                        if subject in seen and seen[subject].via is None:
                            seen[subject].via = record.timestamp / 1000
                        continue
                    subject = answered(record)
                    if subject is None or subject not in seen:
                        continue
                    seen[subject].answers.append((record.timestamp / 1000, now))
                    if len(seen[subject].answers) == expect_per_input:
                        done.add(subject)
                        if warm <= done:
                            warmed.set()

    async def send(batch: list[tuple[str, Any]]) -> None:
        start = time.perf_counter()
        for n, (topic, envelope) in enumerate(batch):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            record = encode(envelope, names(topic))
            seen[envelope.subject] = Answered(sent=time.time())
            await producer.send(
                record.topic, key=record.key, value=record.value, headers=list(record.headers)
            )

    reading = asyncio.create_task(read())
    try:
        began = time.perf_counter()
        await send(warm_up)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(warmed.wait(), timeout)
        warm_up_seconds = time.perf_counter() - began
        cpu0, wall0 = usage(), time.perf_counter()
        await send(timed_inputs)
        try:
            await asyncio.wait_for(asyncio.shield(reading), timeout)
        except TimeoutError:
            reading.cancel()
        cpu1, wall = usage(), time.perf_counter() - wall0
    finally:
        await producer.stop()
        await consumer.stop()
    timed = [seen[e.subject] for _, e in timed_inputs if e.subject in done]
    hops: dict[str, list[float]] = {}

    def hop(name: str, seconds: float) -> None:
        hops.setdefault(name, []).append(seconds * 1000)

    for a in timed:
        last_sent = max(t for t, _ in a.answers)
        if a.via is not None:
            hop("input sent -> intermediate event sent by the relay", a.via - a.sent)
            hop("intermediate event sent -> last answer sent by the relay", last_sent - a.via)
        else:
            hop("input sent -> answer sent by the relay", last_sent - a.sent)
        hop("last answer sent -> read", max(r for _, r in a.answers) - last_sent)
    cpu = {k: round(cpu1[k] - cpu0[k], 2) for k in cpu1}
    return {
        "inputs": len(timed_inputs),
        "rate": rate,
        "missing": len(timed_inputs) - len(timed),
        **percentiles([(max(r for _, r in a.answers) - a.sent) * 1000 for a in timed]),
        "warm_up_seconds": round(warm_up_seconds, 1),
        "hops_ms": {name: percentiles(values) for name, values in hops.items()},
        "timed_wall_seconds": round(wall, 1),
        "cpu_seconds": cpu,
    }


def _subject(record: Any, types: tuple[type[EventData], ...]) -> str | None:
    try:
        envelope = decode(record.headers, record.value, ignore_unknown_fields=True)
    except DecodeError:
        return None
    return envelope.subject if isinstance(envelope.data, types) else None


async def registration_latency(
    settings: Settings, count: int, rate: float, usage: Usage
) -> dict[str, Any]:
    tag = uuid4().hex[:6]
    inputs = [
        (
            REGISTRATION_INPUT,
            front_end_event(
                ApplicationRegistered(
                    v_number=f"{6_000_000_000 + n}",
                    nationality="SYR",
                    sex="male",  # type: ignore[arg-type]
                    date_of_birth=date(1990, 1, 1),
                    lodged_at=datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=n),
                    unaccompanied=False,
                    nuisance=False,
                ),
                subject=f"lat-{tag}-{n:06d}",
                stream=None,
            ),
        )
        for n in range(count + WARM_UP)
    ]
    types = (CaseRegistered,)
    return await steady(
        settings,
        inputs,
        rate,
        [stage_events(s, Stage.INTAKE) for s in Stream],
        lambda r: _subject(r, types),
        1,
        60,
        usage,
    )


def _decision_case(n: int, tag: str) -> tuple[str, list[tuple[str, Any]]]:
    case_id = f"dec-{tag}-{n:06d}"
    registered = _registered(7_000_000_000 + n)
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=("ara",),
        reception_location="coa-budel",
        lawyer="rvr-40211",
        court_district=list(CourtDistrict)[n % len(CourtDistrict)],
        changed=tuple(LogisticsPart),
    )
    intake_out, hearing_out = stage_events(B, Stage.INTAKE), stage_events(B, Stage.HEARING)
    decision_in = stage_input(B, Stage.DECISION)
    draft = DecisionDraftRecorded(proposed_outcome=DecisionOutcome.REJECTION, standardised=True)
    release = CaseReleased(stage=ReleaseStage.DECISION, release_day=date(2026, 11, 2), team="t-1")
    facts = [
        (intake_out, front_end_event(registered, subject=case_id, stream=B, actor="system:intake")),
        (intake_out, front_end_event(logistics, subject=case_id, stream=B, actor="system:intake")),
        (
            hearing_out,
            front_end_event(
                ReadyForDecision(ready_on=date(2026, 11, 2), heard=True),
                subject=case_id,
                stream=B,
                actor="system:hearing",
            ),
        ),
        # Deciders take up a case once planning releases it to decision (docs/adr/0029).
        (
            stage_events(B, Stage.PLANNING),
            front_end_event(release, subject=case_id, stream=B, actor="system:planning"),
        ),
        (decision_in, front_end_event(draft, subject=case_id, stream=B, actor="decider:dc-1")),
        (
            decision_in,
            front_end_event(
                DecisionReviewRecorded(approved=True),
                subject=case_id,
                stream=B,
                actor="decider:dc-2",
            ),
        ),
    ]
    return case_id, facts


async def _reviewed(url: str, schema: str, prefix: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return int(
            await conn.fetchval(
                f'SELECT count(*) FROM "{schema}".cases WHERE case_id LIKE $1 '
                "AND state -> 'draft' ->> 'reviewed_by' IS NOT NULL",
                prefix + "%",
            )
        )
    finally:
        await conn.close()


async def decision_latency(
    settings: Settings, url: str, count: int, rate: float, usage: Usage
) -> dict[str, Any]:
    """Refusals recorded at `rate` a second -> COA reception end, DT&V and courts notices."""
    tag = uuid4().hex[:6]
    names = TopicNames(settings.topic_prefix)
    cases = [_decision_case(n, tag) for n in range(count + WARM_UP)]
    for step in range(6):  # facts first, then drafts, then reviews: the order days give them
        await publish_records(
            settings, [encode(c[1][step][1], names(c[1][step][0])) for c in cases]
        )
        if step == 3:
            await asyncio.sleep(2)
    schema = settings.schema_for("decision")
    for _ in range(600):  # five minutes at most; another process's table: poll it
        if await _reviewed(url, schema, f"dec-{tag}-") >= len(cases):
            break
        await asyncio.sleep(0.5)
    now = datetime.now(UTC)  # the benchmark stands in for a front-end: its wall clock
    issue = DecisionIssueRecorded(
        outcome=DecisionOutcome.REJECTION,
        rejection_kind=RejectionKind.UNFOUNDED,
        standardised=True,
        issued_on=now.date(),
        sent_at=now,
    )
    inputs = [
        (
            stage_input(B, Stage.DECISION),
            front_end_event(issue, subject=c, stream=B, actor="decider:dc-3"),
        )
        for c, _ in cases
    ]
    partners = [partner_topic(B, p) for p in (Partner.COA, Partner.DTV, Partner.COURTS)]
    types = (CoaReceptionEnds, DtvRefusalNotified, CourtsDecisionSent)
    issued = (DecisionIssued,)
    return await steady(
        settings,
        inputs,
        rate,
        partners,
        lambda r: _subject(r, types),
        3,
        60,
        usage,
        via=([stage_events(B, Stage.DECISION)], lambda r: _subject(r, issued)),
    )


# --- the run -----------------------------------------------------------------------------


def run(
    scale: float,
    seed: int,
    json_path: Path | None,
    max_days: int,
    rate: float,
    fetch_wait_ms: int = LATENCY_FETCH_WAIT_MS,
) -> dict[str, Any]:
    configure_logging("bench", level="WARNING", json=False)
    report: dict[str, Any] = {"scale": scale, "seed": seed, "cores": os.cpu_count()}
    load = os.getloadavg()
    report["load_before"] = round(load[0], 2)
    with tempfile.TemporaryDirectory(prefix="caseflow-bench-") as tmp:
        workdir = Path(tmp)
        with EmbeddedServers(workdir, free_port(), free_port(), fresh_database=True) as servers:
            url, bootstrap = servers.postgres.url, servers.kafka.bootstrap_servers
            base = Settings(
                kafka_bootstrap_servers=bootstrap, database_url=url, fetch_max_wait_ms=10
            )
            partitions = max(s.partitions for s in all_topics())

            print("1/3 ceiling", file=sys.stderr)
            events = max(5_000, round(200_000 * scale))
            report["ceiling"] = {
                "kafka_hop": asyncio.run(kafka_hop(bootstrap, events, partitions)),
                "postgres_writes": asyncio.run(
                    postgres_writes(url, events, base.batch_size, os.cpu_count() or 2)
                ),
            }

            print("2/3 pipeline: the backlog through six services", file=sys.stderr)
            pipe = tuned(base.model_copy(update={"topic_prefix": "p.", "schema_prefix": "p_"}))
            asyncio.run(ensure_topics(pipe, all_topics()))
            # Unlimited capacity, and a prephase location operational from the first day: the
            # software is the bottleneck, not the ramp-up (R11).
            config = WorldConfig(seed=seed, scale=scale, unlimited=True)
            config = replace(config, operational_from=config.starts)
            config = replace(config, ends=config.starts + timedelta(days=max_days - 1))
            with six_services(
                servers, pipe, workdir, "pipeline", config, simulated=True
            ) as processes:
                before = asyncio.run(durable_counts(url, pipe))
                cpu0 = {n: cpu_seconds(p.pid) for n, p in processes.items()}
                pg0, broker0 = tree_cpu(str(servers.postgres.data_dir)), tree_cpu(bootstrap)
                sim0 = time.process_time()
                wall, to_last, days, simulation = asyncio.run(replay(pipe, config))
                sim_cpu = time.process_time() - sim0
                cpu = {n: cpu_seconds(p.pid) - cpu0[n] for n, p in processes.items()}
                pg, broker = (
                    tree_cpu(str(servers.postgres.data_dir)) - pg0,
                    tree_cpu(bootstrap) - broker0,
                )
                after = asyncio.run(durable_counts(url, pipe))
            handled = {n: after.inbox[n] - before.inbox[n] for n in after.inbox}
            committed = {n: after.outbox[n] - before.outbox[n] for n in after.outbox}
            total = sum(handled.values())
            backlog = [c for c in simulation.actors.cases.values() if c.stream is B]
            report["pipeline"] = {
                "backlog_cases": len(backlog),
                "backlog_closed": sum(1 for c in backlog if c.closed),
                "backlog_on_hold": sum(1 for c in backlog if c.held and not c.closed),
                "all_cases": len(simulation.actors.cases),
                "simulated_days": days,
                "clock_rounds": simulation.report.rounds,
                "inputs_sent": simulation.report.inputs,
                "wall_seconds": round(wall, 1),
                "wall_seconds_to_last_closed": round(to_last, 1),
                "quiet_days_at_the_end": QUIET_DAYS,
                "transitions": total,
                "transitions_per_second": round(total / wall),
                "outbox_rows": sum(committed.values()),
                # What the services could do if they had the cores to themselves and never
                # waited: transitions per CPU second of the six service processes.
                "transitions_per_service_cpu_second": round(total / max(0.01, sum(cpu.values()))),
                "per_service": {
                    n: {
                        "transitions": handled[n],
                        "per_second": round(handled[n] / wall),
                        "outbox_rows": committed[n],
                        "cpu_seconds": round(cpu[n], 1),
                        "cpu_share_of_a_core": round(cpu[n] / wall, 2),
                    }
                    for n in handled
                },
                "cpu_seconds_postgres": round(pg, 1),
                "cpu_seconds_broker": round(broker, 1),
                "cpu_seconds_simulator": round(sim_cpu, 1),
            }
            ceiling = report["ceiling"]
            report["share"] = {
                "of_postgres_writes": round(
                    total / wall / ceiling["postgres_writes"]["per_second"], 3
                ),
                "of_kafka_hop": round(total / wall / ceiling["kafka_hop"]["per_second"], 3),
            }

            print("3/3 latency on the wall clock", file=sys.stderr)
            # The simulation's waits and partitions, on the wall clock.
            lat = tuned(
                base.model_copy(update={"topic_prefix": "l.", "schema_prefix": "l_"})
            ).model_copy(update={"simulated_clock": False, "fetch_max_wait_ms": fetch_wait_ms})
            asyncio.run(ensure_topics(lat, all_topics()))
            count = max(500, round(2_000 * scale))
            with six_services(servers, lat, workdir, "latency", config, simulated=False) as procs:

                def usage() -> dict[str, float]:
                    cpu = {n: cpu_seconds(p.pid) for n, p in procs.items()}
                    cpu["services"] = sum(cpu.values())
                    cpu["broker"] = cpu_seconds(servers.kafka.pid or 0)
                    cpu["postgres"] = tree_cpu(str(servers.postgres.data_dir))
                    cpu["benchmark"] = time.process_time()  # its producer and reader
                    return cpu

                report["latency"] = {
                    "fetch_max_wait_ms": lat.fetch_max_wait_ms,
                    "registration_to_case_registered_ms": asyncio.run(
                        registration_latency(lat, count, rate, usage)
                    ),
                    "decision_to_partner_notices_ms": asyncio.run(
                        decision_latency(lat, url, count, rate, usage)
                    ),
                }
    report["load_after"] = round(os.getloadavg()[0], 2)
    print_report(report)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2) + "\n")
        print(f"written to {json_path}")
    return report


def print_report(r: dict[str, Any]) -> None:
    p, c, lat = r["pipeline"], r["ceiling"], r["latency"]
    lines = [
        f"caseflow bench: scale {r['scale']}, seed {r['seed']}, {r['cores']} cores, "
        f"load {r['load_before']} before / {r['load_after']} after",
        "",
        f"ceiling  kafka hop (produce acks=all + consume): "
        f"{c['kafka_hop']['per_second']:,} records/s "
        f"({c['kafka_hop']['records']:,} in {c['kafka_hop']['seconds']} s)",
        f"ceiling  postgres inbox+state+outbox, batches of {c['postgres_writes']['batch']}, "
        f"{c['postgres_writes']['writers']} writers: "
        f"{c['postgres_writes']['per_second']:,} events/s",
        "",
        f"pipeline {p['backlog_cases']:,} backlog cases ({p['backlog_closed']:,} closed, "
        f"{p['backlog_on_hold']:,} on hold), {p['all_cases']:,} cases in all, "
        f"{p['simulated_days']} simulated days ({p['clock_rounds']:,} clock rounds), "
        f"{p['inputs_sent']:,} front-end inputs",
        f"pipeline wall time {p['wall_seconds']} s ({p['wall_seconds_to_last_closed']} s to the "
        f"last backlog case closed); {p['transitions']:,} durable transitions: "
        f"{p['transitions_per_second']:,}/s end to end (target {TARGET_TRANSITIONS:,}/s); "
        f"{p['outbox_rows']:,} outbox rows; "
        f"{p['transitions_per_service_cpu_second']:,} transitions per service CPU second",
        f"share    {r['share']['of_postgres_writes']:.1%} of the postgres ceiling, "
        f"{r['share']['of_kafka_hop']:.1%} of the kafka hop",
        "",
        f"{'service':<14}{'transitions':>12}{'per s':>8}{'outbox':>9}{'CPU s':>8}{'cores':>7}",
    ]
    for name, s in p["per_service"].items():
        lines.append(
            f"{name:<14}{s['transitions']:>12,}{s['per_second']:>8,}{s['outbox_rows']:>9,}"
            f"{s['cpu_seconds']:>8}{s['cpu_share_of_a_core']:>7}"
        )
    lines += [
        f"CPU s: postgres {p['cpu_seconds_postgres']}, broker {p['cpu_seconds_broker']}, "
        f"simulator {p['cpu_seconds_simulator']}",
        "",
    ]
    for label, key in (
        ("registration -> CaseRegistered", "registration_to_case_registered_ms"),
        ("decision -> COA, DT&V, courts notices", "decision_to_partner_notices_ms"),
    ):
        x = lat[key]
        lines.append(
            f"latency  {label} at {x['rate']:g}/s: p50 {x['p50']} ms, p95 {x['p95']} ms, "
            f"p99 {x['p99']} ms, max {x['max']} ms ({x['missing']} unanswered; the warm-up "
            f"answered after {x['warm_up_seconds']} s)"
        )
        for hop, h in x["hops_ms"].items():
            lines.append(f"           {hop}: p50 {h['p50']}, p95 {h['p95']}, p99 {h['p99']} ms")
        cpu = x["cpu_seconds"]
        lines.append(
            f"           CPU s over {x['timed_wall_seconds']} s: services {cpu['services']:.2f} ("
            + ", ".join(f"{n} {cpu[n]:.2f}" for n in (s.name for s in SERVICES))
            + f"), broker {cpu['broker']:.2f}, postgres {cpu['postgres']:.2f}, "
            f"benchmark {cpu['benchmark']:.2f}"
        )
    lines.append(f"target   decision -> notices p99 <= {TARGET_P99_MS} ms")
    print("\n".join(lines))


def main(
    scale: float = typer.Option(1.0, envvar="BENCH_SCALE", help="Share of the 54,000 backlog"),
    seed: int = typer.Option(2026, envvar="BENCH_SEED", help="Seed of the simulated world"),
    json_path: str = typer.Option("", "--json", help="Write the report here too (a path)"),
    rate: float = typer.Option(
        100, envvar="BENCH_LATENCY_RATE", help="Inputs a second in the latency runs"
    ),
    max_days: int = typer.Option(
        400, envvar="BENCH_MAX_DAYS", help="Stop the replay after this many simulated days"
    ),
    fetch_wait_ms: int = typer.Option(
        LATENCY_FETCH_WAIT_MS,
        envvar="BENCH_LATENCY_FETCH_WAIT_MS",
        help="The services' fetch wait in the latency runs (docs/adr/0034)",
    ),
) -> None:
    exit_cleanly_on_sigterm()
    run(scale, seed, Path(json_path) if json_path else None, max_days, rate, fetch_wait_ms)


if __name__ == "__main__":
    typer.run(main)
