"""Decision against the real broker and database: facts published as intake, planning and
hearing would, input as deciders' front-ends would; timers on the driven clock."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from decision.app import definition
from decision.persistence import cases
from shared.contracts.envelope import EventData, decode
from shared.contracts.events.common import (
    DecisionOutcome,
    LegalGround,
    Procedure,
    RejectionKind,
)
from shared.contracts.events.decision import (
    DecisionDraftRecorded,
    DecisionIssueRecorded,
    DecisionReviewRecorded,
    EscalationReason,
    HardCaseReferralRecorded,
    HardCaseVoteRecorded,
)
from shared.contracts.events.hearing import HearingWaived, ReadyForDecision, WaiverReason
from shared.contracts.events.intake import (
    CaseRegistered,
)
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
INTAKE_OUT = stage_events(B, Stage.INTAKE)
HEARING_OUT = stage_events(B, Stage.HEARING)
DECISION_IN = stage_input(B, Stage.DECISION)
DECISION_OUT = stage_events(B, Stage.DECISION)


@pytest.fixture
async def decision(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(definition, settings, clock=DrivenClock(NOW))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


TO_DECISION = CaseReleased(stage=ReleaseStage.DECISION, release_day=NOW.date(), team="team-1")


def fact(data: EventData, case_id: str, actor: str) -> Any:
    return front_end_event(data, subject=case_id, stream=B, actor=actor)


def registration(category: Category | None) -> CaseRegistered:
    return CaseRegistered(
        v_number="1000000001",
        nationality="SYR",
        stream=B,
        lodged_at=datetime(2025, 9, 1, 9, tzinfo=UTC),
        procedure=Procedure.NATIONAL_REGULAR,
        category=category,
        policy_version="cp-2026-10",
        deadline=date(2027, 3, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )


async def until(runtime: ServiceRuntime, case_id: str, check: Any) -> None:
    give_up = time.monotonic() + 60  # a loaded machine is slow, a healthy one fast
    while time.monotonic() < give_up:
        async with runtime.engine.connect() as conn:
            row = (await conn.execute(select(cases).where(cases.c.case_id == case_id))).first()
        if row is not None and check(row):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{case_id} never reached the expected state")


def issue(
    outcome: DecisionOutcome, ground: LegalGround | None = None, standardised: bool = False
) -> DecisionIssueRecorded:
    return DecisionIssueRecorded(
        outcome=outcome,
        legal_ground=ground,
        rejection_kind=RejectionKind.UNFOUNDED if outcome is DecisionOutcome.REJECTION else None,
        standardised=standardised,
        issued_on=date(2026, 11, 2),
        sent_at=NOW,
    )


async def test_decisions_for_a_b_c_d_and_a_referred_case(
    decision: ServiceRuntime, settings: Settings
) -> None:
    categories = {
        "case-a": Category.A,
        "case-b": Category.B,
        "case-c": Category.C,
        "case-d": Category.D,
        "case-h": Category.D,
    }
    await publish(
        settings,
        INTAKE_OUT,
        *(fact(registration(c), k, "system:intake") for k, c in categories.items()),
    )
    ready = [
        fact(ReadyForDecision(ready_on=date(2026, 11, 2), heard=True), k, "system:hearing")
        for k in categories
        if k != "case-b"
    ]
    waived = fact(
        HearingWaived(reason=WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED), "case-b", "system:hearing"
    )
    await publish(settings, HEARING_OUT, *ready, waived)
    await publish(
        settings,
        stage_events(B, Stage.PLANNING),
        *(fact(TO_DECISION, k, "system:planning") for k in categories),
    )
    for case_id in categories:
        await until(
            decision,
            case_id,
            lambda row: row.state["ready_on"] and row.state["released_to"] == "decision",
        )

    plans = {
        "case-a": (DecisionOutcome.REJECTION, None, True),
        "case-b": (DecisionOutcome.GRANT, LegalGround.A, True),
        "case-c": (DecisionOutcome.REJECTION, None, False),
        "case-d": (DecisionOutcome.GRANT, LegalGround.B, False),
    }
    drafts = [
        fact(
            DecisionDraftRecorded(proposed_outcome=o, proposed_legal_ground=g, standardised=s),
            k,
            "decider:dc-1",
        )
        for k, (o, g, s) in plans.items()
    ]
    referral = fact(
        HardCaseReferralRecorded(reason=EscalationReason.COMPLEX_LEGAL_QUESTION),
        "case-h",
        "decider:dc-1",
    )
    await publish(settings, DECISION_IN, *drafts, referral)
    vote = HardCaseVoteRecorded(outcome=DecisionOutcome.GRANT, legal_ground=LegalGround.A)
    votes = [fact(vote, "case-h", f"senior-decider:sd-{n}") for n in range(1, 4)]
    await publish(settings, DECISION_IN, *votes)
    reviews = [fact(DecisionReviewRecorded(approved=True), k, "decider:dc-2") for k in plans]
    await publish(settings, DECISION_IN, *reviews)
    for case_id in categories:
        await until(
            decision, case_id, lambda row: row.state["draft"] and row.state["draft"]["reviewed_by"]
        )
    issues = [fact(issue(o, g, s), k, "decider:dc-3") for k, (o, g, s) in plans.items()]
    issues.append(fact(issue(DecisionOutcome.GRANT, LegalGround.A), "case-h", "decider:dc-3"))
    await publish(settings, DECISION_IN, *issues)

    out = [
        decode(r.headers, r.value)
        for r in await read_topic(settings, DECISION_OUT, expect=16, timeout=30)
    ]
    issued = {e.subject: e.data for e in out if e.type == "nl.ind.decision.issued.v1"}
    assert sorted(issued) == sorted(categories)
    assert issued["case-a"].route == "category_a"
    assert issued["case-a"].standardised
    assert (issued["case-b"].route, issued["case-b"].legal_ground) == ("category_b", LegalGround.A)
    assert issued["case-c"].route == "individual"
    assert issued["case-c"].departure_period_days == 28
    assert issued["case-d"].legal_ground is LegalGround.B
    assert issued["case-h"].hard_case_team
    assert all(d.policy_version == "cp-2026-10" and d.deadline_met for d in issued.values())
    assert [e.type for e in out].count("nl.ind.decision.hard-case-decided.v1") == 1
    rejected = await read_topic(settings, rejections(B), expect=0, timeout=0.5)
    assert rejected == []


async def test_a_decision_by_an_actor_without_the_role_is_refused_and_recorded(
    decision: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, INTAKE_OUT, fact(registration(Category.C), "case-x", "system:intake"))
    await publish(
        settings,
        HEARING_OUT,
        fact(ReadyForDecision(ready_on=date(2026, 11, 2), heard=True), "case-x", "system:hearing"),
    )
    await until(decision, "case-x", lambda row: row.state["ready_on"] is not None)
    draft = DecisionDraftRecorded(proposed_outcome=DecisionOutcome.REJECTION, standardised=False)
    await publish(settings, DECISION_IN, fact(draft, "case-x", "caseworker:cw-9"))
    vote = HardCaseVoteRecorded(outcome=DecisionOutcome.REJECTION)
    await publish(settings, DECISION_IN, fact(vote, "case-x", "decider:dc-1"))  # not a senior
    [first, second] = [
        decode(r.headers, r.value) for r in await read_topic(settings, rejections(B), expect=2)
    ]
    assert {first.data.code, second.data.code} == {"not-permitted"}
    assert "caseworker:cw-9 may not publish" in first.data.reason
    assert first.data.rejected_by == "decision"
    # Recorded in the case's own trail as well, read back from the rejection topic.

    def refused_by(row: Any) -> set[str]:
        return {e["actor"] for e in row.state["audit"] if e["action"] == "refused"}

    await until(
        decision, "case-x", lambda row: refused_by(row) == {"caseworker:cw-9", "decider:dc-1"}
    )
    async with decision.engine.connect() as conn:
        row = (await conn.execute(select(cases).where(cases.c.case_id == "case-x"))).one()
    assert row.state["draft"] is None
    assert len(refused_by(row)) == len([e for e in row.state["audit"] if e["action"] == "refused"])


LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")
TRAIL_LINE = re.compile(r"^2026-11-02\s+(\S+)\s+(\w+)")


def command(settings: Settings, *args: str) -> tuple[int, str]:
    """Decision's commands as an operator runs them (typer, settings from the environment,
    the same database). In this process: a second interpreter costs half a minute under load."""
    app = typer.Typer()
    for function in definition.commands:
        app.command()(function)
    env = {
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
    }
    done = CliRunner().invoke(app, list(args), env=env)
    # The services' log lines in this process land in the same output: keep the command's.
    printed = [line for line in done.output.splitlines() if not LOG_LINE.match(line)]
    return done.exit_code, "\n".join(printed)


async def test_the_audit_trail_and_at_risk_commands_end_to_end(
    decision: ServiceRuntime, settings: Settings
) -> None:
    await publish(
        settings,
        INTAKE_OUT,
        fact(registration(Category.C), "case-t", "system:intake"),
        fact(registration(Category.C), "case-p", "system:intake"),
    )
    release = CaseReleased(stage=ReleaseStage.HEARING, release_day=date(2026, 11, 2), team="team-1")
    planning = stage_events(B, Stage.PLANNING)
    await publish(settings, planning, fact(release, "case-p", "system:planning"))
    await publish(settings, planning, fact(TO_DECISION, "case-t", "system:planning"))
    ready = ReadyForDecision(ready_on=date(2026, 11, 2), heard=True)
    await publish(settings, HEARING_OUT, fact(ready, "case-t", "system:hearing"))
    await until(
        decision,
        "case-t",
        lambda row: row.state["ready_on"] and row.state["released_to"] == "decision",
    )
    await until(decision, "case-p", lambda row: row.state["released_to"] == "hearing")
    rejection = DecisionDraftRecorded(
        proposed_outcome=DecisionOutcome.REJECTION, standardised=False
    )
    approval = DecisionReviewRecorded(approved=True)
    await publish(settings, DECISION_IN, fact(rejection, "case-t", "decider:dc-1"))
    await publish(settings, DECISION_IN, fact(approval, "case-t", "decider:dc-1"))  # own draft
    await until(decision, "case-t", lambda row: row.state["audit"][-1]["action"] == "refused")
    await publish(settings, DECISION_IN, fact(approval, "case-t", "decider:dc-2"))
    the_issue = fact(issue(DecisionOutcome.REJECTION), "case-t", "decider:dc-3")
    await publish(settings, DECISION_IN, the_issue)
    await until(decision, "case-t", lambda row: row.state["status"] == "decided")

    # The commands run asyncio.run() of their own: in a thread beside this test's loop.
    trail_rc, trail = await asyncio.to_thread(command, settings, "audit-trail", "case-t")
    risk_rc, risk = await asyncio.to_thread(
        command, settings, "at-risk", "--days", "10", "--as-of", "2027-02-20"
    )
    none_rc, none = await asyncio.to_thread(
        command, settings, "at-risk", "--days", "10", "--as-of", "2026-11-02"
    )
    gone_rc, gone = await asyncio.to_thread(command, settings, "audit-trail", "case-unknown")
    assert trail_rc == 0, trail
    steps = [list(m.groups()) for m in map(TRAIL_LINE.match, trail.splitlines()) if m]
    assert steps == [
        ["system:hearing", "ready"],
        ["decider:dc-1", "drafted"],
        ["decider:dc-1", "refused"],  # the approval of their own draft, read back
        ["decider:dc-2", "approved"],
        ["decider:dc-3", "issued"],
    ], trail
    assert "own_draft" in trail
    assert "decision: rejection (unfounded), route individual, policy cp-2026-10" in trail
    assert "drafted by decider:dc-1, approved by decider:dc-2" in trail
    # 2027-03-01 is 6 working days after 2027-02-20; the decided case is no longer listed.
    assert risk_rc == 0, risk
    assert risk.splitlines() == [
        "backlog / hearing: 1",
        "  case-p  deadline 2027-03-01  +6 working days",
    ], risk
    assert (none_rc, none.strip()) == (0, "no cases at risk")
    assert gone_rc == 1
    assert "does not know case case-unknown" in gone
