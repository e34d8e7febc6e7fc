"""Dutch working days: weekends and the public holidays of the holidays package (country NL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.runtime.calendar import (
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
    working_days_in,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 3), None),  # Good Friday: the Algemene termijnenwet does not name it
        (date(2026, 5, 5), "Liberation Day"),  # every year in the act, not only every fifth
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 4, 27), "King's Day"),
        (date(2026, 5, 14), "Ascension Day"),
        (date(2026, 5, 25), "Pentecost Monday"),  # Whit Monday
        (date(2026, 12, 25), "Christmas Day"),
        (date(2025, 12, 26), "Second Day of Christmas"),
        (date(2030, 5, 6), None),  # a Monday after Liberation Day on a Sunday: no substitute
    ],
)
def test_public_holidays_on_weekdays_are_not_working_days(day: date, name: str | None) -> None:
    assert day.weekday() < 5
    assert is_working_day(day) is (name is None)
    if name is not None:
        assert holiday_name(day) == name


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not is_working_day(date(2026, 6, 13))  # Saturday
    assert not is_working_day(date(2026, 6, 14))  # Sunday
    assert is_working_day(date(2026, 6, 12))  # the Pact's first day, a Friday
    assert is_working_day(date(2028, 2, 29))  # a leap day on a Tuesday


def test_kings_day_moves_to_saturday_the_26th_when_the_27th_is_a_sunday() -> None:
    assert date(2025, 4, 27).weekday() == 6
    assert holiday_name(date(2025, 4, 26)) is not None
    assert holiday_name(date(2025, 4, 27)) is None
    assert is_working_day(date(2025, 4, 28))  # no Monday off in its place


def test_liberation_day_is_a_holiday_every_year_as_the_act_says() -> None:
    assert not is_working_day(date(2025, 5, 5))  # a Monday in a lustrum year
    assert not is_working_day(date(2026, 5, 5))  # a Tuesday: the library calls it optional
    assert not is_working_day(date(2027, 5, 5))


def test_adding_working_days_skips_easter_and_counts_backwards() -> None:
    thursday = date(2026, 4, 2)  # before Good Friday (counted) and Easter Monday (not)
    assert add_working_days(thursday, 1) == date(2026, 4, 3)
    assert add_working_days(thursday, 2) == date(2026, 4, 7)
    assert add_working_days(date(2026, 4, 7), -2) == thursday
    assert add_working_days(thursday, 0) == thursday
    assert add_working_days(date(2026, 4, 4), 0) == date(2026, 4, 4)  # 0: the day itself
    assert next_working_day(date(2026, 4, 4)) == date(2026, 4, 7)
    assert next_working_day(thursday) == thursday


def test_ascension_and_whit_monday_fall_out_of_a_count() -> None:
    # 11-29 May 2026: 15 weekdays, less Ascension (14th) and Whit Monday (25th).
    assert len(working_days_in(date(2026, 5, 11), date(2026, 5, 29))) == 13
    assert add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 15)
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_counting_across_the_year_end_and_a_leap_day() -> None:
    # Christmas 2026 is a Friday, the 26th a Saturday, New Year a Friday.
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert add_working_days(date(2027, 1, 4), -2) == date(2026, 12, 30)
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 5
    assert add_working_days(date(2028, 2, 28), 1) == date(2028, 2, 29)
    assert add_working_days(date(2028, 2, 28), 2) == date(2028, 3, 1)


def test_working_days_between_is_the_inverse_of_adding() -> None:
    start = date(2025, 12, 20)
    for offset in range(0, 40):
        a = start + timedelta(days=offset)
        for n in (-12, -3, -1, 0, 1, 2, 9, 30):
            assert working_days_between(a, add_working_days(a, n)) == n, (a, n)


def test_working_days_in_includes_both_ends_and_is_empty_when_reversed() -> None:
    assert working_days_in(date(2026, 6, 12), date(2026, 6, 15)) == [
        date(2026, 6, 12),
        date(2026, 6, 15),
    ]
    assert working_days_in(date(2026, 6, 15), date(2026, 6, 12)) == []
    assert working_days_between(date(2026, 6, 12), date(2026, 6, 12)) == 0
