"""Cohort selection on pools small enough to check by hand (R7, R9, R10, R11)."""

from __future__ import annotations

from datetime import date

from planning.domain.cohorts import CohortSummary, rotated_out, select_cohorts, summarise
from planning.domain.config import PlanningConfig
from planning.domain.cycles import ALL, separate
from planning.domain.model import NO_PRIORITY, CohortPlan, PoolCase, PoolStatus
from shared.contracts.values import Category, PriorityGroup, Stream

# Every category costs one caseworker day a case, so days = cases in these tests.
FLAT = PlanningConfig(
    hearing_rates={c: 1.0 for c in Category},
    grant_rates={
        Category.A: 0.2,
        Category.B: 0.9,
        Category.C: 0.1,
        Category.D: 0.5,
        Category.OUTSIDE: 0.4,
    },
    target_grant_rate=0.4,
    grant_rate_band=0.1,
    chunk=10,
)


def cohort(
    category: Category, nationality: str, cases: int, oldest: date, rank: int = NO_PRIORITY
) -> CohortSummary:
    return CohortSummary(rank, category, nationality, cases, oldest)


def planned(selection) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {c.cohort_id: c.planned for c in selection.cohorts}


def test_priority_groups_come_first_in_r7_order_then_the_oldest() -> None:
    pool = [
        cohort(Category.D, "NGA", 100, date(2023, 1, 1)),
        cohort(Category.D, "SOM", 100, date(2024, 1, 1), rank=2),  # former safe country
        cohort(Category.D, "ERI", 5, date(2025, 1, 1), rank=0),  # nuisance
        cohort(Category.D, "AFG", 5, date(2025, 6, 1), rank=1),  # AMV
    ]
    selection = select_cohorts(pool, 30, FLAT, prephase_operational=True)

    # 5 nuisance + 5 AMV + 20 of the former-safe-country cohort fill the 30 days: R7 order,
    # and the older category cohort (NGA, 2023) waits behind every priority group.
    assert planned(selection) == {
        "p0-nuisance-d-eri": 5,
        "p1-unaccompanied-minor-d-afg": 5,
        "p2-former-safe-country-d-som": 20,
    }


def test_oldest_cohort_first_within_the_band() -> None:
    pool = [
        cohort(Category.D, "NGA", 40, date(2022, 1, 1)),
        cohort(Category.D, "SOM", 40, date(2023, 1, 1)),
    ]
    selection = select_cohorts(pool, 50, FLAT, prephase_operational=True)
    assert planned(selection) == {"d-nga": 40, "d-som": 10}


def test_the_mix_keeps_the_grant_rate_in_the_band() -> None:
    # Oldest: A (0.2, out of band below), then B (0.9, far above): alone neither fits 0.3-0.5.
    pool = [
        cohort(Category.A, "SYR", 100, date(2022, 1, 1)),
        cohort(Category.B, "MMR", 100, date(2023, 1, 1)),
    ]
    selection = select_cohorts(pool, 100, FLAT, prephase_operational=True)
    lo, hi = FLAT.band
    assert selection.cases == 100
    assert lo <= selection.expected_grant_rate <= hi
    # A is older, so it takes the larger share the band allows: 0.2a + 0.9b within 0.3-0.5.
    assert planned(selection)["a-syr"] > planned(selection)["b-mmr"]


def test_a_pool_that_cannot_be_mixed_into_the_band_is_not_filled() -> None:
    pool = [cohort(Category.C, "IRQ", 100, date(2022, 1, 1))]  # 0.1: far below 0.3
    selection = select_cohorts(pool, 100, FLAT, prephase_operational=True)
    # The first step is taken (the oldest goes first); nothing brings the mix back up.
    assert selection.cases == FLAT.chunk


def test_ramp_up_leaves_b_out_until_the_prephase_location_is_operational() -> None:
    pool = [
        cohort(Category.B, "MMR", 50, date(2021, 1, 1)),
        cohort(Category.D, "NGA", 50, date(2022, 1, 1)),
    ]
    before = select_cohorts(pool, 40, FLAT, prephase_operational=False)
    after = select_cohorts(pool, 40, FLAT, prephase_operational=True)
    assert "b-mmr" not in planned(before)
    assert "R11" in before.left_out["b-mmr"]
    assert planned(after).get("b-mmr", 0) > 0


def test_a_nationality_rotates_out_after_its_months() -> None:
    # Three cycles of three months: SYR was in the last two (6 months), IRQ only in the last.
    history = [(3, {"SYR", "IRQ"}), (3, {"SYR"}), (3, {"NGA"})]
    assert rotated_out(history, 6) == {"SYR"}
    assert rotated_out(history, 3) == {"SYR", "IRQ"}
    pool = [
        cohort(Category.D, "SYR", 50, date(2021, 1, 1)),
        cohort(Category.D, "NGA", 50, date(2022, 1, 1)),
    ]
    selection = select_cohorts(pool, 30, FLAT, prephase_operational=True, rotated={"SYR"})
    assert planned(selection) == {"d-nga": 30}
    assert "R9" in selection.left_out["d-syr"]


def test_observed_grant_rates_replace_the_configured_ones() -> None:
    pool = [cohort(Category.C, "IRQ", 100, date(2022, 1, 1))]
    configured = select_cohorts(pool, 100, FLAT, prephase_operational=True)
    observed = select_cohorts(
        pool, 100, FLAT, prephase_operational=True, observed_grant_rates={Category.C: 0.4}
    )
    assert configured.cases == FLAT.chunk
    assert observed.cases == 100
    assert observed.expected_grant_rate == 0.4


def test_capacity_is_spent_by_each_category_rate() -> None:
    config = FLAT.model_copy(update={"hearing_rates": {**FLAT.hearing_rates, Category.A: 2.0}})
    pool = [cohort(Category.D, "NGA", 1000, date(2022, 1, 1))]
    a_pool = [cohort(Category.A, "SYR", 1000, date(2022, 1, 1))]
    wide = config.model_copy(update={"grant_rate_band": 0.5})
    assert select_cohorts(pool, 30, wide, prephase_operational=True).cases == 30
    # Category A: 2 hearings per caseworker per day, so 30 days hold 60 cases.
    assert select_cohorts(a_pool, 30, wide, prephase_operational=True).cases == 60


def test_summarise_counts_only_pooled_backlog_cases_by_cohort() -> None:
    def case(case_id: str, nationality: str, lodged: date, **extra: object) -> PoolCase:
        return PoolCase(
            case_id=case_id,
            stream=Stream.BACKLOG,
            nationality=nationality,
            lodged_on=lodged,
            registered_on=date(2026, 4, 1),
            category=Category.A,
            **extra,  # type: ignore[arg-type]
        )

    cases = [
        case("c-1", "SYR", date(2024, 5, 1)),
        case("c-2", "SYR", date(2023, 5, 1)),
        case("c-3", "SYR", date(2022, 5, 1), status=PoolStatus.HELD),
        case("c-4", "SYR", date(2022, 5, 1), priority_group=PriorityGroup.NUISANCE),
    ]
    summary = sorted(summarise(cases), key=lambda s: s.rank)
    assert [(s.cohort_id, s.cases, s.oldest) for s in summary] == [
        ("p0-nuisance-a-syr", 1, date(2022, 5, 1)),
        ("a-syr", 2, date(2023, 5, 1)),
    ]


def test_cohorts_are_separate_unless_one_of_every_nationality_shares_their_rank_and_category() -> (
    None
):
    def cohort(category: Category, nationality: str, rank: int = NO_PRIORITY) -> CohortPlan:
        return CohortPlan(
            cohort_id=f"{category}-{nationality}-{rank}",
            rank=rank,
            category=category,
            nationality=nationality,
            planned=5,
        )

    assert separate([cohort(Category.A, "SYR"), cohort(Category.A, "YEM")])
    assert separate([cohort(Category.A, ALL), cohort(Category.B, "SYR")])
    assert separate([cohort(Category.A, ALL), cohort(Category.A, "SYR", rank=0)])
    assert not separate([cohort(Category.A, "SYR"), cohort(Category.A, ALL)])
    assert not separate([cohort(Category.D, ALL), cohort(Category.D, "NGA")])
    assert not separate([cohort(Category.D, "NGA"), cohort(Category.D, "NGA")])
    assert separate([])
