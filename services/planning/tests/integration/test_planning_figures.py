"""The monthly figures on the real broker and database: what planning kept from the events
equals counts taken straight from the topics, and a rebuild from the topics gives the same."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from planning import daily
from planning import persistence as db
from planning.app import SETTINGS, definition, rules
from planning.domain.figures import monthly_figures
from planning.rebuild import rebuild
from shared.contracts.envelope import decode
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionIssued, DecisionOnHold
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import BacklogForecastMade, CapacityDeclared, TeamCapacity
from shared.contracts.topics import PLANNING_INPUT, Stage, plan_events, stage_events
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# The events' own time too: a rebuild dates them by it (wall time made the figures depend on
# the day the tests ran).
AT_START = DrivenClock(START)


@pytest.fixture
async def planning(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(definition, settings, clock=DrivenClock(START))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


def registered(case_id: str, stream: Stream, *, amv: bool = False) -> Any:
    lodged = date(2026, 3, 1) if stream is Stream.BACKLOG else date(2026, 10, 1)
    data = CaseRegistered(
        v_number="1000000001",
        nationality="SYR",
        stream=stream,
        lodged_at=datetime(lodged.year, lodged.month, lodged.day, 10, tzinfo=UTC),
        procedure=Procedure.PACT_REGULAR if stream is Stream.PACT else Procedure.NATIONAL_REGULAR,
        category=Category.A if stream is Stream.BACKLOG else None,
        policy_version="cp-2026-10",
        deadline=date(2026, 11, 5),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=amv,
        unaccompanied=amv,
    )
    return front_end_event(
        data, subject=case_id, stream=stream, actor="system:intake", clock=AT_START
    )


def issued(case_id: str, stream: Stream, on: date, *, grant: bool) -> Any:
    base = example(DecisionIssued)
    days = (on - date(2026, 11, 5)).days
    data = base.model_copy(
        update={
            "outcome": DecisionOutcome.GRANT if grant else base.outcome,  # type: ignore[attr-defined]
            "issued_on": on,
            "deadline": date(2026, 11, 5),
            "days_relative_to_deadline": days,
            "deadline_met": days <= 0,
        }
    )
    return front_end_event(
        data, subject=case_id, stream=stream, actor="system:decision", clock=AT_START
    )


async def test_figures_equal_the_topics_and_a_rebuild(
    planning: ServiceRuntime, settings: Settings
) -> None:
    backlog, pact = Stream.BACKLOG, Stream.PACT
    intake_b, intake_p = stage_events(backlog, Stage.INTAKE), stage_events(pact, Stage.INTAKE)
    decision_b = stage_events(backlog, Stage.DECISION)
    decision_p = stage_events(pact, Stage.DECISION)
    # A decision before its registration waits for it (parked), then counts.
    await publish(settings, decision_p, issued("p-1", pact, date(2026, 11, 12), grant=False))
    await publish(
        settings,
        intake_b,
        registered("b-1", backlog),
        registered("b-2", backlog, amv=True),
        registered("b-3", backlog),
    )
    await publish(settings, intake_p, registered("p-1", pact), registered("p-2", pact))
    await publish(settings, decision_p, issued("p-2", pact, date(2026, 11, 4), grant=False))
    await publish(settings, decision_b, issued("b-2", backlog, date(2026, 11, 20), grant=False))
    hold = example(DecisionOnHold).model_copy(update={"since": date(2026, 11, 10)})
    await publish(
        settings,
        decision_b,
        front_end_event(
            hold, subject="b-3", stream=backlog, actor="system:decision", clock=AT_START
        ),
    )

    deadline = time.monotonic() + 30
    kept: list[Any] = []
    while time.monotonic() < deadline:
        async with AsyncSession(planning.engine) as session:
            kept = await db.all_records(session)
        if sum(1 for r in kept if r.decided_on) == 3 and any(r.holds for r in kept):
            break
        await asyncio.sleep(0.1)
    until = date(2026, 11, 30)
    figures = monthly_figures(kept, until)
    value = {(f.stream, f.figure, f.group): f.value for f in figures if f.month == "2026-11"}

    # Counts taken straight from the topics.
    decided = [
        decode(r.headers, r.value)
        for topic in (decision_b, decision_p)
        for r in await read_topic(settings, topic, expect=2)
    ]
    decisions = [e for e in decided if isinstance(e.data, DecisionIssued)]
    pact_decisions = [e for e in decisions if e.stream is pact]
    assert value[("pact", "pact_decided", "")] == len(pact_decisions) == 2
    assert value[("pact", "pact_decided_in_time", "")] == sum(
        1 for e in pact_decisions if e.data.deadline_met
    )
    assert value[("backlog", "backlog_decided", "")] == 1
    assert value[("backlog", "amv_decided", "")] == 1
    assert value[("backlog", "backlog_open", "")] == 3 - 1
    assert value[("backlog", "holds_open", "decision_obstacle")] == sum(
        1 for e in decided if isinstance(e.data, DecisionOnHold)
    )

    rebuilt = await rebuild(settings, rules())
    assert sorted(rebuilt) == sorted(r.case_id for r in kept)
    assert monthly_figures(rebuilt.values(), until) == figures


async def test_a_cycle_drafted_comes_with_a_clearance_forecast(
    planning: ServiceRuntime, settings: Settings
) -> None:

    teams = (TeamCapacity(team="general", caseworkers=100, hours_per_week=36),)
    declared = CapacityDeclared(
        prephase_places=500,
        hearing_days=0,
        decision_days=0,
        prephase_location_operational=True,
        teams=teams,
    )
    await publish(
        settings,
        PLANNING_INPUT,
        front_end_event(
            declared, subject="2026-11", stream=None, actor="planner:pl-1", clock=AT_START
        ),
    )
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.INTAKE),
        *(registered(f"b-{i}", Stream.BACKLOG) for i in range(3)),
    )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with AsyncSession(planning.engine) as session:
            if len(await db.all_records(session)) == 3 and await db.capacities(session):
                break
        await asyncio.sleep(0.1)

    async def work(uow: Any) -> None:
        await daily.plan_day(uow, SETTINGS.config())

    assert planning.processor is not None
    await planning.processor.run_work(work)
    records = await read_topic(settings, plan_events(Stream.BACKLOG), expect=4, settle=0.3)
    made = [decode(r.headers, r.value) for r in records]
    [forecast] = [e for e in made if isinstance(e.data, BacklogForecastMade)]
    assert forecast.subject == "cycle-2026-11-02"
    assert forecast.data.as_of == date(2026, 11, 2)
    # Made as the cycle is drafted, before its releases: three cases to release. They fit
    # the cycle (2 November - 1 February), the last released on its last working day, Monday
    # 1 February 2027, and decided six weeks (the decision lag) later.
    assert forecast.data.pooled == 3
    assert forecast.data.cleared_on == date(2027, 2, 1) + timedelta(weeks=6)
    assert forecast.data.open_at_target == 0
