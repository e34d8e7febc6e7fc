"""Calendar arithmetic: local dates in Amsterdam, months with end-of-month clamping, birthdays."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.domain.dates import NaiveDateTimeError, add_months, anniversary, local_date

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
months = st.integers(min_value=0, max_value=240)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 6, 12), 6, date(2026, 12, 12)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # clamped
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year rollover
        (date(2026, 5, 31), 21, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_examples(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


@settings(deadline=None)
@given(dates, months)
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(start: date, n: int) -> None:
    result = add_months(start, n)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@settings(deadline=None)
@given(dates, months)
def test_add_months_is_strictly_increasing(start: date, n: int) -> None:
    assert add_months(start, n) < add_months(start, n + 1)


@settings(deadline=None)
@given(dates)
def test_add_zero_months_is_identity(start: date) -> None:
    assert add_months(start, 0) == start


def test_local_date_is_the_amsterdam_calendar_date() -> None:
    # 22:30 UTC on 11 June is 00:30 on 12 June in Amsterdam (CEST, UTC+2).
    assert local_date(datetime(2026, 6, 11, 22, 30, tzinfo=UTC)) == date(2026, 6, 12)
    # In winter Amsterdam is UTC+1.
    assert local_date(datetime(2026, 1, 1, 22, 59, tzinfo=UTC)) == date(2026, 1, 1)
    assert local_date(datetime(2026, 1, 1, 23, 0, tzinfo=UTC)) == date(2026, 1, 2)
    # A moment in New York late in the evening is already the next day in Amsterdam.
    new_york = timezone(timedelta(hours=-4))
    assert local_date(datetime(2026, 6, 11, 19, 0, tzinfo=new_york)) == date(2026, 6, 12)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(NaiveDateTimeError, match="no time zone"):
        local_date(datetime(2026, 6, 12, 12, 0))  # noqa: DTZ001 - the point of the test


def test_anniversary_of_29_february_is_1_march_in_a_common_year() -> None:
    assert anniversary(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert anniversary(date(2008, 2, 29), 16) == date(2024, 2, 29)
    assert anniversary(date(2008, 3, 1), 18) == date(2026, 3, 1)
