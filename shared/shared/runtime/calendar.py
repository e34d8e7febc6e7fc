"""Dutch working days: the one calendar every service counts in.

A day is a working day unless it is a Saturday, a Sunday or one of the general holidays of
the Algemene termijnenwet (General Time Limits Act, art. 3), the act that extends legal time
limits ending on such a day. The dates come from the ``holidays`` package for country NL (its
version is pinned in uv.lock, so a change of definition arrives as a reviewed update):

- New Year's Day, Easter Sunday and Monday, King's Day, Liberation Day (5 May, every year),
  Ascension Day, Whit Sunday and Monday, Christmas Day and the Second Day of Christmas;
- King's Day is 27 April, or Saturday 26 April when the 27th is a Sunday;
- the library counts Liberation Day as a public holiday only every fifth year and files it
  under OPTIONAL in the others, so both categories are read; and it lists Good Friday, which
  the act does not name, so that day is left out (docs/adr/0008-simulated-time.md).

Dates are calendar dates (``datetime.date``); turn a moment into a date in the time zone
that matters (Europe/Amsterdam) before asking.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY = 5


CATEGORIES = (holidays.PUBLIC, holidays.OPTIONAL)
NOT_IN_THE_ACT = {"Good Friday"}


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    days = holidays.country_holidays("NL", years=year, categories=CATEGORIES, language="en_US")
    return frozenset(d for d, name in days.items() if name not in NOT_IN_THE_ACT)


def holiday_name(d: date) -> str | None:
    """The public holiday on a day (the library's English name), or None."""
    if d not in _holidays(d.year):
        return None
    names = holidays.country_holidays("NL", years=d.year, categories=CATEGORIES, language="en_US")
    return str(names.get(d))


def is_working_day(d: date) -> bool:
    return d.weekday() < SATURDAY and d not in _holidays(d.year)


def next_working_day(d: date) -> date:
    """``d`` when it is a working day, else the first working day after it (a term that
    would start or end on a holiday or in a weekend moves to the next working day)."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The day ``n`` working days after ``d`` (before it when ``n`` is negative; ``d`` itself
    when ``n == 0``). The result is a working day unless n is 0."""
    step = 1 if n >= 0 else -1
    day = d
    for _ in range(abs(n)):
        day += timedelta(days=step)
        while not is_working_day(day):
            day += timedelta(days=step)
    return day


def working_days_in(start: date, end: date) -> list[date]:
    """The working days from ``start`` to ``end``, both included (empty when end < start)."""
    days = []
    day = start
    while day <= end:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def working_days_between(a: date, b: date) -> int:
    """The working days from ``a`` (excluded) to ``b`` (included); negative when b < a.
    The inverse of add_working_days: ``working_days_between(a, add_working_days(a, n)) == n``."""
    if b >= a:
        return len(working_days_in(a + timedelta(days=1), b))
    return -len(working_days_in(b, a - timedelta(days=1)))
