"""Observed grant rates (R10): they count once they rest on enough decisions."""

from __future__ import annotations

from datetime import date

from planning.domain.cohorts import CohortSummary, select_cohorts
from planning.domain.config import PlanningConfig
from planning.domain.model import NO_PRIORITY
from planning.domain.rates import observed_grant_rates
from shared.contracts.values import Category

CONFIG = PlanningConfig(observed_rate_min_decisions=10)


def test_a_rate_counts_from_the_minimum_number_of_decisions() -> None:
    counts = {Category.A: (10, 3), Category.C: (9, 9), Category.D: (40, 10)}
    assert observed_grant_rates(counts, CONFIG) == {Category.A: 0.3, Category.D: 0.25}
    assert observed_grant_rates({}, CONFIG) == {}


def test_observed_rates_move_the_cohort_choice_into_the_band() -> None:
    """Target 0.4 +/- 0.1. Configured, A (0.2) and D (0.5) mix into the band; once decisions
    show D granting at 0.9, the same pool mixes differently: fewer D cases fit."""
    pool = [
        CohortSummary(NO_PRIORITY, Category.A, "SYR", 200, date(2019, 1, 1)),
        CohortSummary(NO_PRIORITY, Category.D, "IRQ", 200, date(2019, 2, 1)),
    ]
    configured = select_cohorts(pool, 1000.0, CONFIG, prephase_operational=False)
    observed = select_cohorts(
        pool,
        1000.0,
        CONFIG,
        prephase_operational=False,
        observed_grant_rates=observed_grant_rates({Category.D: (50, 45)}, CONFIG),
    )

    def planned(selection: object, category: Category) -> int:
        return sum(c.planned for c in selection.cohorts if c.category is category)  # type: ignore[attr-defined]

    assert planned(configured, Category.D) == 200
    assert planned(observed, Category.D) < planned(configured, Category.D)
    low, high = CONFIG.band
    assert low <= observed.expected_grant_rate <= high + 1e-9
