"""Intake against the real broker and database, fed the way front-ends feed it: Kafka records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intake.app import definition
from intake.persistence import cases, policies
from shared.contracts.envelope import decode, encode
from shared.contracts.events.common import Sex
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.hearing import HearingHeld
from shared.contracts.events.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyPublished,
    CountryPolicyRule,
)
from shared.contracts.topics import (
    POLICY_EVENTS,
    POLICY_INPUT,
    REGISTRATION_INPUT,
    REGISTRATION_REJECTIONS,
    Stage,
    TopicNames,
    stage_events,
)
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing.kafka import front_end_event, publish, publish_records, read_topic

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
BACKLOG_OUT = stage_events(Stream.BACKLOG, Stage.INTAKE)
PACT_OUT = stage_events(Stream.PACT, Stage.INTAKE)


@pytest.fixture
async def intake(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(definition, settings, clock=DrivenClock(NOW))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


def application(v_number: str, nationality: str, lodged_at: datetime, **extra: Any) -> Any:
    fields: dict[str, Any] = {
        "v_number": v_number,
        "nationality": nationality,
        "sex": Sex.MALE,
        "date_of_birth": date(1990, 5, 17),
        "lodged_at": lodged_at,
        "unaccompanied": False,
        "nuisance": False,
    }
    return ApplicationRegistered(**(fields | extra))


def registration(case_id: str, data: Any) -> Any:
    return front_end_event(data, subject=case_id, stream=None, actor="caseworker:desk-7")


async def case_row(runtime: ServiceRuntime, case_id: str) -> Any:
    async with runtime.engine.connect() as conn:
        return (await conn.execute(select(cases).where(cases.c.case_id == case_id))).one_or_none()


async def until_case(runtime: ServiceRuntime, case_id: str, **expected: Any) -> None:
    """Wait until intake has stored the case with these column values (events from other
    topics arrive in no particular order relative to the input topic)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        row = await case_row(runtime, case_id)
        if row is not None and all(getattr(row, k) == v for k, v in expected.items()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{case_id} never reached {expected}")


def data_of(records: list[Any]) -> list[Any]:
    return [decode(r.headers, r.value) for r in records]


async def test_registrations_appear_categorised_on_their_own_stream(
    intake: ServiceRuntime, settings: Settings
) -> None:
    backlog = registration(
        "case-b-1", application("1000000001", "SYR", datetime(2025, 3, 1, 9, tzinfo=UTC))
    )
    # 00:30 in Amsterdam on the cut-off day: Pact (R1).
    pact = registration(
        "case-p-1", application("1000000002", "SYR", datetime(2026, 6, 11, 22, 30, tzinfo=UTC))
    )
    await publish(settings, REGISTRATION_INPUT, backlog, pact)

    [backlog_out] = data_of(await read_topic(settings, BACKLOG_OUT, expect=1, settle=0.5))
    [pact_out] = data_of(await read_topic(settings, PACT_OUT, expect=1, settle=0.5))

    assert backlog_out.type == "nl.ind.intake.case-registered.v1"
    assert backlog_out.subject == "case-b-1"
    assert backlog_out.stream is Stream.BACKLOG
    assert backlog_out.causationid == backlog.id
    assert backlog_out.data.category is Category.A
    assert backlog_out.data.procedure == "national_regular"
    assert backlog_out.data.deadline == date(2025, 9, 1)
    assert pact_out.subject == "case-p-1"
    assert pact_out.stream is Stream.PACT
    assert pact_out.data.category is None
    assert pact_out.data.procedure == "pact_regular"


async def test_a_registration_sent_twice_registers_one_case(
    intake: ServiceRuntime, settings: Settings
) -> None:
    data = application("1000000003", "IRQ", datetime(2025, 1, 10, tzinfo=UTC))
    # A front-end retry: the same application under a new event id.
    await publish(settings, REGISTRATION_INPUT, registration("case-b-2", data))
    await publish(settings, REGISTRATION_INPUT, registration("case-b-2", data))

    out = data_of(await read_topic(settings, BACKLOG_OUT, expect=1, settle=1.5))
    rejected = await read_topic(settings, REGISTRATION_REJECTIONS, expect=0, timeout=0.5)

    assert [e.type for e in out] == ["nl.ind.intake.case-registered.v1"]
    assert out[0].data.category is Category.C
    assert rejected == []


async def test_bad_input_is_refused_with_a_clear_reason(
    intake: ServiceRuntime, settings: Settings
) -> None:
    lodged = datetime(2025, 2, 1, tzinfo=UTC)
    decided = registration("case-b-3", application("1000000004", "NGA", lodged))
    await publish(settings, REGISTRATION_INPUT, decided)
    await read_topic(settings, BACKLOG_OUT, expect=1)
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.DECISION),
        front_end_event(
            example(DecisionIssued),
            subject="case-b-3",
            stream=Stream.BACKLOG,
            actor="system:decision",
        ),
    )
    await until_case(intake, "case-b-3", status="decided")

    names = TopicNames(settings.topic_prefix)
    good = registration("case-x-1", application("1000000005", "SYR", lodged))
    record = encode(good, names(REGISTRATION_INPUT))
    unknown_country = type(record)(
        record.topic, b"case-x-2", record.value.replace(b'"SYR"', b'"XYZ"'), record.headers
    )
    no_v_number = type(record)(
        record.topic,
        b"case-x-3",
        record.value.replace(b'"v_number":"1000000005",', b""),
        record.headers,
    )
    await publish_records(settings, [unknown_country, no_v_number])
    await publish(
        settings,
        REGISTRATION_INPUT,
        registration("case-x-4", application("1000000006", "SYR", NOW + timedelta(days=3))),
        registration(
            "case-x-5", application("1000000004", "SYR", lodged)
        ),  # b-3 is decided: allowed
        registration("case-x-6", application("1000000004", "SYR", lodged)),  # x-5 is open: refused
        front_end_event(ApplicationWithdrawn(withdrawn_at=NOW), subject="case-nope", stream=None),
    )
    await read_topic(settings, BACKLOG_OUT, expect=2)
    await publish(
        settings,
        REGISTRATION_INPUT,
        front_end_event(ApplicationWithdrawn(withdrawn_at=NOW), subject="case-b-3", stream=None),
    )

    rejections = data_of(await read_topic(settings, REGISTRATION_REJECTIONS, expect=6, settle=1.0))
    reasons = {r.subject: r.data.reason for r in rejections}

    assert set(reasons) == {"case-x-2", "case-x-3", "case-x-4", "case-x-6", "case-nope", "case-b-3"}
    assert "nationality" in reasons["case-x-2"]
    assert "ISO 3166-1 alpha-3" in reasons["case-x-2"]
    assert "v_number: Field required" in reasons["case-x-3"]
    assert "future" in reasons["case-x-4"]
    assert "open application" in reasons["case-x-6"]
    assert "case-nope" in reasons["case-nope"]
    assert "decided" in reasons["case-b-3"]
    assert all(r.data.original.value_base64 for r in rejections)


async def test_a_new_policy_recategorises_only_open_unheard_backlog_cases(
    intake: ServiceRuntime, settings: Settings
) -> None:
    lodged = datetime(2025, 4, 1, tzinfo=UTC)
    await publish(
        settings,
        REGISTRATION_INPUT,
        registration("case-open", application("2000000001", "NGA", lodged)),
        registration("case-heard", application("2000000002", "NGA", lodged)),
        registration("case-gone", application("2000000003", "NGA", lodged)),
        registration("case-other", application("2000000004", "IRQ", lodged)),
    )
    registered = data_of(await read_topic(settings, BACKLOG_OUT, expect=4))
    assert {e.data.category for e in registered if e.data.nationality == "NGA"} == {Category.D}
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.HEARING),
        front_end_event(
            example(HearingHeld),
            subject="case-heard",
            stream=Stream.BACKLOG,
            actor="system:hearing",
        ),
    )
    await until_case(intake, "case-heard", heard=True)
    await publish(
        settings,
        REGISTRATION_INPUT,
        front_end_event(ApplicationWithdrawn(withdrawn_at=NOW), subject="case-gone", stream=None),
    )
    await read_topic(settings, BACKLOG_OUT, expect=5)  # the withdrawal

    published = front_end_event(
        CountryPolicyPublished(
            policy_version="cp-2026-11",
            effective_from=date(2026, 11, 1),
            rules=(
                CountryPolicyRule(nationality="NGA", category=Category.B),
                CountryPolicyRule(nationality="IRQ", category=Category.C),
            ),
        ),
        subject="cp-2026-11",
        stream=None,
        actor="policy-officer:po-3",
    )
    await publish(settings, POLICY_INPUT, published)

    [adopted] = data_of(await read_topic(settings, POLICY_EVENTS, expect=1))
    events = data_of(await read_topic(settings, BACKLOG_OUT, expect=6, settle=1.0))
    moved = [e for e in events if e.type == "nl.ind.intake.case-recategorised.v1"]

    assert adopted.data.cases_recategorised == 1
    assert adopted.causationid == published.id
    assert [(e.subject, e.data.old_category, e.data.new_category) for e in moved] == [
        ("case-open", Category.D, Category.B)
    ]
    assert moved[0].data.policy_version == "cp-2026-11"
    assert moved[0].causationid == published.id


def policy(version: str, effective_from: date, **categories: Category) -> Any:
    rules = tuple(CountryPolicyRule(nationality=n, category=c) for n, c in categories.items())
    data = CountryPolicyPublished(
        policy_version=version, effective_from=effective_from, rules=rules
    )
    return front_end_event(data, subject=version, stream=None, actor="policy-officer:po-3")


async def test_a_backdated_policy_does_not_undo_the_one_in_effect(
    intake: ServiceRuntime, settings: Settings
) -> None:
    lodged = datetime(2025, 4, 1, tzinfo=UTC)
    await publish(
        settings,
        REGISTRATION_INPUT,
        registration("case-n", application("2100000001", "NGA", lodged)),
    )
    await read_topic(settings, BACKLOG_OUT, expect=1)

    await publish(settings, POLICY_INPUT, policy("cp-2026-10", date(2026, 10, 1), NGA=Category.B))
    await read_topic(settings, POLICY_EVENTS, expect=1)
    await publish(settings, POLICY_INPUT, policy("cp-2026-09", date(2026, 9, 1), NGA=Category.C))

    adopted = data_of(await read_topic(settings, POLICY_EVENTS, expect=2))
    moved = [
        e
        for e in data_of(await read_topic(settings, BACKLOG_OUT, expect=2, settle=1.0))
        if e.type == "nl.ind.intake.case-recategorised.v1"
    ]
    assert [(a.data.policy_version, a.data.cases_recategorised) for a in adopted] == [
        ("cp-2026-10", 1),
        ("cp-2026-09", 0),
    ]
    assert [(e.data.new_category, e.data.policy_version) for e in moved] == [
        (Category.B, "cp-2026-10")
    ]


async def test_a_policy_whose_transaction_failed_is_adopted_on_redelivery(
    intake: ServiceRuntime, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from intake import handlers

    real = handlers.db.lock_open_unheard
    failures = []

    async def flaky(session: Any, **chunk: Any) -> Any:
        if not failures:
            failures.append(1)
            raise ConnectionError("the database went away")  # an infrastructure error
        return await real(session, **chunk)

    monkeypatch.setattr(handlers.db, "lock_open_unheard", flaky)
    intake.processor.infrastructure_backoff = 0.05  # type: ignore[union-attr]
    await publish(settings, POLICY_INPUT, policy("cp-2026-11b", date(2026, 11, 1), NGA=Category.A))

    [adopted] = data_of(await read_topic(settings, POLICY_EVENTS, expect=1, settle=0.5))
    assert failures == [1]
    assert adopted.data.policy_version == "cp-2026-11b"
    async with intake.engine.connect() as conn:
        stored = (await conn.execute(select(policies.c.policy_version))).scalars().all()
    assert "cp-2026-11b" in stored


async def test_a_policy_file_published_from_the_command_line_is_adopted(
    intake: ServiceRuntime, settings: Settings, tmp_path: Path
) -> None:
    from intake.cli import publish_policy_file

    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        'policy_version = "cp-file-1"\neffective_from = 2026-11-01\ndefault_category = "outside"\n'
        '[[rules]]\nnationality = "AFG"\nsex = "female"\ncategory = "B"\n',
        encoding="utf-8",
    )
    version = await publish_policy_file(settings, policy_file, "policy-officer:po-1")

    [adopted] = data_of(await read_topic(settings, POLICY_EVENTS, expect=1))
    assert version == "cp-file-1"
    assert adopted.data.policy_version == "cp-file-1"
    assert adopted.data.effective_from == date(2026, 11, 1)
