"""The monthly progress page (R14) of a small run, in a real browser: the end of `make demo`.

A short deterministic stream of real case events (registrations, decisions in and out of
time, grants, AMV cases, holds over three months) goes through the broker to planning on the
real servers; the demo's own hand-off (`simulator/page.py`) runs planning's `export-figures`
and `figures-page` commands as subprocesses on that database; Debian's Chromium, headless,
opens the page. Every
chart has rendered, the figures on the page equal those in the export, a phone-sized viewport
shows no horizontal scroll, and nothing was fetched from the network. Screenshots go to
`.data/screenshots/` (docs/progress-page.md).

Chromium is a system package: `make test` installs it (apt) when missing and run as root, as
in CI; elsewhere this test is skipped, with the reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from planning import persistence as db
from planning.app import definition
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionIssued, DecisionOnHold
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.topics import Stage, stage_events
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event, publish
from simulator.handoff import FIGURES_STEM, export_planning_figures
from simulator.page import render_page

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def planning(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(definition, settings, clock=DrivenClock(START))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


def registered(case_id: str, stream: Stream, category: Category | None, amv: bool) -> Any:
    lodged = date(2026, 3, 1) if stream is Stream.BACKLOG else date(2026, 6, 20)
    data = CaseRegistered(
        v_number="1000000001",
        nationality="SYR",
        stream=stream,
        lodged_at=datetime(lodged.year, lodged.month, lodged.day, 10, tzinfo=UTC),
        procedure=Procedure.PACT_REGULAR if stream is Stream.PACT else Procedure.NATIONAL_REGULAR,
        category=category,
        policy_version="cp-2026-10",
        deadline=date(2026, 9, 15) if stream is Stream.PACT else date(2027, 3, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=amv,
        unaccompanied=amv,
    )
    return front_end_event(data, subject=case_id, stream=stream, actor="system:intake")


def issued(case_id: str, stream: Stream, on: date, *, grant: bool) -> Any:
    deadline = date(2026, 9, 15) if stream is Stream.PACT else date(2027, 3, 1)
    base = example(DecisionIssued).model_dump()
    days = (on - deadline).days
    base.update(issued_on=on, deadline=deadline, days_relative_to_deadline=days)
    base.update(deadline_met=days <= 0)
    if grant:
        base.update(outcome=DecisionOutcome.GRANT, legal_ground="a", rejection_kind=None)
        base.update(departure_period_days=None, departure_period_basis=None, entry_ban=False)
        base.update(enforceable_from=None)
    data = DecisionIssued.model_validate(base)
    return front_end_event(data, subject=case_id, stream=stream, actor="system:decision")


def on_hold(case_id: str, since: date) -> Any:
    hold = DecisionOnHold.model_validate({**example(DecisionOnHold).model_dump(), "since": since})
    return front_end_event(hold, subject=case_id, stream=Stream.BACKLOG, actor="system:decision")


# (case, stream, category, AMV); then (case, decided on, grant); then holds.
CASES = [
    *(
        (f"b-{i}", Stream.BACKLOG, Category.A if i % 2 else Category.C, i in (3, 8))
        for i in range(1, 13)
    ),
    *((f"p-{i}", Stream.PACT, None, False) for i in range(1, 9)),
]
DECISIONS = [
    ("p-1", date(2026, 8, 12), True),
    ("p-2", date(2026, 8, 20), False),
    ("b-1", date(2026, 8, 14), True),
    ("b-2", date(2026, 8, 21), False),
    ("b-3", date(2026, 8, 27), True),
    ("p-3", date(2026, 9, 10), False),
    ("p-4", date(2026, 9, 22), True),  # after the Pact deadline of 15 September: late
    ("b-4", date(2026, 9, 4), False),
    ("b-5", date(2026, 9, 11), True),
    ("b-6", date(2026, 9, 18), False),
    ("p-5", date(2026, 10, 6), False),
    ("b-7", date(2026, 10, 2), True),
    ("b-8", date(2026, 10, 9), False),
    ("b-9", date(2026, 10, 16), True),
]
HOLDS = [("b-10", date(2026, 8, 25)), ("b-11", date(2026, 10, 5))]


async def small_run(settings: Settings, planning: ServiceRuntime) -> None:
    """The small run's events, handled by planning."""
    for case, stream, category, amv in CASES:
        topic = stage_events(stream, Stage.INTAKE)
        await publish(settings, topic, registered(case, stream, category, amv))
    for case, on, grant in DECISIONS:
        stream = Stream.PACT if case.startswith("p-") else Stream.BACKLOG
        await publish(
            settings, stage_events(stream, Stage.DECISION), issued(case, stream, on, grant=grant)
        )
    for case, since in HOLDS:
        await publish(settings, stage_events(Stream.BACKLOG, Stage.DECISION), on_hold(case, since))
    deadline = time.monotonic() + 60
    while True:
        async with AsyncSession(planning.engine) as session:
            kept = await db.all_records(session)
        decided = sum(1 for r in kept if r.decided_on)
        held = sum(1 for r in kept if r.holds)
        if (len(kept), decided, held) == (len(CASES), len(DECISIONS), len(HOLDS)):
            break
        assert time.monotonic() < deadline, f"planning kept {len(kept)}, {decided}, {held}"
        await asyncio.sleep(0.1)


async def test_the_page_of_a_small_run_in_chromium(
    settings: Settings, planning: ServiceRuntime, tmp_path: Path, progress_page_check: Any
) -> None:
    await small_run(settings, planning)
    env = {
        **os.environ,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
    }
    out = tmp_path / "demo"
    # The demo's hand-off, as make demo runs it: planning's commands in subprocesses.
    until = date(2026, 10, 31)  # a month past the small run's last event
    folder = await asyncio.to_thread(export_planning_figures, settings, until, out)
    index = await asyncio.to_thread(render_page, folder, env)
    assert index == out / "index.html"
    rows = json.loads((out / f"{FIGURES_STEM}.json").read_text())["rows"]
    expected = {f"{r['month']}|{r['stream']}|{r['figure']}|{r['group']}": r for r in rows}
    assert expected, "the small run gave no figures"

    lines = await progress_page_check(index, rows, tmp_path, "progress-page")
    assert any("1 was late" in line for line in lines), lines  # p-4
    shutil.copyfile(out / "index.html", ROOT / ".data" / "screenshots" / "progress-page.html")
