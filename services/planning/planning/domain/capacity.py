"""Capacity: caseworker days per month, Pact reserved first (R2, R13), the rest to the backlog.

Capacity is counted in caseworker days (a full-time caseworker's working day). A case costs
1 / rate days, the rate being the hearings a caseworker finishes per day in its category.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shared.contracts.events.planning import CapacityDeclared, TeamCapacity, TeamCapacityChanged
from shared.runtime.calendar import working_days_in

from .config import PlanningConfig
from .model import MonthCapacity, Team


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    after = date(year + number // 12, number % 12 + 1, 1)
    return first, after - timedelta(days=1)


def months_between(start: date, end: date) -> list[str]:
    """Every month key from start's month to end's, in order."""
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(month_key(day))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def team_days_per_working_day(team: Team, config: PlanningConfig) -> float:
    return team.caseworkers * team.hours_per_week / config.full_time_hours


def days_per_working_day(capacity: MonthCapacity, config: PlanningConfig) -> float:
    return sum(team_days_per_working_day(t, config) for t in capacity.teams)


def caseworker_days(capacity: MonthCapacity, days: Sequence[date], config: PlanningConfig) -> float:
    """The caseworker days of a month's working `days`, each day with the teams it has (a
    team changed from a day within the month counts with its new capacity from then)."""
    if not capacity.changes:
        return days_per_working_day(capacity, config) * len(days)
    return sum(
        sum(team_days_per_working_day(t, config) for t in capacity.teams_on(day)) for day in days
    )


@dataclass(frozen=True)
class Split:
    """A month's caseworker days, Pact first (R2): what Pact reserves, what the backlog gets."""

    month: str
    total_days: float
    pact_days: float
    expected_pact_cases: int

    @property
    def backlog_days(self) -> float:
        return max(0.0, self.total_days - self.pact_days)

    @property
    def pact_share(self) -> float:
        return min(1.0, self.pact_days / self.total_days) if self.total_days else 1.0


def expected_pact_inflow(month: str, observed_per_day: float | None, config: PlanningConfig) -> int:
    """Pact cases expected in a month: the observed inflow once there is some (so that lower
    inflow leaves more for the backlog, month by month), else the forecast (R4's 25,000 a year)."""
    first, last = month_bounds(month)
    days = (last - first).days + 1
    per_day = (
        observed_per_day if observed_per_day is not None else config.pact_annual_forecast / 365
    )
    return round(per_day * days)


def split_month(
    capacity: MonthCapacity | None,
    month: str,
    observed_pact_per_day: float | None,
    config: PlanningConfig,
    *,
    from_day: date | None = None,
) -> Split:
    """Reserve the month's Pact work first (with a margin); the rest goes to the backlog (R13).
    From `from_day` on only (a cycle that starts mid-month, a re-plan)."""
    first, last = month_bounds(month)
    start = max(first, from_day) if from_day else first
    days = working_days_in(start, last)
    working = len(days)
    total = caseworker_days(capacity, days, config) if capacity else 0.0
    share_of_month = working / max(1, len(working_days_in(first, last)))
    expected = expected_pact_inflow(month, observed_pact_per_day, config) * share_of_month
    pact_days = expected * (1 + config.pact_margin) / config.pact_rate
    return Split(month, total, min(total, pact_days), round(expected))


def backlog_days_between(
    capacities: dict[str, MonthCapacity],
    start: date,
    end: date,
    observed_pact_per_day: float | None,
    config: PlanningConfig,
) -> float:
    """The backlog's caseworker days from start to end (both included), Pact reserved first."""
    total = 0.0
    for month in months_between(start, end):
        first, last = month_bounds(month)
        split = split_month(
            capacities.get(month), month, observed_pact_per_day, config, from_day=start
        )
        if last > end:  # the cycle ends mid-month: only its part of the month
            days = len(working_days_in(max(first, start), last))
            part = len(working_days_in(max(first, start), end))
            total += split.backlog_days * (part / days if days else 0.0)
        else:
            total += split.backlog_days
    return total


def spread(total: int, days: int, index: int) -> int:
    """How many of `total` releases are due on working day `index` (0-based) of `days`, so that
    the stages are fed evenly: cumulative targets round(total * k / days), never front-loaded."""
    if days <= 0 or not 0 <= index < days:
        return 0
    return (total * (index + 1)) // days - (total * index) // days


def in_force(capacities: Mapping[str, MonthCapacity], day: date) -> MonthCapacity | None:
    """The teams to dispatch to on a day: the month's declaration, else the latest before it
    (teams do not vanish when a planner has not declared the next month yet), with the team
    changes in force on that day."""
    month = month_key(day)
    earlier = [m for m in capacities if m <= month]
    return capacities[max(earlier)].on(day) if earlier else None


def team_from(team_id: str, declared: TeamCapacity | TeamCapacityChanged) -> Team:
    """A team as planning keeps it, from a declaration's team or a change to one team."""
    return Team(
        team_id=team_id,
        caseworkers=declared.caseworkers,
        hours_per_week=declared.hours_per_week,
        nationalities=declared.nationalities,
        languages=declared.languages,
        unaccompanied_minors=declared.unaccompanied_minors,
        location=declared.location,
        members=declared.members,
    )


def month_capacity(month: str, declared: CapacityDeclared) -> MonthCapacity:
    """A declaration as planning keeps it: one row per month."""
    return MonthCapacity(
        month=month,
        teams=tuple(team_from(t.team, t) for t in declared.teams),
        prephase_places=declared.prephase_places,
        prephase_location_operational=declared.prephase_location_operational,
        hearing_rates={r.category: r.per_day for r in declared.hearing_rates},
        hearing_interpreters=declared.hearing_interpreters,
        decision_days=declared.decision_days,
    )
