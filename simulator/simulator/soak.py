"""`make soak` (issue 18): the simulated programme at a small scale while faults are injected,
then the checks of simulator.audit and the figures.

Faults: a random service is killed with SIGKILL every few seconds and started again; the
broker is paused once (SIGSTOP, then SIGCONT); PostgreSQL is restarted once. Malformed input
of every kind (simulator.malformed) is sent over every input topic, interleaved with the
simulated people's good input. The embedded broker loses its topics on a restart, so a broker
restart is not among the faults (docs/soak.md).

    python -m simulator.soak --seconds 300
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import typer
from aiokafka import AIOKafkaProducer
from rich.console import Console
from rich.table import Table

from shared.contracts.topics import Kind, TopicNames, all_topics
from shared.runtime.broker import ensure_topics
from shared.runtime.logs import configure_logging
from shared.runtime.services import SERVICES
from shared.runtime.settings import Settings
from shared.tools.demo import healthy, start_service, wait_healthy
from shared.tools.embedded import EmbeddedServers, exit_cleanly_on_sigterm, free_port
from shared.tools.simulation import SimulationDriver

from .audit import Audit, Position, audit, read_tables, read_topics
from .malformed import Malformed, malformed
from .run import Simulation, tuned, tuning_environment
from .world import WorldConfig

SOAK_PARTITIONS = 2

console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


@dataclass(frozen=True)
class Plan:
    seconds: float  # how long faults are injected (the simulation runs until then)
    kill_every: float  # seconds between two kills
    kill_each_once: bool  # the short version: each service killed once, in a random order
    pause_broker: float  # seconds the broker is paused once (0: not at all)
    restart_postgres: bool
    malformed: int
    min_days: int  # simulated days at least, however long they take
    scale: float
    seed: int


@dataclass
class Fault:
    kind: str  # kill, broker pause, postgres restart
    target: str
    at: float  # monotonic time the fault ended (the service restarted, the broker resumed)
    healthy_after: float | None = None  # seconds until every service reported healthy again
    progress_after: float | None = None  # seconds until the next simulated day settled


class Services:
    """Every service as its own process, each on a free port."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.ports = {s.name: free_port() for s in SERVICES}
        self.modules = {s.name: s.module for s in SERVICES}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str) -> None:
        log = self.logs / f"{name}.log"
        self.processes[name] = start_service(self.modules[name], self.env, self.ports[name], log)

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def healthy(self, name: str) -> bool:
        return healthy(self.ports[name])

    def wait_healthy(self, names: list[str], timeout: float) -> float:
        """Seconds until all named services are healthy; raises after `timeout`."""
        ports = {name: self.ports[name] for name in names}
        return wait_healthy(self.processes, ports, timeout, self.logs)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


class Injector(threading.Thread):
    """Injects the plan's faults, one at a time, until stopped."""

    def __init__(self, plan: Plan, services: Services, servers: EmbeddedServers) -> None:
        super().__init__(name="soak-faults", daemon=True)
        self.plan = plan
        self.services = services
        self.servers = servers
        self.faults: list[Fault] = []
        self.error: BaseException | None = None
        self._halt = threading.Event()
        self._required_done = threading.Event()
        self._recovering: set[str] = set()
        self._rng = random.Random(plan.seed)
        self._t0 = time.monotonic()

    def stop(self) -> None:
        self._halt.set()
        self.join()
        while self._recovering:  # the last kills' recovery, still being timed
            time.sleep(0.1)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as error:  # reported by the main thread
            self.error = error

    @property
    def done(self) -> bool:
        """Whether every fault the plan requires has happened (and recovered)."""
        return self._required_done.is_set() and not self._recovering

    def _run(self) -> None:
        started = time.monotonic()
        names = list(self.services.ports)
        once = self._rng.sample(names, len(names)) if self.plan.kill_each_once else []
        paused = not self.plan.pause_broker
        restarted = not self.plan.restart_postgres
        while not self._halt.wait(self.plan.kill_every * self._rng.uniform(0.7, 1.3)):
            elapsed = time.monotonic() - started
            if elapsed > self.plan.seconds and self._required_done.is_set():
                break  # time is up: no new fault; the simulation ends with its next day
            if not paused and elapsed > 0.3 * self.plan.seconds:
                paused = True
                self._wait_recovered()
                self._pause_broker()
            elif not restarted and elapsed > 0.6 * self.plan.seconds:
                restarted = True
                self._wait_recovered()
                self._restart_postgres()
            elif self.plan.kill_each_once:
                if once:
                    self._kill(once.pop())
            else:
                # One service down at a time: the next kill counts from this one's recovery.
                self._kill(self._rng.choice(names))
                self._wait_recovered()
            if paused and restarted and not once:
                self._required_done.set()

    def _say(self, what: str) -> None:
        console.print(f"  t+{time.monotonic() - self._t0:5.0f} s  {what}")

    def _wait_recovered(self) -> None:
        while self._recovering and not self._halt.is_set():
            time.sleep(0.1)

    def _kill(self, name: str) -> None:
        """Kill -9 and start again at once; its recovery is timed beside the next faults."""
        killed = time.monotonic()
        self.services.kill(name)
        self.services.start(name)
        fault = Fault("kill -9", name, time.monotonic())
        self.faults.append(fault)
        self._say(f"kill -9 {name}, started again")
        self._recovering.add(name)

        def recovered() -> None:
            try:
                self.services.wait_healthy([name], 300)
                fault.healthy_after = time.monotonic() - killed
                self._say(f"{name} healthy again after {fault.healthy_after:.1f} s")
            except BaseException as error:
                self.error = error
            finally:
                self._recovering.discard(name)

        threading.Thread(target=recovered, name=f"soak-recover-{name}", daemon=True).start()

    def _pause_broker(self) -> None:
        pid = self.servers.kafka.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
        self._say(f"broker paused (SIGSTOP) for {self.plan.pause_broker:g} s")
        try:
            time.sleep(self.plan.pause_broker)
        finally:
            os.kill(pid, signal.SIGCONT)
        fault = Fault("broker paused", f"{self.plan.pause_broker:g} s", time.monotonic())
        fault.healthy_after = self.services.wait_healthy(list(self.services.ports), 300)
        self.faults.append(fault)
        self._say(
            f"broker resumed (SIGCONT); every service healthy after {fault.healthy_after:.1f} s"
        )

    def _restart_postgres(self) -> None:
        self._say("PostgreSQL stopping (fast shutdown)")
        self.servers.postgres.stop()
        self.servers.postgres.start()
        fault = Fault("postgres restarted", "fast shutdown", time.monotonic())
        fault.healthy_after = self.services.wait_healthy(list(self.services.ports), 300)
        self.faults.append(fault)
        self._say(f"PostgreSQL up; every service healthy after {fault.healthy_after:.1f} s")


class TimeUp(Exception):
    pass


@dataclass
class Sent:
    positions: dict[Position, str] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)


async def send_malformed(
    settings: Settings, records: list[Malformed], seconds: float, sent: Sent
) -> None:
    """Sends the malformed records in 20 bursts spread over `seconds`, beside the good input."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        max_request_size=8 * 1024 * 1024,
        request_timeout_ms=120_000,
        acks="all",
        client_id="caseflow-soak-malformed",
    )
    await producer.start()
    try:
        bursts = 20
        size = max(1, -(-len(records) // bursts))
        for n in range(0, len(records), size):
            futures = []
            for item in records[n : n + size]:
                r = item.record
                future = await producer.send(
                    r.topic, key=r.key, value=r.value, headers=list(r.headers)
                )
                futures.append((item, future))
            for item, future in futures:
                meta = await future
                sent.positions[Position(item.topic, meta.partition, meta.offset)] = item.kind
                sent.kinds[item.kind] += 1
            await asyncio.sleep(seconds / bursts)
    finally:
        await producer.stop()


async def simulate(
    settings: Settings,
    config: WorldConfig,
    plan: Plan,
    injector: Injector,
    days_done: list[float],
    sent: Sent,
) -> date:
    """Runs the simulation until the plan's time is up; returns the last settled day."""
    deadline = time.monotonic() + plan.seconds
    last: list[date] = []

    def on_day(day: date, simulation: Simulation) -> None:
        days_done.append(time.monotonic())
        last.append(day)
        if len(days_done) % 10 == 0:
            console.print(f"  {len(days_done)} simulated days settled, up to {day}")
        if injector.error is not None:
            raise injector.error
        enough = len(days_done) >= plan.min_days
        if time.monotonic() > deadline and injector.done and enough:
            raise TimeUp

    records = malformed(TopicNames(settings.topic_prefix), plan.malformed, plan.seed)
    sending = asyncio.create_task(send_malformed(settings, records, 0.6 * plan.seconds, sent))
    with contextlib.suppress(TimeUp):
        await Simulation(settings, config).run(on_day)
    await sending
    return last[-1]


async def settle(settings: Settings, day: date) -> None:
    """One more quiet day once every service is back: nothing consumed or sent is pending."""
    async with SimulationDriver(
        settings, [s.name for s in SERVICES], answer_timeout=300, max_rounds=200
    ) as driver:
        await driver.run_day(day)


def progress_after(faults: list[Fault], days_done: list[float]) -> None:
    for fault in faults:
        later = [t for t in days_done if t >= fault.at]
        fault.progress_after = later[0] - fault.at if later else None


def report(plan: Plan, faults: list[Fault], result: Audit, sent: Sent, wall: float) -> Table:
    table = Table(title=f"soak: {wall:.0f} s, seed {plan.seed}, scale {plan.scale:g}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    kills = [f for f in faults if f.kind == "kill -9"]

    def seconds(values: list[float | None]) -> str:
        known = sorted(v for v in values if v is not None)
        if not known:
            return "-"
        return f"median {known[len(known) // 2]:.1f} s, max {known[-1]:.1f} s"

    rows: list[tuple[str, str]] = [
        ("faults injected", str(len(faults))),
        ("  services killed (kill -9)", f"{len(kills)}: {dict(Counter(f.target for f in kills))}"),
        ("  recovery: killed service healthy again", seconds([f.healthy_after for f in kills])),
        ("  recovery: next simulated day settled", seconds([f.progress_after for f in kills])),
    ]
    for fault in faults:
        if fault.kind != "kill -9":
            rows.append(
                (
                    f"  {fault.kind} ({fault.target})",
                    f"healthy after {fault.healthy_after or 0:.1f} s, next day settled after "
                    + (f"{fault.progress_after:.1f} s" if fault.progress_after else "-"),
                )
            )
    rows += [
        ("good inputs", str(result.inputs)),
        ("  answered", str(result.answered)),
        ("  changed nothing (in the inbox, no answer)", str(result.changed_nothing)),
        ("  answered twice", str(len(result.answered_twice))),
        ("malformed inputs sent", str(sum(sent.kinds.values()))),
        ("  rejected with a reason", str(result.malformed_rejected)),
        ("facts consumed and checked", str(result.facts_checked)),
        ("  of which parked, waiting", str(result.facts_parked)),
        ("partner notices logged", str(result.notices_logged)),
        ("LOST", str(result.lost)),
        ("duplicated ids on partner topics", str(result.duplicated_ids)),
        ("duplicate records on partner topics", str(result.duplicate_records)),
        ("duplicate records on event topics", str(result.duplicate_event_records)),
        ("one id with different bytes", str(len(result.conflicting_copies))),
        ("services disagreeing about a case", str(len(result.inconsistent))),
        ("left in an outbox", str(result.left_in_outbox)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def run(plan: Plan) -> int:
    configure_logging("soak", level="WARNING", json=False)
    base = Settings()
    data_dir = Path(tempfile.mkdtemp(prefix="caseflow-soak-"))
    config = WorldConfig(seed=plan.seed, scale=plan.scale)
    services: Services | None = None
    passed = False
    started = time.monotonic()
    try:
        with EmbeddedServers(data_dir, free_port(), free_port(), fresh_database=True) as servers:
            settings = tuned(
                base.model_copy(
                    update={
                        "kafka_bootstrap_servers": servers.kafka.bootstrap_servers,
                        "database_url": servers.postgres.url,
                        "topic_prefix": "",
                        "schema_prefix": "",
                    }
                )
            )
            # Two partitions a topic here, not the simulation's one: the soak's malformed input
            # shares input topics with the simulator's, and the embedded broker can show a later
            # record before an earlier one when two producers append to a partition at once
            # (docs/soak.md); one partition would make such collisions twice as likely.
            soak_topics = settings.model_copy(update={"topic_partitions": SOAK_PARTITIONS})
            asyncio.run(ensure_topics(soak_topics, all_topics()))
            logs = data_dir / "logs"
            logs.mkdir()
            env = {
                k: v
                for k, v in os.environ.items()
                if k not in {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"}
                and not k.startswith("CASEFLOW_")
            }
            env.update(
                CASEFLOW_DATABASE_URL=servers.postgres.url,
                CASEFLOW_KAFKA_BOOTSTRAP_SERVERS=servers.kafka.bootstrap_servers,
                **tuning_environment(),
                CASEFLOW_LOG_LEVEL="WARNING",
            )
            services = Services(env, logs)
            for name in services.ports:
                services.start(name)
            services.wait_healthy(list(services.ports), 180)
            console.print(
                f"every service healthy; soaking for {plan.seconds:g} s "
                f"(logs in {logs}, kept on failure)"
            )
            injector = Injector(plan, services, servers)
            days_done: list[float] = []
            sent = Sent()
            injector.start()
            try:
                last = asyncio.run(simulate(settings, config, plan, injector, days_done, sent))
            finally:
                injector.stop()
            if injector.error is not None:
                raise injector.error
            services.wait_healthy(list(services.ports), 300)
            console.print(f"faults over after {len(days_done)} simulated days; settling")
            asyncio.run(settle(settings, last))
            progress_after(injector.faults, days_done)
            topics = [s.name for s in all_topics() if s.kind is not Kind.CONTROL]
            records = asyncio.run(read_topics(settings, topics))
            tables = asyncio.run(read_tables(settings, servers.postgres.url))
            result = audit(records, tables, sent.positions, settings.topic_prefix)
            console.print(report(plan, injector.faults, result, sent, time.monotonic() - started))
            if result.not_consumed_here:
                console.print(
                    "catalogue consumers this build does not take in (not counted as lost): "
                    + ", ".join(result.not_consumed_here)
                )
            problems = result.problems()
            for problem in problems:
                console.print(f"[red]PROBLEM[/] {problem}")
            passed = not problems
            console.print("SOAK PASSED: 0 lost" if passed else "[red]SOAK FAILED[/]")
            return 0 if passed else 1
    finally:
        if services is not None:
            services.stop()
        if passed:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            console.print(f"data and logs kept in {data_dir}")


def main(
    seconds: float = typer.Option(300, envvar="SOAK_SECONDS", help="How long faults go on"),
    kill_every: float = typer.Option(
        20,
        envvar="SOAK_KILL_EVERY",
        help="Seconds from one fault's recovery to the next fault (kills mostly)",
    ),
    kill_each_once: bool = typer.Option(
        False, help="Kill each service once, then no more (the short version in make test)"
    ),
    pause_broker: float = typer.Option(
        30, envvar="SOAK_BROKER_PAUSE", help="Seconds the broker is paused once (0: never)"
    ),
    restart_postgres: bool = typer.Option(True, help="Restart PostgreSQL once"),
    malformed_inputs: int = typer.Option(
        10_000, "--malformed", envvar="SOAK_MALFORMED", help="Malformed inputs to send"
    ),
    min_days: int = typer.Option(
        0, envvar="SOAK_MIN_DAYS", help="Simulate at least this many days, however long"
    ),
    scale: float = typer.Option(
        0.005, envvar="SOAK_SCALE", help="Share of the real volumes (0.005: 270 backlog cases)"
    ),
    seed: int = typer.Option(2026, envvar="SEED", help="Seed of every random choice"),
) -> None:
    plan = Plan(
        seconds=seconds,
        kill_every=kill_every,
        kill_each_once=kill_each_once,
        pause_broker=pause_broker,
        restart_postgres=restart_postgres,
        malformed=malformed_inputs,
        min_days=min_days,
        scale=scale,
        seed=seed,
    )
    exit_cleanly_on_sigterm()
    raise typer.Exit(run(plan))


if __name__ == "__main__":
    typer.run(main)
