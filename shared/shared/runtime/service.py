"""The one place that wires a service: settings -> engine, broker, processor, relay, HTTP.

Each service module declares a ServiceDefinition and calls `main(definition)`; the
service then runs as its own process (`python -m intake`), one per stage, as in
production. `python -m intake migrate` upgrades its schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import typer
import uvicorn
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from faststream.asgi import AsgiFastStream
from faststream.middlewares import AckPolicy
from prometheus_client import CollectorRegistry, make_asgi_app
from sqlalchemy import func, select, text

from shared.contracts.topics import TopicNames
from shared.runtime.broker import make_broker, make_producer
from shared.runtime.clock import Clock, DrivenClock, WallClock
from shared.runtime.collector import settle_after_start
from shared.runtime.database import (
    make_engine,
    make_session_factory,
    migrate,
    prune_inbox_rows,
)
from shared.runtime.kit import Rules, parked_facts_waiting
from shared.runtime.logs import configure_logging, get_logger
from shared.runtime.messaging import BatchProcessor, Handler, UnitOfWork
from shared.runtime.metrics import Metrics
from shared.runtime.relay import OutboxRelay
from shared.runtime.settings import Settings
from shared.runtime.simulation import ClockFollower, Timer, clock_for

log = get_logger(__name__)

# The first key of the advisory lock an exclusive timer takes (the second: schema and timer).
TIMER_LOCK = 0x71AE_0001


@dataclass(frozen=True)
class Periodic:
    """Work a service does on a timer (e.g. adopting a policy on its effective date).

    Each pass is one transaction. Work that returns True has more to do (bulk work in chunks):
    the next pass follows at once, in a transaction of its own. An exclusive timer runs on one
    instance of the service at a time (a transaction-level advisory lock per schema and timer;
    an instance that finds it taken skips the pass); a non-exclusive one (a gauge read from the
    database) runs on every instance."""

    name: str
    every_seconds: float  # on wall time; with the simulated clock, once per simulated day
    work: Callable[[ServiceRuntime, UnitOfWork], Awaitable[bool | None]]
    exclusive: bool = True
    # On wall time even with the simulated clock: work whose concern is the servers' time,
    # not the domain's (the inbox's retention against the broker's redelivery, ADR 0021).
    wall_clock: bool = False


@dataclass(frozen=True)
class ServiceDefinition:
    name: str  # also the consumer group and the database schema
    migrations: str  # Alembic script location, e.g. "intake:migrations"
    default_port: int  # of /health and /metrics
    # A service on the kit gives its rules; subscriptions and the handler come from them.
    rules: Callable[[], Rules[Any, Any]] | None = None
    subscriptions: Callable[[], Sequence[str]] = tuple  # topic names without prefix
    make_handler: Callable[[ServiceRuntime], Handler] | None = None

    def topics(self) -> Sequence[str]:
        return self.rules().subscriptions() if self.rules is not None else self.subscriptions()

    def handler(self, runtime: ServiceRuntime) -> Handler | None:
        if self.rules is not None:
            return self.rules().handler()
        return self.make_handler(runtime) if self.make_handler is not None else None

    periodic: Sequence[Periodic] = ()
    commands: Sequence[Callable[..., None]] = ()  # more typer commands for the service's CLI


@dataclass
class ServiceRuntime:
    """A service's live parts, built from settings. Tests start it in-process."""

    definition: ServiceDefinition
    settings: Settings
    clock: Clock = field(default_factory=WallClock)

    def __post_init__(self) -> None:
        name = self.definition.name
        self.clock = clock_for(self.settings, self.clock)
        self.schema = self.settings.schema_for(name)
        self.topics = TopicNames(self.settings.topic_prefix)
        self.registry = CollectorRegistry()
        self.metrics = Metrics(self.registry)
        self.engine = make_engine(self.settings.database_url, self.schema)
        self.session_factory = make_session_factory(self.engine)
        self.broker = make_broker(self.settings, name, self.registry)
        # Set when a batch is handled or the relay finds the outbox empty: the clock follower's
        # idle check looks again then, not only on its own polls.
        self.progress = asyncio.Event()
        self.relay = OutboxRelay(
            self.engine,
            self.metrics,
            idle_interval=self.settings.relay_interval_ms / 1000,
            stall_seconds=self.settings.relay_stall_seconds,
            on_empty=self.progress.set,
        )
        self._relay_task: asyncio.Task[None] | None = None
        self._timers: list[asyncio.Task[None]] = []
        self.follower: ClockFollower | None = None
        self.processor: BatchProcessor | None = None
        self.handler: Handler | None = None
        self._input: Any = None  # the input subscriber (FastStream's; its consumer once started)
        self.periodic: list[Periodic] = list(self.definition.periodic)
        if self.definition.rules is not None:
            self.periodic.append(
                Periodic("watch-parked-facts", 60.0, watch_parked_facts, exclusive=False)
            )
        handler = self.definition.handler(self)
        if handler is not None:
            every = self.settings.inbox_prune_interval_seconds
            self.periodic.append(Periodic("prune-inbox", every, prune_inbox, wall_clock=True))
            self.processor = BatchProcessor(
                service=name,
                handler=handler,
                session_factory=self.session_factory,
                clock=self.clock,
                topics=self.topics,
                metrics=self.metrics,
                on_committed=self.relay.wake,
                on_handled=self.progress.set,
                max_record_bytes=self.settings.max_record_bytes,
            )
            self.handler = self.processor.handler
            self._subscribe(self.processor)

    def _subscribe(self, processor: BatchProcessor) -> None:
        topics = [self.topics(t) for t in self.definition.topics()]

        async def raw_records(message: Any) -> Any:
            return message.raw_message  # decoding is ours: bad bytes must reach the rejection topic

        async def without_headers(records: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
            # FastStream's parser decodes every header as UTF-8: one bad header would fail the
            # whole batch before we see it. Parse without headers, then hand over the records.
            # One record stands for the batch: a copy of every record was a few percent of a
            # service's time, and the records themselves are what the decoder hands on.
            batch = records if isinstance(records, tuple) else (records,)
            message = await original((dataclasses.replace(batch[0], headers=[]),))
            message.raw_message = records
            message.body = [r.value or b"" for r in batch]  # its metrics count the batch's bytes
            return message

        subscriber = self.broker.subscriber(
            *topics,
            group_id=self.group_id,
            batch=True,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
            max_records=self.settings.batch_size,
            batch_timeout_ms=self.settings.batch_timeout_ms,
            auto_offset_reset="earliest",
            # How fast a dead instance's partitions move on, and at what risk (docs/adr/0007).
            session_timeout_ms=self.settings.consumer_session_timeout_ms,
            heartbeat_interval_ms=self.settings.consumer_heartbeat_interval_ms,
            rebalance_timeout_ms=self.settings.consumer_rebalance_timeout_ms,
            max_poll_interval_ms=self.settings.consumer_max_poll_interval_ms,
            # A record at the size limit must still be fetched, to be rejected as too large.
            max_partition_fetch_bytes=max(1_048_576, 2 * self.settings.max_record_bytes),
            ack_policy=AckPolicy.NACK_ON_ERROR,  # offsets are committed after the database commit
            parser=without_headers,
            decoder=raw_records,
            title=f"{self.definition.name}-input",
        )

        self._input = subscriber
        limit, wait = self.settings.batch_size, self.settings.batch_timeout_ms

        async def next_batch(consumer: Any) -> tuple[Any, ...]:
            # FastStream's batch loop sleeps out its batch timeout after a poll that found
            # nothing, though the poll itself waited that long for records: one arriving during
            # the sleep waited for it. The poll returns as soon as records come.
            found = await consumer.getmany(timeout_ms=wait, max_records=limit)
            return tuple(itertools.chain.from_iterable(found.values()))

        subscriber.get_msg = next_batch  # type: ignore[method-assign]

        @subscriber
        async def on_batch(records: Any) -> None:
            # The decoded body is the raw records (raw_records above); no message context needed.
            await processor.process(records if isinstance(records, tuple | list) else [records])

    @property
    def group_id(self) -> str:
        return f"{self.settings.topic_prefix}caseflow-{self.definition.name}"

    async def migrate(self) -> None:
        await migrate(self.engine, self.schema, self.definition.migrations)

    async def migrate_and_release(self) -> None:
        """Migrate, then close the pool: its connections belong to this event loop only."""
        await self.migrate()
        await self.engine.dispose()

    async def _every(self, periodic: Periodic) -> None:
        processor = self.processor
        if processor is None:
            raise RuntimeError(f"{periodic.name}: a periodic task needs the service's handler")
        while True:
            await asyncio.sleep(periodic.every_seconds)
            try:
                await self.run_periodic(periodic)
            except Exception as exc:  # a failed pass is retried at the next tick
                log.warning("periodic task failed", task=periodic.name, error=type(exc).__name__)

    async def run_periodic(self, periodic: Periodic) -> int:
        """Run a timer's work until it has no more to do, one transaction per pass; returns the
        passes that did work (0: another instance holds the timer, or nothing was due)."""
        processor = self.processor
        if processor is None:
            raise RuntimeError(f"{periodic.name}: a periodic task needs the service's handler")
        passes = 0
        while await processor.run_work(lambda uow: self._periodic_pass(periodic, uow)):
            passes += 1
        return passes

    async def _periodic_pass(self, periodic: Periodic, uow: UnitOfWork) -> bool:
        with self.metrics.periodic_seconds.labels(periodic.name).time():
            return await self._periodic_work(periodic, uow)

    async def _periodic_work(self, periodic: Periodic, uow: UnitOfWork) -> bool:
        if periodic.exclusive:
            held = await uow.session.scalar(
                select(
                    func.pg_try_advisory_xact_lock(
                        TIMER_LOCK, func.hashtext(f"{self.schema}/{periodic.name}")
                    )
                )
            )
            if not held:
                log.debug("timer runs on another instance", task=periodic.name)
                return False
        return bool(await periodic.work(self, uow))

    async def start_relay(self) -> None:
        # Simulated: the days drive the timers, but for those on wall time.
        simulated = self.settings.simulated_clock
        self._timers = [
            asyncio.create_task(self._every(p), name=p.name)
            for p in self.periodic
            if p.wall_clock or not simulated
        ]
        if self.settings.relay_enabled:
            self.relay.producer = make_producer(
                self.settings, f"caseflow-{self.definition.name}-relay"
            )
            await self.relay.producer.start()
            self._relay_task = asyncio.create_task(
                self.relay.run(), name=f"{self.definition.name}-relay"
            )
            log.info("outbox relay started")
        if self.settings.simulated_clock:
            self.follower = self._clock_follower()
            await self.follower.start()

    def _clock_follower(self) -> ClockFollower:
        if not isinstance(self.clock, DrivenClock):
            raise RuntimeError("the simulated clock needs a DrivenClock")
        processor = self.processor

        def timer(periodic: Periodic) -> Timer:
            return Timer(periodic.name, lambda uow: self._periodic_pass(periodic, uow))

        return ClockFollower(
            service=self.definition.name,
            settings=self.settings,
            clock=self.clock,
            engine=self.engine,
            group_id=self.group_id,
            subscriptions=self.definition.topics() if processor is not None else (),
            timers=[timer(p) for p in self.periodic if not p.wall_clock],
            run_work=processor.run_work if processor is not None else None,
            published=lambda: int(
                self.registry.get_sample_value("caseflow_outbox_published_total") or 0
            ),
            produced=lambda: self.relay.produced,
            handled=lambda: processor.handled if processor is not None else {},
            seen=self._seen,
            fetch_input=self._fetch_input,
            progress=self.progress,
        )

    def _fetch_input(self, fetching: bool) -> None:
        """Pause (False) or resume (True) fetching every input partition: a simulated clock's
        follower pauses the input between the rounds that ask this service (docs/adr/0038)."""
        consumer = getattr(self._input, "consumer", None)
        if consumer is None:
            return
        with contextlib.suppress(IllegalStateError):  # reassigned meanwhile
            assigned = consumer.assignment()
            if fetching:
                consumer.resume(*assigned)
            else:
                consumer.pause(*assigned)

    def _seen(self) -> dict[TopicPartition, int]:
        """The high watermark of each input partition as the consumer's last fetch showed it."""
        consumer = getattr(self._input, "consumer", None)
        if consumer is None:
            return {}
        seen = {}
        for tp in consumer.assignment():
            with contextlib.suppress(AssertionError, IllegalStateError):  # reassigned meanwhile
                if (end := consumer.highwater(tp)) is not None:
                    seen[tp] = end
        return seen

    async def stop_relay(self) -> None:
        if self.follower is not None:
            await self.follower.stop()
            self.follower = None
        for timer in self._timers:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        self._timers = []
        if self._relay_task is not None:
            self._relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay_task
            self._relay_task = None
        if self.relay.producer is not None:
            await self.relay.producer.stop()
            self.relay.producer = None

    async def start(self) -> None:
        """Start in-process (tests); `serve` lets the ASGI app do this."""
        await self.broker.start()
        await self.start_relay()

    async def stop(self) -> None:
        await self.stop_relay()
        await self.broker.stop()
        await self.engine.dispose()

    def problems(self) -> dict[str, str]:
        """Why parts of this service cannot make progress (the consumer, the relay): /health
        reports them as not ready, with the reason."""
        found = {}
        if self.processor is not None and (problem := self.processor.problem()) is not None:
            found["consumer"] = problem
        if (problem := self.relay.problem()) is not None:
            found["relay"] = problem
        return found

    async def health(self) -> dict[str, bool]:
        async def database() -> bool:
            try:
                async with self.engine.connect() as conn:
                    await conn.execute(text("select 1"))
                return True
            except Exception:
                return False

        async def broker() -> bool:
            try:
                return bool(await self.broker.ping(timeout=2.0))
            except Exception:
                return False

        db_ok, broker_ok = await asyncio.gather(database(), broker())
        checks = {"database": db_ok, "broker": broker_ok}
        problems = self.problems()
        for part in ("consumer", "relay"):
            if part in problems:
                checks[part] = False
        return checks

    def asgi_app(self) -> AsgiFastStream:
        runtime = self

        async def health(scope: Any, receive: Any, send: Any) -> None:
            checks = await runtime.health()
            ready = all(checks.values())
            report: dict[str, Any] = {
                "service": runtime.definition.name,
                "status": "ready" if ready else "unavailable",
                "checks": checks,
            }
            if problems := runtime.problems():
                report["problems"] = problems
            body = json.dumps(report).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200 if ready else 503,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})

        return AsgiFastStream(
            self.broker,
            asgi_routes=[("/health", health), ("/metrics", make_asgi_app(self.registry))],
            on_startup=[
                self.start_relay
            ],  # after_startup would wait for the consumer group to settle
            on_shutdown=[self.stop_relay],
            after_shutdown=[self.engine.dispose],
        )

    @property
    def port(self) -> int:
        return self.settings.http_port or self.definition.default_port


async def watch_parked_facts(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    """Count the facts still waiting, and tell operators about those past their limit."""
    limit = timedelta(hours=runtime.settings.parked_fact_limit_hours)
    waiting, overdue = await parked_facts_waiting(uow.session, uow.clock.now(), limit)
    runtime.metrics.parked_facts.set(waiting)
    runtime.metrics.parked_facts_overdue.set(overdue)
    if overdue:
        log.warning("facts parked past their limit", overdue=overdue, waiting=waiting)


async def prune_inbox(runtime: ServiceRuntime, uow: UnitOfWork) -> bool:
    """Forget processed event ids older than the inbox retention, one chunk per pass."""
    retention = timedelta(hours=runtime.settings.inbox_retention_hours)
    pruned = await prune_inbox_rows(uow.session, retention, runtime.settings.inbox_prune_chunk)
    if pruned:
        log.info("inbox pruned", rows=pruned)
    return pruned >= runtime.settings.inbox_prune_chunk


def main(definition: ServiceDefinition) -> None:
    """The command line of a service: `serve` (default) and `migrate`."""
    app = typer.Typer(
        add_completion=False,
        pretty_exceptions_enable=False,
        help=f"The caseflow {definition.name} service.",
    )

    @app.command()
    def serve(
        migrate_first: bool = typer.Option(True, help="Upgrade the schema before serving"),
    ) -> None:
        """Consume, handle and publish; serve /health and /metrics."""
        settings = Settings()
        configure_logging(definition.name, level=settings.log_level, json=settings.log_json)
        runtime = ServiceRuntime(definition, settings)
        if migrate_first:
            asyncio.run(runtime.migrate_and_release())
        log.info("service starting", port=runtime.port)
        settle_after_start()
        config = uvicorn.Config(
            runtime.asgi_app(),
            host=settings.http_host,
            port=runtime.port,
            log_config=None,
            lifespan="on",
            access_log=False,
        )
        uvicorn.Server(config).run()

    @app.command(name="migrate")
    def migrate_command() -> None:
        """Upgrade this service's database schema to the newest migration."""
        settings = Settings()
        configure_logging(definition.name, level=settings.log_level, json=settings.log_json)
        asyncio.run(ServiceRuntime(definition, settings).migrate_and_release())

    for command in definition.commands:
        app.command()(command)

    from shared.runtime.stuck import stuck_commands  # it builds a ServiceRuntime: import late

    app.add_typer(stuck_commands(definition), name="stuck")

    app(prog_name=f"caseflow-{definition.name}")
