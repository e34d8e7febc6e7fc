"""Hearing's roster from a capacity declaration: the named caseworkers per team, the rates and
the hearing interpreters (R12, R13). Planning owns this data; hearing books slots within it.

Only teams that name their caseworkers are rostered; a declaration naming none (and no
interpreters) gives no roster, so the month keeps the one before it.
"""

from __future__ import annotations

import functools

from shared.contracts.events.planning import (
    CapacityDeclared,
    CaseworkerCapacity,
    CategoryRate,
    HearingRosterPlanned,
    RosterTeam,
)
from shared.contracts.values import Category

from .capacity import month_bounds, month_capacity
from .config import PlanningConfig
from .model import MonthCapacity, Team


def roster_problem(declared: CapacityDeclared) -> str | None:
    """Why the named caseworkers or hearing interpreters of a declaration are refused, or None.
    Unknown specialisms and negative hours are refused by the schema already."""
    seen: set[str] = set()
    for team in declared.teams:
        if not team.members:
            continue
        if len(team.members) != team.caseworkers:
            return (
                f"team {team.team} names {len(team.members)} caseworkers "
                f"but counts {team.caseworkers}"
            )
        if team.location is None:
            return f"team {team.team} names caseworkers but no hearing location"
        for member in team.members:
            if member.caseworker in seen:
                return f"caseworker {member.caseworker} is named twice"
            seen.add(member.caseworker)
    languages = [i.language for i in declared.hearing_interpreters]
    twice = sorted({lang for lang in languages if languages.count(lang) > 1})
    if twice:
        return f"hearing interpreters for {', '.join(twice)} declared twice"
    return None


def hearing_roster(
    declared: CapacityDeclared, config: PlanningConfig
) -> HearingRosterPlanned | None:
    """The roster hearing reads for the month a declaration declares (a declaration has no
    changes within the month, so which month it is does not matter here)."""
    return roster_of(month_capacity("2000-01", declared), config)


def rostered_teams(capacity: MonthCapacity, month: str | None = None) -> tuple[Team, ...]:
    """The teams a month's roster shows: as they are once the changes made within the month
    (`month`: the row's own by default; a later one the row is in force for) are in force.
    The roster is per month (hearing books ahead within it), so a team changed from a day
    within the month is rostered as changed."""
    if not capacity.changes:
        return capacity.teams
    end = month_bounds(month or capacity.month)[1]
    last = max((c.effective_on for c in capacity.changes if c.effective_on <= end), default=None)
    return capacity.teams_on(last) if last else capacity.teams


def roster_of(
    capacity: MonthCapacity, config: PlanningConfig, month: str | None = None
) -> HearingRosterPlanned | None:
    """The roster hearing reads for a month (`month`: the row's own by default): each named
    caseworker with the team's hours where no own hours are given, and a rate for every
    category (declared over configured)."""
    teams_now = rostered_teams(capacity, month)
    teams = tuple(
        roster_team(team)
        for team in sorted(teams_now, key=lambda t: t.team_id)
        if team.members and team.location is not None
    )
    if not teams and not capacity.hearing_interpreters:
        return None
    rates = tuple(
        CategoryRate(
            category=category,
            per_day=capacity.hearing_rates.get(category, config.rate(category)),
        )
        for category in Category
    )
    return HearingRosterPlanned(
        teams=teams,
        rates=rates,
        interpreters=tuple(sorted(capacity.hearing_interpreters, key=lambda i: i.language)),
        full_time_hours=config.full_time_hours,
    )


@functools.lru_cache(maxsize=4096)
def roster_team(team: Team) -> RosterTeam:
    """A team as hearing's roster shows it: each named caseworker with the team's hours where
    no own hours are given. Kept once built: a team change tells the rosters of every month it
    reaches, and the same team (2,000 caseworkers in all) recurs month after month."""
    if team.location is None:
        raise ValueError(f"team {team.team_id} has no hearing location to roster")
    return RosterTeam(
        team=team.team_id,
        location=team.location,
        caseworkers=tuple(
            CaseworkerCapacity(
                caseworker=m.caseworker,
                specialisms=tuple(sorted(set(m.specialisms))),
                hours_per_week=team.hours_per_week
                if m.hours_per_week is None
                else m.hours_per_week,
            )
            for m in sorted(team.members, key=lambda m: m.caseworker)
        ),
    )


def _rostered(capacity: MonthCapacity, month: str, team_id: str) -> tuple[object, ...] | None:
    """What of one team a month's roster shows: its place, hours and named caseworkers."""
    team = next((t for t in rostered_teams(capacity, month) if t.team_id == team_id), None)
    if team is None or not team.members or team.location is None:
        return None
    return team.location, team.hours_per_week, team.members


def roster_changed(month: str, before: MonthCapacity, after: MonthCapacity, team_id: str) -> bool:
    """Whether a change to one team changes a month's roster (without building it twice)."""
    return _rostered(before, month, team_id) != _rostered(after, month, team_id)
