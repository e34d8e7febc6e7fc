"""Chain-notify against the real broker and database, fed as intake, prephase, hearing and
decision feed it: a case from registration to decision yields exactly the expected messages on
its stream's partner topics and none on the other stream's; no partner record carries a
forbidden value; redelivered upstream events make no second id; a replay rebuilds a partner's
topic byte for byte from the delivery log."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select, text

from chain_notify.app import definition
from chain_notify.cli import logged, replay_range
from chain_notify.persistence import delivery_log
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.common import DecisionOutcome, Procedure, RejectionKind
from shared.contracts.events.decision import DecisionIssued, DecisionRoute
from shared.contracts.events.hearing import HearingFormat, HearingPlanned, HearingRoom
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CourtDistrict,
    LogisticsPart,
)
from shared.contracts.events.prephase import GuardianNoticeRequested, TransportRequested
from shared.contracts.topics import Partner, Stage, partner_topic, stage_events
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.database import inbox_table
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday
PREPHASE_DAY = date(2026, 10, 19)
HEARING_AT = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
REVIEW_ON = date(2026, 11, 4)
CASE = "cn-amv-1"
V_NUMBER = "4123456789"
NATIONALITY, LANGUAGE, LAWYER = "ERI", "tir", "rvr-40211"
# Values that may reach no partner: nationality, interpreter language, hearing format and room.
FORBIDDEN = (NATIONALITY, LANGUAGE, "short_targeted", "child_friendly", "1990-05-17")


@pytest.fixture
def clock() -> DrivenClock:
    return DrivenClock(NOW)


@pytest.fixture
async def notify(settings: Settings, clock: DrivenClock) -> AsyncIterator[ServiceRuntime]:
    async with running(settings, definition, clock=clock) as (runtime,):
        yield runtime


def upstream(data: EventData, stage: Stage, clock: DrivenClock) -> Envelope[Any]:
    return front_end_event(
        data, subject=CASE, stream=Stream.BACKLOG, actor=f"system:{stage}", clock=clock
    )


def case_history(clock: DrivenClock) -> list[tuple[str, Envelope[Any]]]:
    """An unaccompanied minor's backlog case from registration to a refusal, as the stages
    publish it (topic, event)."""
    registered = CaseRegistered.model_validate(
        {
            "v_number": V_NUMBER,
            "nationality": NATIONALITY,
            "stream": "backlog",
            "lodged_at": "2025-03-01T09:00:00+00:00",
            "procedure": Procedure.NATIONAL_REGULAR,
            "category": "D",
            "priority_group": "unaccompanied_minor",
            "priority_groups": ["unaccompanied_minor"],
            "policy_version": "cp-2026-10",
            "deadline": "2026-12-01",
            "deadline_basis": "Vw 2000 art. 42(1)",
            "minor_on_lodging": True,
            "unaccompanied": True,
        }
    )
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=(LANGUAGE,),
        reception_location="coa-budel",
        lawyer=LAWYER,
        court_district=CourtDistrict.OOST_BRABANT,
        changed=tuple(LogisticsPart),
    )
    hearing = HearingPlanned(
        starts_at=HEARING_AT,
        location="ind-den-bosch",
        room=HearingRoom.CHILD_FRIENDLY,
        format=HearingFormat.SHORT_TARGETED,
        interpreter_language=LANGUAGE,
        review_on=REVIEW_ON,
    )
    decided = DecisionIssued(
        outcome=DecisionOutcome.REJECTION,
        rejection_kind=RejectionKind.UNFOUNDED,
        standardised=False,
        hard_case_team=False,
        issued_on=date(2026, 11, 20),
        sent_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        appeal_period_days=28,
        departure_period_days=28,
        enforceable_from=date(2026, 12, 18),
        deadline=date(2026, 12, 1),
        days_relative_to_deadline=-11,
        deadline_met=True,
        route=DecisionRoute.INDIVIDUAL,
        policy_version="cp-2026-10",
        appeal_period_basis="Vw 2000 art. 69(2)",
        departure_period_basis="Vw 2000 art. 62(1)",
    )
    intake = stage_events(Stream.BACKLOG, Stage.INTAKE)
    prephase = stage_events(Stream.BACKLOG, Stage.PREPHASE)
    return [
        (intake, upstream(registered, Stage.INTAKE, clock)),
        (intake, upstream(logistics, Stage.INTAKE, clock)),
        (
            prephase,
            upstream(
                TransportRequested(
                    day=PREPHASE_DAY, from_location="coa-budel", to_location="prephase-zwolle"
                ),
                Stage.PREPHASE,
                clock,
            ),
        ),
        (
            prephase,
            upstream(
                GuardianNoticeRequested(day=PREPHASE_DAY, location="prephase-zwolle"),
                Stage.PREPHASE,
                clock,
            ),
        ),
        (stage_events(Stream.BACKLOG, Stage.HEARING), upstream(hearing, Stage.HEARING, clock)),
        (stage_events(Stream.BACKLOG, Stage.DECISION), upstream(decided, Stage.DECISION, clock)),
    ]


EXPECTED = {
    Partner.COA: ["CoaTransportRequested", "CoaReceptionEnds"],
    Partner.DTV: ["DtvRefusalNotified"],
    Partner.COURTS: ["CourtsDecisionSent"],
    Partner.LAWYER: ["LawyerAppointmentPlanned", "LawyerAppointmentPlanned"],
    Partner.NIDOS: [
        "NidosAppointmentPlanned",
        "NidosAppointmentPlanned",
        "NidosAppointmentPlanned",
        "NidosDecisionSent",
    ],
}
TOTAL = sum(len(v) for v in EXPECTED.values())


async def feed(
    runtime: ServiceRuntime, settings: Settings, history: list[tuple[str, Envelope[Any]]]
) -> None:
    """Publish a case's events in the order the stages make them: each after chain-notify took
    the one before (as in production, where weeks pass between a hearing and a decision).
    Events already taken (a redelivery) are published without waiting."""
    for topic, envelope in history:
        await publish(settings, topic, envelope)
        for _ in range(600):  # 30 seconds at most
            if await taken(runtime, envelope):
                break
            await asyncio.sleep(0.05)


async def taken(runtime: ServiceRuntime, envelope: Envelope[Any]) -> bool:
    async with runtime.engine.connect() as conn:
        found = await conn.scalar(
            select(inbox_table.c.event_id).where(inbox_table.c.event_id == envelope.id)
        )
        return found is not None


async def logged_count(runtime: ServiceRuntime) -> int:
    async with runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(delivery_log)) or 0)


async def until_logged(runtime: ServiceRuntime, expect: int) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if await logged_count(runtime) >= expect:
            return
        await asyncio.sleep(0.1)
    async with runtime.engine.connect() as conn:
        logged_types = (await conn.execute(select(delivery_log.c.event_type))).scalars().all()
        parked = (await conn.execute(text("SELECT event_type, reason FROM parked_facts"))).all()
        conflicts = (
            await conn.execute(text("SELECT event_type, reason FROM fact_conflicts"))
        ).all()
    raise AssertionError(
        f"logged {logged_types}, expected {expect}; parked {parked}; conflicts {conflicts}"
    )


async def partner_records(settings: Settings, expect: int, settle: float = 1.0) -> list[Any]:
    """Every record on every partner topic of this test (both streams), once `expect` arrived
    and `settle` more seconds passed without more."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await consumer.start()
    try:
        deadline = time.monotonic() + 40
        records: list[Any] = []
        assigned: set[TopicPartition] = set()
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            names = [
                t
                for t in await consumer.topics()
                if t.startswith(settings.topic_prefix) and ".partner." in t
            ]
            partitions = {
                TopicPartition(t, p) for t in names for p in consumer.partitions_for_topic(t) or ()
            }
            if partitions - assigned:
                assigned |= partitions
                consumer.assign(sorted(assigned))
                await consumer.seek_to_beginning(*sorted(assigned))
                records = []
            got = [r for batch in (await consumer.getmany(timeout_ms=200)).values() for r in batch]
            records += got
            now = time.monotonic()
            if got or len(records) < expect:
                quiet_since = None if len(records) < expect else now
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= settle:
                break
        return records
    finally:
        await consumer.stop()


def on(records: list[Any], settings: Settings, stream: Stream, partner: Partner) -> list[Any]:
    name = settings.topic_prefix + partner_topic(stream, partner)
    return [r for r in records if r.topic == name]


def types(records: list[Any]) -> list[str]:
    return [type(decode(r.headers, r.value).data).__name__ for r in records]


async def test_a_case_from_registration_to_decision_tells_each_partner_exactly_its_part(
    notify: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    await feed(notify, settings, case_history(clock))
    await until_logged(notify, TOTAL)
    records = await partner_records(settings, TOTAL)
    for partner, expected in EXPECTED.items():
        found = on(records, settings, Stream.BACKLOG, partner)
        assert sorted(types(found)) == sorted(expected), partner
        assert not on(records, settings, Stream.PACT, partner), f"{partner}: pact topic used"
    assert len(records) == TOTAL
    # Minimal data: no partner record carries a forbidden value, in its value or headers.
    for record in records:
        text = record.value.decode() + repr(record.headers)
        leaked = [value for value in FORBIDDEN if value in text]
        assert not leaked, f"{record.topic} carries {leaked}"
    court_record = on(records, settings, Stream.BACKLOG, Partner.COURTS)[0]
    courts = decode(court_record.headers, court_record.value)
    assert courts.data.court_district is CourtDistrict.OOST_BRABANT
    assert V_NUMBER not in court_record.value.decode(), "the courts get no V-number"
    # The delivery log answers per case and partner.
    log = await logged(notify.session_factory, subject=CASE, partner="nidos")
    assert [row["event_type"].split(".")[-2] for row in log] == [
        "appointment-planned",
        "appointment-planned",
        "appointment-planned",
        "decision-sent",
    ]


async def test_redelivered_upstream_events_make_no_second_id(
    notify: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    history = case_history(clock)
    await feed(notify, settings, history)
    await until_logged(notify, TOTAL)
    first = await partner_records(settings, TOTAL)
    await feed(notify, settings, history)  # the same events again: the same ids, as a redelivery
    again = await partner_records(settings, TOTAL, settle=3.0)
    ids = Counter(decode(r.headers, r.value).id for r in again)
    assert len(again) == TOTAL, "a redelivered upstream event made another notification"
    assert set(ids) == {decode(r.headers, r.value).id for r in first}
    assert max(ids.values()) == 1
    assert await logged_count(notify) == TOTAL


async def test_a_replay_rebuilds_a_partner_topic_byte_for_byte(
    notify: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    await feed(notify, settings, case_history(clock))
    await until_logged(notify, TOTAL)
    original = on(await partner_records(settings, TOTAL), settings, Stream.BACKLOG, Partner.NIDOS)
    assert len(original) == 4
    rebuilt = "rebuilt.nidos.v1"
    queued = await replay_range(
        notify.session_factory,
        partner="nidos",
        stream="backlog",
        since=NOW - timedelta(days=1),
        until=NOW + timedelta(days=1),
        topic=settings.topic_prefix + rebuilt,
    )
    assert queued == 4
    notify.relay.wake()
    copies = await _read(settings, settings.topic_prefix + rebuilt, expect=4)

    def content(r: Any) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        return r.key, r.value, list(r.headers)

    assert sorted(map(content, copies)) == sorted(map(content, original))
    assert await logged_count(notify) == TOTAL, "a replay is not a new notification"
    empty = await replay_range(
        notify.session_factory,
        partner="nidos",
        stream="backlog",
        since=NOW + timedelta(days=1),
        until=NOW + timedelta(days=2),
    )
    assert empty == 0, "outside the date range nothing is replayed"


async def _read(settings: Settings, name: str, *, expect: int) -> list[Any]:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await consumer.start()
    try:
        deadline = time.monotonic() + 30
        records: list[Any] = []
        while len(records) < expect and time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(name)
            if not parts:
                await asyncio.sleep(0.1)
                continue
            tps = [TopicPartition(name, p) for p in sorted(parts)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            records = []
            while len(records) < expect and time.monotonic() < deadline:
                for batch in (await consumer.getmany(timeout_ms=200)).values():
                    records.extend(batch)
        return records
    finally:
        await consumer.stop()
