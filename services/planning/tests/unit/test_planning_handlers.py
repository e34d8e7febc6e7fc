"""Planning's functions over one event: a release to decision once hearing is done (R12), and
a stage's report that it could not place a case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from planning import persistence as db
from planning.domain.config import PlanningConfig
from planning.domain.model import MonthCapacity, PoolCase, PoolStatus, Team
from planning.domain.placement import PlacementState
from planning.handlers import could_not_place, ready_for_decision
from shared.contracts.events.hearing import ReadyForDecision
from shared.contracts.events.planning import (
    CaseReleased,
    PlacementProblem,
    ReleaseStage,
    StageCouldNotPlace,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import BatchCases, Context, Decision, Wait

TODAY = date(2026, 11, 2)  # a Monday
TEAMS = (
    Team(team_id="general", caseworkers=20, hours_per_week=36),
    Team(team_id="syria", caseworkers=10, hours_per_week=36, nationalities=("SYR",)),
)


def ctx(rows: dict[str, Any] | None = None) -> Context[PlanningConfig]:
    month = MonthCapacity(month="2026-11", teams=TEAMS)
    return Context(
        case_id="case-1",
        now=datetime(2026, 11, 2, 9, tzinfo=UTC),
        config=PlanningConfig(),
        actor="system:hearing",
        stream=Stream.BACKLOG,
        topic="ind.backlog.hearing.events.v1",
        cases=BatchCases(db.POOL),
        extras={"capacities": {"2026-11": month}},
        rows=rows or {},
    )


def case(**extra: Any) -> PoolCase:
    base: dict[str, Any] = {
        "case_id": "case-1",
        "stream": Stream.BACKLOG,
        "nationality": "SYR",
        "lodged_on": date(2020, 1, 1),
        "registered_on": date(2026, 10, 1),
        "category": Category.A,
        "status": PoolStatus.RELEASED,
        "stage": ReleaseStage.PREPHASE,
        "team": "syria",
        "cycle": "cycle-2026-11-02",
        "cohort": "a-syr",
    }
    return PoolCase(**{**base, **extra})


READY = ReadyForDecision(ready_on=TODAY, heard=True, category=Category.A)


def test_a_case_ready_for_decision_is_released_to_decision_with_its_team_and_cycle() -> None:
    outcome = ready_for_decision(case(), READY, ctx())
    assert isinstance(outcome, Decision)
    [release] = outcome.emit
    assert isinstance(release, CaseReleased)
    assert release.stage is ReleaseStage.DECISION
    assert (release.team, release.cycle, release.cohort) == ("syria", "cycle-2026-11-02", "a-syr")
    assert release.file_complete
    assert outcome.state is not None
    assert outcome.state.stage is ReleaseStage.DECISION


def test_a_second_ready_or_an_unknown_case_releases_nothing() -> None:
    again = ready_for_decision(case(stage=ReleaseStage.DECISION), READY, ctx())
    assert isinstance(again, Decision)
    assert again.emit == ()
    assert again.state is None
    assert isinstance(ready_for_decision(None, READY, ctx()), Wait)


def test_a_held_case_stays_held_when_released_to_decision() -> None:
    outcome = ready_for_decision(case(status=PoolStatus.HELD), READY, ctx())
    assert isinstance(outcome, Decision)
    assert outcome.state is not None
    assert outcome.state.status is PoolStatus.HELD


def test_a_report_that_a_stage_could_not_place_a_case_is_counted() -> None:
    report = StageCouldNotPlace(
        stage=ReleaseStage.PREPHASE,
        reason=PlacementProblem.NO_LOCATION_DAY,
        searched_until=date(2026, 12, 4),
    )
    rows = {"placement": BatchCases(db.PLACEMENT, [PlacementState(pending_cases=2)])}
    outcome = could_not_place(case(), report, ctx(rows))
    assert isinstance(outcome, Decision)
    assert outcome.state is None
    [state] = outcome.rows
    assert isinstance(state, PlacementState)
    assert (state.pending_cases, state.pending_days) == (3, 0.5)
    assert isinstance(could_not_place(case(stage=None), report, ctx()), Wait)


def test_a_hearing_team_without_a_slot_gets_the_case_moved_to_another_matching_team() -> None:
    teams = (
        *TEAMS,
        Team(team_id="syria-2", caseworkers=4, hours_per_week=36, nationalities=("SYR",)),
    )
    context = ctx({"placement": BatchCases(db.PLACEMENT, [])})
    context.extras["capacities"]["2026-11"] = MonthCapacity(month="2026-11", teams=teams)
    report = StageCouldNotPlace(
        stage=ReleaseStage.HEARING,
        reason=PlacementProblem.NO_HEARING_SLOT,
        searched_until=date(2026, 12, 4),
        team="syria",
    )
    outcome = could_not_place(case(stage=ReleaseStage.HEARING), report, context)
    assert isinstance(outcome, Decision)
    [release] = outcome.emit
    assert isinstance(release, CaseReleased)
    assert (release.stage, release.team, release.cohort) == (
        ReleaseStage.HEARING,
        "syria-2",
        "a-syr",
    )
    assert outcome.state is not None
    assert outcome.state.team == "syria-2"
    [state] = outcome.rows
    assert isinstance(state, PlacementState)
    assert (state.moved, state.pending_cases) == (1, 0)
    # The same team reporting again, with no third matching team: counted for the re-plan.
    again = could_not_place(outcome.state, report.model_copy(update={"team": "syria-2"}), context)
    assert isinstance(again, Decision)
    assert again.emit == ()
    [state] = again.rows
    assert isinstance(state, PlacementState)
    assert state.pending_cases == 1
