"""A planner's change to one team from a day on (TeamCapacityChanged; R12, R13).

Capacity is declared per month (CapacityDeclared, the whole team list); a team that loses or
gains caseworkers, hours, specialisms or languages from a day on is one input about that team
only. Planning checks it against the declaration in force on that day and keeps it where it
counts: in the month row in force on that day as a change from that day (so the days before
keep the old capacity), and in every later declared month that names the team as the team
itself. A later month declared without the team keeps its declaration. The stages then get
what they read for each month changed (CapacityChanged, HearingRosterPlanned), and the daily
pass re-plans the running cycle when its caseworker days moved (herijking, R9).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from shared.contracts.events.planning import TeamCapacityChanged

from .capacity import in_force, month_bounds, month_key, team_from
from .model import MonthCapacity, Team, TeamChange


def _month_row(capacities: Mapping[str, MonthCapacity], day: date) -> MonthCapacity | None:
    """The stored row in force on a day (its own month's, else the latest before), unresolved."""
    earlier = [m for m in capacities if m <= month_key(day)]
    return capacities[max(earlier)] if earlier else None


def _all_teams(row: MonthCapacity) -> Iterable[Team]:
    yield from row.teams
    yield from (c.team for c in row.changes)


def team_change_problem(
    team_id: str,
    event: TeamCapacityChanged,
    capacities: Mapping[str, MonthCapacity],
    today: date,
) -> str | None:
    """Why a team change is refused (plain words), or None. Negative hours and counts are
    refused by the schema already."""
    day = event.effective_on
    if day < today:
        return f"the change takes effect on {day}, a day in the past (today is {today})"
    current = in_force(capacities, day)
    if current is None:
        return f"unknown team {team_id}: no capacity is declared for {month_key(day)} or before"
    if team_id not in {t.team_id for t in current.teams}:
        return f"unknown team {team_id}: not in the capacity in force on {day}"
    if event.members:
        if len(event.members) != event.caseworkers:
            return (
                f"team {team_id} names {len(event.members)} caseworkers "
                f"but counts {event.caseworkers}"
            )
        if event.location is None:
            return f"team {team_id} names caseworkers but no hearing location"
        names = [m.caseworker for m in event.members]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            return f"caseworker {', '.join(twice)} is named twice"
        # Hearing books a caseworker once: not in another team of a month the change reaches.
        rows = [r for m, r in capacities.items() if m > month_key(day)]
        start = _month_row(capacities, day)
        for row in sorted([*rows, *([start] if start else [])], key=lambda r: r.month):
            for team in _all_teams(row):
                clash = sorted(set(names) & {m.caseworker for m in team.members})
                if team.team_id != team_id and clash:
                    return (
                        f"caseworker {', '.join(clash)} is named in team {team.team_id} "
                        f"already ({row.month})"
                    )
    return None


@dataclass(frozen=True)
class Adopted:
    """The month rows a change altered, and for each month hearing's roster may change in,
    the capacity it was read from before and after (the change's own month even when it has
    no row of its own: hearing keeps a month's roster for the months after it, so it gets
    one from that month on)."""

    rows: tuple[MonthCapacity, ...]
    roster_months: tuple[tuple[str, MonthCapacity, MonthCapacity], ...]


def _replace(teams: tuple[Team, ...], team: Team) -> tuple[Team, ...]:
    return tuple(team if t.team_id == team.team_id else t for t in teams)


def adopt_team_change(
    team_id: str, event: TeamCapacityChanged, capacities: Mapping[str, MonthCapacity]
) -> Adopted:
    """The rows as they are with the change (checked by team_change_problem first)."""
    day = event.effective_on
    month = month_key(day)
    team = team_from(team_id, event)
    start = _month_row(capacities, day)
    if start is None:
        raise ValueError(f"no capacity in force on {day}: refuse the change first")
    changed: list[MonthCapacity] = []
    if start.month == month and day == month_bounds(month)[0]:
        # From the month's first day: the month's team itself.
        kept = tuple(c for c in start.changes if c.team.team_id != team_id)
        row = start.model_copy(update={"teams": _replace(start.teams, team), "changes": kept})
    else:
        # A later change of the same team supersedes what was changed from that day on.
        kept = tuple(c for c in start.changes if c.team.team_id != team_id or c.effective_on < day)
        ordered = sorted((*kept, TeamChange(effective_on=day, team=team)), key=_change_order)
        row = start.model_copy(update={"changes": tuple(ordered)})
    if row != start:
        changed.append(row)
    roster_months = [(month, start, row)]
    for later in sorted(m for m in capacities if m > month):
        old = capacities[later]
        if team_id not in {t.team_id for t in old.teams}:
            continue  # declared without the team: the planner's later word stands
        kept = tuple(c for c in old.changes if c.team.team_id != team_id)
        new = old.model_copy(update={"teams": _replace(old.teams, team), "changes": kept})
        if new != old:
            changed.append(new)
            roster_months.append((later, old, new))
    return Adopted(tuple(changed), tuple(roster_months))


def _change_order(change: TeamChange) -> tuple[date, str]:
    return change.effective_on, change.team.team_id
