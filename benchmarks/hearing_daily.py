"""Benchmark: hearing's daily pass (timers.daily) against the real database (issue 16).
Reports figures; asserts nothing.

    uv run --no-sync python benchmarks/hearing_daily.py --queued 1000 10000

Per size: a roster of 10 teams of --per-team caseworkers (every other one with the language
specialism; interpreters for five languages, --interpreters a day each: by default more than
the caseworkers can hear) and that many queued cases (ten
teams, every third needing the language specialism, most with a lawyer, a language each; one
in 50 still owed its report to planning, one in 40 released for three weeks on) are written
straight into hearing's tables; a first pass (not timed) books the window full. Then:

- full: the pass on the same day again: everything booked, nothing to hand out (the day a
  pass runs twice, or a holiday week);
- next: each pass a working day later, as the simulated clock runs: a new day enters the
  window with the caseworkers' fresh capacity, handed out in the fixed order.

Prints milliseconds per pass (median of --runs), the slots booked and the events written.
With --events FILE it also writes every event the passes emitted (key, type, data; in order)
as JSON lines: the same benchmark run against old and new code must write the same file
(an outcome check: `PYTHONPATH=<old worktree>/services/hearing` runs the old code).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from hearing import persistence as db
from hearing import timers
from hearing.app import definition
from hearing.domain.capacity import Caseworker, Roster, Team
from hearing.domain.case import HearingCase, HearingConfig, Mode, Plan, Status
from hearing.metrics import metrics_for
from shared.contracts.events.hearing import HearingFormat
from shared.contracts.events.planning import Specialism
from shared.contracts.topics import all_topics
from shared.contracts.values import Category, Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.calendar import add_working_days
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

CONFIG = HearingConfig()
START = datetime(2026, 11, 2, 5, tzinfo=UTC)  # a Monday, 06:00 in Amsterdam
TEAMS = 10
LANGUAGES = ("ara", "tir", "fas", "tur", "som")
CATEGORIES = [Category.A, Category.A, Category.C, Category.D, Category.OUTSIDE]


def roster(per_team: int, interpreters: int) -> Roster:
    return Roster(
        month="2026-11",
        teams={
            f"team-{t}": Team(
                location="ind-x1",
                caseworkers=tuple(
                    Caseworker(
                        caseworker=f"cw-{t}-{i}",
                        specialisms=frozenset({Specialism.LANGUAGE}) if i % 2 else frozenset(),
                    )
                    for i in range(per_team)
                ),
            )
            for t in range(TEAMS)
        },
        interpreters={language: interpreters for language in LANGUAGES},
    )


def queued(n: int) -> HearingCase:
    return HearingCase(
        case_id=f"case-{n:06d}",
        stream=Stream.BACKLOG,
        status=Status.WAITING_SLOT,
        registered=True,
        category=CATEGORIES[n % len(CATEGORIES)],
        lodged_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n * 7 % 5000),
        team=f"team-{n % TEAMS}",
        specialisms=(Specialism.LANGUAGE,) if n % 3 == 0 else (),
        lawyer=f"lawyer-{n % 50}" if n % 4 else None,
        plan=Plan(mode=Mode.ORAL, format=HearingFormat.TARGETED_PER_MOTIVE),
        language=LANGUAGES[n % len(LANGUAGES)],
        release_day=add_working_days(START.date(), 15) if n % 40 == 7 else None,
        unplaced_reported=n % 50 != 3,
    )


async def fill(runtime: ServiceRuntime, size: int, shape: Roster) -> None:
    cases = [queued(n) for n in range(size)]

    async def work(uow: UnitOfWork) -> None:
        await db.ROSTERS.save(uow.session, [shape])
        for start in range(0, len(cases), 5000):
            await db.CASES.save(uow.session, cases[start : start + 5000])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)
    # A year into a run the tables grew day by day and autovacuum keeps their statistics; a
    # bulk fill leaves the planner without any (it would plan for an empty table).
    async with runtime.engine.begin() as conn:
        await conn.execute(text("ANALYZE cases, caseworker_days"))


async def one_pass(runtime: ServiceRuntime, emitted: list[str]) -> tuple[float, int, int]:
    metrics = metrics_for(runtime.registry)

    async def work(uow: UnitOfWork) -> tuple[int, int]:
        await timers.daily(uow, CONFIG, metrics)
        booked = 0
        for record in uow.records:
            kind = [v.decode() for k, v in record.headers if k.endswith("type") and v]
            booked += any("HearingPlanned" in k or "hearing.planned" in k for k in kind)
            emitted.append(
                json.dumps([record.key.decode(), kind, json.loads(record.value)], sort_keys=True)
            )
        emitted.append(json.dumps(["waiting", metrics.waiting._value.get()]))
        return booked, len(uow.records)

    assert runtime.processor is not None
    began = time.perf_counter()
    booked, events = await runtime.processor.run_work(work)
    return (time.perf_counter() - began) * 1000, booked, events


async def measure(sizes: list[int], runs: int, shape: Roster) -> list[str]:
    emitted: list[str] = []
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        for size in sizes:
            settings = isolated_settings(servers, log_level="WARNING")
            await ensure_topics(settings, all_topics())
            clock = DrivenClock(START)
            # The passes are the benchmark's: the service's own timer would run others between.
            quiet = dataclasses.replace(definition, periodic=())
            runtime = ServiceRuntime(quiet, settings, clock=clock)
            await runtime.migrate()
            await runtime.start()
            try:
                await fill(runtime, size, shape)
                emitted.append(json.dumps([size, "first"]))
                took, booked, events = await one_pass(runtime, emitted)
                print(f"{size} queued, first pass: {took:.0f} ms, {booked} booked, {events} events")
                for scenario in ("full", "next"):
                    timings, booked, written = [], 0, 0
                    for run in range(runs):
                        emitted.append(json.dumps([size, scenario, run]))
                        if scenario == "next":
                            day = add_working_days(clock.now().date(), 1)
                            clock.set(datetime.combine(day, START.timetz()))
                        took, n, e = await one_pass(runtime, emitted)
                        timings.append(took)
                        booked, written = booked + n, written + e
                    print(
                        f"{size} queued, {scenario}: {statistics.median(timings):.0f} ms a pass "
                        f"(median of {runs}), {booked} booked, {written} events",
                        flush=True,
                    )
            finally:
                await runtime.stop()
    return emitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queued", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-team", type=int, default=5)
    parser.add_argument("--interpreters", type=int, default=40)
    parser.add_argument("--events", type=Path, default=None, help="write the emitted events")
    args = parser.parse_args()
    emitted = asyncio.run(measure(args.queued, args.runs, roster(args.per_team, args.interpreters)))
    if args.events is not None:
        args.events.write_text("".join(line + "\n" for line in emitted))


if __name__ == "__main__":
    main()
