"""Triage (R4), dispatch (R12), a planner's proposal (R9-R11), holds and withdrawals."""

from __future__ import annotations

from datetime import date

import pytest

from planning.domain.cases import held, hold_ended, no_show, release, withdrawn
from planning.domain.config import PlanningConfig
from planning.domain.cycles import adopt_proposal, proposal_problem
from planning.domain.dispatch import UNASSIGNED, another_team, decision_gate, dispatch
from planning.domain.model import HoldReason, PoolCase, PoolStatus, Team, TriageState
from planning.domain.triage import judge_triage, projected_per_year
from shared.contracts.events.planning import (
    CohortSelection,
    PlanCycleProposed,
    ReleaseStage,
    Specialism,
)
from shared.contracts.values import Category, Stream

CONFIG = PlanningConfig(triage_window_days=90)
TODAY = date(2026, 11, 2)


# --- triage --------------------------------------------------------------------------------------


def test_triage_triggers_above_25000_a_year_and_lifts_below_it() -> None:
    # 90 days: 25,000 a year is 6,164 in the window; 6,200 projects to 25,144.
    assert projected_per_year(6200, 90) == 25144
    state, change = judge_triage(TriageState(), 6200, TODAY, CONFIG)
    assert change is not None
    assert change.active
    assert change.projected == 25144
    assert state.active

    # Just under the threshold, but above the lift ratio: still triage (no flapping).
    state, change = judge_triage(state, 6100, TODAY, CONFIG)
    assert change is None
    assert state.active

    state, change = judge_triage(state, 5000, TODAY, CONFIG)
    assert change is not None
    assert not change.active
    assert not state.active


def test_exactly_at_the_threshold_is_no_triage() -> None:
    state, change = judge_triage(TriageState(), 6164, TODAY, CONFIG)  # 24,998
    assert change is None
    assert not state.active


# --- dispatch ------------------------------------------------------------------------------------


def pool_case(nationality: str = "SYR", **extra: object) -> PoolCase:
    return PoolCase(
        case_id="c-1",
        stream=Stream.BACKLOG,
        nationality=nationality,  # type: ignore[arg-type]
        lodged_on=date(2024, 1, 1),
        registered_on=date(2026, 4, 1),
        category=Category.A,
        **extra,
    )


TEAMS = (
    Team(team_id="general", caseworkers=20, hours_per_week=36),
    Team(team_id="syria", caseworkers=10, hours_per_week=36, nationalities=("SYR", "YEM")),
    Team(team_id="amv", caseworkers=5, hours_per_week=36, unaccompanied_minors=True),
)


def test_a_case_goes_to_the_team_that_knows_its_nationality() -> None:
    assert dispatch(pool_case("SYR"), TEAMS) == ("syria", (Specialism.NATIONALITY,))


def test_an_unaccompanied_minor_goes_to_the_amv_team() -> None:
    team, specialisms = dispatch(pool_case("SYR", unaccompanied=True), TEAMS)
    assert team == "amv"
    assert specialisms == (Specialism.UNACCOMPANIED_MINOR,)


def test_without_a_specialist_the_least_loaded_team_per_caseworker_wins() -> None:
    assert dispatch(pool_case("NGA"), TEAMS, {"general": 40, "syria": 10, "amv": 0})[0] == "amv"
    assert (
        dispatch(pool_case("NGA"), TEAMS, {"general": 10, "syria": 10, "amv": 10})[0] == "general"
    )


LANGUAGE_TEAMS = (
    *TEAMS,
    Team(
        team_id="syria-kurdish",
        caseworkers=4,
        hours_per_week=36,
        nationalities=("SYR",),
        languages=("kmr", "ara"),
    ),
    Team(team_id="farsi", caseworkers=4, hours_per_week=36, languages=("pes", "prs")),
)


def test_a_case_goes_to_a_team_that_hears_in_its_interpreter_language() -> None:
    # Nationality first, then the language among the teams that know it (R12).
    kurdish = pool_case("SYR", languages=("kmr",))
    assert dispatch(kurdish, LANGUAGE_TEAMS, {}) == (
        "syria-kurdish",
        (Specialism.NATIONALITY, Specialism.LANGUAGE),
    )
    # A language no team hears in: the nationality team as before.
    tigrinya = pool_case("SYR", languages=("tir",))
    assert dispatch(tigrinya, LANGUAGE_TEAMS, {}) == ("syria", (Specialism.NATIONALITY,))
    # No nationality team: a team that hears in one of its languages (the second here).
    afghan = pool_case("AFG", languages=("pus", "prs"))
    assert dispatch(afghan, LANGUAGE_TEAMS, {}) == ("farsi", (Specialism.LANGUAGE,))
    # A moved case stays with the teams that hear in its language, while one is left.
    assert another_team(kurdish, LANGUAGE_TEAMS, ["syria-kurdish"]) is None
    assert another_team(afghan, LANGUAGE_TEAMS, ["farsi"]) is None
    assert another_team(tigrinya, LANGUAGE_TEAMS, ["syria"]) == (
        "syria-kurdish",
        (Specialism.NATIONALITY,),
    )


def test_without_teams_a_release_is_unassigned_not_held_back() -> None:
    assert dispatch(pool_case(), ()) == (UNASSIGNED, ())


def test_an_incomplete_file_does_not_go_to_a_decider() -> None:
    reason = decision_gate(ReleaseStage.DECISION, ["passport copy", "birth certificate"])
    assert reason == "the file is incomplete, missing: birth certificate, passport copy"
    assert decision_gate(ReleaseStage.HEARING, ["passport copy"]) is None
    assert decision_gate(ReleaseStage.DECISION, []) is None


# --- a planner's proposal ------------------------------------------------------------------------


def proposal(*selections: CohortSelection, starts: date = date(2027, 1, 1)) -> PlanCycleProposed:
    return PlanCycleProposed(
        starts_on=starts, ends_on=date(starts.year, starts.month + 2, 28), selections=selections
    )


A_AND_D = (
    CohortSelection(category=Category.A, nationalities=("SYR",), max_cases=100),
    CohortSelection(category=Category.D, max_cases=100),
)


def test_a_proposal_within_the_band_and_capacity_is_adopted() -> None:
    assert (
        proposal_problem(
            proposal(*A_AND_D), TODAY, CONFIG, prephase_operational=False, backlog_days=1000
        )
        is None
    )
    cycle = adopt_proposal(proposal(*A_AND_D), "cycle-2027-1", None, CONFIG, 1000)
    assert {c.cohort_id: c.planned for c in cycle.cohorts} == {"a-syr": 100, "d-all": 100}
    assert cycle.expected_grant_rate == pytest.approx(0.35)


@pytest.mark.parametrize(
    ("selections", "starts", "operational", "days", "reason"),
    [
        (A_AND_D, date(2026, 10, 1), True, 1000, "a date in the past"),
        (
            (
                CohortSelection(category=Category.B, max_cases=10),
                CohortSelection(category=Category.C, max_cases=30),
            ),
            date(2027, 1, 1),
            False,
            1000,
            "R11",
        ),
        (
            (CohortSelection(category=Category.C, max_cases=100),),
            date(2027, 1, 1),
            True,
            1000,
            "outside the band",
        ),
        (A_AND_D, date(2027, 1, 1), True, 100, "caseworker days"),
    ],
)
def test_an_invalid_proposal_is_refused_with_a_reason(
    selections: tuple[CohortSelection, ...],
    starts: date,
    operational: bool,
    days: float,
    reason: str,
) -> None:
    problem = proposal_problem(
        proposal(*selections, starts=starts),
        TODAY,
        CONFIG,
        prephase_operational=operational,
        backlog_days=days,
    )
    assert problem is not None
    assert reason in problem


# --- holds and withdrawals -----------------------------------------------------------------------


def test_a_held_case_leaves_the_queue_and_comes_back() -> None:
    case = held(pool_case(), HoldReason.EXCLUSION_SIGNAL)
    assert case.status is PoolStatus.HELD
    case = held(case, HoldReason.HEARING_OBSTACLE)
    case = hold_ended(case, HoldReason.EXCLUSION_SIGNAL)
    assert case.status is PoolStatus.HELD  # one hold left
    assert hold_ended(case, HoldReason.HEARING_OBSTACLE).status is PoolStatus.POOLED


def test_a_released_case_on_hold_stays_released_and_counted_apart() -> None:
    released, _ = release(pool_case(), ReleaseStage.PREPHASE, TODAY, "general", ())
    on_hold = held(released, HoldReason.DECISION_OBSTACLE)
    assert on_hold.status is PoolStatus.RELEASED
    assert on_hold.holds
    assert hold_ended(on_hold, HoldReason.DECISION_OBSTACLE).holds == ()


def test_the_second_no_show_puts_a_case_on_hold() -> None:
    case = no_show(pool_case())
    assert case.status is PoolStatus.POOLED
    assert no_show(case).holds == (HoldReason.NO_SHOWS,)


def test_a_release_falls_on_the_next_working_day() -> None:
    # Saturday 26 December 2026 (Second Day of Christmas): released for Monday 28 December.
    _, event = release(
        pool_case(), ReleaseStage.HEARING, date(2026, 12, 26), "syria", (Specialism.NATIONALITY,)
    )
    assert event.release_day == date(2026, 12, 28)
    assert event.cycle is None
    assert event.cohort is None


def test_a_withdrawn_case_leaves_the_pool() -> None:
    assert withdrawn(pool_case()).status is PoolStatus.WITHDRAWN
