"""How fast chain-notify turns case events into logged, published partner notices.

    uv run python benchmarks/chain_notify_throughput.py --cases 1000
    uv run python benchmarks/chain_notify_throughput.py --cases 1000 --late-share 0.5

Real servers (the same choice as the tests: environment, testcontainers or embedded). Publishes,
per case, what intake, prephase and decision publish (registration, logistics, transport
request, a refusal): 4 events making 4 notices (COA transport and reception end, DT&V, courts).
Prints events handled per second until every notice is in the delivery log, and until the
relay has had them all acknowledged by the broker (acks=all; the outbox is empty).

`--late-share`: that share of the cases has no court district in its logistics; their courts
notice is held (ADR 0031) until a fifth event, logistics with the district, published after
all decisions. Also prints how long the held-notices gauge's count takes over the cases table
while they are held (the query the `watch-held-notices` timer runs every minute).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from sqlalchemy import func, select

from chain_notify.app import definition
from chain_notify.persistence import courts_notices_held, delivery_log
from shared.contracts.envelope import Envelope, EventData, encode
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CourtDistrict,
    LogisticsPart,
)
from shared.contracts.events.prephase import TransportRequested
from shared.contracts.topics import Stage, TopicNames, all_topics, stage_events
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics, publish_records
from shared.runtime.clock import DrivenClock
from shared.runtime.database import outbox_table
from shared.runtime.service import ServiceRuntime
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

NOW = datetime(2026, 10, 12, 9, tzinfo=UTC)
DISTRICTS = list(CourtDistrict)


def case_events(n: int, late: bool = False) -> list[tuple[str, Envelope]]:  # type: ignore[type-arg]
    case_id = f"bench-{n:06d}"
    # The catalogue's examples: a category-A backlog registration and a refusal with an
    # enforceable date and a departure period (so COA, DT&V and the courts are each told).
    registered = example(CaseRegistered).model_copy(update={"v_number": f"{4_000_000_000 + n}"})
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=("ara",),
        reception_location="coa-budel",
        lawyer="rvr-40211",
        court_district=None if late else DISTRICTS[n % len(DISTRICTS)],
        changed=tuple(LogisticsPart),
    )
    district = logistics.model_copy(update={"court_district": DISTRICTS[n % len(DISTRICTS)]})
    transport = TransportRequested(
        day=date(2026, 10, 19), from_location="coa-budel", to_location="prephase-zwolle"
    )
    refusal = example(DecisionIssued)
    out = []
    steps: list[tuple[Stage, EventData]] = [
        (Stage.INTAKE, registered),
        (Stage.INTAKE, logistics),
        (Stage.PREPHASE, transport),
        (Stage.DECISION, refusal),
    ]
    if late:
        steps.append((Stage.INTAKE, district))
    for stage, data in steps:
        event = front_end_event(
            data, subject=case_id, stream=Stream.BACKLOG, actor=f"system:{stage}"
        )
        out.append((stage_events(Stream.BACKLOG, stage), event))
    return out


async def logged(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(delivery_log)) or 0)


async def unpublished(runtime: ServiceRuntime) -> int:
    """Outbox rows the relay has not had acknowledged by the broker yet (it deletes them then)."""
    async with runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox_table)) or 0)


async def until_logged(runtime: ServiceRuntime, expect: int) -> None:
    for _ in range(6000):  # 10 minutes at most
        if await logged(runtime) >= expect:
            return
        await asyncio.sleep(0.1)


async def time_held_count(runtime: ServiceRuntime, runs: int = 20) -> tuple[int, float]:
    """The held notices (all streams) and the median time of the gauge's count, in ms."""
    timings, held = [], 0
    for _ in range(runs):
        async with runtime.session_factory() as session:
            start = time.perf_counter()
            counts = await courts_notices_held(session, NOW, timedelta(hours=72))
            timings.append((time.perf_counter() - start) * 1000)
        held = sum(n for n, _ in counts.values())
    return held, statistics.median(timings)


async def measure(cases: int, late_share: float) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        settings = isolated_settings(servers, fetch_max_wait_ms=10, log_level="WARNING")
        await ensure_topics(settings, all_topics())
        runtime = ServiceRuntime(definition, settings, clock=DrivenClock(NOW))
        await runtime.migrate()
        names = TopicNames(settings.topic_prefix)
        # By stage, in causal order: all registrations and logistics, then transports, then
        # decisions (as days pass between them in production).
        late = round(cases * late_share)
        events = [case_events(n, late=n < late) for n in range(cases)]
        waves = [[e for per_case in events for e in per_case[i : i + 1]] for i in range(5)]
        await runtime.start()
        try:
            start = time.monotonic()
            for wave in waves[:4]:
                await publish_records(settings, [encode(e, names(t)) for t, e in wave])
            expect = 4 * cases
            held_note = ""
            if late:
                await until_logged(runtime, expect - late)
                held, ms = await time_held_count(runtime)
                held_note = f"; {held} courts notices held, counted in {ms:.1f} ms (median)"
                await publish_records(settings, [encode(e, names(t)) for t, e in waves[4]])
            await until_logged(runtime, expect)
            handled = time.monotonic() - start
            for _ in range(6000):
                if await unpublished(runtime) == 0:
                    break
                await asyncio.sleep(0.05)
            sent = expect - await unpublished(runtime)
            done = time.monotonic() - start
        finally:
            await runtime.stop()
    n = 4 * cases + late
    print(
        f"{cases} cases ({late} with the district late), {n} events -> {expect} notices: "
        f"logged in {handled:.1f} s ({n / handled:.0f} events/s); {sent} acknowledged by the "
        f"broker in {done:.1f} s "
        f"({sent / done:.0f} notices/s end to end){held_note}"
    )


def main(
    cases: int = typer.Option(1000, help="Cases, 4 events and 4 notices each"),
    late_share: float = typer.Option(
        0.0, min=0.0, max=1.0, help="Share of cases whose court district comes after the refusal"
    ),
) -> None:
    asyncio.run(measure(cases, late_share))


if __name__ == "__main__":
    typer.run(main)
