"""Planning's commands end to end on the real broker and database, through the same command
line a planner uses (`python -m planning ...`, here in-process: a new interpreter costs tens of
seconds on a loaded machine): the forecast with what-ifs, the explanation of a cycle and a
case, a case's timeline, the figures export and its rebuild from the topics, and a capacity
file checked and published."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from planning import daily
from planning import persistence as db
from planning.app import SETTINGS, definition
from planning.cli import COMMANDS
from shared.contracts.envelope import decode
from shared.contracts.events.common import Procedure
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import BacklogForecastMade, CapacityDeclared, TeamCapacity
from shared.contracts.topics import PLANNING_INPUT, Stage, plan_events, stage_events
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
# The events' own time too: a rebuild dates them by it (wall time made the figures depend on
# the day the tests ran).
AT_START = DrivenClock(START)


def registered(case_id: str, nationality: str, category: Category) -> Any:
    data = CaseRegistered(
        v_number="1000000001",
        nationality=nationality,
        stream=Stream.BACKLOG,
        lodged_at=datetime(2024, 3, 1, 10, tzinfo=UTC),
        procedure=Procedure.NATIONAL_REGULAR,
        category=category,
        policy_version="cp-2026-10",
        deadline=date(2027, 6, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    return front_end_event(
        data, subject=case_id, stream=Stream.BACKLOG, actor="system:intake", clock=AT_START
    )


def cli() -> typer.Typer:
    """The service's own commands, as `python -m planning` adds them."""
    app = typer.Typer()
    for command in COMMANDS:
        app.command()(command)
    return app


async def command(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
    }
    # A command runs its own event loop (asyncio.run): in a thread of its own.
    result = await asyncio.to_thread(CliRunner().invoke, cli(), list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


async def test_the_commands_on_a_small_run(settings: Settings, tmp_path: Path) -> None:
    planning = ServiceRuntime(definition, settings, clock=DrivenClock(START))
    await planning.migrate()
    await planning.start()
    try:
        await small_run(planning, settings)
    finally:
        # The commands run with the service stopped: its log lines stay out of their output.
        await planning.stop()
    code, out, _ = await command(settings, "forecast")
    assert code == 0
    assert out.splitlines()[0] == "scenario: the plan as it is"
    assert "cleared:" in out
    code, what_if, _ = await command(
        settings, "forecast", "--caseworkers", "2027-03:+40", "--rate", "A:2.5"
    )
    assert code == 0
    assert what_if.splitlines()[0] == "scenario: +40 caseworkers from 2027-03, A at 2.5 a day"

    code, cycle, _ = await command(settings, "explain", "cycle-2026-11-02")
    assert code == 0
    assert "a-syr" in cycle
    assert "c-afg" in cycle
    code, case, _ = await command(settings, "explain", "b-0")
    assert code == 0
    assert case.startswith("b-0:\n  waiting for a place in a plan cycle: category A")
    code, _, err = await command(settings, "explain", "nobody")
    assert code == 1
    assert "does not know nobody" in err

    code, where, _ = await command(settings, "where", "b-0")
    assert code == 0
    assert where.splitlines()[0] == "case b-0 (backlog, national_regular)"
    assert "legal deadline 2027-06-01" in where
    assert "1000000001" not in where  # no V-number

    code, _, _ = await command(settings, "export-figures", str(tmp_path / "kept"))
    assert code == 0
    code, _, _ = await command(
        settings, "export-figures", str(tmp_path / "rebuilt"), "--from-topics"
    )
    assert code == 0
    kept = json.loads((tmp_path / "kept.json").read_text())
    rebuilt = json.loads((tmp_path / "rebuilt.json").read_text())
    assert kept["schema"] == "caseflow-monthly-figures/1"
    assert kept["rows"] == rebuilt["rows"]
    rows = {(r["month"], r["stream"], r["figure"]): r["value"] for r in kept["rows"]}
    assert rows[("2026-11", "backlog", "backlog_open")] == 8
    assert ("2026-11", "backlog", "forecast_clearance") in rows  # from the cycle's forecast
    header = (tmp_path / "kept.csv").read_text().splitlines()[0]
    assert header == "month,stream,figure,group,value"

    code, _, err = await command(settings, "declare-capacity", "--as-of", "2026-11-02")
    assert code == 1
    assert "refused: 2026-10: capacity for 2026-10 lies in the past" in err
    code, out, _ = await command(settings, "declare-capacity", "--as-of", "2026-10-01")
    assert code == 0
    assert out.startswith("published capacity for 6 months")
    records = await read_topic(settings, PLANNING_INPUT, expect=3 + 6, settle=0.3)
    published = [decode(r.headers, r.value) for r in records]
    march = [e for e in published if e.subject == "2027-03"]
    assert [e.actor for e in march] == ["planner:pl-0001"]
    assert sum(t.caseworkers for t in march[0].data.teams) == 105


async def small_run(planning: ServiceRuntime, settings: Settings) -> None:
    """Three months of capacity, eight backlog cases, and the first day's pass."""
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
        *(
            front_end_event(declared, subject=m, stream=None, actor="planner:pl-1", clock=AT_START)
            for m in ("2026-11", "2026-12", "2027-01")
        ),
    )
    cases = [registered(f"b-{i}", "SYR", Category.A) for i in range(6)]
    cases += [registered(f"c-{i}", "AFG", Category.C) for i in range(2)]
    await publish(settings, stage_events(Stream.BACKLOG, Stage.INTAKE), *cases)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        async with AsyncSession(planning.engine) as session:
            if len(await db.all_records(session)) == 8 and len(await db.capacities(session)) == 3:
                break
        await asyncio.sleep(0.1)

    async def work(uow: Any) -> None:
        await daily.plan_day(uow, SETTINGS.config())

    assert planning.processor is not None
    await planning.processor.run_work(work)
    # The pass's events are out (the relay) before the service stops: the rebuild reads them.
    records = await read_topic(settings, plan_events(Stream.BACKLOG), expect=5, settle=0.5)
    assert any(isinstance(decode(r.headers, r.value).data, BacklogForecastMade) for r in records)
