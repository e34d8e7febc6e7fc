"""Time comes from a clock, so that simulations and tests can drive it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class WallClock:
    """Production clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class DrivenClock:
    """A clock that only moves when told to: for simulations, replays and tests."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("DrivenClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time does not run backwards")
        self._now += delta
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("DrivenClock needs timezone-aware times")
        if moment < self._now:
            raise ValueError("time does not run backwards")
        self._now = moment.astimezone(UTC)
