"""Dates as the law counts them: local dates in the Netherlands, months with end-of-month clamping.

Every legal date in intake (the cut-off, a lodging date, a deadline, an age) is a calendar
date in Europe/Amsterdam. Instants are converted to that local date first; naive datetimes
are refused because their instant is unknown.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class NaiveDateTimeError(ValueError):
    """A datetime without a time zone: it names no instant, so no legal date can be derived."""


def require_aware(moment: datetime, what: str = "moment") -> datetime:
    """Return ``moment`` if it is timezone-aware, else raise NaiveDateTimeError."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDateTimeError(f"{what} {moment.isoformat()} has no time zone")
    return moment


def local_date(moment: datetime, zone: ZoneInfo = AMSTERDAM) -> date:
    """The calendar date of ``moment`` in ``zone`` (Europe/Amsterdam unless told otherwise)."""
    return require_aware(moment).astimezone(zone).date()


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; a day that does not exist in the target month clamps to its
    last day (31 August + 6 months = 28 or 29 February)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(start.day, last_day))


def anniversary(born: date, years: int) -> date:
    """The date on which someone born on ``born`` completes ``years`` years.

    Someone born on 29 February completes a year on 1 March in a common year: the later of the
    two candidate days, so that a child is never treated as an adult a day early.
    """
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        return date(born.year + years, 3, 1)
