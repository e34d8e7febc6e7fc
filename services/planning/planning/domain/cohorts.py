"""Choosing a cycle's cohorts (R7, R9, R10, R11) and the day's releases in a fixed order.

A cohort is a category and a nationality (or, for a priority group, its group and
nationality). The draft fills the cycle's backlog days:

1. priority groups first, in R7 order (nuisance, AMV, former safe countries), oldest first;
   they are taken whatever their grant rate: priority is policy, not mix;
2. then category cohorts by waiting time (earliest lodging), in steps of `chunk` cases. A
   step is taken when the cycle's expected grant rate stays within the band around the
   target, or comes closer to the target than it was; otherwise the next cohort in the order
   is tried (the skipped one stays first in line). So the oldest cases go first as far as the
   mix allows (R10).
3. Ramp-up (R11): no category B until a prephase location is operational. Rotation (R9): a
   nationality taken up for `rotation_months` in a row sits the next cycle out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date

from shared.contracts.values import Category, Stream

from .config import PlanningConfig
from .model import NO_PRIORITY, PRIORITY_ORDER, CohortPlan, PoolCase, PoolStatus, order_key


@dataclass(frozen=True)
class CohortSummary:
    """The pooled cases of one cohort: how many, and the earliest lodging date."""

    rank: int
    category: Category
    nationality: str
    cases: int
    oldest: date

    @property
    def cohort_id(self) -> str:
        return cohort_id(self.rank, self.category, self.nationality)


def cohort_id(rank: int, category: Category | str, nationality: str) -> str:
    if rank < NO_PRIORITY:
        group = PRIORITY_ORDER[rank].value.replace("_", "-")
        return f"p{rank}-{group}-{Category(category).value.lower()}-{nationality.lower()}"
    return f"{Category(category).value.lower()}-{nationality.lower()}"


def summarise(cases: Iterable[PoolCase]) -> list[CohortSummary]:
    """The pool (pooled backlog cases only) as cohorts; a database does the same with GROUP BY."""
    counts: dict[tuple[int, Category, str], int] = {}
    oldest: dict[tuple[int, Category, str], date] = {}
    for case in cases:
        if case.status is not PoolStatus.POOLED or case.stream is not Stream.BACKLOG:
            continue
        key = (case.rank, case.cohort_category, case.nationality)
        counts[key] = counts.get(key, 0) + 1
        oldest[key] = min(oldest.get(key, case.lodged_on), case.lodged_on)
    return [
        CohortSummary(rank, category, nationality, n, oldest[(rank, category, nationality)])
        for (rank, category, nationality), n in counts.items()
    ]


@dataclass
class Selection:
    """A draft's outcome: cohorts with their cases, the days used and the expected grant rate."""

    cohorts: list[CohortPlan] = field(default_factory=list)
    days_used: float = 0.0
    expected_grants: float = 0.0
    left_out: dict[str, str] = field(default_factory=dict)  # cohort id -> why (ramp-up, rotation)

    @property
    def cases(self) -> int:
        return sum(c.planned for c in self.cohorts)

    @property
    def expected_grant_rate(self) -> float:
        return self.expected_grants / self.cases if self.cases else 0.0


def rotated_out(history: Sequence[tuple[int, set[str]]], months: int) -> set[str]:
    """Nationalities taken up in the last cycles for `months` months in a row (R9).

    `history`: the previous cycles, most recent first, as (months long, nationalities)."""
    out: set[str] = set()
    latest = history[0][1] if history else set()
    for nationality in latest:
        total = 0
        for length, taken in history:
            if nationality not in taken:
                break
            total += length
        if total >= months:
            out.add(nationality)
    return out


def select_cohorts(
    pool: Sequence[CohortSummary],
    backlog_days: float,
    config: PlanningConfig,
    *,
    prephase_operational: bool,
    rotated: AbstractSet[str] = frozenset(),
    observed_grant_rates: Mapping[Category, float] | None = None,
    rate_overrides: dict[Category, float] | None = None,
) -> Selection:
    """Fill `backlog_days` with cohorts: priority groups, then the oldest within the band."""
    selection = Selection()
    observed = dict(observed_grant_rates or {})
    lo, hi = config.band
    target = config.target_grant_rate
    budget = backlog_days
    taken: dict[str, int] = {}

    def cost(summary: CohortSummary) -> float:
        return 1.0 / config.rate(summary.category, rate_overrides)

    def grant(summary: CohortSummary) -> float:
        return config.grant_rate(summary.category, observed)

    def take(summary: CohortSummary, n: int) -> None:
        nonlocal budget
        taken[summary.cohort_id] = taken.get(summary.cohort_id, 0) + n
        budget -= n * cost(summary)
        selection.days_used += n * cost(summary)
        selection.expected_grants += n * grant(summary)

    def affordable(summary: CohortSummary, wanted: int) -> int:
        # A small epsilon: float sums of 1/rate must not lose the last case of a whole budget.
        return max(0, min(wanted, int(budget / cost(summary) + 1e-9)))

    ordered = sorted(pool, key=lambda s: (s.rank, s.oldest, s.category, s.nationality))
    regular: list[CohortSummary] = []
    for summary in ordered:
        if summary.rank < NO_PRIORITY:
            n = affordable(summary, summary.cases)
            if n:
                take(summary, n)
            continue
        if summary.category is Category.B and not prephase_operational:
            selection.left_out[summary.cohort_id] = "ramp-up: no category B before the prephase "
            selection.left_out[summary.cohort_id] += "location is operational (R11)"
            continue
        if summary.nationality in rotated:
            selection.left_out[summary.cohort_id] = "rotation: its months are up (R9)"
            continue
        regular.append(summary)

    def acceptable(summary: CohortSummary, n: int) -> bool:
        count = sum(taken.values())
        rate = (selection.expected_grants + n * grant(summary)) / (count + n)
        if lo - 1e-9 <= rate <= hi + 1e-9:
            return True
        if count == 0:
            return True  # the oldest goes first; later steps pull the mix to the target
        before = selection.expected_grants / count
        return abs(rate - target) < abs(before - target) - 1e-12

    remaining = {s.cohort_id: s.cases for s in regular}
    while budget > 0:
        progressed = False
        for summary in regular:
            left = remaining[summary.cohort_id]
            if not left:
                continue
            n = affordable(summary, min(left, config.chunk))
            if n == 0:
                continue
            if acceptable(summary, n):
                take(summary, n)
                remaining[summary.cohort_id] -= n
                progressed = True
                break  # back to the oldest cohort: it goes first whenever the mix allows
        if not progressed:
            break

    for summary in ordered:
        n = taken.get(summary.cohort_id, 0)
        if n:
            selection.cohorts.append(
                CohortPlan(
                    cohort_id=summary.cohort_id,
                    rank=summary.rank,
                    category=summary.category,
                    nationality=summary.nationality,
                    planned=n,
                    oldest=summary.oldest,
                )
            )
    return selection


def pick_releases(
    candidates: Iterable[PoolCase], quotas: Mapping[str, int], cohort_of: Mapping[str, str]
) -> list[PoolCase]:
    """The day's releases: per cohort its quota, in the fixed order (priority, lodging date,
    case id), whatever order the candidates came in. `cohort_of`: case id -> cohort id."""
    left = dict(quotas)
    chosen = []
    for case in sorted(candidates, key=order_key):
        cohort = cohort_of.get(case.case_id)
        if case.status is PoolStatus.POOLED and cohort and left.get(cohort, 0) > 0:
            left[cohort] -= 1
            chosen.append(case)
    return chosen


def oldest_first(
    candidates: Iterable[PoolCase],
    days: float,
    config: PlanningConfig,
    *,
    prephase_operational: bool,
) -> list[PoolCase]:
    """Before the programme starts (R6): backlog cases oldest first, as far as `days` go; no
    category B until a prephase location is operational (R11), as in a cycle."""
    chosen, budget = [], days
    for case in sorted(candidates, key=order_key):
        if case.status is not PoolStatus.POOLED:
            continue
        if case.cohort_category is Category.B and not prephase_operational:
            continue
        cost = 1.0 / config.rate(case.cohort_category)
        if cost > budget + 1e-9:
            break
        budget -= cost
        chosen.append(case)
    return chosen
