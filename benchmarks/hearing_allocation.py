"""What hearing's daily allocation costs in the domain alone (no servers): the queue sorted in
the fixed order and booked against a roster, as the daily run does.

    uv run python benchmarks/hearing_allocation.py --cases 2000 --teams 10 --per-team 10
    uv run python benchmarks/hearing_allocation.py --languages 5 --interpreters 20

With --languages, each case needs an interpreter of one of that many languages, and the roster
has --interpreters of each a day (counted per slot, ADR 0027); then a cut to half the
interpreters is fitted again (the cut's moves, as the daily run does).

Prints the cases booked and left, the caseworker days used, and milliseconds per run (median
of --runs); then the same for a second run over the cases left, on the days the first booked
(the common day: nothing free, everyone still queued).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta

import typer

from hearing.domain.capacity import (
    Allocation,
    Caseworker,
    Roster,
    Team,
    allocate,
    overbooked,
    trim,
)
from hearing.domain.case import HearingCase, HearingConfig, Mode, Plan, Status
from shared.contracts.events.hearing import HearingFormat
from shared.contracts.events.planning import Specialism
from shared.contracts.values import Category, Stream

CATEGORIES = [Category.A, Category.A, Category.C, Category.D, Category.OUTSIDE]


def main(
    cases: int = 2000,
    teams: int = 10,
    per_team: int = 10,
    runs: int = 5,
    lawyers: int = 50,
    languages: int = 0,
    interpreters: int = 20,
) -> None:
    roster = Roster(
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
            for t in range(teams)
        },
        interpreters={_language(n): interpreters for n in range(languages)} if languages else None,
    )
    lodged = datetime(2024, 1, 1, tzinfo=UTC)
    queue = [
        HearingCase(
            case_id=f"case-{n:06d}",
            stream=Stream.BACKLOG,
            status=Status.WAITING_SLOT,
            registered=True,
            category=CATEGORIES[n % len(CATEGORIES)],
            lodged_at=lodged + timedelta(hours=n * 7 % 5000),
            team=f"team-{n % teams}",
            specialisms=(Specialism.LANGUAGE,) if n % 3 == 0 else (),
            lawyer=f"lawyer-{n % lawyers}" if n % 4 else None,
            plan=Plan(mode=Mode.ORAL, format=HearingFormat.TARGETED_PER_MOTIVE),
            language=_language(n % languages) if languages else None,
        )
        for n in range(cases)
    ]
    config = HearingConfig()
    timings = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = allocate(queue, roster, {}, today=date(2026, 11, 2), config=config)
        timings.append((time.perf_counter() - started) * 1000)
    assert result is not None
    print(
        f"cases {cases}, caseworkers {teams * per_team}, horizon {config.horizon_working_days} "
        f"working days: booked {len(result.booked)}, left {len(result.unplaced)}, "
        f"caseworker days {len(result.days)}; {statistics.median(timings):.0f} ms a run "
        f"(median of {runs})"
    )
    _full(result, roster, config, runs)
    if languages:
        _cut(result, queue, roster, config, runs)


def _full(result: Allocation, roster: Roster, config: HearingConfig, runs: int) -> None:
    """The next day's run as most days are: the days booked up, the rest still queued."""
    days = {d.key: d for d in result.days}
    left = [u.case for u in result.unplaced]
    timings = []
    again = None
    for _ in range(runs):
        started = time.perf_counter()
        again = allocate(left, roster, days, today=date(2026, 11, 2), config=config)
        timings.append((time.perf_counter() - started) * 1000)
    assert again is not None
    print(
        f"again with those days booked: {len(left)} queued, booked {len(again.booked)}; "
        f"{statistics.median(timings):.0f} ms a run (median of {runs})"
    )


def _language(n: int) -> str:
    return f"l{chr(97 + n // 26)}{chr(97 + n % 26)}"  # three letters, as a language code


def _cut(
    result: Allocation, queue: list[HearingCase], roster: Roster, config: HearingConfig, runs: int
) -> None:
    today = date(2026, 11, 2)
    slots = dict((c.case_id, s) for c, s in result.booked)
    planned = {
        c.case_id: c.model_copy(update={"status": Status.PLANNED, "slot": slots[c.case_id]})
        for c in queue
        if c.case_id in slots
    }
    days = {d.key: d for d in result.days}
    halved = roster.model_copy(
        update={"interpreters": {k: v // 2 for k, v in (roster.interpreters or {}).items()}}
    )
    timings = []
    moved = 0
    for _ in range(runs):
        started = time.perf_counter()
        over = overbooked(days.values(), halved, today, config)
        moved = len(trim(days, planned, halved, over, config).moved)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"interpreters cut to half: {moved} bookings moved on {len(over)} days; "
        f"{statistics.median(timings):.0f} ms (median of {runs})"
    )


if __name__ == "__main__":
    typer.run(main)
