"""The driver reads acknowledgements only in unbroken offset order (Tansu can show a later
record before an earlier one appended at the same moment)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from shared.runtime.settings import Settings
from shared.tools import simulation
from shared.tools.simulation import SimulationDriver


@dataclass
class Record:
    offset: int


@dataclass
class Consumer:
    seeks: list[int] = field(default_factory=list)

    def seek(self, partition: Any, offset: int) -> None:
        self.seeks.append(offset)


def driver(next_ack: int) -> tuple[SimulationDriver, Consumer]:
    d = SimulationDriver(Settings(), ["a", "b"])
    consumer = Consumer()
    d._consumer = consumer  # type: ignore[assignment]
    d._next_ack = next_ack
    return d, consumer


def read(d: SimulationDriver, offsets: list[int]) -> list[int]:
    return [r.offset for r in asyncio.run(d._unbroken([Record(o) for o in offsets]))]


def test_unbroken_offsets_are_read_as_they_come() -> None:
    d, consumer = driver(10)
    assert read(d, [10, 11, 12]) == [10, 11, 12]
    assert d._next_ack == 13
    assert consumer.seeks == []


def test_a_hole_sends_the_reader_back_to_it() -> None:
    d, consumer = driver(10)
    assert read(d, [10, 12, 13]) == [10]
    assert consumer.seeks == [11]
    assert d.holes_read_again == 1
    # Fetched again from the hole: now the earlier record is there, and the rest follows.
    assert read(d, [11, 12, 13]) == [11, 12, 13]
    assert d._next_ack == 14


def test_records_read_before_are_skipped_after_going_back() -> None:
    d, _ = driver(10)
    assert read(d, [8, 9, 10]) == [10]


def test_a_hole_that_stays_is_taken_as_real() -> None:
    d, consumer = driver(10)
    assert read(d, [12]) == []
    assert d._hole_since is not None
    d._hole_since -= simulation.GAP_PATIENCE + 0.1  # as if fetched again for that long
    assert read(d, [12, 13]) == [12, 13]
    assert consumer.seeks == [10]
    assert d._next_ack == 14
