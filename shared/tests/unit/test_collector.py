"""The garbage collector's settings for a service process (docs/adr/0039)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from shared.runtime.collector import THRESHOLDS, settle_after_start


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_objects_are_frozen_and_collections_come_less_often() -> None:
    kept = [object() for _ in range(100)]  # what a process builds at start-up and keeps
    gc.unfreeze()

    settle_after_start()

    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700  # CPython's default young threshold, which cost 7-11% of a service


@pytest.mark.usefixtures("restored_collector")
def test_garbage_in_cycles_is_still_collected_after_settling() -> None:
    settle_after_start()

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle only the collector can free
    del a, b

    assert gc.collect() >= 2
