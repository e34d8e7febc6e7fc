"""Dispatch (R12): each release goes to a team whose specialisms match the case."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping, Sequence

from shared.contracts.events.planning import ReleaseStage, Specialism
from shared.contracts.values import Stream

from .model import PoolCase, PoolStatus, Team

UNASSIGNED = "unassigned"
"""The team code of a release made before planners declared any team: a Pact case is never
held back for want of capacity data (R2); the stage's own planner assigns it."""


def dispatch(
    case: PoolCase, teams: Sequence[Team], load: Mapping[str, int] | None = None
) -> tuple[str, tuple[Specialism, ...]]:
    """The best matching team and what it was matched on.

    An unaccompanied minor goes to an AMV team where there is one. Among the rest, a team that
    knows the nationality wins, then among those one that hears in one of the case's
    interpreter languages (where such a team is left); ties go to the team with the fewest
    releases per caseworker so far (`load`), then to the lowest team code, so that the choice
    is reproducible; without a `load`, by the case id."""
    staffed = matching([t for t in teams if t.caseworkers > 0], case)
    if not staffed:
        return UNASSIGNED, ()
    staffed.sort(key=lambda t: t.team_id)
    if load is None:
        # One case at a time (a Pact registration): spread by the case id, in proportion to
        # each team's caseworkers; the same case always goes to the same team.
        ticket = zlib.crc32(case.case_id.encode()) % sum(t.caseworkers for t in staffed)
        for best in staffed:
            ticket -= best.caseworkers
            if ticket < 0:
                break
    else:
        best = min(staffed, key=lambda t: (load.get(t.team_id, 0) / t.caseworkers, t.team_id))
    specialisms: list[Specialism] = []
    if case.nationality in best.nationalities:
        specialisms.append(Specialism.NATIONALITY)
    if set(case.languages) & set(best.languages):
        specialisms.append(Specialism.LANGUAGE)
    if case.unaccompanied and best.unaccompanied_minors:
        specialisms.append(Specialism.UNACCOMPANIED_MINOR)
    return best.team_id, tuple(specialisms)


def matching(staffed: list[Team], case: PoolCase) -> list[Team]:
    """The staffed teams whose specialisms match the case best (R12), narrowed one specialism
    at a time where some team has it: AMV, then the nationality, then a language."""
    if case.unaccompanied and any(t.unaccompanied_minors for t in staffed):
        staffed = [t for t in staffed if t.unaccompanied_minors]
    if any(case.nationality in t.nationalities for t in staffed):
        staffed = [t for t in staffed if case.nationality in t.nationalities]
    speaks = set(case.languages)
    if any(speaks & set(t.languages) for t in staffed):
        staffed = [t for t in staffed if speaks & set(t.languages)]
    return staffed


def another_team(
    case: PoolCase, teams: Sequence[Team], tried: Collection[str]
) -> tuple[str, tuple[Specialism, ...]] | None:
    """A team not yet `tried` that matches the case as well as the first choice had to (R12),
    or None when there is none. A case is never moved to a team that lacks a specialism
    some staffed team has for it: an AMV stays with AMV teams, a nationality with the teams
    that know it, a language with the teams that hear in it, where such teams exist."""
    staffed = matching([t for t in teams if t.caseworkers > 0], case)
    left = [t for t in staffed if t.team_id not in tried]
    return dispatch(case, left) if left else None


def decision_gate(stage: ReleaseStage, missing_items: Sequence[str]) -> str | None:
    """Why a case may not go to a decider's team (R12: deciders always get complete files),
    or None when it may."""
    if stage is ReleaseStage.DECISION and missing_items:
        return "the file is incomplete, missing: " + ", ".join(sorted(missing_items))
    return None


def language_move(
    case: PoolCase, teams: Sequence[Team]
) -> tuple[str, tuple[Specialism, ...]] | None:
    """A released Pact case whose interpreter language became known after its release (R2
    releases it at registration, before intake has the logistics): the team that hears in it,
    when its team does not and another team matching it as well otherwise does (R12); or None.

    Only a case released to the hearing stage whose hearing is not planned yet: once hearing
    has planned it with a caseworker of its team, moving it would undo a planned hearing. The
    case is never held back for this: it was released at once and keeps going meanwhile.
    Among the language teams the choice is dispatch's (by the case id: reproducible)."""
    if (
        case.stream is not Stream.PACT
        or case.status is not PoolStatus.RELEASED
        or case.stage is not ReleaseStage.HEARING
        or case.hearing_planned
        or not case.languages
    ):
        return None
    speaks = set(case.languages)
    own = next((t for t in teams if t.team_id == case.team and t.caseworkers > 0), None)
    if own is not None and speaks & set(own.languages):
        return None
    candidates = matching([t for t in teams if t.caseworkers > 0], case)
    left = [t for t in candidates if t.team_id not in case.tried_teams]
    if not any(speaks & set(t.languages) for t in left):
        # No team matching the case as well on AMV and nationality hears in it: it stays.
        return None
    return dispatch(case, left)
