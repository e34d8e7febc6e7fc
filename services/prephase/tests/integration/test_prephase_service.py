"""Prephase against the real broker and database, beside a real intake, fed as front-ends and
planning feed them: cases go from release to completion; a B case with an inconsistent language
indication ends as D, heading for a hearing (R8); no topic carries 1F/NV content or an account."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.app import definition as intake_definition
from prephase import persistence as db
from prephase.app import definition, invite_waiting_cases
from prephase.domain import (
    Invitation,
    LocationDay,
    Logistics,
    PrephaseCase,
    Status,
    day_row_key,
)
from prephase.persistence import cases
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.catalogue import location_day_key
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    ApplicantLogisticsRecorded,
    ApplicationRegistered,
    ApplicationWithdrawn,
    CaseRegistered,
    LogisticsPart,
)
from shared.contracts.events.planning import (
    CaseReleased,
    InterpreterPlaces,
    PrephaseLocationDayPlanned,
    ReleaseStage,
)
from shared.contracts.events.prephase import (
    DocumentKind,
    DocumentsRecorded,
    ExclusionScreeningOutcome,
    ExclusionScreeningRecorded,
    ExclusionSignalRecorded,
    HandedInDocument,
    LanguageIndicationRecorded,
    LanguageIndicationResult,
    NoShowReason,
    OriginFinding,
    OriginInvestigationRecorded,
    PrephaseAttendanceRecorded,
    PrephaseCancellationReason,
    PrephaseCompletionRecorded,
    PrephaseDayCancelled,
    WrittenAccountRecorded,
)
from shared.contracts.topics import (
    REGISTRATION_INPUT,
    Stage,
    plan_events,
    rejections,
    stage_events,
    stage_input,
)
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday
DAY_1, DAY_2 = date(2026, 10, 19), date(2026, 10, 26)
LOCATION = "prephase-zwolle"
PREPHASE_IN = stage_input(Stream.BACKLOG, Stage.PREPHASE)
PREPHASE_OUT = stage_events(Stream.BACKLOG, Stage.PREPHASE)
INTAKE_OUT = stage_events(Stream.BACKLOG, Stage.INTAKE)
REJECTIONS = rejections(Stream.BACKLOG)


@pytest.fixture
def clock() -> DrivenClock:
    return DrivenClock(NOW)


@pytest.fixture
async def prephase(settings: Settings, clock: DrivenClock) -> AsyncIterator[ServiceRuntime]:
    async with running(settings, definition, clock=clock) as (runtime,):
        yield runtime


@pytest.fixture
async def intake(settings: Settings, clock: DrivenClock) -> AsyncIterator[ServiceRuntime]:
    async with running(settings, intake_definition, clock=clock) as (runtime,):
        yield runtime


def event(
    data: EventData, case_id: str, *, actor: str = "caseworker:cw-7", stream: Any = Stream.BACKLOG
) -> Envelope[Any]:
    return front_end_event(data, subject=case_id, stream=stream, actor=actor)


def application(v_number: str, nationality: str) -> ApplicationRegistered:
    return ApplicationRegistered(
        v_number=v_number,
        nationality=nationality,
        sex=Sex.MALE,
        date_of_birth=date(1990, 5, 17),
        lodged_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
        unaccompanied=False,
        nuisance=False,
    )


LOGISTICS = ApplicantLogisticsRecorded(
    interpreter_languages=("ara",),
    reception_location="coa-budel",
    lawyer="rvr-40211",
    court_district=None,
)


def day_planned(day: date, places: int) -> Envelope[Any]:
    data = PrephaseLocationDayPlanned(
        location=LOCATION,
        day=day,
        places=places,
        interpreters=(InterpreterPlaces(language="ara", places=places),),
        return_information=True,
    )
    return event(data, location_day_key(LOCATION, day), actor="system:planning")


def changed(case_id: str) -> Envelope[Any]:
    """The ApplicantLogisticsChanged intake would publish after LOGISTICS."""
    fields = LOGISTICS.model_dump()
    data = ApplicantLogisticsChanged(**fields, changed=tuple(LogisticsPart))
    return event(data, case_id, actor="system:intake")


def released(case_id: str) -> Envelope[Any]:
    data = CaseReleased(
        stage=ReleaseStage.PREPHASE,
        release_day=NOW.date(),
        team="team-prephase-1",
        cycle="cycle-2026-4",
        cohort="cohort-2026-4-01",
    )
    return event(data, case_id, actor="system:planning")


async def states(runtime: ServiceRuntime) -> dict[str, dict[str, Any]]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(select(cases.c.case_id, cases.c.state))
        return {row.case_id: row.state for row in rows}


async def until(runtime: ServiceRuntime, check: Any, what: str) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = await states(runtime)
        if check(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"prephase never reached: {what}; it has {await states(runtime)}")


def status(*case_ids: str, is_: str) -> Any:
    return lambda s: all(s.get(c, {}).get("status") == is_ for c in case_ids)


async def invitation_pass(runtime: ServiceRuntime) -> None:
    assert runtime.processor is not None
    await runtime.processor.run_work(lambda uow: invite_waiting_cases(runtime, uow))


async def every_record(settings: Settings) -> list[Any]:
    """Every record on every topic of this test (its prefix), from the start to the end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await consumer.start()
    try:
        names = [t for t in await consumer.topics() if t.startswith(settings.topic_prefix)]
        partitions = [
            TopicPartition(t, p) for t in names for p in consumer.partitions_for_topic(t) or ()
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def by_type(records: list[Any]) -> dict[str, list[Envelope[Any]]]:
    found: dict[str, list[Envelope[Any]]] = {}
    for record in records:
        envelope = decode(record.headers, record.value)
        found.setdefault(type(envelope.data).__name__, []).append(envelope)
    return found


HEAR, WAIVE, MOVE, NO_SHOW, WITHDRAW, SIGNAL = (
    "pp-hear-1",
    "pp-waive-1",
    "pp-move-1",
    "pp-noshow-1",
    "pp-withdraw-1",
    "pp-1f-1",
)
NATIONALITY = {
    HEAR: "SYR",
    WAIVE: "MMR",
    MOVE: "MMR",
    NO_SHOW: "SYR",
    WITHDRAW: "SYR",
    SIGNAL: "SYR",
}
PASSPORT = HandedInDocument(kind=DocumentKind.PASSPORT, original=True, issuing_country="SYR")


async def record_day(
    settings: Settings,
    case_id: str,
    on: date,
    language: LanguageIndicationResult,
    origin: OriginFinding | None,
    account: bool,
) -> None:
    outcomes: list[EventData] = [
        PrephaseAttendanceRecorded(day=on, attended=True),
        DocumentsRecorded(documents=(PASSPORT,)),
        LanguageIndicationRecorded(result=language, language="ara"),
    ]
    if origin is not None:
        outcomes.append(OriginInvestigationRecorded(result=origin))
    if account:
        outcomes.append(
            WrittenAccountRecorded(received_on=on, language="ara", pages=4, translation_needed=True)
        )
    # One case's input is one key, so it stays in order.
    await publish(settings, PREPHASE_IN, *(event(o, case_id) for o in outcomes))


async def test_cases_go_from_release_to_completion(
    intake: ServiceRuntime, prephase: ServiceRuntime, settings: Settings, clock: DrivenClock
) -> None:
    everyone = list(NATIONALITY)
    await publish(
        settings,
        REGISTRATION_INPUT,
        *(
            event(application(f"20000000{i:02d}", NATIONALITY[c]), c, stream=None)
            for i, c in enumerate(everyone)
        ),
        *(event(LOGISTICS, c, stream=None) for c in everyone),
    )
    await publish(
        settings, plan_events(Stream.BACKLOG), day_planned(DAY_1, 10), day_planned(DAY_2, 2)
    )
    await publish(
        settings, stage_events(Stream.BACKLOG, Stage.PLANNING), *(released(c) for c in everyone)
    )
    await until(
        prephase,
        lambda s: status(*everyone, is_="waiting")(s) and all(s[c]["logistics"] for c in everyone),
        "every case released, with its logistics",
    )

    await invitation_pass(prephase)
    found = await until(prephase, status(*everyone, is_="invited"), "every case invited")
    assert {found[c]["invitation"]["day"] for c in everyone} == {DAY_1.isoformat()}

    # Withdrawn before the day: invitation and transport cancelled.
    await publish(
        settings,
        REGISTRATION_INPUT,
        event(ApplicationWithdrawn(withdrawn_at=NOW), WITHDRAW, stream=None),
    )
    await until(prephase, status(WITHDRAW, is_="withdrawn"), "the withdrawal")

    clock.set(datetime(2026, 10, 19, 9, 0, tzinfo=UTC))
    consistent, inconsistent = (
        LanguageIndicationResult.CONSISTENT,
        LanguageIndicationResult.INCONSISTENT,
    )
    await record_day(settings, HEAR, DAY_1, consistent, None, account=True)
    await record_day(settings, WAIVE, DAY_1, consistent, OriginFinding.PLAUSIBLE, account=False)
    await record_day(settings, MOVE, DAY_1, inconsistent, OriginFinding.PLAUSIBLE, account=True)
    await record_day(settings, SIGNAL, DAY_1, consistent, None, account=True)
    await publish(
        settings,
        PREPHASE_IN,
        event(
            PrephaseAttendanceRecorded(
                day=DAY_1, attended=False, no_show_reason=NoShowReason.UNEXCUSED
            ),
            NO_SHOW,
        ),
        event(ExclusionSignalRecorded(signalled_on=DAY_1), SIGNAL),
    )
    # R8: intake moves the B case with an inconsistent language indication to D; prephase follows.
    found = await until(
        prephase,
        lambda s: (
            s[MOVE]["category"] == "D"
            and s[MOVE]["findings"]["written_account"]
            and s[SIGNAL]["exclusion"] == "pending"
            and s[NO_SHOW]["status"] == "waiting"
            and s[HEAR]["findings"]["written_account"]
            and s[WAIVE]["findings"]["origin"]
        ),
        "the day's outcomes recorded",
    )

    complete = PrephaseCompletionRecorded(completed_on=DAY_1)
    await publish(settings, PREPHASE_IN, *(event(complete, c) for c in (HEAR, WAIVE, MOVE, SIGNAL)))
    await until(prephase, status(HEAR, WAIVE, MOVE, is_="completed"), "three completions")
    await publish(
        settings,
        PREPHASE_IN,
        event(complete, HEAR),  # a second completion: refused
        event(ExclusionScreeningRecorded(outcome=ExclusionScreeningOutcome.NO_INDICATIONS), SIGNAL),
        event(complete, SIGNAL),
    )
    await until(prephase, status(SIGNAL, is_="completed"), "the 1F case completed once cleared")

    # The no-show is invited again, for the next day that fits.
    await invitation_pass(prephase)
    found = await until(prephase, status(NO_SHOW, is_="invited"), "the re-invitation")
    assert found[NO_SHOW]["invitation"]["day"] == DAY_2.isoformat()
    assert found[NO_SHOW]["invitations"] == 2
    clock.set(datetime(2026, 10, 26, 9, 0, tzinfo=UTC))
    await record_day(settings, NO_SHOW, DAY_2, consistent, None, account=True)
    await publish(
        settings, PREPHASE_IN, event(PrephaseCompletionRecorded(completed_on=DAY_2), NO_SHOW)
    )
    await until(prephase, status(NO_SHOW, is_="completed"), "the re-invited case completed")

    # A committed state is not yet a published event: read until the relays caught up.
    deadline = time.monotonic() + 30
    while True:
        records = await every_record(settings)
        out = by_type([r for r in records if r.topic.endswith(PREPHASE_OUT)])
        refused = by_type([r for r in records if r.topic.endswith(REJECTIONS)]).get("Rejection", [])
        if len(out.get("PrephaseCompleted", [])) == 5 and len(refused) == 2:
            break
        assert time.monotonic() < deadline, f"events never all published: {sorted(out)}"
        await asyncio.sleep(0.2)
    eligible = {e.subject: e.data.waiver_eligible for e in out["PrephaseCompleted"]}
    assert eligible == {HEAR: False, WAIVE: True, MOVE: False, SIGNAL: False, NO_SHOW: False}
    assert len(out["PrephaseInvited"]) == 7
    assert len(out["TransportRequested"]) == 7
    assert [(e.subject, e.data.reason) for e in out["PrephaseInvitationCancelled"]] == [
        (WITHDRAW, PrephaseCancellationReason.CASE_WITHDRAWN)
    ]
    assert [e.subject for e in out["TransportCancelled"]] == [WITHDRAW]
    assert [e.subject for e in out["PrephaseNoShow"]] == [NO_SHOW]
    assert all(e.data.return_information for e in out["PrephaseInvited"])
    moved = by_type([r for r in records if r.topic.endswith(INTAKE_OUT)])["CaseRecategorised"]
    assert [(e.subject, e.data.old_category, e.data.new_category) for e in moved] == [
        (MOVE, Category.B, Category.D)
    ]
    reasons = {e.subject: e.data.reason for e in refused}
    assert set(reasons) == {HEAR, SIGNAL}
    assert "complete" in reasons[HEAR]
    assert "on hold" in reasons[SIGNAL]

    # Over every record on every topic of the run: no 1F/NV content, no written account.
    exclusion = {
        name: [
            set(json.loads(r.value))
            for r in records
            if decode(r.headers, r.value).type.startswith(prefix)
        ]
        for name, prefix in (
            ("signal", "nl.ind.prephase.exclusion-signal"),
            ("screening", "nl.ind.prephase.exclusion-screening"),
        )
    }
    assert exclusion["signal"] == [{"signalled_on"}] * 2  # the input and the fact: a date only
    # The input and the fact, in whichever order the topics were read.
    screening = sorted(sorted(fields) for fields in exclusion["screening"])
    assert screening == [["hold_lifted", "outcome"], ["outcome"]]
    for record in records:
        text = record.value.decode()
        assert "article_1f" not in text
        assert "national_security" not in text
        assert not any(k in json.loads(record.value) for k in ("account", "motive", "text"))
    assert not any(".partner." in r.topic for r in records)  # chain-notify is not running


async def test_front_end_input_out_of_order_is_refused_with_a_reason(
    prephase: ServiceRuntime, settings: Settings
) -> None:
    registered = CaseRegistered(
        v_number="2000000099",
        nationality="SYR",
        stream=Stream.BACKLOG,
        lodged_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
        procedure="national_regular",
        category=Category.A,
        policy_version="cp-2026-10",
        deadline=date(2025, 9, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    await publish(
        settings,
        INTAKE_OUT,
        *(event(registered, c, actor="system:intake") for c in ("pp-a", "pp-b")),
    )
    await publish(settings, plan_events(Stream.BACKLOG), day_planned(DAY_1, 1))
    await publish(settings, stage_events(Stream.BACKLOG, Stage.PLANNING), released("pp-b"))
    await until(
        prephase,
        lambda s: s.get("pp-b", {}).get("status") == "waiting" and "pp-a" in s,
        "two cases",
    )

    await publish(settings, INTAKE_OUT, changed("pp-b"))
    await until(prephase, lambda s: s["pp-b"]["logistics"] is not None, "logistics")
    await invitation_pass(prephase)
    await until(prephase, status("pp-b", is_="invited"), "the invitation")
    cancel = PrephaseDayCancelled(reason=PrephaseCancellationReason.LOCATION_UNAVAILABLE)
    await publish(settings, PREPHASE_IN, event(cancel, "pp-b", actor="planner:pl-1"))
    await until(prephase, status("pp-b", is_="waiting"), "the cancellation")

    await publish(
        settings,
        PREPHASE_IN,
        event(DocumentsRecorded(documents=()), "pp-a"),  # never invited
        event(
            LanguageIndicationRecorded(result=LanguageIndicationResult.CONSISTENT, language="ara"),
            "pp-nobody",
        ),
        event(PrephaseAttendanceRecorded(day=DAY_1, attended=True), "pp-b"),  # cancelled day
    )
    rejected = [
        decode(r.headers, r.value)
        for r in await read_topic(settings, REJECTIONS, expect=3, settle=0.5)
    ]
    reasons = {e.subject: e.data.reason for e in rejected}
    assert "never invited" in reasons["pp-a"]
    assert "does not know" in reasons["pp-nobody"]
    assert "was cancelled" in reasons["pp-b"]


async def test_a_pass_with_every_day_booked_up_reads_only_the_cases_owed_a_report(
    prephase: ServiceRuntime,
) -> None:
    """Issue 16: with no free place, the pass leaves the cases already reported unread; once a
    place comes free, they are served again in the fixed order."""

    def location_day(location: str, places: int) -> LocationDay:
        key = day_row_key(Stream.BACKLOG, location_day_key(location, DAY_1))
        return LocationDay(
            key=key, stream=Stream.BACKLOG, location=location, day=DAY_1, places=places
        )

    def case(case_id: str, minute: int, **update: Any) -> PrephaseCase:
        fields: dict[str, Any] = {
            "case_id": case_id,
            "stream": Stream.BACKLOG,
            "category": Category.A,
            "priority_group": None,
            "lodged_at": datetime(2025, 3, 1, 9, minute, tzinfo=UTC),
            "status": Status.WAITING,
            "release_day": date(2026, 10, 1),
            "logistics": Logistics(reception_location="coa-budel"),
        }
        return PrephaseCase.model_validate(fields | update)

    full = location_day(LOCATION, 1)
    holder = case(
        "case-holder",
        0,
        status=Status.INVITED,
        invitation=Invitation(
            location=LOCATION,
            day=DAY_1,
            interpreter_language=None,
            return_information=False,
            transport_from=None,
            guardian=False,
        ),
    )
    reported = case("case-reported", 1, not_scheduled_reported=True)
    owed = case("case-owed", 2)

    async def save(*states: Any) -> None:
        async def work(uow: Any) -> None:
            await db.DAYS.save(uow.session, [s for s in states if isinstance(s, LocationDay)])
            await db.CASES.save(uow.session, [s for s in states if isinstance(s, PrephaseCase)])

        assert prephase.processor is not None
        await prephase.processor.run_work(work)

    async def report_due() -> dict[str, bool]:
        async with prephase.engine.connect() as conn:
            rows = await conn.execute(select(cases.c.case_id, cases.c.report_due))
            return {row.case_id: row.report_due for row in rows}

    await save(full, holder, reported, owed)
    assert await report_due() == {"case-holder": True, "case-reported": False, "case-owed": True}
    before = await states(prephase)

    await invitation_pass(prephase)

    after = await states(prephase)
    assert after["case-reported"] == before["case-reported"]
    assert after["case-owed"]["not_scheduled_reported"] is True  # told once, now no longer owed
    assert (await report_due())["case-owed"] is False
    # Planning opens another location that day: one free place, for the first in the order.
    await save(location_day("prephase-ter-apel", 1))
    await invitation_pass(prephase)
    after = await states(prephase)
    assert after["case-reported"]["status"] == "invited"
    assert after["case-reported"]["invitation"]["location"] == "prephase-ter-apel"
    assert after["case-owed"]["status"] == "waiting"


def waiting_case(n: int, language: str | None = None, **update: Any) -> PrephaseCase:
    fields: dict[str, Any] = {
        "case_id": f"case-{n:03d}",
        "stream": Stream.BACKLOG,
        "category": Category.A,
        "priority_group": None,
        "lodged_at": datetime(2025, 3, 1, 9, tzinfo=UTC) + timedelta(minutes=n),
        "status": Status.WAITING,
        "release_day": date(2026, 10, 1),
        "logistics": Logistics(
            interpreter_languages=(language,) if language else (), reception_location="coa-budel"
        ),
        "not_scheduled_reported": True,
    }
    return PrephaseCase.model_validate(fields | update)


def one_place(location: str, **interpreters: int) -> LocationDay:
    key = day_row_key(Stream.BACKLOG, location_day_key(location, DAY_1))
    return LocationDay(
        key=key,
        stream=Stream.BACKLOG,
        location=location,
        day=DAY_1,
        places=1,
        interpreters=interpreters,
    )


async def save_states(runtime: ServiceRuntime, *states: Any) -> None:
    async def work(uow: Any) -> None:
        await db.DAYS.save(uow.session, [s for s in states if isinstance(s, LocationDay)])
        await db.CASES.save(uow.session, [s for s in states if isinstance(s, PrephaseCase)])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def test_waiting_cases_are_read_in_the_passes_fixed_order(prephase: ServiceRuntime) -> None:
    """The columns and index read the waiting cases in PrephaseCase.queue_order: release day
    (none: last), priority group, lodging moment, case id by code point (not the database's
    collation: 'case-B' before 'case-a')."""
    same = datetime(2025, 3, 1, 9, tzinfo=UTC)
    states = [
        waiting_case(1, case_id="case-a", lodged_at=same),
        waiting_case(2, case_id="case-B", lodged_at=same),
        waiting_case(3, case_id="case-b", lodged_at=same),
        waiting_case(4, priority_group=PriorityGroup.UNACCOMPANIED_MINOR),
        waiting_case(5, priority_group=PriorityGroup.NUISANCE),
        waiting_case(6, release_day=None),
        waiting_case(7, release_day=date(2026, 9, 30)),
        waiting_case(8, lodged_at=datetime(2025, 3, 1, 8, 59, 59, 999999, tzinfo=UTC)),
        waiting_case(9, stream=Stream.PACT),
        waiting_case(10, status=Status.INVITED),
    ]
    await save_states(prephase, *states)
    expected = [
        c.case_id
        for c in sorted(states, key=PrephaseCase.queue_order)
        if c.stream is Stream.BACKLOG and c.status is Status.WAITING
    ]
    read: list[str] = []
    async with prephase.engine.connect() as conn, AsyncSession(conn) as session:
        after = None
        while page := await db.read_waiting_in_order(session, Stream.BACKLOG, after, 3, ()):
            read.extend(c.case_id for c in page)
            after = page[-1].queue_order()
    assert read == expected
    assert read[:3] == ["case-007", "case-005", "case-004"]
    assert read[-1] == "case-006"


async def test_a_pass_with_one_free_place_reads_on_past_cases_without_an_interpreter(
    prephase: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the place goes to the first case in the order with the day's interpreter
    language, far behind cases that find none (the interpreter rule); a case owed its report
    beyond what is read is still told; the rest of the queue stays unread."""
    cases_ = [waiting_case(n, "ara") for n in range(400)]
    cases_[60] = waiting_case(60, "tir")
    cases_[300] = waiting_case(300, "ara", not_scheduled_reported=False)
    await save_states(prephase, one_place(LOCATION, tir=1), *cases_)
    read = spy_on_first_look(monkeypatch)
    before = await states(prephase)

    await invitation_pass(prephase)

    after = await states(prephase)
    assert after["case-060"]["status"] == "invited"
    assert after["case-300"]["not_scheduled_reported"] is True  # told, though never read in order
    changed = {c for c in after if after[c] != before[c]}
    assert changed == {"case-060", "case-300"}
    assert sum(read) == 1  # only case-060 might fit: the rest of the queue stays unread


def spy_on_first_look(monkeypatch: pytest.MonkeyPatch, then: Any = None) -> list[int]:
    """Counts the cases each first-look page returns; `then` runs after the first page."""
    read: list[int] = []
    real = db.read_waiting_in_order

    async def spy(*args: Any) -> list[PrephaseCase]:
        page = await real(*args)
        read.append(len(page))
        if then is not None and len(read) == 1:
            await then(page)
        return page

    monkeypatch.setattr(db, "read_waiting_in_order", spy)
    return read


async def test_a_case_gone_between_the_first_look_and_the_lock_leaves_no_place_unused(
    prephase: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first look is unlocked: when the case it counted on for the last free place is
    withdrawn before the lock, and none of the others it read can take the place (that day was
    cancelled for them once), the pass reads the stream in full, so that the place goes to
    the next case that fits, as a pass reading everything would have given it."""
    cases_ = [waiting_case(n) for n in range(100)]
    for n in range(1, 41):
        cases_[n] = waiting_case(n, cancelled_days=(DAY_1,))
    await save_states(prephase, one_place(LOCATION), *cases_)

    async def withdraw_first(page: list[PrephaseCase]) -> None:
        assert page[0].case_id == "case-000"
        gone = page[0].model_copy(update={"status": Status.WITHDRAWN})
        async with prephase.engine.begin() as conn, AsyncSession(conn) as session:
            await db.CASES.save(session, [gone])
            await session.commit()

    read = spy_on_first_look(monkeypatch, withdraw_first)
    await invitation_pass(prephase)

    after = await states(prephase)
    assert read == [32]  # the first look stopped after case-000 took the place
    assert after["case-000"]["status"] == "withdrawn"
    invited = [c for c in after if after[c]["status"] == "invited"]
    assert invited == ["case-041"]
