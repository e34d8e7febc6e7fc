"""Each round's tick and answers take the next partition of the clock topics (the embedded
broker's fetch cost grows with the batches a partition holds), and a follower reading several
partitions answers the newest tick among them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiokafka import TopicPartition

from shared.contracts.envelope import encode, new_event
from shared.contracts.events.clock import SIMULATION_KEY, ClockTicked
from shared.runtime.simulation import _newest_tick, clock_partition

DAY = date(2026, 10, 5)


def test_consecutive_rounds_and_days_take_the_next_partition() -> None:
    seen = [clock_partition(DAY, r, 32) for r in range(32)]
    assert sorted(seen) == list(range(32))  # a day of 32 rounds uses each partition once
    assert clock_partition(DAY + timedelta(days=1), 0, 32) == clock_partition(DAY, 1, 32)
    assert clock_partition(DAY, 3, 32) == clock_partition(DAY, 3, 32)  # both sides agree


def test_a_single_partition_topic_is_partition_zero() -> None:
    assert {clock_partition(DAY, r, 1) for r in range(5)} == {0}
    assert clock_partition(DAY, 4, 0) == 0


@dataclass
class Record:
    headers: list[tuple[str, bytes]]
    value: bytes
    offset: int = 0


def tick(day: date, round_: int) -> Record:
    now = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
    event = new_event(
        ClockTicked(day=day, round=round_, now=now),
        subject=SIMULATION_KEY,
        stream=None,
        source="/caseflow/simulator",
        actor="system:simulator",
        time=now,
    )
    record = encode(event, "caseflow.clock.v1")
    return Record(list(record.headers), record.value)


def test_the_newest_tick_is_answered_whatever_the_partition_order() -> None:
    a, b = TopicPartition("clock", 3), TopicPartition("clock", 9)
    older, newer = tick(DAY, 4), tick(DAY, 5)
    for records in ([(a, newer), (b, older)], [(b, older), (a, newer)]):
        found = _newest_tick(records)
        assert found is not None
        assert found[0] == a
        assert (found[2].data.day, found[2].data.round) == (DAY, 5)
    tomorrow = _newest_tick([(a, tick(DAY, 7)), (b, tick(DAY + timedelta(days=1), 0))])
    assert tomorrow is not None
    assert tomorrow[0] == b


def test_records_that_are_not_ticks_are_passed_over() -> None:
    a = TopicPartition("clock", 0)
    assert _newest_tick([(a, Record([], b"not an event"))]) is None
    found = _newest_tick([(a, Record([], b"garbage")), (a, tick(DAY, 1))])
    assert found is not None
    assert found[2].data.round == 1
