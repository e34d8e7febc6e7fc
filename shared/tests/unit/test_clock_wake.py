"""The tick also travels as a PostgreSQL notification (it wakes every follower at once), and a
follower counts what its own process has handled before asking the broker for its group's
committed offsets (docs/adr/0021, session 6)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from aiokafka import TopicPartition

from shared.contracts.envelope import encode, new_event
from shared.contracts.events.clock import SIMULATION_KEY, ClockTicked, partition_key
from shared.runtime.clock import DrivenClock
from shared.runtime.settings import Settings
from shared.runtime.simulation import (
    NOTIFY_LIMIT,
    ClockFollower,
    clock_channel,
    tick_from_wake,
    wake_payload,
)

DAY = date(2026, 10, 5)
NOW = datetime(2026, 10, 5, 7, tzinfo=UTC)


def tick_record(ends: dict[str, int] | None) -> Any:
    event = new_event(
        ClockTicked(day=DAY, round=3, now=NOW, ends=ends),
        subject=SIMULATION_KEY,
        stream=None,
        source="/caseflow/simulator",
        actor="system:simulator",
        time=NOW,
    )
    return encode(event, "caseflow.clock.v1")


def test_a_tick_survives_the_notification_whole() -> None:
    # Every partition of a simulated run's topics, with the longest test prefix.
    ends = {
        partition_key(f"t0123456789ab.again.ind.topic-{n}.v1", p): n * 7
        for n in range(40)
        for p in (0, 1)
    }
    record = tick_record(ends)
    payload = wake_payload(record)
    assert payload is not None
    tick = tick_from_wake(payload)
    assert tick is not None
    assert str(tick.id) == new_id(record)
    assert tick.data == ClockTicked(day=DAY, round=3, now=NOW, ends=ends)


def new_id(record: Any) -> str:
    return dict(record.headers)["ce_id"].decode()


def test_a_tick_too_large_for_a_notification_goes_by_the_topic_only() -> None:
    # Incompressible names: the payload would pass PostgreSQL's limit.
    ends = {partition_key(hashlib.sha256(bytes([n])).hexdigest(), 0): n for n in range(200)}
    assert wake_payload(tick_record(ends)) is None
    assert NOTIFY_LIMIT < 8000


def test_a_notification_that_is_not_a_tick_is_passed_over() -> None:
    assert tick_from_wake("not base64 at all!") is None
    assert tick_from_wake("") is None


def test_each_simulation_has_its_own_channel() -> None:
    first, second = clock_channel("t1234."), clock_channel("t1234.again.")
    assert first != second
    assert first == clock_channel("t1234.")
    assert len(first) <= 63  # PostgreSQL's longest identifier


def follower(handled: dict[tuple[str, int], int]) -> tuple[ClockFollower, list[int]]:
    asked: list[int] = []
    clock = ClockFollower(
        service="echo",
        settings=Settings(),
        clock=DrivenClock(NOW),
        engine=None,  # type: ignore[arg-type]  # never reached: no outbox check here
        group_id="g",
        subscriptions=(),
        timers=(),
        run_work=None,
        published=lambda: 0,
        handled=lambda: handled,
    )
    clock._consumer = object()  # type: ignore[assignment]  # only checked for presence
    clock._admin = object()  # type: ignore[assignment]
    clock._partitions = [TopicPartition("in", 0), TopicPartition("in", 1)]

    async def committed() -> dict[TopicPartition, Any]:
        asked.append(1)
        return {TopicPartition("in", 0): Offset(5), TopicPartition("in", 1): Offset(9)}

    clock._committed = committed  # type: ignore[method-assign]
    return clock, asked


class Offset:
    def __init__(self, offset: int) -> None:
        self.offset = offset


async def test_what_this_process_handled_needs_no_question_to_the_broker() -> None:
    clock, asked = follower({("in", 0): 12, ("in", 1): 4})
    positions, behind = await clock._consumer_position({"in/0": 12, "in/1": 4})
    assert asked == []
    assert behind == {}
    assert positions == {TopicPartition("in", 0): 12, TopicPartition("in", 1): 4}


async def test_the_group_is_asked_for_what_this_process_did_not_handle() -> None:
    clock, asked = follower({("in", 0): 12})  # partition 1: handled by an earlier instance
    positions, behind = await clock._consumer_position({"in/0": 12, "in/1": 9})
    assert asked == [1]
    assert behind == {}
    assert positions == {TopicPartition("in", 0): 12, TopicPartition("in", 1): 9}
    # Still behind on partition 1 at an end beyond both: asked again, and told so.
    positions, behind = await clock._consumer_position({"in/0": 12, "in/1": 11})
    assert asked == [1, 1]
    assert behind == {TopicPartition("in", 1): 2}
