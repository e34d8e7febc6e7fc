"""Across planning, prephase and decision on the real broker and database (issue 10, ADR 0029):
a category-C case completes its prephase with the account only; a new country policy moves it
to D, whose decider also needs the language indication and the origin investigation. Hearing
reports it ready: planning holds the release to decision and names the missing items; a
decider's draft is refused with that reason. The caseworker records the two findings late, on
the completed prephase's file; planning releases the case to decision and the draft goes in.
Intake and hearing are stood in for by their facts (published as they would publish them)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Table, select

from decision.app import definition as decision_definition
from decision.persistence import cases as decision_cases
from planning.app import definition as planning_definition
from planning.persistence import pool
from prephase.app import definition as prephase_definition
from prephase.app import invite_waiting_cases
from prephase.persistence import cases as prephase_cases
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.catalogue import location_day_key
from shared.contracts.events.common import DecisionOutcome, LegalGround, Procedure
from shared.contracts.events.decision import DecisionDrafted, DecisionDraftRecorded
from shared.contracts.events.hearing import ReadyForDecision
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRecategorised,
    CaseRegistered,
    LogisticsPart,
    RecategorisationReason,
)
from shared.contracts.events.planning import (
    CaseReleased,
    FileItem,
    InterpreterPlaces,
    PrephaseLocationDayPlanned,
    ReleaseHeld,
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
    PrephaseCompletionRecorded,
    ReturnInformant,
    ReturnInformationRecorded,
    WrittenAccountRecorded,
)
from shared.contracts.topics import Stage, plan_events, rejections, stage_events
from shared.contracts.topics import stage_input as input_topic
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday
DAY = date(2026, 10, 19)
LOCATION = "prephase-zwolle"
CASE = "e2e-held-1"
B = Stream.BACKLOG


def event(data: EventData, *, actor: str, subject: str = CASE) -> Envelope[Any]:
    return front_end_event(data, subject=subject, stream=B, actor=actor)


async def until(
    runtime: ServiceRuntime, table: Table, check: Callable[[dict[str, Any]], bool], what: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 60  # a loaded machine is slow, a healthy one fast
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(table.c.state).where(table.c.case_id == CASE))).first()
        state = row.state if row is not None else {}
        if state and check(state):
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(f"never reached: {what}; found {state}")


async def events_of(settings: Settings, stage: Stage, expect: int) -> list[EventData]:
    records = await read_topic(settings, stage_events(B, stage), expect=expect, settle=0.5)
    return [e.data for r in records if (e := decode(r.headers, r.value)).subject == CASE]


async def test_a_late_finding_releases_a_held_case_and_decision_waits_for_the_release(
    settings: Settings,
) -> None:
    clock = DrivenClock(NOW)
    definitions = (planning_definition, prephase_definition, decision_definition)
    async with running(settings, *definitions, clock=clock) as (planning, prephase, decision):
        intake = stage_events(B, Stage.INTAKE)
        registration = CaseRegistered(
            v_number="3000000101",
            nationality="MAR",
            stream=B,
            lodged_at=datetime(2025, 2, 1, 9, tzinfo=UTC),
            procedure=Procedure.NATIONAL_REGULAR,
            category=Category.C,
            policy_version="cp-2026-10",
            deadline=date(2027, 3, 1),
            deadline_basis="Vw 2000 art. 42(1)",
            minor_on_lodging=False,
            unaccompanied=False,
        )
        logistics = ApplicantLogisticsChanged(
            interpreter_languages=("ara",),
            reception_location="coa-budel",
            lawyer="rvr-40211",
            court_district=None,
            changed=tuple(LogisticsPart),
        )
        await publish(
            settings,
            intake,
            event(registration, actor="system:intake"),
            event(logistics, actor="system:intake"),
        )
        # Planning's location day and release to prephase, as planning publishes them.
        day = PrephaseLocationDayPlanned(
            location=LOCATION,
            day=DAY,
            places=2,
            interpreters=(InterpreterPlaces(language="ara", places=2),),
        )
        await publish(
            settings,
            plan_events(B),
            event(day, actor="system:planning", subject=location_day_key(LOCATION, DAY)),
        )
        to_prephase = CaseReleased(
            stage=ReleaseStage.PREPHASE, release_day=NOW.date(), team="team-maghreb-1"
        )
        await publish(
            settings, stage_events(B, Stage.PLANNING), event(to_prephase, actor="system:planning")
        )
        await until(
            prephase,
            prephase_cases,
            lambda s: bool(s.get("logistics")) and s["status"] == "waiting",
            "waiting with logistics",
        )
        await until(planning, pool, lambda s: s["category"] == "C", "planning's C case")
        assert prephase.processor is not None
        await prephase.processor.run_work(lambda uow: invite_waiting_cases(prephase, uow))
        await until(prephase, prephase_cases, lambda s: s["status"] == "invited", "invited")

        # The day: what category C requires, no language indication, no origin investigation.
        clock.set(datetime(2026, 10, 19, 9, 0, tzinfo=UTC))
        worker = "caseworker:cw-7"
        passport = HandedInDocument(
            kind=DocumentKind.PASSPORT, original=True, issuing_country="MAR"
        )
        day_outcomes: list[EventData] = [
            PrephaseAttendanceRecorded(day=DAY, attended=True),
            DocumentsRecorded(documents=(passport,)),
            WrittenAccountRecorded(
                received_on=DAY, language="ara", pages=3, translation_needed=True
            ),
            ReturnInformationRecorded(given_on=DAY, given_by=ReturnInformant.IND),
            PrephaseCompletionRecorded(completed_on=DAY),
        ]
        prephase_in = input_topic(B, Stage.PREPHASE)
        await publish(settings, prephase_in, *(event(o, actor=worker) for o in day_outcomes))
        await until(prephase, prephase_cases, lambda s: s["status"] == "completed", "completed")
        await until(planning, pool, lambda s: s["file_known"], "planning knows the file")

        # A new country policy moves the case to D; hearing then reports it ready.
        moved = CaseRecategorised(
            old_category=Category.C,
            new_category=Category.D,
            reason=RecategorisationReason.POLICY_CHANGE,
            policy_version="cp-2026-11",
        )
        await publish(settings, intake, event(moved, actor="system:intake"))
        await until(planning, pool, lambda s: s["category"] == "D", "planning's D")
        ready = ReadyForDecision(ready_on=date(2026, 11, 16), heard=True, category=Category.D)
        clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
        await publish(
            settings, stage_events(B, Stage.HEARING), event(ready, actor="system:hearing")
        )

        # Planning holds the release; decision knows why and refuses the decider's draft.
        held = await until(
            planning, pool, lambda s: s.get("decision_held_on") is not None, "the release held"
        )
        assert held["stage"] != "decision"  # not released to decision
        await until(decision, decision_cases, lambda s: bool(s["release_held"]), "decision knows")
        draft = DecisionDraftRecorded(
            proposed_outcome=DecisionOutcome.GRANT,
            proposed_legal_ground=LegalGround.B,
            standardised=False,
        )
        decision_in = input_topic(B, Stage.DECISION)
        await publish(settings, decision_in, event(draft, actor="decider:dc-1"))
        [rejected] = [
            decode(r.headers, r.value).data
            for r in await read_topic(settings, rejections(B), expect=1, settle=0.5)
        ]
        assert rejected.rejected_by == "decision"
        assert rejected.refusal_kind == "not_released"
        assert "the file lacks language indication, origin investigation" in rejected.reason
        planning_out = await events_of(settings, Stage.PLANNING, expect=2)
        assert [e for e in planning_out if isinstance(e, ReleaseHeld)] == [
            ReleaseHeld(
                stage=ReleaseStage.DECISION,
                missing_items=(FileItem.LANGUAGE_INDICATION, FileItem.ORIGIN_INVESTIGATION),
            )
        ]

        # The missing findings, recorded late on the completed prephase's file.
        late: list[EventData] = [
            LanguageIndicationRecorded(result=LanguageIndicationResult.CONSISTENT, language="ara"),
            OriginInvestigationRecorded(result=OriginFinding.PLAUSIBLE),
        ]
        await publish(settings, prephase_in, *(event(o, actor=worker) for o in late))
        released = await until(
            decision, decision_cases, lambda s: s["released_to"] == "decision", "released"
        )
        assert released["release_held"] == []
        after = await until(
            prephase, prephase_cases, lambda s: s["findings"]["origin"] is not None, "late findings"
        )
        assert after["status"] == "completed"  # not reopened
        planning_out = await events_of(settings, Stage.PLANNING, expect=3)
        releases = [e.stage for e in planning_out if isinstance(e, CaseReleased)]
        assert releases == [ReleaseStage.PREPHASE, ReleaseStage.DECISION]

        # Now the draft goes in.
        await publish(settings, decision_in, event(draft, actor="decider:dc-1"))
        decided = await until(decision, decision_cases, lambda s: s["draft"] is not None, "draft")
        assert decided["draft"]["proposal"]["outcome"] == "grant"
        decision_out = await events_of(settings, Stage.DECISION, expect=1)
        assert [type(e) for e in decision_out] == [DecisionDrafted]
        still = await read_topic(settings, rejections(B), expect=2, timeout=2)
        assert len(still) == 1  # the late findings and the second draft were not refused
