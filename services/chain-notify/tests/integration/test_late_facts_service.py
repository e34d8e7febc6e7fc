"""Facts that come late, on the real broker and database (docs/adr/0031): a refusal read before
the applicant's court district goes to COA and DT&V at once, the courts' notice is held (the
gauge and `held` show it, overdue past the parked-fact limit) and sent when the district comes;
a hearing read before the case's lawyer reaches the lawyer once intake names one, only what is
still ahead by the service clock. Redelivered events send nothing twice."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from chain_notify.app import definition
from chain_notify.cli import held_list, logged
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.hearing import HearingFormat, HearingPlanned, HearingRoom
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CourtDistrict,
    LogisticsPart,
)
from shared.contracts.topics import Partner, Stage, partner_topic, stage_events
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.database import inbox_table
from shared.runtime.kit import AMSTERDAM
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday
STREAM = Stream.BACKLOG
V_NUMBER, LAWYER = "4987654321", "rvr-40211"


@pytest.fixture
def clock() -> DrivenClock:
    return DrivenClock(NOW)


@pytest.fixture
async def notify(settings: Settings, clock: DrivenClock) -> AsyncIterator[ServiceRuntime]:
    async with running(settings, definition, clock=clock) as (runtime,):
        yield runtime


def registered() -> CaseRegistered:
    base = example(CaseRegistered)
    assert isinstance(base, CaseRegistered)
    return base.model_copy(
        update={
            "v_number": V_NUMBER,
            "stream": STREAM,
            "unaccompanied": False,
            "priority_group": None,
            "priority_groups": (),
        }
    )


def logistics(lawyer: str | None, district: CourtDistrict | None) -> ApplicantLogisticsChanged:
    return ApplicantLogisticsChanged(
        interpreter_languages=("ara",),
        reception_location="coa-budel",
        lawyer=lawyer,
        court_district=district,
        changed=(LogisticsPart.LAWYER, LogisticsPart.COURT_DISTRICT),
    )


HEARING = HearingPlanned(
    starts_at=datetime(2026, 11, 3, 8, 30, tzinfo=UTC),
    location="ind-den-bosch",
    room=HearingRoom.STANDARD,
    format=HearingFormat.SHORT_TARGETED,
    interpreter_language="ara",
    review_on=date(2026, 11, 4),
)


def event(case: str, data: EventData, clock: DrivenClock) -> tuple[str, Envelope[Any]]:
    stage = {
        CaseRegistered: Stage.INTAKE,
        ApplicantLogisticsChanged: Stage.INTAKE,
        HearingPlanned: Stage.HEARING,
        DecisionIssued: Stage.DECISION,
    }[type(data)]
    envelope = front_end_event(
        data, subject=case, stream=STREAM, actor=f"system:{stage}", clock=clock
    )
    return stage_events(STREAM, stage), envelope


async def feed(
    runtime: ServiceRuntime, settings: Settings, *events: tuple[str, Envelope[Any]]
) -> None:
    """Publish each event once chain-notify took the one before: the order is the test's."""
    for topic, envelope in events:
        await publish(settings, topic, envelope)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            async with runtime.engine.connect() as conn:
                if await conn.scalar(
                    select(inbox_table.c.event_id).where(inbox_table.c.event_id == envelope.id)
                ):
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"chain-notify never took {envelope.type}")


async def logged_kinds(runtime: ServiceRuntime, case: str, expect: int) -> Counter[str]:
    """partner/type of the case's delivery-log entries, once `expect` are there."""
    found: Counter[str] = Counter()
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        rows = await logged(runtime.session_factory, subject=case)
        found = Counter(f"{r['partner']}/{r['event_type'].rsplit('.', 2)[-2]}" for r in rows)
        if sum(found.values()) >= expect:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case}: logged {found}, fewer than {expect}")


async def on_topic(settings: Settings, partner: Partner, expect: int) -> list[Any]:
    return await read_topic(
        settings, partner_topic(STREAM, partner), expect=expect, timeout=20.0, settle=1.0
    )


async def held_gauges(runtime: ServiceRuntime) -> tuple[float | None, float | None]:
    watch = next(p for p in runtime.periodic if p.name == "watch-held-notices")
    await runtime.run_periodic(watch)
    labels = {"partner": "courts", "stream": STREAM.value}
    return (
        runtime.registry.get_sample_value("caseflow_partner_notices_held", labels),
        runtime.registry.get_sample_value("caseflow_partner_notices_held_overdue", labels),
    )


async def test_a_refusal_before_the_court_district_tells_coa_and_dtv_and_holds_the_courts(
    notify: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    case = "cn-late-district"
    refusal = example(DecisionIssued)
    assert isinstance(refusal, DecisionIssued)
    early = [
        event(case, registered(), clock),
        event(case, logistics(LAWYER, None), clock),  # the desk recorded no district
        event(case, refusal, clock),
    ]
    await feed(notify, settings, *early)
    assert await logged_kinds(notify, case, 2) == {
        "coa/reception-ends": 1,
        "dtv/refusal-notified": 1,
    }
    assert len(await on_topic(settings, Partner.DTV, 1)) == 1
    assert await on_topic(settings, Partner.COURTS, 0) == []
    # Operators see it: held, overdue once past the parked-fact limit by the service clock.
    assert await held_gauges(notify) == (1, 0)
    assert [r["case_id"] for r in await held_list(notify.session_factory, 10)] == [case]
    limit = timedelta(hours=notify.settings.parked_fact_limit_hours)
    clock.set(NOW + limit + timedelta(hours=1))
    assert await held_gauges(notify) == (1, 1)

    district = event(case, logistics(LAWYER, CourtDistrict.AMSTERDAM), clock)
    await feed(notify, settings, district)
    assert (await logged_kinds(notify, case, 3))["courts/decision-sent"] == 1
    courts = await on_topic(settings, Partner.COURTS, 1)
    assert len(courts) == 1
    notice = decode(courts[0].headers, courts[0].value).data
    assert notice.court_district is CourtDistrict.AMSTERDAM
    assert notice.sent_on == refusal.sent_at.astimezone(AMSTERDAM).date()
    assert V_NUMBER not in courts[0].value.decode(), "the courts get no V-number"
    assert await held_gauges(notify) == (0, 0)
    assert await held_list(notify.session_factory, 10) == []

    # Redelivered refusal and logistics: the inbox knows them, nothing goes twice.
    for topic, envelope in (*early, district):
        await publish(settings, topic, envelope)
    await feed(notify, settings, event(case, logistics(LAWYER, CourtDistrict.DEN_HAAG), clock))
    assert sum((await logged_kinds(notify, case, 3)).values()) == 3
    for partner in (Partner.COA, Partner.DTV, Partner.COURTS):
        records = await on_topic(settings, partner, 1)
        assert len(records) == 1, partner


async def test_a_hearing_before_the_lawyer_reaches_the_lawyer_when_named(
    notify: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    ahead, half_past = "cn-late-lawyer-1", "cn-late-lawyer-2"
    for case in (ahead, half_past):
        await feed(
            notify,
            settings,
            event(case, registered(), clock),
            event(case, logistics(None, CourtDistrict.OOST_BRABANT), clock),
            event(case, HEARING, clock),
        )
    assert await on_topic(settings, Partner.LAWYER, 0) == []  # no lawyer known: none told
    named = event(ahead, logistics(LAWYER, CourtDistrict.OOST_BRABANT), clock)
    await feed(notify, settings, named)
    # The second case's lawyer is named on 4 November: the hearing of the 3rd is past.
    clock.set(datetime(2026, 11, 4, 7, tzinfo=UTC))
    late = event(half_past, logistics(LAWYER, CourtDistrict.OOST_BRABANT), clock)
    await feed(notify, settings, late)
    assert await logged_kinds(notify, ahead, 2) == {"lawyer/appointment-planned": 2}
    assert await logged_kinds(notify, half_past, 1) == {"lawyer/appointment-planned": 1}
    records = await on_topic(settings, Partner.LAWYER, 3)
    told = sorted(
        (r.key.decode(), d.kind.value, d.day, d.lawyer)
        for r in records
        for d in [decode(r.headers, r.value).data]
    )
    assert told == [
        (ahead, "hearing", date(2026, 11, 3), LAWYER),
        (ahead, "post_hearing_review", date(2026, 11, 4), LAWYER),
        (half_past, "post_hearing_review", date(2026, 11, 4), LAWYER),
    ]
    # Redelivered: the same ids, no second notice.
    await publish(settings, *named)
    await publish(settings, *late)
    again = await on_topic(settings, Partner.LAWYER, 3)
    assert len(again) == 3
    assert {decode(r.headers, r.value).id for r in again} == {
        decode(r.headers, r.value).id for r in records
    }
