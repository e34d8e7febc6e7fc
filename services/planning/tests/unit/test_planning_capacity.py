"""Pact first (R2, R13), releases spread over Dutch working days, the fixed order in a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from planning.domain.capacity import backlog_days_between, split_month, spread
from planning.domain.cohorts import oldest_first, pick_releases
from planning.domain.config import PlanningConfig
from planning.domain.cycles import cycle_bounds, expected_decisions, quotas_for
from planning.domain.model import (
    NO_PRIORITY,
    CohortPlan,
    Cycle,
    MonthCapacity,
    PoolCase,
    Team,
    order_key,
)
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.calendar import working_days_in

CONFIG = PlanningConfig(pact_margin=0.0, pact_annual_forecast=3650)  # 10 Pact cases a day
# 10 full-time caseworkers: 10 caseworker days on each working day.
TEN = MonthCapacity(
    month="2026-11", teams=(Team(team_id="t-1", caseworkers=10, hours_per_week=36),)
)


def test_pact_is_reserved_first_and_the_backlog_gets_the_rest() -> None:
    twenty = TEN.model_copy(
        update={"teams": (TEN.teams[0].model_copy(update={"caseworkers": 20}),)}
    )
    split = split_month(twenty, "2026-11", None, CONFIG)
    assert len(working_days_in(date(2026, 11, 1), date(2026, 11, 30))) == 21
    assert split.total_days == 20 * 21
    assert split.expected_pact_cases == 300  # 30 days of 10 a day (the forecast)
    assert split.pact_days == 300.0  # one Pact hearing per caseworker day
    assert split.backlog_days == 120.0


def test_lower_pact_inflow_leaves_more_for_the_backlog() -> None:
    forecast = split_month(TEN, "2026-11", None, CONFIG)
    quiet = split_month(TEN, "2026-11", 2.0, CONFIG)  # observed: 2 Pact cases a day
    assert quiet.expected_pact_cases == 60
    assert quiet.backlog_days == forecast.total_days - 60
    assert quiet.backlog_days > forecast.backlog_days


def test_pact_takes_everything_when_inflow_exceeds_capacity() -> None:
    busy = split_month(TEN, "2026-11", 50.0, CONFIG)
    assert busy.pact_days == busy.total_days
    assert busy.backlog_days == 0.0


def test_the_margin_and_the_pact_rate_size_the_reservation() -> None:
    config = CONFIG.model_copy(update={"pact_margin": 0.1, "pact_rate": 2.0})
    split = split_month(TEN, "2026-11", 2.0, config)
    assert split.pact_days == pytest.approx(60 * 1.1 / 2)


def test_a_month_without_declared_capacity_gives_the_backlog_nothing() -> None:
    assert split_month(None, "2026-11", None, CONFIG).backlog_days == 0.0


def test_backlog_days_of_a_cycle_sum_its_months() -> None:
    caps = {m: TEN.model_copy(update={"month": m}) for m in ("2026-10", "2026-11", "2026-12")}
    quiet = backlog_days_between(caps, date(2026, 10, 1), date(2026, 12, 31), 0.0, CONFIG)
    working = len(working_days_in(date(2026, 10, 1), date(2026, 12, 31)))
    assert quiet == pytest.approx(10 * working)


def test_working_days_skip_dutch_holidays() -> None:
    # Christmas 2026: Fri 25 and Sat 26 December; King's Day 2027 is Tue 27 April.
    december = working_days_in(date(2026, 12, 21), date(2026, 12, 31))
    assert date(2026, 12, 25) not in december
    assert len(december) == 8  # 21-24, 28-31
    assert date(2027, 4, 27) not in working_days_in(date(2027, 4, 26), date(2027, 4, 30))


def test_releases_are_spread_evenly_and_add_up() -> None:
    per_day = [spread(10, 4, i) for i in range(4)]
    assert per_day == [2, 3, 2, 3]
    assert sum(spread(1000, 63, i) for i in range(63)) == 1000
    assert (
        max(spread(1000, 63, i) for i in range(63)) - min(spread(1000, 63, i) for i in range(63))
        <= 1
    )


def test_cycle_quotas_follow_the_working_days_and_skip_the_holidays() -> None:
    start, end = cycle_bounds(date(2026, 12, 21), CONFIG)
    days = working_days_in(start, end)
    cohort = CohortPlan(
        cohort_id="d-nga",
        rank=NO_PRIORITY,
        category=Category.D,
        nationality="NGA",
        planned=len(days) * 2,
    )
    cycle = Cycle(
        cycle_id="cycle-2026-12-21",
        starts_on=start,
        ends_on=end,
        cohorts=(cohort,),
        expected_grant_rate=0.5,
        backlog_days=0,
    )
    assert quotas_for(cycle, date(2026, 12, 21)) == {"d-nga": 2}
    # Christmas Day is no working day: by the 28th, 5 working days have passed (21-24, 28).
    assert quotas_for(cycle, date(2026, 12, 28)) == {"d-nga": 10}
    done = cycle.model_copy(update={"cohorts": (cohort.model_copy(update={"released": 8}),)})
    assert quotas_for(done, date(2026, 12, 28)) == {"d-nga": 2}


def test_expected_decisions_per_week_add_up_to_the_plan() -> None:
    start, end = cycle_bounds(date(2026, 10, 1), CONFIG)
    cohorts = (
        CohortPlan(
            cohort_id="a-syr", rank=NO_PRIORITY, category=Category.A, nationality="SYR", planned=300
        ),
        CohortPlan(
            cohort_id="d-nga", rank=NO_PRIORITY, category=Category.D, nationality="NGA", planned=100
        ),
    )
    cycle = Cycle(
        cycle_id="cycle-2026-10-01",
        starts_on=start,
        ends_on=end,
        cohorts=cohorts,
        expected_grant_rate=0.3,
        backlog_days=0,
    )
    weeks = expected_decisions(cycle, CONFIG)
    assert sum(n for _, c, n in weeks if c is Category.A) == 300
    assert sum(n for _, c, n in weeks if c is Category.D) == 100
    assert all(week.weekday() == 0 for week, _, _ in weeks)
    # 1 October 2026 is a Thursday: its week starts on Monday 28 September.
    assert min(w for w, _, _ in weeks) == date(2026, 9, 28) + timedelta(
        weeks=CONFIG.decision_lag_weeks
    )


def case(case_id: str, lodged: date, group: PriorityGroup | None = None) -> PoolCase:
    return PoolCase(
        case_id=case_id,
        stream=Stream.BACKLOG,
        nationality="NGA",
        lodged_on=lodged,
        registered_on=date(2026, 4, 1),
        category=Category.D,
        priority_group=group,
    )


def test_a_days_capacity_goes_in_a_fixed_order_not_in_arrival_order() -> None:
    arrived = [
        case("c-9", date(2023, 1, 1)),
        case("c-2", date(2024, 1, 1)),
        case("c-1", date(2023, 1, 1)),
        case("c-5", date(2025, 1, 1), group=PriorityGroup.NUISANCE),
    ]
    cohort_of = {c.case_id: "d-nga" for c in arrived}
    picked = pick_releases(arrived, {"d-nga": 3}, cohort_of)
    # Priority first (c-5), then the oldest lodging, ties by case id (c-1 before c-9).
    assert [c.case_id for c in picked] == ["c-5", "c-1", "c-9"]
    assert picked == pick_releases(list(reversed(arrived)), {"d-nga": 3}, cohort_of)
    assert sorted(arrived, key=order_key)[0].case_id == "c-5"


def test_before_the_programme_the_oldest_go_first_within_the_days_left() -> None:
    pool = [
        case("c-3", date(2024, 1, 1)),
        case("c-1", date(2022, 1, 1)),
        case("c-2", date(2023, 1, 1)),
    ]
    chosen = oldest_first(pool, 2.0, CONFIG, prephase_operational=False)
    assert [c.case_id for c in chosen] == ["c-1", "c-2"]


def test_before_the_programme_no_b_case_goes_until_a_location_is_operational() -> None:
    oldest_b = case("c-1", date(2022, 1, 1)).model_copy(update={"category": Category.B})
    pool = [oldest_b, case("c-2", date(2023, 1, 1))]
    waiting = oldest_first(pool, 2.0, CONFIG, prephase_operational=False)
    assert [c.case_id for c in waiting] == ["c-2"]  # R11: B waits for a location
    ready = oldest_first(pool, 2.0, CONFIG, prephase_operational=True)
    assert [c.case_id for c in ready] == ["c-1", "c-2"]


def test_quotas_are_the_cumulative_spread_for_every_plan_size_and_day() -> None:
    """quotas_for counts what is due without summing spread() day by day (issue 16): the same
    numbers for any plan size, on every day of the cycle, before it and after it."""
    start, end = cycle_bounds(date(2027, 11, 1), CONFIG)
    days = working_days_in(start, end)
    plans = (0, 1, 2, 7, len(days) - 1, len(days), len(days) + 1, 389, 1000)
    cohorts = tuple(
        CohortPlan(
            cohort_id=f"d-n{n:02d}",
            rank=NO_PRIORITY,
            category=Category.D,
            nationality=f"N{n:02d}",
            planned=planned,
        )
        for n, planned in enumerate(plans)
    )
    cycle = Cycle(
        cycle_id="cycle-2027-11-01",
        starts_on=start,
        ends_on=end,
        cohorts=cohorts,
        expected_grant_rate=0.5,
        backlog_days=0,
    )
    day = start - timedelta(days=3)
    while day <= end + timedelta(days=3):
        done = sum(1 for d in days if d <= day)
        summed = {
            c.cohort_id: sum(spread(c.planned, len(days), i) for i in range(done)) for c in cohorts
        }
        assert quotas_for(cycle, day) == {k: v for k, v in summed.items() if v}, day
        day += timedelta(days=1)
    assert quotas_for(cycle, end)["d-n08"] == 1000  # all of it by the last day
