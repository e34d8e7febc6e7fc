"""A service's batch loop polls its consumer once per batch timeout and never sleeps after a
poll that found nothing (FastStream's own loop did: a record arriving during that sleep waited
for it; ADR 0037). Built without servers: the runtime's engine and broker connect lazily."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo


class Consumer:
    def __init__(self, batches: list[dict[str, list[str]]]) -> None:
        self.batches = batches
        self.polls: list[tuple[int, int]] = []

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[str, list[str]]:
        self.polls.append((timeout_ms, max_records))
        return self.batches.pop(0) if self.batches else {}


async def test_a_poll_that_found_nothing_is_not_followed_by_a_sleep(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def no_sleep(*_: Any) -> None:
        raise AssertionError("the batch loop slept")

    monkeypatch.setattr(anyio, "sleep", no_sleep)
    runtime = ServiceRuntime(echo.definition, Settings(batch_timeout_ms=70, batch_size=9))
    consumer = Consumer([{}, {"a/0": ["r1", "r2"], "b/0": ["r3"]}])
    get_msg: Any = runtime._input.get_msg
    assert await get_msg(consumer) == ()
    assert await get_msg(consumer) == ("r1", "r2", "r3")
    assert consumer.polls == [(70, 9), (70, 9)]
    await runtime.engine.dispose()
