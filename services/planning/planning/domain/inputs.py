"""Planners' capacity declarations: checked, then kept as data (R13)."""

from __future__ import annotations

from datetime import date

from shared.contracts.events.planning import CapacityDeclared

from .capacity import month_bounds, month_key
from .capacity import month_capacity as month_capacity  # where planners' inputs are read
from .roster import roster_problem


def capacity_problem(month: str, declared: CapacityDeclared, today: date) -> str | None:
    """Why a declaration is refused (plain words), or None. Negative numbers and unknown
    categories are refused by the schema already."""
    if month_bounds(month)[1] < today:
        return f"capacity for {month} lies in the past (today is in {month_key(today)})"
    zero = sorted(r.category.value for r in declared.hearing_rates if r.per_day <= 0)
    if zero:
        return f"a rate of zero hearings a day for category {', '.join(zero)}"
    teams = [t.team for t in declared.teams]
    twice = sorted({t for t in teams if teams.count(t) > 1})
    if twice:
        return f"team {', '.join(twice)} declared twice"
    return roster_problem(declared)
