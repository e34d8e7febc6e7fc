"""A tick whose answer fails on a passing fault (PostgreSQL restarting) is tried again: the
driver sends each tick once, so a dropped one stalled the simulation (found by make soak)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.simulation import SimulationDriver
from shared.tools.testing import echo

pytestmark = pytest.mark.integration


async def test_a_tick_whose_answer_failed_is_answered_after_all(settings: Settings) -> None:
    simulated = settings.model_copy(update={"simulated_clock": True, "fetch_max_wait_ms": 20})
    service = ServiceRuntime(
        echo.definition, simulated, clock=DrivenClock(datetime(2026, 4, 19, tzinfo=UTC))
    )
    await service.migrate()
    await service.start()
    try:
        follower = service.follower
        assert follower is not None
        real = follower._outbox_empty
        failures = []

        async def outbox_empty() -> bool:
            if not failures:
                failures.append(1)
                raise ConnectionRefusedError("PostgreSQL is restarting")
            return await real()

        follower._outbox_empty = outbox_empty  # type: ignore[method-assign]
        async with SimulationDriver(simulated, ["echo"], answer_timeout=30) as driver:
            report = await driver.run_day(date(2026, 4, 20))
        assert failures == [1]
        assert report.rounds >= 2
        assert follower.ticks_answered == report.rounds
    finally:
        await service.stop()
