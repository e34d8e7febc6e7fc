"""A tick reaches the followers two ways: as a PostgreSQL notification, which wakes them at once,
and on the clock topic, which stays the record and the way in when a notification is missed
(docs/adr/0021, session 6). Either way alone moves the days, and a tick seen both ways is
answered once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

import shared.tools.simulation as driving
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.simulation import SimulationDriver
from shared.tools.testing import echo

pytestmark = pytest.mark.integration

FIRST = date(2026, 4, 20)  # a Monday: echo's weekly timer emits, the day takes two rounds


async def started(settings: Settings) -> ServiceRuntime:
    simulated = settings.model_copy(update={"simulated_clock": True, "fetch_max_wait_ms": 20})
    service = ServiceRuntime(
        echo.definition, simulated, clock=DrivenClock(datetime(2026, 4, 19, tzinfo=UTC))
    )
    await service.migrate()
    await service.start()
    assert service.follower is not None
    await asyncio.wait_for(service.follower.listening.wait(), timeout=10)
    return service


async def test_notifications_alone_move_the_days(settings: Settings) -> None:
    service = await started(settings)
    try:
        follower = service.follower
        assert follower is not None
        reading = next(t for t in follower._tasks if t.get_name().endswith("-clock-topic"))
        reading.cancel()  # the clock topic is no longer read: only notifications come in
        async with SimulationDriver(service.settings, ["echo"], answer_timeout=5) as driver:
            reports = await driver.run(FIRST, 3)
        assert [r.day for r in reports] == [FIRST + timedelta(days=n) for n in range(3)]
        assert reports[0].rounds >= 2  # the weekly echo was handled within the day
        assert follower.ticks_answered == sum(r.rounds for r in reports)
    finally:
        await service.stop()


async def test_without_notifications_the_topic_moves_the_days(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(driving, "wake_payload", lambda record: None)  # never notified
    service = await started(settings)
    try:
        follower = service.follower
        assert follower is not None
        async with SimulationDriver(service.settings, ["echo"], answer_timeout=5) as driver:
            reports = await driver.run(FIRST, 3)
        assert [r.day for r in reports] == [FIRST + timedelta(days=n) for n in range(3)]
        assert follower.ticks_answered == sum(r.rounds for r in reports)
    finally:
        await service.stop()
