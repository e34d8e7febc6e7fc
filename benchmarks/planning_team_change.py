"""Benchmark: a planner's change to one team from a day (TeamCapacityChanged, ADR 0030).
Reports figures; asserts nothing. The domain work only (no servers): check and adopt one change
over three years of declared months, and what changes within months cost the capacity count
a cycle draft and each daily pass make (caseworker days counted day by day where a month has
changes, per month where it has none).

    uv run --no-sync python benchmarks/planning_team_change.py --teams 40 --caseworkers 500
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date, timedelta

from planning.domain.capacity import backlog_days_between, months_between
from planning.domain.config import PlanningConfig
from planning.domain.model import MonthCapacity, Team
from planning.domain.roster import roster_changed, roster_of, roster_team
from planning.domain.team_change import adopt_team_change, team_change_problem
from shared.contracts.events.planning import CaseworkerCapacity, TeamCapacityChanged

START = date(2026, 11, 2)


def months(teams: int, caseworkers: int, count: int) -> dict[str, MonthCapacity]:
    per_team = max(1, caseworkers // teams)
    declared = tuple(
        Team(
            team_id=f"team-{t:03d}",
            caseworkers=per_team,
            hours_per_week=36,
            location="ind-zwolle",
            members=tuple(
                CaseworkerCapacity(caseworker=f"cw-{t:03d}-{n:03d}") for n in range(per_team)
            ),
        )
        for t in range(teams)
    )
    keys = months_between(START, START + timedelta(days=31 * (count - 1)))
    return {m: MonthCapacity(month=m, teams=declared, decision_days=1000) for m in keys}


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` timings in milliseconds (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--caseworkers", type=int, default=500)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    config = PlanningConfig()
    capacities = months(args.teams, args.caseworkers, args.months)
    per_team = max(1, args.caseworkers // args.teams)
    change = TeamCapacityChanged(
        effective_on=date(2026, 11, 16),
        caseworkers=per_team + 1,
        hours_per_week=36,
        location="ind-zwolle",
        members=tuple(
            CaseworkerCapacity(caseworker=f"cw-000-{n:03d}") for n in range(per_team + 1)
        ),
    )

    def one_change() -> object:
        assert team_change_problem("team-000", change, capacities, START) is None
        return adopt_team_change("team-000", change, capacities)

    adopted = adopt_team_change("team-000", change, capacities)

    def rosters() -> object:  # what the handler tells hearing: the rosters that changed
        return [
            roster_of(after, config, month)
            for month, before, after in adopted.roster_months
            if roster_changed(month, before, after, "team-000")
        ]

    # Every team changed from a day within the cycle's first month: the count's worst case.
    changed = dict(capacities)
    for t in range(args.teams):
        team = f"team-{t:03d}"
        day = date(2026, 11, 3 + t % 25)
        moved = change.model_copy(update={"effective_on": day, "members": (), "location": None})
        changed.update({r.month: r for r in adopt_team_change(team, moved, changed).rows})
    end = START + timedelta(days=91)

    def cycle_days(rows: dict[str, MonthCapacity]) -> Callable[[], object]:
        return lambda: backlog_days_between(rows, START, end, None, config)

    print(
        f"team change: {args.teams} teams, {args.caseworkers} caseworkers named, "
        f"{args.months} months declared; best of {args.runs} runs"
    )
    print(
        f"  check and adopt one change:                  {best_of(args.runs, one_change):8.2f} ms"
    )
    roster_team.cache_clear()  # the first change after a start builds each team once
    cold = best_of(1, rosters)
    print(
        f"  rosters rebuilt ({len(adopted.roster_months)} months), first:    {cold:8.2f} ms\n"
        f"  rosters rebuilt ({len(adopted.roster_months)} months), teams kept: "
        f"{best_of(args.runs, rosters):6.2f} ms"
    )
    plain = best_of(args.runs, cycle_days(capacities))
    with_changes = best_of(args.runs, cycle_days(changed))
    print(f"  a cycle's backlog days, no changes:          {plain:8.2f} ms")
    print(f"  a cycle's backlog days, every team changed:  {with_changes:8.2f} ms")


if __name__ == "__main__":
    main()
