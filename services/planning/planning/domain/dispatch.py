"""Dispatch (R12): each release goes to a team whose specialisms match the case."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shared.contracts.events.planning import ReleaseStage, Specialism

from .model import PoolCase, Team

UNASSIGNED = "unassigned"
"""The team code of a release made before planners declared any team: a Pact case is never
held back for want of capacity data (R2); the stage's own planner assigns it."""


def dispatch(
    case: PoolCase, teams: Sequence[Team], load: Mapping[str, int] | None = None
) -> tuple[str, tuple[Specialism, ...]]:
    """The best matching team and what it was matched on.

    An unaccompanied minor goes to an AMV team where there is one. Among the rest, a team that
    knows the nationality wins; ties go to the team with the fewest releases per caseworker so
    far (`load`), then to the lowest team code, so that the choice is reproducible."""
    staffed = [t for t in teams if t.caseworkers > 0]
    if not staffed:
        return UNASSIGNED, ()
    load = load or {}
    if case.unaccompanied and any(t.unaccompanied_minors for t in staffed):
        staffed = [t for t in staffed if t.unaccompanied_minors]

    def score(team: Team) -> tuple[int, float, str]:
        knows = case.nationality in team.nationalities
        return (-int(knows), load.get(team.team_id, 0) / team.caseworkers, team.team_id)

    best = min(staffed, key=score)
    specialisms: list[Specialism] = []
    if case.nationality in best.nationalities:
        specialisms.append(Specialism.NATIONALITY)
    if case.unaccompanied and best.unaccompanied_minors:
        specialisms.append(Specialism.UNACCOMPANIED_MINOR)
    return best.team_id, tuple(specialisms)


def decision_gate(stage: ReleaseStage, missing_items: Sequence[str]) -> str | None:
    """Why a case may not go to a decider's team (R12: deciders always get complete files),
    or None when it may."""
    if stage is ReleaseStage.DECISION and missing_items:
        return "the file is incomplete, missing: " + ", ".join(sorted(missing_items))
    return None
