"""R1 (cut-off 12 June 2026, counted in Europe/Amsterdam) and R3 (no stream hopping)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intake.domain import (
    DEFAULT_CUTOFF,
    CutOff,
    NaiveDateTimeError,
    PriorApplication,
    assign_stream,
)
from shared.contracts.values import Stream

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CEST = timezone(timedelta(hours=2))

fixed_offsets = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
any_zone = st.one_of(st.timezones(), fixed_offsets)
moments = st.datetimes(
    min_value=datetime(1995, 1, 1),  # noqa: DTZ001 - bounds of a strategy that adds a zone
    max_value=datetime(2060, 12, 31),  # noqa: DTZ001
    timezones=any_zone,
)
withdrawn_backlog = PriorApplication(case_id="old-1", stream=Stream.BACKLOG, withdrawn=True)


def midnight_in_amsterdam(day: date) -> datetime:
    """The instant the day begins in Amsterdam: an oracle independent of the implementation."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def test_the_cutoff_is_configuration_with_its_legal_source() -> None:
    assert DEFAULT_CUTOFF.effective_from == date(2026, 6, 12)
    assert DEFAULT_CUTOFF.timezone == "Europe/Amsterdam"
    assert "2024/1348" in DEFAULT_CUTOFF.source
    assert "12 June 2026" in DEFAULT_CUTOFF.source


def test_an_unknown_time_zone_in_the_cutoff_is_refused() -> None:
    with pytest.raises(ValidationError):
        CutOff(timezone="Europe/Atlantis")


@pytest.mark.parametrize(
    ("lodged_at", "expected"),
    [
        (datetime(2026, 6, 11, 23, 59, 59, tzinfo=CEST), Stream.BACKLOG),
        (datetime(2026, 6, 12, 0, 0, 0, tzinfo=CEST), Stream.PACT),
        (datetime(2026, 6, 11, 21, 59, 59, tzinfo=UTC), Stream.BACKLOG),  # 23:59:59 Amsterdam
        (datetime(2026, 6, 11, 22, 0, 0, tzinfo=UTC), Stream.PACT),  # 00:00 Amsterdam
        (datetime(2026, 6, 11, 23, 30, tzinfo=AMSTERDAM), Stream.BACKLOG),
        (datetime(2026, 6, 12, 0, 0, tzinfo=AMSTERDAM), Stream.PACT),
        # 20:00 in New York on 11 June is 02:00 on 12 June in Amsterdam.
        (datetime(2026, 6, 11, 20, 0, tzinfo=ZoneInfo("America/New_York")), Stream.PACT),
        # 06:00 in Tokyo on 12 June is 23:00 on 11 June in Amsterdam.
        (datetime(2026, 6, 12, 6, 0, tzinfo=ZoneInfo("Asia/Tokyo")), Stream.BACKLOG),
        (datetime(2020, 1, 1, tzinfo=UTC), Stream.BACKLOG),
        (datetime(2030, 1, 1, tzinfo=UTC), Stream.PACT),
    ],
)
def test_boundary_day(lodged_at: datetime, expected: Stream) -> None:
    assert assign_stream(lodged_at, None) is expected


@settings(deadline=None, max_examples=500)
@given(moments)
def test_backlog_iff_the_amsterdam_date_is_before_the_cutoff(lodged_at: datetime) -> None:
    expected = (
        Stream.BACKLOG if lodged_at < midnight_in_amsterdam(date(2026, 6, 12)) else Stream.PACT
    )
    assert assign_stream(lodged_at, None) is expected


@settings(deadline=None, max_examples=300)
@given(moments, st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31)))
def test_the_rule_holds_for_any_cutoff_date(lodged_at: datetime, day: date) -> None:
    cutoff = CutOff(effective_from=day)
    expected = Stream.BACKLOG if lodged_at < midnight_in_amsterdam(day) else Stream.PACT
    assert assign_stream(lodged_at, None, cutoff) is expected


@settings(deadline=None)
@given(st.integers(min_value=-36 * 3600, max_value=36 * 3600), any_zone)
def test_near_the_boundary_in_any_zone(seconds: int, zone: timezone | ZoneInfo) -> None:
    instant = midnight_in_amsterdam(date(2026, 6, 12)) + timedelta(seconds=seconds)
    lodged_at = instant.astimezone(zone)
    assert assign_stream(lodged_at, None) is (Stream.BACKLOG if seconds < 0 else Stream.PACT)


def test_r3_withdrawn_pre_cutoff_application_keeps_the_new_one_in_the_backlog() -> None:
    after = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    assert assign_stream(after, None) is Stream.PACT
    assert assign_stream(after, withdrawn_backlog) is Stream.BACKLOG


@settings(deadline=None)
@given(moments)
def test_r3_holds_for_any_relodging_moment(lodged_at: datetime) -> None:
    assert assign_stream(lodged_at, withdrawn_backlog) is Stream.BACKLOG


@settings(deadline=None)
@given(
    moments,
    st.sampled_from(
        [
            PriorApplication(case_id="old-2", stream=Stream.PACT, withdrawn=True),
            PriorApplication(case_id="old-3", stream=Stream.BACKLOG, withdrawn=False),
            PriorApplication(case_id="old-4", stream=Stream.PACT, withdrawn=False),
        ]
    ),
)
def test_other_priors_do_not_change_r1(lodged_at: datetime, prior: PriorApplication) -> None:
    """A withdrawn Pact application, or a decided one, leaves the new application to R1."""
    assert assign_stream(lodged_at, prior) is assign_stream(lodged_at, None)


def test_a_naive_lodging_moment_is_refused() -> None:
    with pytest.raises(NaiveDateTimeError):
        assign_stream(datetime(2026, 6, 12, 12, 0), None)  # noqa: DTZ001 - the point of the test
