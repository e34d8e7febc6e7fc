"""Across intake and decision on the real broker and database, on the driven clock: intake's
suspension moves a case's deadline, and decision's at-risk alert and breach fire on the right
simulated days (issue 14)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from decision.app import definition
from decision.persistence import cases
from intake.app import definition as intake_definition
from shared.contracts.envelope import decode
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import ApplicationRegistered, DeadlineSuspensionGranted
from shared.contracts.topics import REGISTRATION_INPUT, Stage, stage_events
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.simulation import SimulationDriver
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration


async def until(runtime: ServiceRuntime, case_id: str, check: Any) -> None:
    give_up = time.monotonic() + 20
    while time.monotonic() < give_up:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(cases).where(cases.c.case_id == case_id))).first()
        if row is not None and check(row):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{case_id} never reached the expected state")


async def test_a_suspension_moves_the_deadline_and_the_alerts_fire_on_their_simulated_days(
    settings: Settings,
) -> None:
    simulated = settings.model_copy(update={"simulated_clock": True, "fetch_max_wait_ms": 20})
    before = datetime(2026, 11, 30, 12, tzinfo=UTC)
    async with running(
        simulated, intake_definition, definition, clock=lambda: DrivenClock(before)
    ) as services:
        # A Pact regular case lodged 15 June 2026: due 15 December; at risk 10 working days
        # ahead (1 December). Suspended by 3 days: due 18 December, at risk on 4 December.
        lodged = ApplicationRegistered(
            v_number="1000000009",
            nationality="IRQ",
            sex=Sex.MALE,
            date_of_birth=date(1990, 1, 1),
            lodged_at=datetime(2026, 6, 15, 9, tzinfo=UTC),
            unaccompanied=False,
            nuisance=False,
        )
        desk = "caseworker:desk-1"
        await publish(
            simulated,
            REGISTRATION_INPUT,
            front_end_event(lodged, subject="case-s", stream=None, actor=desk),
        )
        await until(services[1], "case-s", lambda row: row.deadline == date(2026, 12, 15))
        suspension = DeadlineSuspensionGranted(days=3, basis="Awb art. 4:15(1)(a)")
        await publish(
            simulated,
            REGISTRATION_INPUT,
            front_end_event(suspension, subject="case-s", stream=None, actor=desk),
        )
        await until(services[1], "case-s", lambda row: row.deadline == date(2026, 12, 18))
        async with SimulationDriver(simulated, ["intake", "decision"]) as driver:
            await driver.run(date(2026, 12, 1), 20)
        # The alert rules' gauges (deploy/alerts.yml), from the database: late, no longer at risk.
        figures = {
            name: services[1].registry.get_sample_value(name, {"stream": "pact"})
            for name in ("caseflow_decision_cases_late", "caseflow_decision_cases_at_risk")
        }
        assert figures == {
            "caseflow_decision_cases_late": 1.0,
            "caseflow_decision_cases_at_risk": 0.0,
        }
    out = [
        decode(r.headers, r.value)
        for r in await read_topic(
            simulated, stage_events(Stream.PACT, Stage.DECISION), expect=2, settle=0.5
        )
    ]
    alerts = [(e.type, e.time.astimezone(UTC).date()) for e in out if e.subject == "case-s"]
    assert alerts == [
        ("nl.ind.decision.at-risk.v1", date(2026, 12, 4)),
        ("nl.ind.decision.late.v1", date(2026, 12, 19)),
    ]
    at_risk = next(e.data for e in out if e.type == "nl.ind.decision.at-risk.v1")
    assert (at_risk.deadline, at_risk.working_days_left) == (date(2026, 12, 18), 10)
