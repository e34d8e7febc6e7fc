"""The foundation's promises, against the real PostgreSQL and Kafka-protocol broker."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select

from shared.contracts.envelope import decode, encode
from shared.contracts.events.hearing import HearingHeld
from shared.contracts.topics import TopicNames, rejections
from shared.contracts.values import Stream
from shared.runtime.database import inbox_table, outbox_table
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.examples import example
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, publish_records, read_topic
from shared.tools.testing.waiting import wait_until

pytestmark = pytest.mark.integration

REJECTIONS = rejections(Stream.BACKLOG)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(echo.definition, settings)
    await service.migrate()
    await service.start()
    yield service
    await service.stop()


def request(text_: str, subject: str = "case-0001") -> Any:
    return front_end_event(echo.EchoRequested(text=text_), subject=subject, stream=Stream.BACKLOG)


async def effects(runtime: ServiceRuntime) -> list[str]:
    async with runtime.engine.connect() as conn:
        return list(await echo.recorded_texts(conn))


async def test_an_event_delivered_twice_has_one_effect(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    event = request("hello")
    await publish(settings, echo.INPUT, event)
    await publish(settings, echo.INPUT, event)  # redelivery: same event id
    await publish(settings, echo.INPUT, request("next"))

    answers = await read_topic(settings, echo.OUTPUT, expect=2, settle=1.0)

    assert [decode(r.headers, r.value).data.text for r in answers] == ["hello", "next"]
    assert await effects(runtime) == ["hello", "next"]
    done = decode(answers[0].headers, answers[0].value)
    assert done.causationid == event.id
    assert done.correlationid == event.correlationid
    assert runtime.metrics.duplicates._value.get() == 1


async def test_bad_input_lands_on_the_rejection_topic_and_the_next_event_is_handled(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    topic = TopicNames(settings.topic_prefix)(echo.INPUT)
    garbage = b"\xff\xfe not json at all"
    good = encode(request("after the bad ones"), topic)
    invalid = encode(request("x"), topic)
    invalid = type(invalid)(
        topic, invalid.key, json.dumps({"text": 42, "extra": 1}).encode(), invalid.headers
    )
    undecodable = type(good)(topic, b"case-0002", garbage, good.headers)
    no_headers = type(good)(topic, b"case-0003", b'{"text": "hi"}', ())
    await publish_records(settings, [undecodable, invalid, no_headers, good])

    rejected = await read_topic(settings, REJECTIONS, expect=3, settle=0.5)
    answers = await read_topic(settings, echo.OUTPUT, expect=1)

    # Different keys, different partitions: no order between them.
    reports = {
        decode(r.headers, r.value).data.code: decode(r.headers, r.value).data for r in rejected
    }
    assert sorted(reports) == ["missing-attributes", "schema-invalid", "undecodable"]
    assert "data is not JSON" in reports["undecodable"].reason
    assert "text: Input should be a valid string" in reports["schema-invalid"].reason
    assert "extra: Extra inputs are not permitted" in reports["schema-invalid"].reason
    assert "missing header(s) ce_id" in reports["missing-attributes"].reason
    assert base64.b64decode(reports["undecodable"].original.value_base64) == garbage
    assert reports["undecodable"].original.topic == topic
    # The sender can match a refusal to what it sent, when the headers were readable.
    by_code = {decode(r.headers, r.value).data.code: decode(r.headers, r.value) for r in rejected}
    invalid_id = UUID(dict(invalid.headers)["ce_id"].decode())
    assert by_code["schema-invalid"].causationid == invalid_id
    assert by_code["schema-invalid"].correlationid == invalid_id
    assert [decode(r.headers, r.value).data.text for r in answers] == ["after the bad ones"]
    assert runtime.metrics.rejected.labels("schema-invalid")._value.get() == 1


async def test_refusals_and_handler_failures_are_rejected_with_the_reason(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    refused, failing = request("refuse"), request("boom")
    await publish(settings, echo.INPUT, refused, failing, request("fine"))

    rejected = await read_topic(settings, REJECTIONS, expect=2, settle=0.5)
    answers = await read_topic(settings, echo.OUTPUT, expect=1)

    reports = {
        decode(r.headers, r.value).causationid: decode(r.headers, r.value).data for r in rejected
    }
    assert reports[refused.id].code == "refused"
    assert reports[refused.id].reason == "echo refuses to repeat 'refuse'"
    assert reports[failing.id].code == "handler-error"
    assert "RuntimeError" in reports[failing.id].reason
    assert [decode(r.headers, r.value).data.text for r in answers] == ["fine"]
    assert await effects(runtime) == ["fine"]


async def test_other_types_are_ignored_on_event_topics_and_refused_on_input_topics(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    someone_elses = front_end_event(
        example(HearingHeld), subject="case-0009", stream=Stream.BACKLOG
    )
    misplaced = front_end_event(echo.EchoDone(text="x"), subject="case-0009", stream=Stream.BACKLOG)
    await publish(settings, echo.OTHERS, someone_elses)
    await publish(settings, echo.INPUT, misplaced, request("then this", subject="case-0009"))

    answers = await read_topic(settings, echo.OUTPUT, expect=1)
    rejected = await read_topic(settings, REJECTIONS, expect=1, settle=1.0)

    assert [decode(r.headers, r.value).data.text for r in answers] == ["then this"]
    [report] = [decode(r.headers, r.value) for r in rejected]
    assert report.data.code == "wrong-topic"
    assert report.causationid == misplaced.id
    assert "does not accept nl.ind.test.echo-done.v1" in report.data.reason

    async def ignored_once() -> bool:  # the other topic has no order relative to the input
        return bool(runtime.metrics.ignored._value.get() == 1)

    await wait_until(ignored_once)


def _start_echo(settings: Settings, log: Path, *, relay: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_HTTP_PORT": "0",
        "CASEFLOW_RELAY_ENABLED": "true" if relay else "false",
        "CASEFLOW_BATCH_TIMEOUT_MS": "20",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "shared.tools.testing.echo", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


async def test_a_service_killed_between_commit_and_publish_publishes_exactly_once_after_restart(
    settings: Settings, tmp_path: Path
) -> None:
    probe = ServiceRuntime(echo.definition, settings)  # only for its database connection
    await probe.migrate()

    async def count(table: Any) -> int:
        async with probe.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(table)) or 0)

    first = _start_echo(
        settings, tmp_path / "first.log", relay=False
    )  # commits, but never gets to publish
    try:
        event = request("survives a crash")
        await publish(settings, echo.INPUT, event)
        await wait_until(lambda: _ready(count), timeout=90)  # a subprocess start, slow under load
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert await read_topic(settings, echo.OUTPUT, expect=1, timeout=1.0) == []

    second = _start_echo(settings, tmp_path / "second.log", relay=True)
    try:
        answers = await read_topic(settings, echo.OUTPUT, expect=1, settle=2.0)
        assert [decode(r.headers, r.value).causationid for r in answers] == [event.id]
        await wait_until(lambda: _empty(count), timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    async with probe.engine.connect() as conn:
        assert await echo.recorded_texts(conn) == ["survives a crash"]
    await probe.engine.dispose()


async def _ready(count: Any) -> bool:
    return bool(await count(inbox_table) == 1 and await count(outbox_table) == 1)


async def _empty(count: Any) -> bool:
    return bool(await count(outbox_table) == 0)
