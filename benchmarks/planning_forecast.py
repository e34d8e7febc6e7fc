"""Benchmark: the clearance forecast (R5) over a whole backlog pool, and the monthly figures
(R14) over a year of case records (issue 11). Reports figures; asserts nothing. Domain work
only (no servers).

    uv run --no-sync python benchmarks/planning_forecast.py --cases 54000 --caseworkers 300
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from planning_draft import pool  # type: ignore[import-not-found]

from planning.domain.cohorts import summarise
from planning.domain.config import PlanningConfig
from planning.domain.figures import monthly_figures
from planning.domain.forecast import ForecastInputs, WhatIf, forecast
from planning.domain.model import HoldReason
from planning.domain.records import CaseRecord, Hold
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.values import Category, Stream


def records(n: int, rng: random.Random) -> list[CaseRecord]:
    out = []
    for i in range(n):
        backlog = rng.random() < 0.6
        registered = date(2026, 6, 12) + timedelta(days=rng.randrange(200))
        decided = registered + timedelta(days=rng.randrange(60, 400))
        out.append(
            CaseRecord(
                case_id=f"case-{i:07d}",
                stream=Stream.BACKLOG if backlog else Stream.PACT,
                procedure=Procedure.NATIONAL_REGULAR if backlog else Procedure.PACT_REGULAR,
                lodged_on=registered,
                registered_on=registered,
                unaccompanied=rng.random() < 0.03,
                category=rng.choice(list(Category)) if backlog else None,
                deadline=registered + timedelta(days=180),
                decided_on=decided if decided < date(2027, 6, 30) else None,
                outcome=rng.choice(list(DecisionOutcome)),
                deadline_met=decided <= registered + timedelta(days=180),
                decided_category=Category.A if backlog else None,
                holds=(Hold(reason=HoldReason.DECISION_OBSTACLE, since=decided),)
                if rng.random() < 0.01
                else (),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=54_000)
    parser.add_argument("--caseworkers", type=float, default=300.0)
    parser.add_argument("--records", type=int, default=75_000)
    args = parser.parse_args()
    rng = random.Random(11)
    config = PlanningConfig()
    summary = summarise(pool(args.cases, rng))
    inputs = ForecastInputs(
        start=date(2026, 10, 1),
        pool=summary,
        caseworkers={"2026-10": args.caseworkers},
        pact_per_day=25_000 / 365,
        prephase_operational_from="2026-10",
    )
    for what_if in (WhatIf(), WhatIf(caseworkers=(("2027-03", 40.0),))):
        began = time.perf_counter()
        result = forecast(inputs, config, what_if)
        took = time.perf_counter() - began
        print(
            f"forecast, {args.cases} cases in {len(summary)} cohorts, {args.caseworkers:g} "
            f"caseworkers, {result.scenario}: cleared {result.cleared_on}, open on the target "
            f"{result.open_at_target}, {len(result.cycles)} cycles, {took * 1000:.0f} ms"
        )
    made = records(args.records, rng)
    began = time.perf_counter()
    figures = monthly_figures(made, date(2027, 6, 30))
    took = time.perf_counter() - began
    print(f"monthly figures over {args.records} records: {len(figures)} rows, {took:.2f} s")


if __name__ == "__main__":
    main()
