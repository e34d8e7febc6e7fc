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

With --year-in (issue 16): the state a year into the programme instead, what an ordinary day's
pass meets there: the backlog pool (40% of it released in four earlier cycles, now closed, a
third of those decided), a year of Pact inflow in the pool, a case record per case, and three
years of declared capacity. The first pass (2027-11-01) drafts a cycle; then --days working
days run one after the other and the median and spread of their passes are printed, with a
digest of every event the passes emitted (topic, key, data): run it against the old code
(PYTHONPATH to a checkout of main) and the new with the same sizes, and the digests must match.

    uv run --no-sync python benchmarks/planning_daily.py --year-in --cases 5400 54000
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from planning_draft import NATIONALITIES, pool  # type: ignore[import-not-found]
from sqlalchemy import text

from planning import daily
from planning import persistence as db
from planning.app import SETTINGS, definition
from planning.domain.capacity import months_between
from planning.domain.cohorts import cohort_id
from planning.domain.model import (
    NO_PRIORITY,
    CohortPlan,
    Cycle,
    MonthCapacity,
    PoolCase,
    PoolStatus,
    Team,
)
from planning.domain.records import CaseRecord, Unplaced
from planning.metrics import metrics_for
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.topics import all_topics
from shared.contracts.values import Category, Stream
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


YEAR_IN = date(2027, 11, 1)  # a Monday, a year into the programme
PAST_CYCLES = (
    (date(2026, 10, 1), date(2026, 12, 31)),
    (date(2027, 1, 1), date(2027, 3, 31)),
    (date(2027, 4, 1), date(2027, 6, 30)),
    (date(2027, 7, 1), date(2027, 9, 30)),
)

TAKEN = [{NATIONALITIES[(5 * w + k) % len(NATIONALITIES)] for k in range(8)} for w in range(4)]


def year_in(size: int, rng: random.Random) -> tuple[list[PoolCase], list[CaseRecord], list[Cycle]]:
    """The pool, the case records and the closed cycles a year into the programme."""
    backlog = pool(size, rng)
    records: list[CaseRecord] = []
    released: dict[tuple[int, Category, str], int] = {}
    for n, case in enumerate(backlog):
        record = CaseRecord(
            case_id=case.case_id,
            stream=Stream.BACKLOG,
            procedure=Procedure.NATIONAL_REGULAR,
            lodged_on=case.lodged_on,
            registered_on=case.registered_on,
            unaccompanied=False,
            category=case.category,
            deadline=date(2029, 6, 12),
        )
        # Released in one of the earlier cycles that took its nationality (each took eight, in
        # turn: a few are rotated out now, R9).
        took = [w for w in range(len(PAST_CYCLES)) if case.nationality in TAKEN[w]]
        if took and rng.random() < 0.4:
            which = rng.choice(took)
            starts, _ = PAST_CYCLES[which]
            cycle_id = f"cycle-{starts:%Y-%m}"
            key = cohort_id(NO_PRIORITY, case.cohort_category, case.nationality)
            taken = (which, case.cohort_category, case.nationality)
            released[taken] = released.get(taken, 0) + 1
            backlog[n] = case.model_copy(
                update={
                    "status": PoolStatus.RELEASED,
                    "cycle": cycle_id,
                    "cohort": key,
                    "release_day": starts,
                }
            )
            if rng.random() < 0.03:  # a stage could not place it (the unplaced gauges)
                unplaced = Unplaced(stage="hearing", reason="no_team", since=starts)
                record = record.model_copy(update={"unplaced": unplaced})
            elif rng.random() < 1 / 3:
                record = record.model_copy(
                    update={
                        "decided_on": starts + timedelta(days=60),
                        "outcome": rng.choice(list(DecisionOutcome)),
                        "decided_category": case.cohort_category,
                        "stage": "decided",
                    }
                )
        records.append(record)
    pact = []
    for n in range(round(size * 2500 / 5400)):  # a year of Pact inflow beside the backlog
        registered = YEAR_IN - timedelta(days=1 + rng.randrange(365))
        pact.append(
            PoolCase(
                case_id=f"pact-{n:07d}",
                stream=Stream.PACT,
                nationality=rng.choice(NATIONALITIES),
                lodged_on=registered,
                registered_on=registered,
                status=PoolStatus.RELEASED,
            )
        )
        decided = rng.random() < 0.8
        records.append(
            CaseRecord(
                case_id=f"pact-{n:07d}",
                stream=Stream.PACT,
                procedure=Procedure.PACT_REGULAR,
                lodged_on=registered,
                registered_on=registered,
                unaccompanied=False,
                deadline=registered + timedelta(days=180),
                decided_on=registered + timedelta(days=100) if decided else None,
                outcome=DecisionOutcome.GRANT if decided else None,
            )
        )
    cycles = []
    for which, (starts, ends) in enumerate(PAST_CYCLES):
        cohorts = [
            CohortPlan(
                cohort_id=cohort_id(NO_PRIORITY, category, nationality),
                rank=NO_PRIORITY,
                category=category,
                nationality=nationality,
                planned=count,
                released=count,
            )
            for (w, category, nationality), count in sorted(released.items())
            if w == which
        ]
        cycles.append(
            Cycle(
                cycle_id=f"cycle-{starts:%Y-%m}",
                starts_on=starts,
                ends_on=ends,
                cohorts=tuple(cohorts),
                expected_grant_rate=0.5,
                backlog_days=1000.0,
                closed_on=ends,
            )
        )
    return backlog + pact, records, cycles


async def fill_year_in(
    runtime: ServiceRuntime, cases: list[PoolCase], records: list[CaseRecord], cycles: list[Cycle]
) -> None:
    months = months_between(date(2026, 11, 1), date(2029, 10, 31))

    async def work(uow: UnitOfWork) -> None:
        for start in range(0, len(cases), 5000):
            await db.POOL.save(uow.session, cases[start : start + 5000])
        for start in range(0, len(records), 5000):
            await db.RECORDS.save(uow.session, records[start : start + 5000])
        await db.CYCLES.save(uow.session, cycles)
        await db.CAPACITY.save(uow.session, [capacity(m, 50) for m in months])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)
    # The statistics and visibility map autovacuum keeps on a database a year old.
    async with runtime.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await auto.execute(text("VACUUM ANALYZE pool_cases, case_records, cycles, capacity"))


async def plan_day_events(runtime: ServiceRuntime) -> tuple[float, dict[str, Any], list[str]]:
    """One pass as the timer runs it (app.plan_day: the pass, then the unplaced gauges): its
    seconds, figures and events (topic, key, data)."""
    gauges = metrics_for(runtime.registry)

    async def work(uow: UnitOfWork) -> tuple[dict[str, Any], list[str]]:
        result = await daily.plan_day(uow, CONFIG)
        await daily.report_unplaced(uow, gauges)
        events = [
            f"{r.topic.split('.', 1)[1]} {(r.key or b'').decode()} {(r.value or b'').decode()}"
            for r in uow.records
        ]
        return result, events

    assert runtime.processor is not None
    began = time.perf_counter()
    result, events = await runtime.processor.run_work(work)
    return time.perf_counter() - began, result, events


async def measure_year_in(sizes: list[int], days: int) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        for size in sizes:
            settings = isolated_settings(servers, log_level="WARNING")
            clock = DrivenClock(datetime(2027, 11, 1, 10, tzinfo=UTC))
            runtime = ServiceRuntime(definition, settings, clock=clock)
            await runtime.migrate()  # not started: no consumers, no relay, only the passes
            try:
                cases, records, cycles = year_in(size, random.Random(2026))
                began = time.monotonic()
                await fill_year_in(runtime, cases, records, cycles)
                print(
                    f"{size} backlog cases a year in ({len(cases)} pool rows, {len(records)} "
                    f"records): written in {time.monotonic() - began:.1f} s"
                )
                digest = hashlib.sha256()
                day, released = YEAR_IN, 0
                passes: list[float] = []
                while len(passes) < days + 1:
                    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
                    took, result, events = await plan_day_events(runtime)
                    digest.update("\n".join(events).encode())
                    if "cycle" in result:
                        if not passes:
                            print(
                                f"  {day} first pass (drafts the cycle): {took * 1000:.0f} ms, "
                                f"{result.get('released', 0)} released, {len(events)} events"
                            )
                        else:
                            released += result.get("released", 0)
                        passes.append(took)
                    day += timedelta(days=1)
                ordinary = passes[1:]
                print(
                    f"  an ordinary day's pass ({days} working days to {day - timedelta(days=1)}):"
                    f" median {statistics.median(ordinary) * 1000:.1f} ms (min "
                    f"{min(ordinary) * 1000:.1f}, max {max(ordinary) * 1000:.1f}), "
                    f"{released} released on those days"
                )
                print(f"  events digest: {digest.hexdigest()[:16]}")
            finally:
                await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 54_000])
    parser.add_argument("--year-in", action="store_true", help="the state a year in (issue 16)")
    parser.add_argument("--days", type=int, default=10, help="with --year-in: days measured")
    args = parser.parse_args()
    if args.year_in:
        asyncio.run(measure_year_in(args.cases, args.days))
    else:
        asyncio.run(measure(args.cases))


if __name__ == "__main__":
    main()
