"""The clearance forecast (R5) and its what-ifs, on cases small enough to check by hand.

February 2027 has 20 working days, March 22 (Easter Monday), April 21 (King's Day); a cycle
of three months from 1 February ends on 30 April. The pool is category A (2 a day: half a
caseworker day each) with the target grant rate set to A's, so the band never binds unless a
test says so. Pact inflow is zero unless a test says so; the decision lag is zero.
"""

from __future__ import annotations

from datetime import date

from planning.domain.cohorts import CohortSummary
from planning.domain.config import PlanningConfig
from planning.domain.forecast import ForecastInputs, WhatIf, backlog_days, forecast
from planning.domain.model import NO_PRIORITY
from shared.contracts.values import Category

CONFIG = PlanningConfig(target_grant_rate=0.2, decision_lag_weeks=0, chunk=25)
FEB = date(2027, 2, 1)
CYCLE_END = date(2027, 4, 30)  # last working day of the first cycle
NEXT_END = date(2027, 7, 30)  # last working day of the second (31 July is a Saturday)


def pool(cases: int, category: Category = Category.A, nationality: str = "SYR") -> CohortSummary:
    return CohortSummary(NO_PRIORITY, category, nationality, cases, date(2020, 1, 1))


def inputs(cases: int, fte: float, **extra: object) -> ForecastInputs:
    return ForecastInputs(
        start=FEB,
        pool=[pool(cases)],
        caseworkers={"2027-02": fte},
        **{"pact_per_day": 0.0, **extra},  # type: ignore[arg-type]
    )


def test_backlog_days_are_caseworkers_times_working_days_less_pact() -> None:
    # 1 caseworker in February: 20 days. 28 Pact cases (1 a day) at rate 1 with a 10% margin
    # take 30.8 days: more than there is, so nothing is left (never below zero).
    assert backlog_days(FEB, date(2027, 2, 28), {"2027-02": 1.0}, 0.0, CONFIG) == 20
    assert backlog_days(FEB, date(2027, 2, 28), {"2027-02": 1.0}, 1.0, CONFIG) == 0
    # 2 caseworkers: 40 days less 30.8 for Pact.
    left = backlog_days(FEB, date(2027, 2, 28), {"2027-02": 2.0}, 1.0, CONFIG)
    assert abs(left - 9.2) < 1e-9


def test_a_pool_that_fits_one_cycle_clears_on_its_last_working_day() -> None:
    # 1 caseworker x 63 working days = 63 days = 126 A cases; 100 fit.
    result = forecast(inputs(100, 1.0), CONFIG)
    assert result.cleared_on == CYCLE_END
    assert [c.cases for c in result.cycles] == [100]
    assert result.open_at_target == 0


def test_a_pool_too_big_for_one_cycle_goes_on_into_the_next() -> None:
    # 126 cases in the first cycle; 74 in the second (May-July).
    result = forecast(inputs(200, 1.0), CONFIG)
    assert [c.cases for c in result.cycles] == [126, 74]
    assert result.cleared_on == NEXT_END


def test_the_decision_lag_moves_the_clearance_date() -> None:
    lagged = CONFIG.model_copy(update={"decision_lag_weeks": 6})
    assert forecast(inputs(100, 1.0), lagged).cleared_on == date(2027, 6, 11)


def test_more_caseworkers_from_a_month_clear_it_sooner() -> None:
    # +1 caseworker from March: 20 + 2 x 43 = 106 days = 212 cases in the first cycle.
    what_if = WhatIf(caseworkers=(("2027-03", 1.0),))
    result = forecast(inputs(200, 1.0), CONFIG, what_if)
    assert [c.cases for c in result.cycles] == [200]
    assert result.cleared_on == CYCLE_END
    # Fewer: none from March, so 20 days = 40 cases a cycle.
    fewer = forecast(inputs(200, 1.0), CONFIG, WhatIf(caseworkers=(("2027-03", -1.0),)))
    assert fewer.cycles[0].cases == 40
    assert fewer.cleared_on is None  # nothing after February, ever


def test_higher_pact_inflow_leaves_less_for_the_backlog() -> None:
    base = inputs(1000, 2.0, pact_per_day=0.5)
    plain = forecast(base, CONFIG)
    busier = forecast(base, CONFIG, WhatIf(pact_inflow_factor=2.0))
    # Pact reserves 0.5 x 1.1 days a calendar day (89 days in the cycle): 48.95 days; twice
    # that at double the inflow. Backlog days 126 - 48.95 = 77.05 and 126 - 97.9 = 28.1.
    assert [round(c.backlog_days, 2) for c in (plain.cycles[0], busier.cycles[0])] == [
        77.05,
        28.1,
    ]
    assert plain.cycles[0].cases == 154
    assert busier.cycles[0].cases == 56


def test_another_hearing_rate_changes_what_a_case_costs() -> None:
    # A at 1 a day: 63 cases fit the first cycle instead of 126.
    result = forecast(inputs(200, 1.0), CONFIG, WhatIf(hearing_rates={Category.A: 1.0}))
    assert result.cycles[0].cases == 63


def test_the_grant_rate_band_can_hold_the_backlog_back() -> None:
    # Target 0.4 +/- 0.1 with only A (0.2) in the pool: the draft takes one step of 25 a
    # cycle (the oldest first, then nothing that keeps the mix away from the target).
    result = forecast(inputs(100, 1.0), CONFIG, WhatIf(target_grant_rate=0.4, grant_rate_band=0.1))
    assert [c.cases for c in result.cycles[:2]] == [25, 25]
    assert result.cleared_on == date(2028, 1, 31)  # the fourth cycle ends 31 January 2028
    # A wider band lets them all go in the first cycle.
    wide = forecast(inputs(100, 1.0), CONFIG, WhatIf(target_grant_rate=0.4, grant_rate_band=0.2))
    assert wide.cleared_on == CYCLE_END


def test_open_at_the_target_counts_what_is_not_released_and_what_is_held() -> None:
    # 0.01 caseworker: 0.63 days a cycle, one A case a cycle: nowhere near.
    start = date(2029, 5, 1)
    slow = ForecastInputs(
        start=start, pool=[pool(10)], caseworkers={"2029-05": 0.1}, pact_per_day=0.0, held=3
    )
    result = forecast(slow, CONFIG)
    # The first cycle (May-July 2029): 0.1 x 63 working days = 6.3 days = 12 cases > 10, so
    # all 10 are planned, spread over its working days; by 12 June, 28 of 63 days are done:
    # 10 x 28 // 63 = 4 released, 6 open, and 3 held.
    assert result.open_at_target == 6 + 3
    assert result.held == 3
    assert not result.on_time


def test_ramp_up_keeps_b_out_until_the_prephase_location_is_operational() -> None:
    b = ForecastInputs(
        start=FEB,
        pool=[pool(10, Category.B)],
        caseworkers={"2027-02": 1.0},
        pact_per_day=0.0,
        prephase_operational_from="2027-05",
    )
    config = CONFIG.model_copy(update={"target_grant_rate": 0.9})
    result = forecast(b, config)
    assert [c.cases for c in result.cycles] == [0, 10]


def test_observed_grant_rates_replace_the_configured_ones_in_the_forecast() -> None:
    # A is configured at the target (0.2); decisions show 0.6, outside the band 0.1-0.3: the
    # draft keeps to one step (25 cases) per cycle instead of the 100 that fit.
    assert [c.cases for c in forecast(inputs(100, 1.0), CONFIG).cycles] == [100]
    observed = forecast(inputs(100, 1.0, observed_grant_rates={Category.A: 0.6}), CONFIG)
    assert [c.cases for c in observed.cycles][:2] == [25, 25]
