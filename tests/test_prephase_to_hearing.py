"""Across intake, planning, prephase and hearing on the real broker and database (issues 12, 13):
a category-B case with an inconsistent language indication is moved to D by intake (R8), and
planning, prephase and hearing all follow the move (hearing plans a targeted hearing per motive);
a B case that prephase marks eligible for a waiver is waived by hearing, which alone decides."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Table, select

from hearing.app import definition as hearing_definition
from hearing.persistence import cases as hearing_cases
from intake.app import definition as intake_definition
from planning.app import definition as planning_definition
from planning.persistence import pool
from prephase.app import definition as prephase_definition
from prephase.app import invite_waiting_cases
from prephase.persistence import cases as prephase_cases
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.catalogue import location_day_key
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import ApplicantLogisticsRecorded, ApplicationRegistered
from shared.contracts.events.planning import (
    CaseReleased,
    InterpreterPlaces,
    PrephaseLocationDayPlanned,
    ReleaseStage,
)
from shared.contracts.events.prephase import (
    DocumentKind,
    DocumentsRecorded,
    HandedInDocument,
    LanguageIndicationRecorded,
    LanguageIndicationResult,
    OriginFinding,
    OriginInvestigationRecorded,
    PrephaseAttendanceRecorded,
    PrephaseCompleted,
    PrephaseCompletionRecorded,
    WrittenAccountRecorded,
)
from shared.contracts.topics import REGISTRATION_INPUT, Stage, plan_events, stage_events
from shared.contracts.topics import stage_input as input_topic
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday
DAY = date(2026, 10, 19)
LOCATION = "prephase-zwolle"
MOVE, WAIVE = "e2e-move-1", "e2e-waive-1"


def event(
    data: EventData, subject: str, *, actor: str = "caseworker:cw-7", stream: Any = Stream.BACKLOG
) -> Envelope[Any]:
    return front_end_event(data, subject=subject, stream=stream, actor=actor)


async def rows(runtime: ServiceRuntime, table: Table, key: str) -> dict[str, dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        found = await conn.execute(select(table.c[key], table.c.state))
        return {row[0]: row[1] for row in found}


async def until(
    runtime: ServiceRuntime,
    table: Table,
    check: Callable[[dict[str, dict[str, Any]]], bool],
    what: str,
    key: str = "case_id",
) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        found = await rows(runtime, table, key)
        if check(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"never reached: {what}; found {await rows(runtime, table, key)}")


async def test_planning_prephase_and_hearing_follow_the_r8_move_and_hearing_owns_the_waiver(
    settings: Settings,
) -> None:
    clock = DrivenClock(NOW)
    definitions = (intake_definition, planning_definition, prephase_definition, hearing_definition)
    async with running(settings, *definitions, clock=clock) as runtimes:
        _, planning, prephase, hearing = runtimes
        # Two category-B applicants (Myanmar is B under the default country policy).
        for i, case_id in enumerate((MOVE, WAIVE)):
            application = ApplicationRegistered(
                v_number=f"30000000{i:02d}",
                nationality="MMR",
                sex=Sex.FEMALE,
                date_of_birth=date(1992, 3, 4),
                lodged_at=datetime(2025, 2, 1, 9, tzinfo=UTC),
                unaccompanied=False,
                nuisance=False,
            )
            logistics = ApplicantLogisticsRecorded(
                interpreter_languages=("ara",),
                reception_location="coa-budel",
                lawyer="rvr-40211",
                court_district=None,
            )
            await publish(
                settings,
                REGISTRATION_INPUT,
                event(application, case_id, stream=None),
                event(logistics, case_id, stream=None),
            )
        # Planning's capacity and releases, as planning publishes them after a cycle opens.
        day = PrephaseLocationDayPlanned(
            location=LOCATION,
            day=DAY,
            places=5,
            interpreters=(InterpreterPlaces(language="ara", places=5),),
        )
        await publish(
            settings,
            plan_events(Stream.BACKLOG),
            event(day, location_day_key(LOCATION, DAY), actor="system:planning"),
        )
        release = CaseReleased(
            stage=ReleaseStage.PREPHASE,
            release_day=NOW.date(),
            team="team-myanmar-1",
            cycle="cycle-2026-4",
            cohort="cohort-2026-4-01",
        )
        await publish(
            settings,
            stage_events(Stream.BACKLOG, Stage.PLANNING),
            *(event(release, c, actor="system:planning") for c in (MOVE, WAIVE)),
        )
        await until(
            prephase,
            prephase_cases,
            lambda s: all(
                s.get(c, {}).get("logistics") and s[c]["status"] == "waiting" for c in (MOVE, WAIVE)
            ),
            "both cases waiting with their logistics",
        )
        assert prephase.processor is not None
        await prephase.processor.run_work(lambda uow: invite_waiting_cases(prephase, uow))
        await until(
            prephase,
            prephase_cases,
            lambda s: all(s[c]["status"] == "invited" for c in (MOVE, WAIVE)),
            "both invited",
        )

        # The day: the same outcomes, except the language indication.
        clock.set(datetime(2026, 10, 19, 9, 0, tzinfo=UTC))
        passport = HandedInDocument(
            kind=DocumentKind.PASSPORT, original=True, issuing_country="MMR"
        )
        for case_id, result in (
            (MOVE, LanguageIndicationResult.INCONSISTENT),
            (WAIVE, LanguageIndicationResult.CONSISTENT),
        ):
            outcomes: list[EventData] = [
                PrephaseAttendanceRecorded(day=DAY, attended=True),
                DocumentsRecorded(documents=(passport,)),
                LanguageIndicationRecorded(result=result, language="ara"),
                OriginInvestigationRecorded(result=OriginFinding.PLAUSIBLE),
                WrittenAccountRecorded(
                    received_on=DAY, language="ara", pages=3, translation_needed=True
                ),
            ]
            prephase_in = input_topic(Stream.BACKLOG, Stage.PREPHASE)
            await publish(settings, prephase_in, *(event(o, case_id) for o in outcomes))
        # R8: intake moves MOVE to D; prephase and planning follow before the completion.
        await until(
            prephase,
            prephase_cases,
            lambda s: (
                s[MOVE]["category"] == "D"
                and s[WAIVE]["findings"]["written_account"]
                and s[MOVE]["findings"]["written_account"]
            ),
            "the move to D and the day's outcomes",
        )
        pooled = await until(
            planning, pool, lambda s: s.get(MOVE, {}).get("category") == "D", "planning's D"
        )
        assert pooled[WAIVE]["category"] == "B"
        complete = PrephaseCompletionRecorded(completed_on=DAY)
        await publish(
            settings,
            input_topic(Stream.BACKLOG, Stage.PREPHASE),
            *(event(complete, c) for c in (MOVE, WAIVE)),
        )

        # Hearing: the moved case gets a targeted hearing per motive; the eligible B is waived.
        found = await until(
            hearing,
            hearing_cases,
            lambda s: (
                s.get(MOVE, {}).get("status") == "waiting_slot"
                and s.get(WAIVE, {}).get("status") == "ready"
            ),
            "hearing's plans",
        )
        assert found[MOVE]["category"] == "D"
        assert found[MOVE]["plan"]["mode"] == "oral"
        assert found[MOVE]["plan"]["format"] == "targeted_per_motive"
        assert found[WAIVE]["waived"] is True
        assert found[WAIVE]["category"] == "B"
        hearing_out = await read_topic(
            settings, stage_events(Stream.BACKLOG, Stage.HEARING), expect=2, settle=1.0
        )
        decoded = [decode(r.headers, r.value) for r in hearing_out]
        assert sorted((e.subject, type(e.data).__name__) for e in decoded) == [
            (WAIVE, "HearingWaived"),
            (WAIVE, "ReadyForDecision"),
        ]
        completed = await read_topic(
            settings, stage_events(Stream.BACKLOG, Stage.PREPHASE), expect=16, settle=1.0
        )
        completions = [decode(r.headers, r.value) for r in completed]
        eligibility = {
            e.subject: e.data.waiver_eligible
            for e in completions
            if isinstance(e.data, PrephaseCompleted)
        }
        assert eligibility == {MOVE: False, WAIVE: True}
