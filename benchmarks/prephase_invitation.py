"""Benchmark: prephase's daily invitation pass against the real database (issue 16). Reports
figures; asserts nothing.

    uv run --no-sync python benchmarks/prephase_invitation.py --waiting 2200 22000

Per size: that many waiting cases (most of them already reported to planning as having no day,
as on most days of a long run; one in 50 still owed that report, one in 97 without logistics;
a few in each priority group) and the location days of the pass's window (two locations a
working day, seven places each, all booked by invited cases) are written straight into
prephase's tables. 2,200 is about what waits a year into the scale-0.1 run. Then the pass runs
as the timer runs it, in one transaction through the outbox:

- full: every day of the window is booked up (nothing can be placed: the common day);
- room: before each pass planning opens one more location day with seven free places (every
  other one with interpreters for two of the four languages only), and the pass hands them out
  in the fixed order;
- cut: as room, and planning also cuts one booked day to five places (two invitations move).
- unused: before each pass planning opens a location day whose interpreters are all for a
  language none of the waiting cases speaks: free places no case can take.

Prints milliseconds per pass (median of --runs), the cases invited and the events written.
With --events FILE it also writes every event the passes emitted (key, type, data; in order)
as JSON lines: the same benchmark run against old and new code must write the same file
(an outcome check: `PYTHONPATH=<old worktree>/services/prephase` runs the old code).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from prephase import handlers
from prephase import persistence as db
from prephase.app import SETTINGS, definition
from prephase.domain import (
    Invitation,
    LocationDay,
    Logistics,
    PrephaseCase,
    Status,
    day_row_key,
    window,
)
from shared.contracts.events.catalogue import location_day_key
from shared.contracts.topics import all_topics
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.calendar import add_working_days, working_days_in
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

CONFIG = SETTINGS.config()
TODAY = date(2026, 11, 2)  # a Monday
LOCATIONS = ("prephase-ter-apel", "prephase-zwolle")
PLACES = 7
LANGUAGES = ("ara", "tir", "fas", "tur")
LODGED = datetime(2024, 1, 1, tzinfo=UTC)


GROUPS = (PriorityGroup.NUISANCE, PriorityGroup.UNACCOMPANIED_MINOR)


def location_day(
    location: str, day: date, places: int = PLACES, languages: tuple[str, ...] = LANGUAGES
) -> LocationDay:
    return LocationDay(
        key=day_row_key(Stream.BACKLOG, location_day_key(location, day)),
        stream=Stream.BACKLOG,
        location=location,
        day=day,
        places=places,
        interpreters={language: places for language in languages},
    )


def case(n: int, status: Status, booked: LocationDay | None = None) -> PrephaseCase:
    language = LANGUAGES[n % len(LANGUAGES)]
    invitation = (
        Invitation(
            location=booked.location,
            day=booked.day,
            interpreter_language=language,
            return_information=False,
            transport_from="coa-budel",
            guardian=False,
        )
        if booked is not None
        else None
    )
    return PrephaseCase(
        case_id=f"case-{n:06d}",
        stream=Stream.BACKLOG,
        category=Category.D,
        priority_group=GROUPS[n % 2] if n % 41 == 0 else None,
        lodged_at=LODGED + timedelta(minutes=n * 7919 % 500_000),
        status=status,
        release_day=TODAY - timedelta(days=30 + n % 60),
        logistics=None
        if n % 97 == 5 and status is Status.WAITING
        else Logistics(interpreter_languages=(language,), reception_location="coa-budel"),
        invitation=invitation,
        invitations=1 if booked else 0,
        not_scheduled_reported=status is Status.WAITING and n % 50 != 3,
    )


async def fill(runtime: ServiceRuntime, waiting: int) -> None:
    first, last = window(TODAY, CONFIG)
    days = [location_day(loc, d) for d in working_days_in(first, last) for loc in LOCATIONS]
    booked = [
        case(1_000_000 + i * PLACES + p, Status.INVITED, day)
        for i, day in enumerate(days)
        for p in range(PLACES)
    ]
    cases = [case(n, Status.WAITING) for n in range(waiting)] + booked

    async def work(uow: UnitOfWork) -> None:
        await db.DAYS.save(uow.session, days)
        for start in range(0, len(cases), 5000):
            await db.CASES.save(uow.session, cases[start : start + 5000])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)
    # A year into a run the tables grew day by day and autovacuum keeps their statistics; a
    # bulk fill leaves the planner without any (it would plan for an empty table).
    async with runtime.engine.begin() as conn:
        await conn.execute(text("ANALYZE cases, location_days"))


async def one_pass(runtime: ServiceRuntime, emitted: list[str]) -> tuple[float, int, int]:
    async def work(uow: UnitOfWork) -> tuple[int, int]:
        invited = await handlers.invitation_pass(handlers.rules(CONFIG), uow)
        for record in uow.records:
            kind = [v.decode() for k, v in record.headers if k.endswith("type") and v]
            emitted.append(
                json.dumps([record.key.decode(), kind, json.loads(record.value)], sort_keys=True)
            )
        return invited, len(uow.records)

    assert runtime.processor is not None
    began = time.perf_counter()
    invited, events = await runtime.processor.run_work(work)
    return (time.perf_counter() - began) * 1000, invited, events


async def measure(sizes: list[int], runs: int) -> list[str]:
    emitted: list[str] = []
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        for size in sizes:
            settings = isolated_settings(servers, log_level="WARNING")
            await ensure_topics(settings, all_topics())
            clock = DrivenClock(datetime(2026, 11, 2, 6, tzinfo=UTC))
            # The passes are the benchmark's: the service's own timer would run others between.
            quiet = dataclasses.replace(definition, periodic=())
            runtime = ServiceRuntime(quiet, settings, clock=clock)
            await runtime.migrate()
            await runtime.start()
            try:
                await fill(runtime, size)
                for scenario in ("full", "room", "cut", "unused"):
                    timings, invited, written = [], 0, 0
                    for run in range(runs):
                        emitted.append(json.dumps([size, scenario, run]))
                        if scenario in ("room", "cut"):
                            await new_location(runtime, f"{scenario}-{run}", run)
                        if scenario == "unused":
                            await new_location(runtime, f"{scenario}-{run}", run, ("som",))
                        if scenario == "cut":
                            await cut_day(runtime, run)
                        took, n, e = await one_pass(runtime, emitted)
                        timings.append(took)
                        invited, written = invited + n, written + e
                    print(
                        f"{size} waiting, {scenario}: {statistics.median(timings):.0f} ms a pass "
                        f"(median of {runs}), {invited} invited, {written} events",
                        flush=True,
                    )
            finally:
                await runtime.stop()
    return emitted


async def new_location(
    runtime: ServiceRuntime, name: str, run: int, only: tuple[str, ...] | None = None
) -> None:
    """Planning opens one more location on the first day of the window: free places (every
    other one with interpreters for two languages only: cases of the others do not fit it;
    with `only`, interpreters for those languages only)."""
    day = add_working_days(TODAY, CONFIG.lead_working_days)
    languages = only or (LANGUAGES if run % 2 == 0 else LANGUAGES[1:3])
    extra = location_day(f"prephase-extra-{name}", day, languages=languages)

    async def work(uow: UnitOfWork) -> None:
        await db.DAYS.save(uow.session, [extra])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def cut_day(runtime: ServiceRuntime, run: int) -> None:
    """Planning cuts one booked day (a later one each run) to five places."""
    first, _ = window(TODAY, CONFIG)
    day = add_working_days(first, 1 + run)

    async def work(uow: UnitOfWork) -> None:
        await db.DAYS.save(uow.session, [location_day(LOCATIONS[0], day, places=PLACES - 2)])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--waiting", type=int, nargs="+", default=[2_200, 22_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--events", type=Path, default=None, help="write the emitted events")
    args = parser.parse_args()
    emitted = asyncio.run(measure(args.waiting, args.runs))
    if args.events is not None:
        args.events.write_text("".join(line + "\n" for line in emitted))


if __name__ == "__main__":
    main()
