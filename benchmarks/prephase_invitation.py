"""Benchmark: prephase's daily invitation pass against the real database (issue 16). Reports
figures; asserts nothing.

    uv run --no-sync python benchmarks/prephase_invitation.py --waiting 1000 10000

Per size: that many waiting cases (planning already told that no day fits them, as on most
days of a long run) and the location days of the pass's window (two locations a working day,
seven places each, all booked by invited cases) are written straight into prephase's tables.
Then the pass runs as the timer runs it, in one transaction through the outbox:

- full: every day of the window is booked up (nothing can be placed: the common day);
- room: before each pass planning opens one more location day with seven free places, and the
  pass hands them out in the fixed order.

Prints milliseconds per pass (median of --runs), the cases invited and the events written.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
from shared.contracts.values import Category, Stream
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


def location_day(location: str, day: date, places: int = PLACES) -> LocationDay:
    return LocationDay(
        key=day_row_key(Stream.BACKLOG, location_day_key(location, day)),
        stream=Stream.BACKLOG,
        location=location,
        day=day,
        places=places,
        interpreters={language: places for language in LANGUAGES},
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
        priority_group=None,
        lodged_at=LODGED + timedelta(minutes=n * 7919 % 500_000),
        status=status,
        release_day=TODAY - timedelta(days=30 + n % 60),
        logistics=Logistics(interpreter_languages=(language,), reception_location="coa-budel"),
        invitation=invitation,
        invitations=1 if booked else 0,
        not_scheduled_reported=status is Status.WAITING,
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


async def one_pass(runtime: ServiceRuntime) -> tuple[float, int, int]:
    async def work(uow: UnitOfWork) -> tuple[int, int]:
        invited = await handlers.invitation_pass(handlers.rules(CONFIG), uow)
        return invited, len(uow.records)

    assert runtime.processor is not None
    began = time.perf_counter()
    invited, events = await runtime.processor.run_work(work)
    return (time.perf_counter() - began) * 1000, invited, events


async def measure(sizes: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        for size in sizes:
            settings = isolated_settings(servers, log_level="WARNING")
            await ensure_topics(settings, all_topics())
            clock = DrivenClock(datetime(2026, 11, 2, 6, tzinfo=UTC))
            runtime = ServiceRuntime(definition, settings, clock=clock)
            await runtime.migrate()
            await runtime.start()
            try:
                await fill(runtime, size)
                for scenario in ("full", "room"):
                    timings, invited, events = [], 0, 0
                    for run in range(runs):
                        if scenario == "room":
                            await new_location(runtime, run)
                        took, n, e = await one_pass(runtime)
                        timings.append(took)
                        invited, events = invited + n, events + e
                    print(
                        f"{size} waiting, {scenario}: {statistics.median(timings):.0f} ms a pass "
                        f"(median of {runs}), {invited} invited, {events} events"
                    )
            finally:
                await runtime.stop()


async def new_location(runtime: ServiceRuntime, run: int) -> None:
    """Planning opens one more location on the first day of the window: free places."""
    day = add_working_days(TODAY, CONFIG.lead_working_days)

    async def work(uow: UnitOfWork) -> None:
        await db.DAYS.save(uow.session, [location_day(f"prephase-extra-{run}", day)])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--waiting", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(measure(args.waiting, args.runs))


if __name__ == "__main__":
    main()
