"""Benchmark: draft a plan cycle for a whole backlog pool (issue 10). Reports figures; asserts
nothing. The domain work only (no servers): summarise the pool into cohorts, split the capacity
Pact first, select the cohorts, and put the first day's candidates in the fixed order.

    uv run --no-sync python benchmarks/planning_draft.py --cases 10000 54000 200000
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from planning.domain.capacity import backlog_days_between, months_between
from planning.domain.cohorts import summarise
from planning.domain.config import PlanningConfig
from planning.domain.cycles import cycle_bounds, draft_cycle, expected_decisions
from planning.domain.model import MonthCapacity, PoolCase, Team, order_key
from shared.contracts.values import Category, PriorityGroup, Stream

# Shares from the 2026 plan (seed 004): A 39%, B 17%, C 8%, D 28%, outside 8%.
SHARES = (
    (Category.A, 0.39),
    (Category.B, 0.17),
    (Category.C, 0.08),
    (Category.D, 0.28),
    (Category.OUTSIDE, 0.08),
)
NATIONALITIES = (
    "SYR",
    "YEM",
    "AFG",
    "MMR",
    "IRQ",
    "NGA",
    "SOM",
    "ERI",
    "TUR",
    "IRN",
    "DZA",
    "MAR",
    "GEO",
    "COL",
    "VEN",
    "PAK",
    "SDN",
    "ETH",
    "LBY",
    "UKR",
)


def pool(n: int, rng: random.Random) -> list[PoolCase]:
    cases = []
    categories = [c for c, _ in SHARES]
    weights = [w for _, w in SHARES]
    for i in range(n):
        group = rng.choices(
            [
                None,
                PriorityGroup.NUISANCE,
                PriorityGroup.UNACCOMPANIED_MINOR,
                PriorityGroup.FORMER_SAFE_COUNTRY,
            ],
            [0.94, 0.01, 0.03, 0.02],
        )[0]
        cases.append(
            PoolCase(
                case_id=f"case-{i:07d}",
                stream=Stream.BACKLOG,
                nationality=rng.choice(NATIONALITIES),
                lodged_on=date(2022, 1, 1) + timedelta(days=rng.randrange(1600)),
                registered_on=date(2026, 4, 1),
                category=rng.choices(categories, weights)[0],
                priority_group=group,
            )
        )
    return cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, nargs="+", default=[10_000, 54_000, 200_000])
    parser.add_argument("--caseworkers", type=int, default=500)
    args = parser.parse_args()
    config = PlanningConfig()
    start = date(2026, 10, 1)
    end = cycle_bounds(start, config)[1]
    team = Team(team_id="all", caseworkers=args.caseworkers, hours_per_week=36)
    capacities = {
        m: MonthCapacity(month=m, teams=(team,), prephase_location_operational=True)
        for m in months_between(start, end)
    }
    print(f"caseworkers={args.caseworkers} cycle={start}..{end}")
    print("cases    summarise_s  draft_s  order_s  total_s  planned  grant_rate")
    for n in args.cases:
        cases = pool(n, random.Random(10))
        t0 = time.perf_counter()
        summary = summarise(cases)
        t1 = time.perf_counter()
        days = backlog_days_between(capacities, start, end, None, config)
        cycle = draft_cycle(start, summary, days, config, prephase_operational=True)
        expected_decisions(cycle, config)
        t2 = time.perf_counter()
        sorted(cases, key=order_key)  # the fixed order over the whole pool (the worst case)
        t3 = time.perf_counter()
        print(
            f"{n:<8} {t1 - t0:11.3f} {t2 - t1:8.3f} {t3 - t2:8.3f} {t3 - t0:8.3f} "
            f"{cycle.planned:8d}  {cycle.expected_grant_rate:.3f}"
        )


if __name__ == "__main__":
    main()
