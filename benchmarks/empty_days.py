"""What a simulated day with nothing to do costs: the driver moves the clock over days on which
no timer emits and no record flows, through the echo and tally test services.

    uv run python benchmarks/empty_days.py --days 200 --services 2

Real servers (the same choice as the tests: environment, testcontainers or embedded). Prints
milliseconds per simulated day (median and 95th percentile) and the rounds a day took.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from shared.contracts.topics import all_topics
from shared.runtime.broker import ensure_topics
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceDefinition
from shared.tools.simulation import SimulationDriver
from shared.tools.testing import echo, tally
from shared.tools.testing.runtimes import isolated_settings, running
from shared.tools.testing.servers import real_servers


async def measure(days: int, services: int, fetch_wait_ms: int) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        settings = isolated_settings(
            servers, simulated_clock=True, fetch_max_wait_ms=fetch_wait_ms, log_level="WARNING"
        )
        await ensure_topics(settings, all_topics())
        # No timers: every day is empty. Copies of echo/tally under other names for more services.
        bases = [echo.definition, tally.definition]
        definitions: list[ServiceDefinition] = [
            dataclasses.replace(bases[n % 2], name=f"{bases[n % 2].name}-{n}", periodic=())
            for n in range(services)
        ]
        start = datetime(2026, 1, 1, tzinfo=UTC)
        async with (
            running(settings, *definitions, clock=lambda: DrivenClock(start)),
            SimulationDriver(settings, [d.name for d in definitions]) as driver,
        ):
            await driver.run(date(2026, 1, 1), 3)  # warm-up: group joins, connections
            reports = await driver.run(date(2026, 1, 4), days)
    ms = sorted(r.seconds * 1000 for r in reports)
    rounds = statistics.mean(r.rounds for r in reports)
    print(
        f"{days} empty days, {services} services, fetch wait {fetch_wait_ms} ms: "
        f"median {statistics.median(ms):.1f} ms/day, p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms, "
        f"mean {statistics.mean(ms):.1f} ms, {rounds:.2f} rounds/day"
    )


def main(
    days: int = typer.Option(200, help="Empty days to time"),
    services: int = typer.Option(2, help="Services following the clock"),
    fetch_wait_ms: int = typer.Option(10, help="CASEFLOW_FETCH_MAX_WAIT_MS of every consumer"),
) -> None:
    asyncio.run(measure(days, services, fetch_wait_ms))


if __name__ == "__main__":
    typer.run(main)
