"""Planning's partner-notice figures (R14) against the partner topics on the real broker:
chain-notify and planning read the same events; the notices chain-notify published, counted
straight from the partner topics per partner and kind, equal planning's figures from its own
records and from a rebuild of the topics."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chain_notify import persistence as notify_db
from chain_notify.app import definition as notify_definition
from planning import persistence as planning_db
from planning.app import definition as planning_definition
from planning.app import rules as planning_rules
from planning.domain.figures import partner_notices
from planning.rebuild import rebuild
from shared.contracts.envelope import EventData, decode
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import prephase as pp
from shared.contracts.events.common import DecisionOutcome, LegalGround
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.topics import Partner, Stage, partner_topic, stage_events
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
STREAM = Stream.BACKLOG
MONTH = "2026-11"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


async def send(
    settings: Settings, clock: DrivenClock, stage: Stage, case_id: str, *data: EventData
) -> None:
    """As the stage would publish them: dated by the driven clock (a rebuild dates an event
    without a date of its own by its time, the service by the day it handles it)."""
    events = [
        front_end_event(d, subject=case_id, stream=STREAM, actor=f"system:{stage}", clock=clock)
        for d in data
    ]
    await publish(settings, stage_events(STREAM, stage), *events)


async def partner_counts(settings: Settings, expect: int) -> Counter[str]:
    """partner.kind of every notice on the stream's partner topics."""
    found: Counter[str] = Counter()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        found = Counter()
        for partner in Partner:
            for record in await read_topic(
                settings, partner_topic(STREAM, partner), expect=0, settle=0.5
            ):
                data = decode(record.headers, record.value).data
                kind = type(data).event_type.rsplit(".", 1)[1]
                found[f"{partner}.{kind.replace('-', '_')}"] += 1
        if sum(found.values()) >= expect:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"the partner topics have {found}, fewer than {expect} notices")


async def planning_counts(runtime: ServiceRuntime, expect: int) -> Counter[str]:
    found: Counter[str] = Counter()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        async with AsyncSession(runtime.engine) as session:
            records = await planning_db.all_records(session)
        found = Counter(partner_notices(records, MONTH))
        if sum(found.values()) >= expect:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"planning counted {found}, fewer than {expect} notices")


async def records(runtime: ServiceRuntime, expect: int) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        async with AsyncSession(runtime.engine) as session:
            if len(await planning_db.all_records(session)) >= expect:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"planning never kept {expect} case records")


async def lawyers_known(runtime: ServiceRuntime, expect: int) -> None:
    """Chain-notify has read the logistics (on intake's topic) of `expect` cases: a hearing
    read before them (the hearing events come on another topic) reaches the lawyer only when
    the logistics come, as it then is (ADR 0031), so the counts below would differ."""
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        async with runtime.engine.connect() as conn:
            states = (await conn.execute(select(notify_db.CASES.table.c.state))).scalars()
            if sum(state.get("lawyer") is not None for state in states) >= expect:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"chain-notify never knew the lawyers of {expect} cases")


async def test_partner_figures_equal_the_partner_topics_and_a_rebuild(settings: Settings) -> None:
    clock = DrivenClock(NOW)
    runtimes = [
        ServiceRuntime(d, settings, clock=clock) for d in (planning_definition, notify_definition)
    ]
    for runtime in runtimes:
        await runtime.migrate()
        await runtime.start()
    planning, notify = runtimes
    try:
        registered = example(i.CaseRegistered).model_copy(update={"stream": STREAM})
        logistics = example(i.ApplicantLogisticsChanged)  # a lawyer and a court district
        # An AMV and an adult, both with a lawyer, registered with their logistics first.
        await send(
            settings,
            clock,
            Stage.INTAKE,
            "amv-1",
            registered.model_copy(update={"unaccompanied": True}),
            logistics,
        )
        await send(settings, clock, Stage.INTAKE, "adult-1", registered, logistics)
        await records(planning, 2)
        await lawyers_known(notify, 2)
        # Each step an hour later, once both services have handled the one before: the order
        # in which they (and a rebuild, by event time) see the steps is the same.
        clock.set(NOW + timedelta(hours=1))
        # The AMV's prephase day (Nidos) and transport (COA); one moved hearing each (lawyer and
        # Nidos); the adult's hearing cancelled.
        transport = pp.TransportRequested(
            day=date(2026, 11, 12), from_location="coa-budel", to_location="prephase-zwolle"
        )
        await send(
            settings,
            clock,
            Stage.PREPHASE,
            "amv-1",
            pp.GuardianNoticeRequested(day=date(2026, 11, 12), location="prephase-zwolle"),
            transport,
        )
        hearing = example(h.HearingPlanned)
        moved = hearing.model_copy(update={"starts_at": at(date(2026, 11, 9))})
        await send(settings, clock, Stage.HEARING, "amv-1", hearing, moved)
        await send(settings, clock, Stage.HEARING, "adult-1", hearing)
        # chain-notify: amv 1 Nidos day + 1 transport + hearing/review (Nidos, lawyer: 4) + the
        # move (hearing cancelled and planned for both: 4); adult: hearing/review (lawyer: 2).
        await partner_counts(settings, 12)
        await planning_counts(planning, 12)
        clock.set(NOW + timedelta(hours=2))
        await send(
            settings,
            clock,
            Stage.HEARING,
            "adult-1",
            h.HearingCancelled(day=date(2026, 11, 10), reason=h.CancellationReason.RESCHEDULED),
        )
        refusal = example(DecisionIssued).model_copy(
            update={"issued_on": date(2026, 11, 20), "sent_at": at(date(2026, 11, 20))}
        )
        grant = DecisionIssued.model_validate(
            refusal.model_dump()
            | {
                "outcome": DecisionOutcome.GRANT,
                "legal_ground": LegalGround.A,
                "rejection_kind": None,
                "departure_period_days": None,
                "enforceable_from": None,
            }
        )
        await partner_counts(settings, 14)
        await planning_counts(planning, 14)
        clock.set(NOW + timedelta(hours=3))
        await send(settings, clock, Stage.DECISION, "adult-1", refusal)
        await send(settings, clock, Stage.DECISION, "amv-1", grant)
        # + adult: hearing and review cancelled (lawyer: 2), refusal (COA, DT&V, courts: 3);
        # amv: housing (COA) and Nidos's decision notice: 2.
        expect = 12 + 2 + 3 + 2
        on_topics = await partner_counts(settings, expect)
        kept = await planning_counts(planning, expect)
        assert kept == on_topics
        # Nidos: the prephase day, the hearing, the review, the moved hearing.
        assert on_topics["nidos.appointment_planned"] == 4
        # The lawyer: the moved hearing; the adult's hearing and review.
        assert on_topics["lawyer.appointment_cancelled"] == 1 + 2
        assert sum(on_topics.values()) == expect

        rebuilt = await rebuild(settings, planning_rules())
        assert Counter(partner_notices(rebuilt.values(), MONTH)) == on_topics
    finally:
        for runtime in reversed(runtimes):
            await runtime.stop()
