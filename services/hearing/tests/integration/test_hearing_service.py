"""Hearing against the real broker and database: facts published as intake, planning and
prephase publish them, outcomes as the caseworker front-ends send them, slots handed out by
the service's timer, and the case's way to ready-for-decision read back from its topics."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hearing import handlers, timers
from hearing.app import definition
from hearing.domain.case import HearingCase, HearingConfig, Status
from hearing.metrics import metrics_for
from hearing.persistence import cases, rosters
from hearing.testing import completion, registration, release, roster_event
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events import hearing as h
from shared.contracts.events.common import ObstacleKind
from shared.contracts.events.intake import CaseWithdrawn
from shared.contracts.events.planning import ReleaseStage
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionScreeningOutcome,
    ExclusionSignalRaised,
)
from shared.contracts.topics import Stage, plan_events, rejections, stage_events, stage_input
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.waiting import wait_until

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday
CONFIG = HearingConfig(written_categories=frozenset({"outside"}))
TEAM = "team-general-1"


@pytest.fixture
async def hearing(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    async def daily(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
        await timers.daily(uow, CONFIG, metrics_for(runtime.registry))

    under_test = dataclasses.replace(
        definition,
        rules=lambda: handlers.rules(CONFIG),
        periodic=(Periodic("hearing-daily", 0.2, daily),),
    )
    runtime = ServiceRuntime(under_test, settings, clock=DrivenClock(NOW))
    await runtime.migrate()
    await runtime.start()
    # Planning's roster for the month (the slots are booked within it).
    roster = front_end_event(
        roster_event(), subject="2026-11", stream=Stream.BACKLOG, actor="system:planning"
    )
    await publish(settings, plan_events(Stream.BACKLOG), roster)

    async def roster_kept() -> bool:
        async with runtime.engine.connect() as conn:
            return bool((await conn.execute(select(rosters.c.month))).all())

    await wait_until(roster_kept)
    yield runtime
    await runtime.stop()


def fact(data: EventData, case_id: str, stream: Stream, service: str) -> Envelope[Any]:
    return front_end_event(data, subject=case_id, stream=stream, actor=f"system:{service}")


async def arrive(
    settings: Settings, case_id: str, category: Category | None, stream: Stream = Stream.BACKLOG
) -> None:
    """What intake, planning and prephase publish about a case (prephase for backlog only)."""
    await publish(
        settings,
        stage_events(stream, Stage.INTAKE),
        fact(registration(category, stream), case_id, stream, "intake"),
    )
    await publish(
        settings,
        stage_events(stream, Stage.PLANNING),
        fact(release(ReleaseStage.HEARING, team=TEAM), case_id, stream, "planning"),
    )
    if stream is Stream.BACKLOG:
        await publish(
            settings,
            stage_events(stream, Stage.PREPHASE),
            fact(completion(), case_id, stream, "prephase"),
        )


async def send(
    settings: Settings, case_id: str, data: EventData, stream: Stream = Stream.BACKLOG
) -> None:
    actor = "planner:pl-7" if isinstance(data, h.HearingRescheduleRequested) else "caseworker:cw-1"
    event = front_end_event(data, subject=case_id, stream=stream, actor=actor)
    await publish(settings, stage_input(stream, Stage.HEARING), event)


async def case_state(runtime: ServiceRuntime, case_id: str) -> HearingCase | None:
    async with runtime.engine.connect() as conn:
        row = (
            await conn.execute(select(cases.c.state).where(cases.c.case_id == case_id))
        ).one_or_none()
    return HearingCase.model_validate(row.state) if row else None


async def until(runtime: ServiceRuntime, case_id: str, status: Status) -> HearingCase:
    found: list[HearingCase] = []

    async def reached() -> bool:
        case = await case_state(runtime, case_id)
        found[:] = [case] if case else []
        return case is not None and case.status is status

    await wait_until(reached)
    return found[0]


async def _has_lawyer(runtime: ServiceRuntime, case_id: str) -> bool:
    case = await case_state(runtime, case_id)
    return case is not None and case.lawyer is not None


def held(slot_day: date, kind: h.HearingKind = h.HearingKind.FIRST) -> h.HearingHeldRecorded:
    return h.HearingHeldRecorded(
        held_on=slot_day,
        kind=kind,
        duration_minutes=120,
        interpreter_language=None,
        lawyer_present=True,
    )


async def hold_oral_hearing(
    runtime: ServiceRuntime, settings: Settings, case_id: str, stream: Stream = Stream.BACKLOG
) -> date:
    planned = await until(runtime, case_id, Status.PLANNED)
    assert planned.slot is not None
    await send(settings, case_id, held(planned.slot.day, planned.slot.kind), stream)
    heard = await until(runtime, case_id, Status.HEARD)
    assert heard.review_on is not None
    return heard.review_on


async def events_by_case(settings: Settings, stream: Stream, expect: int) -> dict[str, list[Any]]:
    records = await read_topic(settings, stage_events(stream, Stage.HEARING), expect=expect)
    out: dict[str, list[Any]] = {}
    for record in records:
        event = decode(record.headers, record.value)
        out.setdefault(event.subject, []).append(event.data)
    return out


async def test_cases_of_every_category_reach_ready_for_decision(
    hearing: ServiceRuntime, settings: Settings
) -> None:
    for case_id, category in [
        ("case-a", Category.A),
        ("case-b", Category.B),
        ("case-c", Category.C),
        ("case-d", Category.D),
        ("case-w", Category.OUTSIDE),
        ("case-x", Category.A),
    ]:
        await arrive(settings, case_id, category)
    await arrive(settings, "case-p", None, Stream.PACT)

    # B: waived on its prephase findings, ready at once.
    await until(hearing, "case-b", Status.READY)
    # A: held, an additional hearing for contradictions, held again, corrections.
    await hold_oral_hearing(hearing, settings, "case-a")
    reason = h.AdditionalHearingReason.CONTRADICTIONS
    await send(settings, "case-a", h.AdditionalHearingRecorded(reason=reason))
    again = await until(hearing, "case-a", Status.PLANNED)
    assert again.slot is not None
    assert again.slot.kind is h.HearingKind.ADDITIONAL
    review_on = await hold_oral_hearing(hearing, settings, "case-a")
    await send(settings, "case-a", h.CorrectionsRecorded(received_on=review_on, submitted=True))
    # C: a hold (too ill to be heard) cancels its slot; lifted, it gets a new one.
    await until(hearing, "case-c", Status.PLANNED)
    obstacle = h.HearingObstacleRecorded(
        obstacle=ObstacleKind.UNFIT_TO_BE_HEARD, review_on=date(2026, 12, 1)
    )
    await send(settings, "case-c", obstacle)
    on_hold = await until(hearing, "case-c", Status.ON_HOLD)
    assert on_hold.hold is not None
    await send(settings, "case-c", h.HearingObstacleCleared(cleared_on=date(2026, 11, 2)))
    await hold_oral_hearing(hearing, settings, "case-c")
    # D and the Pact case: held, corrections.
    for case_id, stream in [("case-d", Stream.BACKLOG), ("case-p", Stream.PACT)]:
        review_on = await hold_oral_hearing(hearing, settings, case_id, stream)
        corrections = h.CorrectionsRecorded(received_on=review_on, submitted=False)
        await send(settings, case_id, corrections, stream)
    # The written hearing (configured for cases outside the categories).
    await until(hearing, "case-w", Status.WRITTEN_PLANNED)
    start = h.WrittenHearingStartRecorded(sent_on=date(2026, 11, 2), answers_due=date(2026, 11, 16))
    await send(settings, "case-w", start)
    await until(hearing, "case-w", Status.WRITTEN_SENT)
    await send(settings, "case-w", h.WrittenHearingAnswersRecorded(received_on=date(2026, 11, 9)))
    # A withdrawal cancels the slot, with the lawyer told.
    await until(hearing, "case-x", Status.PLANNED)
    await send(settings, "case-x", h.LawyerRecorded(lawyer="lawyer-7"))
    await wait_until(lambda: _has_lawyer(hearing, "case-x"))
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.INTAKE),
        fact(CaseWithdrawn(withdrawn_at=NOW), "case-x", Stream.BACKLOG, "intake"),
    )
    await until(hearing, "case-x", Status.WITHDRAWN)
    # C's review lapses on the timer once its term has passed on the clock.
    assert isinstance(hearing.clock, DrivenClock)
    hearing.clock.advance(timedelta(days=10))
    for case_id in ("case-a", "case-c", "case-d", "case-p", "case-w"):
        await until(hearing, case_id, Status.READY)

    backlog = await events_by_case(settings, Stream.BACKLOG, expect=30)
    pact = await events_by_case(settings, Stream.PACT, expect=4)
    ready = {
        case_id: next(e for e in events if isinstance(e, h.ReadyForDecision))
        for case_id, events in (backlog | pact).items()
        if any(isinstance(e, h.ReadyForDecision) for e in events)
    }
    assert sorted(ready) == ["case-a", "case-b", "case-c", "case-d", "case-p", "case-w"]
    assert not ready["case-b"].heard
    assert ready["case-a"].heard
    assert ready["case-a"].additional_hearing
    assert not ready["case-d"].additional_hearing
    assert ready["case-p"].route is h.HearingRoute.DIRECT
    assert ready["case-p"].category is None
    assert ready["case-d"].route is h.HearingRoute.VIA_PREPHASE
    kinds = [type(e).__name__ for e in backlog["case-a"]]
    assert kinds == [
        "HearingPlanned",
        "HearingHeld",
        "AdditionalHearingNeeded",
        "HearingPlanned",
        "HearingHeld",
        "CorrectionsAndAdditionsReceived",
        "ReadyForDecision",
    ]
    assert [type(e).__name__ for e in backlog["case-c"]] == [
        "HearingPlanned",
        "HearingCancelled",
        "HearingOnHold",
        "HearingResumed",
        "HearingPlanned",
        "HearingHeld",
        "CorrectionsAndAdditionsReceived",
        "ReadyForDecision",
    ]
    lapsed = next(e for e in backlog["case-c"] if isinstance(e, h.CorrectionsAndAdditionsReceived))
    assert lapsed.submitted is False
    assert [type(e).__name__ for e in backlog["case-b"]] == ["HearingWaived", "ReadyForDecision"]
    cancelled = [e for e in backlog["case-x"] if isinstance(e, h.HearingCancelled)]
    assert [(c.reason, c.lawyer) for c in cancelled] == [
        (h.CancellationReason.CASE_WITHDRAWN, "lawyer-7")
    ]
    assert [type(e).__name__ for e in backlog["case-w"]] == [
        "WrittenHearingStarted",
        "WrittenHearingAnswered",
        "ReadyForDecision",
    ]
    # Measured (by the timer, once each): written and oral hearing times apart.
    registry = hearing.registry

    async def measured() -> bool:
        written = registry.get_sample_value(
            "caseflow_hearing_written_days_count", {"category": "outside"}
        )
        additional = registry.get_sample_value(
            "caseflow_hearing_duration_minutes_count", {"category": "A", "kind": "additional"}
        )
        return (written, additional) == (1, 1)

    await wait_until(measured)


async def test_out_of_order_input_is_refused_with_a_reason(
    hearing: ServiceRuntime, settings: Settings
) -> None:
    await arrive(settings, "case-b", Category.B)
    await until(hearing, "case-b", Status.READY)
    await send(settings, "case-b", held(date(2026, 11, 3)))
    await send(
        settings, "case-b", h.CorrectionsRecorded(received_on=date(2026, 11, 4), submitted=True)
    )
    await send(settings, "case-unknown", h.LawyerRecorded(lawyer="lawyer-7"))
    records = await read_topic(settings, rejections(Stream.BACKLOG), expect=3)
    reasons = sorted(decode(r.headers, r.value).data.reason for r in records)
    assert any("never planned" in r for r in reasons), reasons
    assert any("already complete" in r for r in reasons), reasons
    assert any("no such case" in r for r in reasons), reasons


async def test_a_1f_nv_hold_is_counted_in_the_hold_gauges(
    hearing: ServiceRuntime, settings: Settings
) -> None:
    await arrive(settings, "case-f", Category.C)
    await until(hearing, "case-f", Status.PLANNED)
    signal = fact(
        ExclusionSignalRaised(signalled_on=NOW.date()), "case-f", Stream.BACKLOG, "prephase"
    )
    await publish(settings, stage_events(Stream.BACKLOG, Stage.PREPHASE), signal)
    held_case = await until(hearing, "case-f", Status.GATHERING)
    assert held_case.exclusion_hold
    assert held_case.slot is None
    registry = hearing.registry
    screening = {"obstacle": "exclusion_screening"}

    async def counted() -> bool:
        holds = registry.get_sample_value("caseflow_hearing_holds", screening)
        oldest = registry.get_sample_value("caseflow_hearing_oldest_hold_days", screening)
        return (holds, oldest) == (1, 0)

    await wait_until(counted)
    lifted = ExclusionScreeningConcluded(
        outcome=ExclusionScreeningOutcome.NO_INDICATIONS, hold_lifted=True
    )
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.PREPHASE),
        fact(lifted, "case-f", Stream.BACKLOG, "prephase"),
    )
    await until(hearing, "case-f", Status.PLANNED)

    async def gone() -> bool:
        return registry.get_sample_value("caseflow_hearing_holds", screening) is None

    await wait_until(gone)
