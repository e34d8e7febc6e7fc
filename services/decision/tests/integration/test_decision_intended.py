"""The intended-decision step switched on, on the real broker and database: for an old-rules
case the refusal waits for its intended decision and the applicant's view, then is issued."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from decision import handlers
from decision.app import SETTINGS, definition
from decision.persistence import cases
from shared.contracts.envelope import EventData, decode
from shared.contracts.events.common import DecisionOutcome, Procedure, RejectionKind
from shared.contracts.events.decision import (
    ApplicantViewRecorded,
    DecisionDraftRecorded,
    DecisionIssueRecorded,
    DecisionReviewRecorded,
    IntendedDecisionRecorded,
)
from shared.contracts.events.hearing import ReadyForDecision
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import CaseReleased, ReleaseStage
from shared.contracts.topics import Stage, rejections, stage_events, stage_input
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
B = Stream.BACKLOG


@pytest.fixture
async def decision(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    def rules() -> Any:
        return handlers.rules(SETTINGS.config().model_copy(update={"intended_decision": True}))

    switched_on = dataclasses.replace(definition, rules=rules)
    runtime = ServiceRuntime(switched_on, settings, clock=DrivenClock(NOW))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


async def is_ready(runtime: ServiceRuntime) -> bool:
    async with runtime.engine.connect() as conn:
        row = (await conn.execute(select(cases.c.state).where(cases.c.case_id == "case-v"))).first()
    return (
        row is not None
        and row.state["ready_on"] is not None
        and row.state["released_to"] == "decision"
    )


def fact(data: EventData, actor: str) -> Any:
    return front_end_event(data, subject="case-v", stream=B, actor=actor)


async def test_an_old_rules_refusal_waits_for_its_intended_decision_and_the_view(
    decision: ServiceRuntime, settings: Settings
) -> None:
    registered = CaseRegistered(
        v_number="1000000007",
        nationality="NGA",
        stream=B,
        lodged_at=datetime(2025, 3, 3, 9, tzinfo=UTC),
        procedure=Procedure.NATIONAL_REGULAR,
        category=Category.C,
        policy_version="cp-2026-10",
        deadline=date(2027, 3, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    await publish(settings, stage_events(B, Stage.INTAKE), fact(registered, "system:intake"))
    ready = ReadyForDecision(ready_on=date(2026, 11, 2), heard=True)
    await publish(settings, stage_events(B, Stage.HEARING), fact(ready, "system:hearing"))
    to_decision = CaseReleased(stage=ReleaseStage.DECISION, release_day=ready.ready_on, team="t-1")
    await publish(settings, stage_events(B, Stage.PLANNING), fact(to_decision, "system:planning"))
    # Facts and input travel on different topics: the input waits until the case is ready.
    give_up = time.monotonic() + 90
    while not await is_ready(decision):
        assert time.monotonic() < give_up, "the case never became ready"
        await asyncio.sleep(0.1)
    issue = DecisionIssueRecorded(
        outcome=DecisionOutcome.REJECTION,
        rejection_kind=RejectionKind.UNFOUNDED,
        standardised=False,
        issued_on=date(2026, 11, 12),
        sent_at=NOW,
    )
    inputs = stage_input(B, Stage.DECISION)
    draft = DecisionDraftRecorded(proposed_outcome=DecisionOutcome.REJECTION, standardised=False)
    # In order on one partition (one case): each answered or refused before the next.
    await publish(
        settings,
        inputs,
        fact(draft, "decider:dc-1"),
        fact(DecisionReviewRecorded(approved=True), "decider:dc-2"),
        fact(issue, "decider:dc-3"),  # no intended decision yet
        fact(IntendedDecisionRecorded(sent_on=date(2026, 11, 2)), "decider:dc-1"),
        fact(issue, "decider:dc-3"),  # the applicant's period runs to 30 November
        fact(ApplicantViewRecorded(received_on=date(2026, 11, 10)), "decider:dc-1"),
        fact(issue, "decider:dc-3"),  # after the view
    )
    out = [
        decode(r.headers, r.value)
        for r in await read_topic(settings, stage_events(B, Stage.DECISION), expect=5, timeout=90)
    ]
    assert [e.type.split(".")[3] for e in out] == [
        "drafted",
        "reviewed",
        "intended-decision-sent",
        "applicant-view-received",
        "issued",
    ]
    assert out[2].data.response_due == date(2026, 11, 30)
    refused = [
        decode(r.headers, r.value).data
        for r in await read_topic(settings, rejections(B), expect=2, timeout=30)
    ]
    assert [r.refusal_kind for r in refused] == [
        "intended_decision_missing",
        "intended_decision_pending",
    ]
