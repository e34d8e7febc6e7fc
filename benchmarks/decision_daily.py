"""Benchmark: decision's daily figures pass (the grant-rates timer) against the real database
(issue 16). Reports figures; asserts nothing.

    uv run --no-sync python benchmarks/decision_daily.py --cases 8000 80000

Per size: the cases decision knows (half of them decided, in both streams, five backlog
categories and eight plan cycles) are written straight into decision's table (8,000 is about a
year into the scale-0.1 run: 5,400 backlog cases and a year of Pact inflow, 23 decisions a
working day), and one pass reports them all. Then, day by day, a day's decisions are issued
(one per 350 cases), a few decided cases are saved again (a refusal recorded in their trail;
one moves to another plan cycle) and the pass runs as the timer runs it, in one transaction
through the outbox; the last day has nothing new. Prints the median and the spread of the
passes with work, the pass with nothing new, and a digest of every event the passes emitted
(topic, key, data): run it against the old code (PYTHONPATH to a checkout of main) and the new
with the same --seed, and the digests must match.
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

from sqlalchemy import text

from decision import persistence as db
from decision import timers
from decision.app import definition
from decision.domain import AuditEntry, DecisionCase, Issued, Proposal, Status
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionRoute
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

START = date(2027, 11, 1)  # a year into the programme
CYCLES = tuple(f"2027-{m:02d}" for m in range(3, 11))
CATEGORIES = (Category.A, Category.B, Category.C, Category.D, Category.OUTSIDE)
OUTCOMES = (DecisionOutcome.GRANT, DecisionOutcome.REJECTION, DecisionOutcome.INADMISSIBLE)


def open_case(n: int, rng: random.Random) -> DecisionCase:
    backlog = rng.random() < 0.7
    return DecisionCase(
        case_id=f"case-{n:06d}",
        stream=Stream.BACKLOG if backlog else Stream.PACT,
        procedure=Procedure.NATIONAL_REGULAR if backlog else Procedure.PACT_REGULAR,
        lodged_on=date(2026, 1, 1) + timedelta(days=rng.randrange(600)),
        category=rng.choice(CATEGORIES) if backlog else None,
        policy_version="cp-2026-10",
        deadline=date(2028, 1, 1) + timedelta(days=rng.randrange(500)),
        deadline_basis="Vw 2000 art. 42(1)",
        cycle=rng.choice(CYCLES) if backlog else None,
        audit=(AuditEntry(on=START, actor="system:hearing", action="ready"),),
    )


def decide(case: DecisionCase, on: date, rng: random.Random) -> DecisionCase:
    outcome = rng.choice(OUTCOMES)
    issued = Issued(
        proposal=Proposal(outcome=outcome),
        route=DecisionRoute.INDIVIDUAL,
        standardised=False,
        hard_case_team=False,
        issued_on=on,
        by="decider:dc-1",
        policy_version=case.policy_version,
        deadline=case.deadline,
        days_relative_to_deadline=-10,
    )
    done = case.model_copy(update={"status": Status.DECIDED, "issued": issued, "watch_on": None})
    return done.logged(on, "decider:dc-1", "issued", outcome.value)


def touched(case: DecisionCase, on: date) -> DecisionCase:
    """A decided case saved again: an input refused after the decision, kept in its trail."""
    return case.logged(on, "decider:dc-9", "refused", "already_issued")


async def save(runtime: ServiceRuntime, cases: list[DecisionCase], vacuum: bool = False) -> None:
    async def work(uow: UnitOfWork) -> None:
        for start in range(0, len(cases), 5000):
            await db.CASES.save(uow.session, cases[start : start + 5000])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)
    if vacuum:  # the statistics and visibility map autovacuum keeps on a database a year old
        async with runtime.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE cases"))


async def figures_pass(runtime: ServiceRuntime) -> tuple[float, list[str]]:
    """The pass as the timer runs it; its seconds and the events it emitted."""
    gauges = timers.figures(runtime.registry)

    async def work(uow: UnitOfWork) -> list[str]:
        await timers.report_grant_rates(uow, gauges)
        return [
            f"{r.topic.split('.', 1)[1]} {(r.key or b'').decode()} {(r.value or b'').decode()}"
            for r in uow.records
        ]

    assert runtime.processor is not None
    began = time.perf_counter()
    events = await runtime.processor.run_work(work)
    return time.perf_counter() - began, events


async def measure(size: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        settings = isolated_settings(servers, log_level="WARNING")
        clock = DrivenClock(datetime(START.year, START.month, START.day, 10, tzinfo=UTC))
        runtime = ServiceRuntime(definition, settings, clock=clock)
        await runtime.migrate()  # not started: no consumers, no relay, only the pass
        try:
            cases = [open_case(n, rng) for n in range(size)]
            opened = list(range(size))
            rng.shuffle(opened)
            for n in opened[: size // 2]:
                cases[n] = decide(cases[n], START - timedelta(days=1), rng)
            opened = opened[size // 2 :]
            decided = [n for n in range(size) if cases[n].issued is not None]
            began = time.perf_counter()
            await save(runtime, cases, vacuum=True)
            print(
                f"{size} cases ({len(decided)} decided) written in "
                f"{time.perf_counter() - began:.1f} s"
            )
            took, events = await figures_pass(runtime)
            print(f"  first pass (everything new): {took * 1000:.1f} ms, {len(events)} events")
            digest = hashlib.sha256("\n".join(events).encode())
            daily = max(1, size // 350)
            worked: list[float] = []
            for day in range(1, days + 1):
                today = START + timedelta(days=day)
                clock.set(datetime(today.year, today.month, today.day, 10, tzinfo=UTC))
                changed: list[DecisionCase] = []
                if day < days:  # the last day: nothing new
                    for n in opened[:daily]:
                        cases[n] = decide(cases[n], today, rng)
                        changed.append(cases[n])
                    decided += opened[:daily]
                    opened = opened[daily:]
                    for n in rng.sample(decided, 3):
                        cases[n] = touched(cases[n], today)
                        changed.append(cases[n])
                    n = rng.choice(decided)
                    if cases[n].stream is Stream.BACKLOG:  # released again in another cycle
                        cases[n] = cases[n].model_copy(update={"cycle": rng.choice(CYCLES)})
                        changed.append(cases[n])
                    await save(runtime, changed)
                took, events = await figures_pass(runtime)
                digest.update("\n".join(events).encode())
                if changed:
                    worked.append(took)
                else:
                    print(f"  a day with nothing new: {took * 1000:.1f} ms, {len(events)} events")
            print(
                f"  a day's pass ({daily} decisions, {len(worked)} days): median "
                f"{statistics.median(worked) * 1000:.1f} ms (min {min(worked) * 1000:.1f}, "
                f"max {max(worked) * 1000:.1f})"
            )
            print(f"  events digest: {digest.hexdigest()[:16]}")
        finally:
            await runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="+", default=[8_000, 80_000])
    parser.add_argument("--days", type=int, default=11)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    for size in args.cases:
        asyncio.run(measure(size, args.days, args.seed))


if __name__ == "__main__":
    main()
