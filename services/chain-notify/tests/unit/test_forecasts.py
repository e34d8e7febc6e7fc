"""The weekly court forecast per court district, the cycle's volume forecast, and DT&V's
return-information days (once per location day)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from chain_notify.domain.plans import (
    DISTRICT_SHARES,
    appeal_forecast,
    apportion,
    location_day_planned,
    plan_cycle_opened,
    volume_forecast,
)
from chain_notify.domain.state import ReturnDay
from shared.contracts.events.intake import CourtDistrict
from shared.contracts.events.partners import (
    CourtsAppealForecast,
    DtvReturnInformationPlanned,
    VolumeForecast,
    WeeklyAppeals,
)
from shared.contracts.events.planning import (
    CohortSelection,
    PlanCycleOpened,
    PrephaseLocationDayPlanned,
    WeeklyDecisions,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import Decision, Emit

W1, W2 = date(2026, 10, 5), date(2026, 10, 12)
AMS, OB = CourtDistrict.AMSTERDAM, CourtDistrict.OOST_BRABANT


def cycle(grant_rate: float = 0.4, revision: int = 1, appeal_share: float = 0.8) -> PlanCycleOpened:
    return PlanCycleOpened(
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 31),
        selections=(CohortSelection(category=Category.A, max_cases=500),),
        planned_cases=300,
        expected_grant_rate=grant_rate,
        revision=revision,
        appeal_share=appeal_share,
        expected_decisions=(
            WeeklyDecisions(week_of=W1, category=Category.A, decisions=60),
            WeeklyDecisions(week_of=W1, category=Category.C, decisions=40),
            WeeklyDecisions(week_of=W2, category=Category.A, decisions=50),
        ),
    )


def test_weekly_appeals_per_district_follow_refusals_appeal_share_and_district_shares() -> None:
    # Week 1: 100 decisions, 60 refusals, 48 appeals at 0.8; week 2: 50 -> 30 -> 24.
    # Districts 3:1 -> 36/12 and 18/6.
    forecasts = appeal_forecast(cycle(appeal_share=0.8), {AMS: 30, OB: 10})
    assert forecasts == [
        CourtsAppealForecast(
            cycle_revision=1,
            court_district=AMS,
            weeks=(
                WeeklyAppeals(week_of=W1, expected_appeals=36),
                WeeklyAppeals(week_of=W2, expected_appeals=18),
            ),
        ),
        CourtsAppealForecast(
            cycle_revision=1,
            court_district=OB,
            weeks=(
                WeeklyAppeals(week_of=W1, expected_appeals=12),
                WeeklyAppeals(week_of=W2, expected_appeals=6),
            ),
        ),
    ]


def test_a_higher_grant_rate_means_fewer_appeals() -> None:
    low = appeal_forecast(cycle(0.2), {AMS: 1})
    high = appeal_forecast(cycle(0.9), {AMS: 1})
    assert low[0].weeks[0].expected_appeals == 64  # 100 x 0.8 x 0.8
    assert high[0].weeks[0].expected_appeals == 8  # 100 x 0.1 x 0.8


def test_the_appeal_share_is_the_one_the_plan_carries() -> None:
    # Planning owns the appeal share: week 1's 60 refusals at the plan's 0.5 are 30 appeals.
    half = appeal_forecast(cycle(appeal_share=0.5), {AMS: 1})
    assert [w.expected_appeals for w in half[0].weeks] == [30, 15]


def test_no_district_known_no_regional_guess() -> None:
    assert appeal_forecast(cycle(), {}) == []


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (
            10,
            {AMS: 1, OB: 1, CourtDistrict.ROTTERDAM: 1},
            {AMS: 4, OB: 3, CourtDistrict.ROTTERDAM: 3},
        ),
        (7, {AMS: 2, OB: 5}, {AMS: 2, OB: 5}),
        (0, {AMS: 2}, {AMS: 0}),
    ],
)
def test_apportion_adds_up_and_breaks_ties_by_name(
    total: int, weights: dict[CourtDistrict, int], expected: dict[CourtDistrict, int]
) -> None:
    parts = apportion(total, weights)
    assert parts == expected
    assert sum(parts.values()) == total


def test_volume_forecast_sums_the_weeks() -> None:
    assert volume_forecast(cycle(0.4)) == VolumeForecast(
        period_start=date(2026, 10, 1),
        period_end=date(2026, 12, 31),
        expected_decisions=150,
        expected_grants=60,
        expected_refusals=90,
    )


def test_cycle_opened_goes_to_coa_dtv_and_courts_on_the_backlog_topics(
    make_ctx: Callable[..., Any],
) -> None:
    ctx = make_ctx("cycle-2026-4", extras={DISTRICT_SHARES: {OB: 5}})
    outcome = plan_cycle_opened(None, cycle(), ctx)
    assert isinstance(outcome, Decision)
    topics = [(e.topic, type(e.data).__name__) for e in outcome.emit if isinstance(e, Emit)]
    assert topics == [
        ("ind.backlog.partner.coa.v1", "VolumeForecast"),
        ("ind.backlog.partner.dtv.v1", "VolumeForecast"),
        ("ind.backlog.partner.courts.v1", "VolumeForecast"),
        ("ind.backlog.partner.courts.v1", "CourtsAppealForecast"),
    ]


def test_return_information_day_is_told_once_per_location_day(
    make_ctx: Callable[..., Any],
) -> None:
    event = PrephaseLocationDayPlanned(
        location="prephase-zwolle", day=W2, places=20, return_information=True
    )
    key = "prephase-zwolle-2026-10-12"
    first = location_day_planned(None, event, make_ctx(key, stream=Stream.BACKLOG))
    assert isinstance(first, Decision)
    assert [(e.topic, e.subject, e.data) for e in first.emit if isinstance(e, Emit)] == [
        (
            "ind.backlog.partner.dtv.v1",
            None,
            DtvReturnInformationPlanned(day=W2, location="prephase-zwolle"),
        )
    ]
    assert first.rows == [ReturnDay(key=f"backlog/{key}", notified=True)]
    told = [ReturnDay(key=f"backlog/{key}", notified=True)]
    again = location_day_planned(None, event, make_ctx(key, return_days=told))
    assert isinstance(again, Decision)
    assert again.emit == ()
    without = event.model_copy(update={"return_information": False})
    none = location_day_planned(None, without, make_ctx(key))
    assert isinstance(none, Decision)
    assert none.emit == ()
