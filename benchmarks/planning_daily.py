"""Benchmark: planning's daily pass against the real database (issue 10). Reports figures;
asserts nothing.

    uv run --no-sync python benchmarks/planning_daily.py --cases 10000 54000

Per pool size: the pool (the same mix as benchmarks/planning_draft.py) and three months of
capacity (500 caseworkers in 10 teams) are written straight into planning's tables, then the
daily pass runs as the timer runs it, in one transaction through the outbox:

- day 1: triage judged, a cycle drafted from the pool summary (a GROUP BY), its clearance
  forecast, and the first day's releases in the fixed order, each dispatched to a team;
- day 2: an ordinary day (the day's quota only);
- day 3: a capacity change re-plans the cycle (herijking), then releases.

Prints seconds per pass and the releases each made (events in the outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from planning_draft import NATIONALITIES, pool  # type: ignore[import-not-found]

from planning import daily
from planning import persistence as db
from planning.app import SETTINGS, definition
from planning.domain.model import MonthCapacity, Team
from shared.contracts.topics import all_topics
from shared.runtime.broker import ensure_topics
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

CONFIG = SETTINGS.config()
DAYS = (date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4))  # Monday to Wednesday
MONTHS = ("2026-11", "2026-12", "2027-01", "2027-02")


def capacity(month: str, per_team: int) -> MonthCapacity:
    teams = [
        Team(team_id="team-amv", caseworkers=per_team, hours_per_week=36, unaccompanied_minors=True)
    ]
    teams += [
        Team(
            team_id=f"team-{i}",
            caseworkers=per_team,
            hours_per_week=36,
            nationalities=NATIONALITIES[2 * i : 2 * i + 2],
        )
        for i in range(9)
    ]
    return MonthCapacity(
        month=month, teams=tuple(teams), prephase_places=20_000, prephase_location_operational=True
    )


async def fill(runtime: ServiceRuntime, cases: list[Any]) -> None:
    async def work(uow: UnitOfWork) -> None:
        for start in range(0, len(cases), 5000):
            await db.POOL.save(uow.session, cases[start : start + 5000])
        await db.CAPACITY.save(uow.session, [capacity(m, 50) for m in MONTHS])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def change(runtime: ServiceRuntime) -> None:
    """Fewer caseworkers from January: the running cycle is re-planned."""

    async def work(uow: UnitOfWork) -> None:
        await db.CAPACITY.save(uow.session, [capacity("2027-01", 30)])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def plan_day(runtime: ServiceRuntime) -> tuple[dict[str, Any], int]:
    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], int]:
        return await daily.plan_day(uow, CONFIG), len(uow.records)

    assert runtime.processor is not None
    return await runtime.processor.run_work(work)


async def measure(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        for size in sizes:
            settings = isolated_settings(servers, log_level="WARNING")
            await ensure_topics(settings, all_topics())
            clock = DrivenClock(datetime(2026, 11, 2, 10, tzinfo=UTC))
            runtime = ServiceRuntime(definition, settings, clock=clock)
            await runtime.migrate()
            await runtime.start()
            try:
                began = time.monotonic()
                await fill(runtime, pool(size, random.Random(2026)))
                print(f"{size} cases: pool written in {time.monotonic() - began:.1f} s")
                for n, day in enumerate(DAYS):
                    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
                    if n == 2:
                        await change(runtime)
                    began = time.monotonic()
                    result, events = await plan_day(runtime)
                    took = time.monotonic() - began
                    print(
                        f"  {day} pass: {took:.2f} s, {result.get('released', 0)} released, "
                        f"revision {result.get('revision')}, {events} events"
                    )
            finally:
                await runtime.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 54_000])
    asyncio.run(measure(parser.parse_args().cases))


if __name__ == "__main__":
    main()
