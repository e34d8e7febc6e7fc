"""The clearance forecast (R5): when the backlog is cleared at this capacity, and what if.

The forecast runs the plan forward the way the daily pass does, cycle after cycle, with the
same draft (cohorts.select_cohorts), so the band (R10), priority (R7) and ramp-up (R11) shape
it exactly as they shape the real cycles:

1. A month's caseworker days are caseworkers (full-time equivalents) times its working days.
   Pact takes its expected inflow times (1 + margin) / pact rate first (R2); the backlog
   gets the rest, never below zero.
2. A cycle of `cycle_months` starts at `start` (then at each cycle's end); its backlog days
   are the sum over its months (a month cut by the cycle counts its working days in it).
3. The cycle's cohorts are drafted from what is left of the pool; they leave the pool.
   Releases are spread evenly over the cycle's working days, so the last case of a cycle is
   released on its last working day and decided `decision_lag_weeks` later.
4. Cleared: the day the last pooled case is expected to be decided. Open at the target
   (12 June 2029): the cases not released by target minus the lag, plus the cases on hold
   (a hold is not work the plan can do).

A cycle that takes nothing (no capacity, or a mix the band will not allow) leaves the pool as
it is; the forecast stops at `horizon` and says the backlog is not cleared by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from shared.contracts.values import Category
from shared.runtime.calendar import working_days_in

from .capacity import month_bounds, month_key, months_between
from .cohorts import CohortSummary, select_cohorts
from .config import PlanningConfig
from .cycles import cycle_bounds

TARGET = date(2029, 6, 12)
"""R5: a first decision on the backlog within three years of 12 June 2026."""

HORIZON = date(2035, 12, 31)


@dataclass(frozen=True)
class WhatIf:
    """A scenario: every field left at its default keeps the plan as it is."""

    caseworkers: tuple[tuple[str, float], ...] = ()  # (from month 'YYYY-MM', +/- FTE)
    pact_inflow_factor: float = 1.0  # 1.2: a fifth more Pact applications
    hearing_rates: Mapping[Category, float] = field(default_factory=dict)
    target_grant_rate: float | None = None
    grant_rate_band: float | None = None

    def describe(self) -> str:
        parts = [f"{delta:+g} caseworkers from {month}" for month, delta in self.caseworkers]
        if self.pact_inflow_factor != 1.0:
            parts.append(f"Pact inflow x{self.pact_inflow_factor:g}")
        parts += [f"{c.value} at {r:g} a day" for c, r in sorted(self.hearing_rates.items())]
        if self.target_grant_rate is not None:
            parts.append(f"target grant rate {self.target_grant_rate:g}")
        if self.grant_rate_band is not None:
            parts.append(f"band +/-{self.grant_rate_band:g}")
        return ", ".join(parts) or "the plan as it is"


@dataclass(frozen=True)
class ForecastInputs:
    """What the forecast starts from. `caseworkers`: full-time equivalents per month as
    declared (a month not declared keeps the latest before it)."""

    start: date
    pool: Sequence[CohortSummary]
    caseworkers: Mapping[str, float]
    pact_per_day: float  # observed (or forecast) Pact first applications a calendar day
    prephase_operational_from: str | None = None  # first month B may be drafted (R11)
    held: int = 0
    observed_grant_rates: Mapping[Category, float] = field(default_factory=dict)  # R10


@dataclass(frozen=True)
class ForecastCycle:
    starts_on: date
    ends_on: date
    backlog_days: float
    cases: int
    open_after: int


@dataclass(frozen=True)
class Forecast:
    start: date
    cleared_on: date | None  # None: not cleared by the horizon
    target: date
    open_at_target: int
    held: int
    pool: int
    cycles: tuple[ForecastCycle, ...]
    scenario: str

    @property
    def on_time(self) -> bool:
        return self.cleared_on is not None and self.cleared_on <= self.target and not self.held


def fte_in(caseworkers: Mapping[str, float], month: str) -> float:
    """The caseworkers in force in a month: its own declaration, else the latest before it."""
    earlier = [m for m in caseworkers if m <= month]
    return caseworkers[max(earlier)] if earlier else 0.0


def with_what_if(
    inputs: ForecastInputs, what_if: WhatIf, months: Sequence[str]
) -> dict[str, float]:
    """Caseworkers per month after the scenario's changes (never below zero)."""
    result = {}
    for month in months:
        fte = fte_in(inputs.caseworkers, month)
        fte += sum(delta for since, delta in what_if.caseworkers if since <= month)
        result[month] = max(0.0, fte)
    return result


def backlog_days(
    start: date, end: date, fte: Mapping[str, float], pact_per_day: float, config: PlanningConfig
) -> float:
    """The backlog's caseworker days from start to end (both included), Pact first (R2)."""
    total = 0.0
    for month in months_between(start, end):
        first, last = month_bounds(month)
        days_in_month = (last - first).days + 1
        working = working_days_in(max(first, start), min(last, end))
        part = (min(last, end) - max(first, start)).days + 1
        pact_cases = pact_per_day * days_in_month * part / days_in_month
        pact_days = pact_cases * (1 + config.pact_margin) / config.pact_rate
        total += max(0.0, fte.get(month, 0.0) * len(working) - pact_days)
    return total


def scenario_config(config: PlanningConfig, what_if: WhatIf) -> PlanningConfig:
    update: dict[str, object] = {}
    if what_if.hearing_rates:
        update["hearing_rates"] = {**config.hearing_rates, **what_if.hearing_rates}
    if what_if.target_grant_rate is not None:
        update["target_grant_rate"] = what_if.target_grant_rate
    if what_if.grant_rate_band is not None:
        update["grant_rate_band"] = what_if.grant_rate_band
    return config.model_copy(update=update)


def released_by(planned: int, days: Sequence[date], day: date) -> int:
    """Of `planned` releases spread over `days`, how many are out by `day` (cycles.spread)."""
    done = sum(1 for d in days if d <= day)
    return (planned * done) // len(days) if days else 0


def forecast(
    inputs: ForecastInputs,
    config: PlanningConfig,
    what_if: WhatIf | None = None,
    *,
    target: date = TARGET,
    horizon: date = HORIZON,
) -> Forecast:
    what_if = what_if or WhatIf()
    config = scenario_config(config, what_if)
    months = months_between(inputs.start, horizon)
    fte = with_what_if(inputs, what_if, months)
    pact = inputs.pact_per_day * what_if.pact_inflow_factor
    lag = timedelta(weeks=config.decision_lag_weeks)
    pool = [replace(s) for s in inputs.pool]
    total = sum(s.cases for s in pool)
    left = total
    cycles: list[ForecastCycle] = []
    cleared: date | None = None if total else inputs.start
    open_at_target: int | None = None if total else 0
    start = inputs.start
    while left and start <= horizon:
        starts_on, ends_on = cycle_bounds(start, config)
        days = backlog_days(starts_on, ends_on, fte, pact, config)
        operational = (
            inputs.prephase_operational_from is not None
            and inputs.prephase_operational_from <= month_key(starts_on)
        )
        selection = select_cohorts(
            pool,
            days,
            config,
            prephase_operational=operational,
            observed_grant_rates=inputs.observed_grant_rates,
        )
        taken = {c.cohort_id: c.planned for c in selection.cohorts}
        pool = [replace(s, cases=s.cases - taken.get(s.cohort_id, 0)) for s in pool]
        pool = [s for s in pool if s.cases > 0]
        cases = selection.cases
        working = working_days_in(starts_on, ends_on)
        if open_at_target is None and starts_on <= target - lag <= ends_on:
            open_at_target = left - released_by(cases, working, target - lag)
        left -= cases
        cycles.append(ForecastCycle(starts_on, ends_on, round(days, 2), cases, left))
        if not left and working:
            cleared = working[-1] + lag
        start = ends_on + timedelta(days=1)
    if open_at_target is None:
        # The pool ran out before the target (0 open), or the target lies beyond the last cycle.
        open_at_target = 0 if cleared is not None and cleared <= target else left
    return Forecast(
        start=inputs.start,
        cleared_on=cleared,
        target=target,
        open_at_target=open_at_target + inputs.held,
        held=inputs.held,
        pool=total,
        cycles=tuple(cycles),
        scenario=what_if.describe(),
    )


def summary_lines(result: Forecast) -> list[str]:
    """The forecast as a planner reads it."""
    cleared = result.cleared_on.isoformat() if result.cleared_on else "not by " + str(HORIZON)
    verdict = "before" if result.cleared_on and result.cleared_on <= result.target else "after"
    lines = [
        f"scenario: {result.scenario}",
        f"from {result.start}: {result.pool} backlog cases to release, {result.held} on hold",
        f"cleared: {cleared} ({verdict} the target {result.target})",
        f"open on {result.target}: {result.open_at_target}",
    ]
    lines += [
        f"  cycle {c.starts_on} - {c.ends_on}: {c.backlog_days:.0f} backlog days, "
        f"{c.cases} cases, {c.open_after} left"
        for c in result.cycles
    ]
    return lines
