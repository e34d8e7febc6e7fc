"""A small simulated run through every service on the real broker and database, driven a day
at a time: the summary equals counts taken straight from the topics, every chain partner is
told something, the run's checks on the plan hold, and the same seed gives the same figures."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

import hearing.app
from chain_notify.app import definition as chain_notify
from decision.app import definition as decision
from intake.app import definition as intake
from planning.app import definition as planning
from prephase.app import definition as prephase
from shared.contracts.topics import Kind, Partner, TopicSpec, all_topics, kind_of
from shared.runtime.broker import ensure_topics
from shared.runtime.clock import DrivenClock
from shared.runtime.settings import Settings
from shared.tools.testing.runtimes import running
from simulator.handoff import FIGURES_STEM, command_environment, export_planning_figures
from simulator.page import render_page
from simulator.reading import all_records, summary_of
from simulator.run import Simulation, tuned
from simulator.summary import checks
from simulator.world import WorldConfig, moment

pytestmark = pytest.mark.integration

SMALL = WorldConfig(
    seed=7,
    scale=120 / 54_000,
    starts=date(2026, 6, 1),
    ends=date(2026, 8, 31),
    pact_per_year=250 * 54_000 // 120,  # about 250 a year at this scale
    operational_from=date(2026, 6, 1),
)
PROGRAMME_START = date(2026, 10, 1)


async def simulate(settings: Settings, config: WorldConfig, tmp: Path, monkeypatch) -> Simulation:
    simulated = tuned(settings)
    services = (intake, planning, prephase, hearing.app.definition, decision, chain_notify)
    # Each service follows the driver on a clock of its own, as in the demo's processes.
    async with running(simulated, *services, clock=lambda: DrivenClock(moment(config.starts))):
        simulation = Simulation(simulated, config)
        await simulation.run()
    return simulation


def raw_counts(records) -> Counter[tuple[str, str]]:
    """(type, stream) counted from the record headers alone, without the simulator's code."""
    counts: Counter[tuple[str, str]] = Counter()
    for _, _, raw in records:
        headers = dict(raw.headers)
        counts[(headers["ce_type"].decode(), (headers.get("ce_stream") or b"").decode())] += 1
    return counts


def partner_counts(records, prefix: str) -> Counter[str]:
    """Records per partner, from the partner topics' names alone."""
    counts: Counter[str] = Counter()
    for _, _, raw in records:
        topic = raw.topic.removeprefix(prefix)
        if kind_of(topic) is Kind.PARTNER:
            counts[topic.split(".")[3]] += 1
    return counts


async def test_the_summary_equals_the_topics(
    settings: Settings, tmp_path: Path, monkeypatch, progress_page_check
):
    await simulate(settings, SMALL, tmp_path, monkeypatch)
    summary = await summary_of(settings, PROGRAMME_START)
    records = await all_records(settings)
    raw = raw_counts(records)
    for stream in ("backlog", "pact"):
        assert summary.registered[stream] == raw[("nl.ind.intake.case-registered.v1", stream)]
        assert summary.decided[stream] == raw[("nl.ind.decision.issued.v1", stream)]
        assert summary.decided[stream] > 0, f"no {stream} decision in the run"
    assert summary.registered["backlog"] == SMALL.backlog_cases
    # Every chain partner was told something, and the summary says as much as the topics.
    told = partner_counts(records, settings.topic_prefix)
    assert summary.notices == told
    assert {p.value for p in Partner} == {p for p, n in told.items() if n > 0}, told
    # The run's checks on the plan's assumptions hold (and say why where not).
    assert [(name, figure) for name, passed, figure in checks(summary) if not passed] == []
    assert sum(summary.rejections.values()) == sum(
        n for (t, _), n in raw.items() if t == "nl.ind.caseflow.input-rejected.v1"
    )
    # The hand-off to the progress page: planning's own figures, up to the run's last month,
    # agree with the summary.
    folder = export_planning_figures(settings, SMALL.ends, tmp_path / "demo")
    with (folder / f"{FIGURES_STEM}.csv").open() as csv_file:
        rows = list(csv.DictReader(csv_file))
    same = json.loads((folder / f"{FIGURES_STEM}.json").read_text())["rows"]
    assert [(r["month"], r["figure"]) for r in same] == [(r["month"], r["figure"]) for r in rows]
    last = {r["figure"]: r["value"] for r in rows if r["month"] == "2026-08" and not r["group"]}
    assert int(last["backlog_decided_total"]) == summary.decided["backlog"]
    # The monthly progress page of this run, as make demo shows it, in a real browser.
    index = await asyncio.to_thread(render_page, folder, command_environment(settings))
    await progress_page_check(index, same, tmp_path, "progress-page-simulated-run")


async def test_the_same_seed_gives_the_same_figures(
    settings: Settings, tmp_path: Path, monkeypatch
):
    short = dataclasses.replace(SMALL, ends=date(2026, 6, 20))
    other = settings.model_copy(
        update={
            "topic_prefix": f"{settings.topic_prefix}b.",
            "schema_prefix": f"{settings.schema_prefix}b_",
        }
    )
    specs = [
        TopicSpec(s.name, s.kind, s.stream, s.owner, s.description, partitions=2)
        for s in all_topics()
    ]
    await ensure_topics(other, specs)
    figures = []
    for run_settings in (settings, other):
        simulation = await simulate(run_settings, short, tmp_path, monkeypatch)
        summary = await summary_of(run_settings, PROGRAMME_START)
        figures.append((summary.figures(), simulation.report.inputs))
    assert figures[0] == figures[1]
    assert figures[0][0]["registered"]
