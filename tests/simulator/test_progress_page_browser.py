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
import re
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
from simulator.page import render_page, write_figures_export

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".data" / "screenshots"
CHROMIUM = os.environ.get("CASEFLOW_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
PHONE = {"width": 375, "height": 812}


def browser_or_skip() -> str:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM}: `apt-get install chromium` "
            "(make test does it when run as root, as CI does)"
        )
    pytest.importorskip("playwright.async_api", reason="playwright is a dev dependency")
    return CHROMIUM


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


def shown_value(figure: str, text: str) -> float | str:
    """What a reader reads in a cell, back as a number or an ISO date."""
    if text.endswith("%"):
        return float(text[:-1]) / 100
    if re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", text):
        return datetime.strptime(text, "%d %b %Y").date().isoformat()  # noqa: DTZ007
    return float(text.replace(",", ""))


async def test_the_page_of_a_small_run_in_chromium(
    settings: Settings, planning: ServiceRuntime, tmp_path: Path
) -> None:
    chromium = browser_or_skip()
    from playwright.async_api import async_playwright

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
    index = await asyncio.to_thread(lambda: render_page(write_figures_export(out, env), env))
    assert index == out / "index.html"
    rows = json.loads((out / "figures.json").read_text())["rows"]
    expected = {f"{r['month']}|{r['stream']}|{r['figure']}|{r['group']}": r for r in rows}
    assert expected, "the small run gave no figures"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    async with async_playwright() as p:
        context = await p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium,
            headless=True,
            args=FLAGS,
            viewport=PHONE,
        )
        try:
            page = await context.new_page()

            async def no_network(route: Any) -> None:
                if not route.request.url.startswith("file://"):
                    outside.append(route.request.url)
                    await route.abort()
                else:
                    await route.continue_()

            await page.route("**/*", no_network)
            await page.goto(index.as_uri())

            charts = await page.eval_on_selector_all(
                "svg.chart",
                """els => els.map(e => {
                    const box = e.getBoundingClientRect();
                    const ids = (e.getAttribute('aria-labelledby') || '').split(' ');
                    return {id: e.id, role: e.getAttribute('role'), width: box.width,
                            height: box.height,
                            label: ids.map(i => document.getElementById(i)?.textContent || '')
                                      .join(' ').trim(),
                            marks: e.querySelectorAll('.mark').length,
                            noData: e.querySelectorAll('.no-data').length}; })""",
            )
            assert {c["id"] for c in charts} >= {
                "chart-pact",
                "chart-backlog",
                "chart-forecast",
                "chart-amv",
                "chart-grants",
                "chart-holds",
                "chart-partners",
            }
            # A chart draws when the export has its figures, and says so plainly when not.
            names = {r["figure"] for r in rows}
            dated = {r["figure"] for r in rows if re.fullmatch(r"\d{4}-\d\d-\d\d", str(r["value"]))}
            has = {
                "chart-forecast": any(n.startswith("forecast") for n in dated),
                "chart-partners": any(
                    w in n for n in names for w in ("partner", "notice", "appeal", "transport")
                ),
            }
            for chart in charts:
                assert chart["role"] == "img", chart["id"]
                assert chart["width"] > 300, chart
                assert chart["height"] > 150, chart
                assert len(chart["label"]) > 40, chart["id"]
                if has.get(chart["id"], True):
                    assert chart["marks"] > 0, f"{chart['id']} drew nothing"
                    assert chart["noData"] == 0, chart["id"]
                else:
                    assert chart["noData"] == 1, f"{chart['id']} has no figures: it must say so"

            cells = await page.eval_on_selector_all(
                "td[data-key]",
                "els => els.map(e => [e.dataset.key, e.dataset.value, e.innerText.trim()])",
            )
            seen: dict[str, str] = {}
            for key, raw, text in cells:
                assert key in expected, f"{key} is on the page but not in the export"
                value = expected[key]["value"]
                assert raw == str(value), key
                read = shown_value(expected[key]["figure"], text)
                if isinstance(value, str):
                    assert read == value, key
                else:
                    assert read == pytest.approx(value, abs=0.0005), key
                assert seen.setdefault(key, raw) == raw
            assert set(seen) == set(expected), "figures of the export missing from the page"

            lines = await page.eval_on_selector_all("p.line", "els => els.map(e => e.innerText)")
            assert any("1 was late" in line for line in lines), lines  # p-4

            scroll = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll[0] <= scroll[1], f"horizontal scroll at 375 px: {scroll}"
            await page.screenshot(path=str(SCREENSHOTS / "progress-page-phone.png"), full_page=True)
            await page.set_viewport_size({"width": 1280, "height": 900})
            await page.screenshot(path=str(SCREENSHOTS / "progress-page.png"), full_page=True)
        finally:
            await context.close()
    assert outside == [], f"the page fetched from the network: {outside}"
    assert (SCREENSHOTS / "progress-page.png").stat().st_size > 10_000
    shutil.copyfile(out / "index.html", SCREENSHOTS / "progress-page.html")
