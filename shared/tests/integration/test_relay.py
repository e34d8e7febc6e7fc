"""The relay's failure paths, against the real PostgreSQL and Kafka-protocol broker: a record the
broker will never take is parked, the rest flows exactly once, and /health says so."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy
from aiokafka import AIOKafkaProducer
from aiokafka.errors import RequestTimedOutError

from shared.contracts.envelope import KafkaRecord, decode, encode
from shared.contracts.rejections import ORIGINAL_VALUE_LIMIT
from shared.contracts.topics import TopicNames, rejections
from shared.contracts.values import Stream
from shared.runtime.database import outbox_parked_table, outbox_table
from shared.runtime.messaging import add_to_outbox
from shared.runtime.relay import OutboxRelay
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.waiting import table_rows, wait_until

pytestmark = pytest.mark.integration

REJECTIONS = rejections(Stream.BACKLOG)
SMALL_LIMIT = 4096  # the relay's producer refuses records larger than this


def request(text: str, subject: str) -> Any:
    return front_end_event(echo.EchoRequested(text=text), subject=subject, stream=Stream.BACKLOG)


@pytest.fixture
async def small_limit_runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    """The echo service whose relay refuses answers over SMALL_LIMIT bytes."""
    service = ServiceRuntime(
        echo.definition, settings.model_copy(update={"max_record_bytes": SMALL_LIMIT})
    )
    assert service.processor is not None
    service.processor.max_record_bytes = 10 * SMALL_LIMIT  # its inputs pass, its answers do not
    await service.migrate()
    await service.start()
    yield service
    await service.stop()


async def echo_schema(settings: Settings) -> tuple[ServiceRuntime, str]:
    """The echo service for its schema and engine only, and its output topic."""
    runtime = ServiceRuntime(echo.definition, settings)
    await runtime.migrate()
    return runtime, TopicNames(settings.topic_prefix)(echo.OUTPUT)


async def queue(runtime: ServiceRuntime, topic: str, texts: list[str]) -> list[KafkaRecord]:
    """Answers to these texts, committed to the outbox as a batch would."""
    records = [encode(request(t, "case-" + t.replace(" ", "-")), topic) for t in texts]
    async with runtime.session_factory() as session, session.begin():
        await add_to_outbox(session, records)
    return records


def texts(records: list[Any]) -> Counter[str]:
    return Counter(decode(r.headers, r.value).data.text for r in records)


async def test_an_unsendable_record_is_parked_its_case_waits_and_the_rest_goes_out_once(
    small_limit_runtime: ServiceRuntime, settings: Settings
) -> None:
    runtime = small_limit_runtime
    huge = "x" * (SMALL_LIMIT + 1000)  # its answer is over the relay's limit
    await publish(
        settings,
        echo.INPUT,
        request("first", "case-0001"),
        request(huge, "case-0002"),
        request("second", "case-0003"),
        request("behind the parked one", "case-0002"),
    )

    async def parked_and_held() -> bool:
        return len(await table_rows(runtime.engine, outbox_parked_table)) == 1 and any(
            r.key == b"case-0002" for r in await table_rows(runtime.engine, outbox_table)
        )

    await wait_until(parked_and_held)
    # Later passes: other cases flow on, case-0002 stays blocked.
    await publish(
        settings, echo.INPUT, request("third", "case-0004"), request("fourth", "case-0001")
    )
    answers = await read_topic(settings, echo.OUTPUT, expect=4, settle=2.0)

    assert texts(answers) == Counter(["first", "second", "third", "fourth"])  # each exactly once
    [parked] = await table_rows(runtime.engine, outbox_parked_table)
    assert parked.key == b"case-0002"
    assert parked.topic == TopicNames(settings.topic_prefix)(echo.OUTPUT)
    assert parked.reason.startswith("MessageSizeTooLargeError: ")
    assert json.loads(parked.value)["text"] == huge  # kept whole, for an operator
    [held] = await table_rows(runtime.engine, outbox_table)
    assert held.key == b"case-0002"
    assert held.id > parked.id
    metrics = runtime.metrics
    assert metrics.outbox_parked._value.get() == 1
    assert metrics.outbox_pending._value.get() == 1
    assert metrics.outbox_oldest_age._value.get() > 0
    assert metrics.parked.labels("MessageSizeTooLargeError")._value.get() == 1
    assert "1 outbox record(s) parked" in (runtime.relay.problem() or "")


class _TimesOutFor(AIOKafkaProducer):  # type: ignore[misc]
    """A real producer, except that the delivery of the keys in `failing` fails as if the broker
    never answered. The one simulated part: the real broker cannot be made to drop a chosen
    acknowledgement, and the embedded one creates any topic it is asked for."""

    failing: set[bytes]

    async def send(self, topic: str, value: Any = None, key: Any = None, **kw: Any) -> Any:
        if key in self.failing:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            future.set_exception(RequestTimedOutError())
            return future
        return await super().send(topic, value=value, key=key, **kw)


async def test_after_a_partly_failed_pass_only_the_unacknowledged_records_are_sent_again(
    settings: Settings,
) -> None:
    runtime, topic = await echo_schema(settings)
    records = await queue(runtime, topic, [f"answer {n}" for n in range(1, 201)])
    # stall_seconds=0: a pass that leaves records behind is at once a problem.
    relay = OutboxRelay(runtime.engine, runtime.metrics, batch_size=500, stall_seconds=0.0)
    producer = _TimesOutFor(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    producer.failing = {r.key for r in records[50:60]} | {records[150].key}
    relay.producer = producer
    await producer.start()
    try:
        first = await relay.publish_once()
        left = await table_rows(runtime.engine, outbox_table)
        stalled = relay.problem()
        producer.failing = set()  # the broker answers again
        second = await relay.publish_once()
        third = await relay.publish_once()
        recovered = relay.problem()
    finally:
        await producer.stop()
        await runtime.engine.dispose()

    assert (first, second, third) == (189, 11, 0)
    assert "11 outbox record(s) waiting" in (stalled or "")
    assert "RequestTimedOutError" in (stalled or "")
    assert recovered is None
    assert sorted(r.key for r in left) == sorted(
        [r.key for r in records[50:60]] + [records[150].key]
    )
    answers = await read_topic(settings, echo.OUTPUT, expect=200, settle=1.0)
    assert texts(answers) == Counter(f"answer {n}" for n in range(1, 201))  # none twice


async def test_a_5_mb_input_is_rejected_with_a_bounded_copy_and_its_neighbours_are_answered(
    settings: Settings,
) -> None:
    runtime = ServiceRuntime(echo.definition, settings)
    await runtime.migrate()
    await runtime.start()
    topic = TopicNames(settings.topic_prefix)(echo.INPUT)
    before, after = request("before", "case-0001"), request("after", "case-0002")
    big_envelope = encode(request("x", "case-0003"), topic)
    value = json.dumps({"text": 42, "padding": "y" * (5 * 1024 * 1024)}).encode()
    big = KafkaRecord(topic, big_envelope.key, value, big_envelope.headers)
    # The default producer refuses 1 MB and more; the embedded broker takes 5 MB.
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, max_request_size=8 * 1024 * 1024
    )
    await producer.start()
    try:
        for record in (encode(before, topic), big, encode(after, topic)):
            await producer.send_and_wait(
                record.topic, value=record.value, key=record.key, headers=list(record.headers)
            )
    finally:
        await producer.stop()
    try:
        rejected = await read_topic(settings, REJECTIONS, expect=1, settle=0.5)
        answers = await read_topic(settings, echo.OUTPUT, expect=2, settle=0.5)
    finally:
        await runtime.stop()

    assert texts(answers) == Counter(["before", "after"])
    [report] = [decode(r.headers, r.value) for r in rejected]
    assert report.data.code == "too-large"  # over CASEFLOW_MAX_RECORD_BYTES, refused unread
    original = report.data.original
    assert original.value_truncated is True
    assert original.value_size == len(value)
    assert original.value_sha256 == hashlib.sha256(value).hexdigest()
    assert base64.b64decode(original.value_base64) == value[:ORIGINAL_VALUE_LIMIT]
    assert len(rejected[0].value) < 100 * 1024


async def test_health_reports_a_parked_record(
    small_limit_runtime: ServiceRuntime, settings: Settings
) -> None:
    runtime = small_limit_runtime
    await publish(settings, echo.INPUT, request("z" * (SMALL_LIMIT + 1), "case-0001"))

    async def parked() -> bool:
        return runtime.relay.problem() is not None

    await wait_until(parked)
    transport = httpx.ASGITransport(app=runtime.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["relay"] is False
    assert "parked" in body["problems"]["relay"]
    assert "outbox_parked" in body["problems"]["relay"]


async def test_the_gauges_are_read_unless_the_pass_saw_the_whole_outbox_and_emptied_it(
    settings: Settings,
) -> None:
    runtime, topic = await echo_schema(settings)
    await queue(runtime, topic, [f"answer {n}" for n in range(1, 6)])
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sqlalchemy.event.listen(runtime.engine.sync_engine, "before_cursor_execute", seen)
    relay = OutboxRelay(runtime.engine, runtime.metrics, batch_size=2)
    relay.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await relay.producer.start()
    passes = []
    try:
        for _ in range(3):
            statements.clear()
            sent = await relay.publish_once()
            gauges_read = any("outbox_parked" in s and "count" in s for s in statements)
            passes.append((sent, gauges_read, runtime.metrics.outbox_pending._value.get()))
    finally:
        await relay.producer.stop()
        await runtime.engine.dispose()

    # Two full passes may have left rows behind: they ask. The third saw fewer rows than its
    # limit, sent them all and knows the outbox is empty without asking.
    assert passes == [(2, True, 3), (2, True, 1), (1, False, 0)]


async def test_after_a_pass_that_emptied_the_outbox_the_relay_waits_for_the_next_commit(
    settings: Settings,
) -> None:
    runtime, topic = await echo_schema(settings)

    # An idle interval far longer than the test: only wakes start passes.
    relay = OutboxRelay(runtime.engine, runtime.metrics, idle_interval=60.0)
    relay.producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    passes: list[int] = []
    publish_once = relay.publish_once

    async def counted() -> int:
        sent = await publish_once()
        passes.append(sent)
        return sent

    relay.publish_once = counted  # type: ignore[method-assign]
    await relay.producer.start()
    await queue(runtime, topic, ["one", "two"])
    task = asyncio.create_task(relay.run())
    try:
        await wait_until(lambda: _true(sum(passes) == 2))
        await asyncio.sleep(0.3)
        after_first = list(passes)
        await queue(runtime, topic, ["three"])
        relay.wake()  # as a batch's commit does
        await wait_until(lambda: _true(sum(passes) == 3))
        await asyncio.sleep(0.3)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await relay.producer.stop()
        await runtime.engine.dispose()

    # Each pass saw the whole outbox and emptied it: no second pass only to find it empty.
    assert after_first == [2]
    assert passes == [2, 1]


async def _true(value: bool) -> bool:
    return value
