"""Services in-process for integration tests and benchmarks: settings of their own on the real
servers, and runtimes migrated, started and stopped together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

from shared.runtime.clock import Clock, WallClock
from shared.runtime.service import ServiceDefinition, ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.servers import Servers


def isolated_settings(servers: Servers, *, tag: str = "b", **overrides: Any) -> Settings:
    """Settings on the servers with a topic and schema prefix of their own (a benchmark's, or
    a second run's beside the test's), with the overrides given."""
    unique = f"{tag}{uuid4().hex[:8]}"
    return Settings(
        kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
        database_url=servers.database_url,
        topic_prefix=f"{unique}.",
        schema_prefix=f"{unique}_",
        **overrides,
    )


@asynccontextmanager
async def running(
    settings: Settings,
    *definitions: ServiceDefinition,
    clock: Clock | Callable[[], Clock] | None = None,
) -> AsyncIterator[list[ServiceRuntime]]:
    """The services migrated and started in the order given, stopped (last first) on leaving.

    clock: one clock they share (a test that moves time itself), or a factory for a clock of
    their own each (services that follow a simulation driver); none: the wall clock."""

    def clock_of_one() -> Clock:
        if clock is None:
            return WallClock()
        return clock() if callable(clock) else clock

    runtimes = [ServiceRuntime(d, settings, clock=clock_of_one()) for d in definitions]
    started: list[ServiceRuntime] = []
    try:
        for runtime in runtimes:
            await runtime.migrate()
            await runtime.start()
            started.append(runtime)
        yield runtimes
    finally:
        for runtime in reversed(started):
            await runtime.stop()
