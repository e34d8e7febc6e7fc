"""Plan cycles (R9-R11): drafting, a planner's proposal, re-planning, and each day's quotas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from shared.contracts.events.planning import CohortSelection, PlanCycleProposed
from shared.contracts.values import Category
from shared.runtime.calendar import working_days_in

from .capacity import spread
from .cohorts import CohortSummary, cohort_id, select_cohorts
from .config import PlanningConfig
from .model import NO_PRIORITY, CohortPlan, Cycle, CycleOrigin

ALL = "*"
"""The nationality of a proposed cohort that takes every nationality of its category."""


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def cycle_bounds(start: date, config: PlanningConfig) -> tuple[date, date]:
    return start, add_months(start, config.cycle_months) - timedelta(days=1)


def cycle_id_for(start: date) -> str:
    return f"cycle-{start.isoformat()}"


def draft_cycle(
    start: date,
    pool: Sequence[CohortSummary],
    backlog_days: float,
    config: PlanningConfig,
    *,
    prephase_operational: bool,
    rotated: set[str] | None = None,
    observed_grant_rates: Mapping[Category, float] | None = None,
    rate_overrides: dict[Category, float] | None = None,
) -> Cycle:
    """A cycle of `cycle_months` from `start`, filled with cohorts (R7, R9-R11)."""
    starts_on, ends_on = cycle_bounds(start, config)
    selection = select_cohorts(
        pool,
        backlog_days,
        config,
        prephase_operational=prephase_operational,
        rotated=rotated or set(),
        observed_grant_rates=observed_grant_rates,
        rate_overrides=rate_overrides,
    )
    return Cycle(
        cycle_id=cycle_id_for(starts_on),
        starts_on=starts_on,
        ends_on=ends_on,
        cohorts=tuple(selection.cohorts),
        expected_grant_rate=round(selection.expected_grant_rate, 4),
        backlog_days=round(backlog_days, 2),
    )


def replan(
    cycle: Cycle,
    today: date,
    pool: Sequence[CohortSummary],
    backlog_days_left: float,
    config: PlanningConfig,
    origin: CycleOrigin,
    *,
    prephase_operational: bool,
    rotated: set[str] | None = None,
    observed_grant_rates: Mapping[Category, float] | None = None,
) -> Cycle:
    """Herijking: the rest of the cycle re-drafted for what is left of its capacity. What was
    released stays released; the cohorts keep their ids."""
    rest = select_cohorts(
        pool,
        backlog_days_left,
        config,
        prephase_operational=prephase_operational,
        rotated=rotated or set(),
        observed_grant_rates=observed_grant_rates,
    )
    fresh = {c.cohort_id: c for c in rest.cohorts}
    cohorts = []
    for old in cycle.cohorts:
        new = fresh.pop(old.cohort_id, None)
        more = new.planned if new else 0
        cohorts.append(old.model_copy(update={"planned": old.released + more}))
    cohorts.extend(fresh.values())
    grants = sum(
        c.planned * config.grant_rate(c.category, dict(observed_grant_rates or {})) for c in cohorts
    )
    planned = sum(c.planned for c in cohorts)
    return cycle.model_copy(
        update={
            "cohorts": tuple(cohorts),
            "expected_grant_rate": round(grants / planned, 4) if planned else 0.0,
            "backlog_days": round(backlog_days_left, 2),
            "revision": cycle.revision + 1,
            "origin": origin,
        }
    )


def quotas_for(cycle: Cycle, today: date) -> dict[str, int]:
    """Each cohort's releases due by today that are not out yet: the cycle's plan spread over
    its working days (cumulative), less what was released. A day missed is made up next day."""
    days = working_days_in(cycle.starts_on, cycle.ends_on)
    done = sum(1 for d in days if d <= today)
    quotas = {}
    for cohort in cycle.cohorts:
        # The sum of spread() over the first `done` days telescopes to this (no loop per day).
        due = cohort.planned * done // len(days) if days else 0
        if cohort.rank < NO_PRIORITY:
            due = cohort.planned  # priority groups (R7) do not wait for their share of days
        if due > cohort.released:
            quotas[cohort.cohort_id] = due - cohort.released
    return quotas


def separate(cohorts: Sequence[CohortPlan]) -> bool:
    """Whether no two of these cohorts can hold the same pooled case: a cohort of every
    nationality (ALL) shares its cases with any other of its rank and category. Separate
    cohorts may be read for the day all at once; others one after the other's releases."""
    seen: dict[tuple[int, str], set[str]] = {}
    for cohort in cohorts:
        nationalities = seen.setdefault((cohort.rank, cohort.category.value), set())
        if cohort.nationality in nationalities or (
            nationalities and (ALL in nationalities or cohort.nationality == ALL)
        ):
            return False
        nationalities.add(cohort.nationality)
    return True


def expected_decisions(cycle: Cycle, config: PlanningConfig) -> list[tuple[date, Category, int]]:
    """Decisions expected per week by category: each release decided `decision_lag_weeks`
    later. Weeks start on Monday. For chain-notify's court forecast."""
    days = working_days_in(cycle.starts_on, cycle.ends_on)
    weeks: dict[tuple[date, Category], int] = {}
    lag = timedelta(weeks=config.decision_lag_weeks)
    for cohort in cycle.cohorts:
        for i, day in enumerate(days):
            n = spread(cohort.planned, len(days), i)
            if n:
                week = day - timedelta(days=day.weekday()) + lag
                key = (week, cohort.category)
                weeks[key] = weeks.get(key, 0) + n
    return sorted((week, category, n) for (week, category), n in weeks.items())


# --- a planner's proposal ----------------------------------------------------------------------


def proposal_problem(
    proposal: PlanCycleProposed,
    today: date,
    config: PlanningConfig,
    *,
    prephase_operational: bool,
    backlog_days: float,
    observed_grant_rates: Mapping[Category, float] | None = None,
) -> str | None:
    """Why a proposed cycle cannot be adopted (plain words), or None."""
    if proposal.starts_on < today:
        return f"the cycle starts on {proposal.starts_on}, a date in the past"
    if not prephase_operational and any(s.category is Category.B for s in proposal.selections):
        return "category B before the prephase location is operational (R11 ramp-up)"
    observed = dict(observed_grant_rates or {})
    cases = sum(s.max_cases for s in proposal.selections)
    grants = sum(s.max_cases * config.grant_rate(s.category, observed) for s in proposal.selections)
    rate = grants / cases
    target = proposal.target_grant_rate
    band = (
        config.band
        if target is None
        else (
            max(0.0, target - config.grant_rate_band),
            min(1.0, target + config.grant_rate_band),
        )
    )
    if not band[0] - 1e-9 <= rate <= band[1] + 1e-9:
        return (
            f"the expected grant rate {rate:.2f} is outside the band "
            f"{band[0]:.2f}-{band[1]:.2f} (R10)"
        )
    needed = sum(s.max_cases / config.rate(s.category) for s in proposal.selections)
    if needed > backlog_days + 1e-6:
        return (
            f"the cohorts need {needed:.0f} caseworker days; the backlog has "
            f"{backlog_days:.0f} in the cycle after Pact (R2)"
        )
    return None


def proposed_cohorts(selections: Sequence[CohortSelection]) -> list[CohortPlan]:
    cohorts: dict[str, CohortPlan] = {}
    for selection in selections:
        nationalities = selection.nationalities or (ALL,)
        share = selection.max_cases // len(nationalities)
        extra = selection.max_cases - share * len(nationalities)
        for i, nationality in enumerate(nationalities):
            cid = (
                f"{selection.category.value.lower()}-all"
                if nationality == ALL
                else cohort_id(NO_PRIORITY, selection.category, nationality)
            )
            planned = share + (1 if i < extra else 0)
            known = cohorts.get(cid)
            total = planned + (known.planned if known else 0)
            cohorts[cid] = CohortPlan(
                cohort_id=cid,
                rank=NO_PRIORITY,
                category=selection.category,
                nationality=nationality,
                planned=total,
            )
    return list(cohorts.values())


def adopt_proposal(
    proposal: PlanCycleProposed,
    cycle_id: str,
    existing: Cycle | None,
    config: PlanningConfig,
    backlog_days: float,
    observed_grant_rates: Mapping[Category, float] | None = None,
) -> Cycle:
    """The proposed cycle, keeping the priority cohorts (R7 is policy, not a planner's choice)
    and what was released already of a cycle it replaces."""
    observed = dict(observed_grant_rates or {})
    released = {c.cohort_id: c.released for c in existing.cohorts} if existing else {}
    cohorts = [
        c.model_copy(update={"released": released.get(c.cohort_id, 0)})
        for c in proposed_cohorts(proposal.selections)
    ]
    # Cohorts of the old plan with releases keep them (planned = released): nothing is lost.
    ids = {c.cohort_id for c in cohorts}
    kept = [
        c.model_copy(update={"planned": max(c.planned, c.released)})
        if c.rank < NO_PRIORITY
        else c.model_copy(update={"planned": c.released})
        for c in (existing.cohorts if existing else ())
        if c.cohort_id not in ids and (c.released or c.rank < NO_PRIORITY)
    ]
    all_cohorts = [*kept, *cohorts]
    planned = sum(c.planned for c in all_cohorts)
    grants = sum(c.planned * config.grant_rate(c.category, observed) for c in all_cohorts)
    return Cycle(
        cycle_id=cycle_id,
        starts_on=proposal.starts_on,
        ends_on=proposal.ends_on,
        cohorts=tuple(all_cohorts),
        expected_grant_rate=round(grants / planned, 4) if planned else 0.0,
        backlog_days=round(backlog_days, 2),
        revision=existing.revision + 1 if existing else 0,
        origin=CycleOrigin.PROPOSED,
    )
