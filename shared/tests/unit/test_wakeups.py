"""Fetches that wait in the client for announced ends (docs/adr/0037), without servers: what a
waiting fetch waits for, and that it never asks again in a tight loop."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace
from typing import Any

import pytest

import shared.runtime.wakeups as wakeups_module
from shared.runtime.settings import Settings
from shared.runtime.wakeups import (
    BROKER_WAIT_MS,
    FALLBACK_SECONDS,
    RETRY_FIRST,
    Wakeups,
    ends_payload,
    fetch_wait_ms,
    wake_channel,
)


def make() -> Wakeups:
    return Wakeups(Settings(topic_prefix="t."))


def test_only_a_later_end_counts() -> None:
    wakeups = make()
    wakeups.learn({"t.a/0": 5})
    wakeups.learn({"t.a/0": 3})  # an older announcement, read late
    assert wakeups.ends == {"t.a/0": 5}
    assert wakeups.beyond({"t.a/0": 4})
    assert not wakeups.beyond({"t.a/0": 5})
    assert not wakeups.beyond({"t.b/0": 0})  # nothing heard of that partition


async def test_a_waiting_fetch_wakes_on_an_end_beyond_its_position_only() -> None:
    wakeups = make()
    waiting = asyncio.create_task(wakeups.wait_beyond({"t.a/0": 7}, timeout=30))
    await asyncio.sleep(0)
    wakeups.learn({"t.b/0": 100})  # another partition
    wakeups.learn({"t.a/0": 7})  # up to where it stands already
    await asyncio.sleep(0)
    assert not waiting.done()
    wakeups.learn({"t.a/0": 8})
    assert await asyncio.wait_for(waiting, timeout=5) is True


async def test_a_partition_resumed_meanwhile_ends_the_wait() -> None:
    resumed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    waiting = asyncio.create_task(
        make().wait_beyond({"t.a/0": 0}, timeout=30, interruptions=[resumed])
    )
    await asyncio.sleep(0)
    assert not waiting.done()
    resumed.set_result(None)
    assert await asyncio.wait_for(waiting, timeout=5) is True


async def test_a_wait_with_nothing_announced_gives_up() -> None:
    assert await make().wait_beyond({"t.a/0": 0}, timeout=0.01) is False


async def test_an_announced_end_not_yet_fetched_is_asked_for_again_less_often_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    wakeups = make()
    wakeups.learn({"t.a/0": 10})
    monkeypatch.setattr(wakeups_module, "_current", wakeups)
    monkeypatch.setattr(wakeups_module.asyncio, "sleep", sleep)
    fetcher: Any = SimpleNamespace()
    for _ in range(12):
        await wakeups_module._wait_for_more(fetcher, {"t.a/0": 4})
    assert slept[0] == RETRY_FIRST
    assert all(b == min(2 * a, FALLBACK_SECONDS) for a, b in itertools.pairwise(slept))
    assert slept[-1] == FALLBACK_SECONDS  # never faster than the fallback once it persists


async def test_without_wakeups_an_empty_fetch_waits_the_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(wakeups_module, "_current", None)
    monkeypatch.setattr(wakeups_module.asyncio, "sleep", sleep)
    await wakeups_module._wait_for_more(SimpleNamespace(), {"t.a/0": 0})
    assert slept == [FALLBACK_SECONDS]


def test_the_broker_waits_only_when_the_client_does_not() -> None:
    assert fetch_wait_ms(Settings(fetch_max_wait_ms=25)) == 25
    assert fetch_wait_ms(Settings(fetch_max_wait_ms=25, fetch_wakeups=True)) == BROKER_WAIT_MS
    assert BROKER_WAIT_MS < 25


def test_one_channel_per_run_and_a_payload_that_fits_a_notification() -> None:
    assert wake_channel("run-1.") != wake_channel("run-2.")
    assert len(wake_channel("x" * 200)) < 64  # PostgreSQL's identifier limit
    ends = {f"caseflow.topic-{n}.v1/0": 10**9 for n in range(60)}
    assert len(ends_payload(ends).encode()) < 8000
