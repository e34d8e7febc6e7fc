"""A stage that cannot place a released case: planning moves it to another matching team when
the team was short (R12), else counts what the case will still need for the re-plan."""

from __future__ import annotations

from datetime import date

from planning.domain import records
from planning.domain.cases import release
from planning.domain.config import PlanningConfig
from planning.domain.model import PoolCase, PoolStatus, Team
from planning.domain.placement import (
    PlacementState,
    could_not_place,
    counted_as_moved,
    moved,
    taken_into_replan,
)
from shared.contracts.events.hearing import HearingHeld, HearingPlanned
from shared.contracts.events.intake import CaseRegistered, CaseWithdrawn
from shared.contracts.events.planning import (
    CaseReleased,
    PlacementProblem,
    ReleaseStage,
    Specialism,
    StageCouldNotPlace,
)
from shared.contracts.values import Category, Stream
from shared.tools.examples import example

CONFIG = PlanningConfig()  # A: 2 a caseworker day, C: 1
DAY = date(2026, 11, 3)


def case(category: Category) -> PoolCase:
    return PoolCase(
        case_id=f"case-{category.value.lower()}",
        stream=Stream.BACKLOG,
        nationality="SYR",
        lodged_on=date(2020, 1, 1),
        registered_on=date(2026, 10, 1),
        category=category,
    )


def report(reason: PlacementProblem) -> StageCouldNotPlace:
    return StageCouldNotPlace(stage=ReleaseStage.PREPHASE, reason=reason, searched_until=DAY)


def test_each_report_owes_the_case_s_caseworker_days_until_a_re_plan() -> None:
    state = could_not_place(
        PlacementState(), case(Category.A), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    state = could_not_place(
        state, case(Category.C), report(PlacementProblem.NO_INTERPRETER), DAY, CONFIG
    )
    assert (state.reported, state.pending_cases, state.pending_days) == (2, 2, 1.5)
    assert state.by_reason == {"no_location_day": 1, "no_interpreter": 1}
    assert state.last_reported == DAY


def test_a_re_plan_takes_what_it_read_and_leaves_later_reports() -> None:
    read = could_not_place(
        PlacementState(), case(Category.A), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    later = could_not_place(
        read, case(Category.C), report(PlacementProblem.NO_LOCATION_DAY), DAY, CONFIG
    )
    after = taken_into_replan(later, read)
    assert (after.pending_cases, after.pending_days, after.reported) == (1, 1.0, 2)
    assert taken_into_replan(read, read).pending_cases == 0


# --- a team short of capacity: the case moves to another matching team (R12) ---------------

TEAMS = (
    Team(team_id="amv", caseworkers=4, hours_per_week=36, unaccompanied_minors=True),
    Team(team_id="general", caseworkers=20, hours_per_week=36),
    Team(team_id="syria-1", caseworkers=10, hours_per_week=36, nationalities=("SYR",)),
    Team(team_id="syria-2", caseworkers=5, hours_per_week=36, nationalities=("SYR",)),
)


def released(**extra: object) -> PoolCase:
    fields: dict[str, object] = {
        "status": PoolStatus.RELEASED,
        "stage": ReleaseStage.HEARING,
        "release_day": DAY,
        "team": "syria-1",
        "cycle": "cycle-1",
        "cohort": "a-syr",
    }
    return case(Category.A).model_copy(update={**fields, **extra})


def short(
    team: str | None, reason: PlacementProblem = PlacementProblem.NO_HEARING_SLOT
) -> StageCouldNotPlace:
    return StageCouldNotPlace(
        stage=ReleaseStage.HEARING, reason=reason, searched_until=DAY, team=team
    )


def test_a_case_a_team_cannot_place_goes_to_the_other_team_that_knows_its_nationality() -> None:
    found = moved(released(), short("syria-1"), TEAMS, DAY)
    assert found is not None
    new, release = found
    # Not "general", though it has more caseworkers: the nationality specialism comes first.
    assert (release.stage, release.team, release.specialisms) == (
        ReleaseStage.HEARING,
        "syria-2",
        (Specialism.NATIONALITY,),
    )
    assert (release.cycle, release.cohort) == ("cycle-1", "a-syr")  # its place in the plan
    assert (new.team, new.tried_teams, new.status) == ("syria-2", ("syria-1",), PoolStatus.RELEASED)


def test_when_every_matching_team_was_tried_the_case_stays_for_the_re_plan() -> None:
    second = released(team="syria-2", tried_teams=("syria-1",))
    assert moved(second, short("syria-2"), TEAMS, DAY) is None
    # An AMV stays with the AMV teams: the only one is short, so no move to a general team.
    amv = released(team="amv", unaccompanied=True, nationality="ERI")
    assert moved(amv, short("amv", PlacementProblem.NO_MATCHING_CASEWORKER), TEAMS, DAY) is None


def test_a_case_without_a_nationality_team_moves_to_a_general_team_and_a_missing_day_does_not() -> (
    None
):
    eritrean = released(team="general", nationality="ERI")
    teams = (
        *TEAMS[1:],  # (a non-AMV case may go to an AMV team too: not in this example)
        Team(team_id="general-2", caseworkers=3, hours_per_week=36),
    )
    found = moved(eritrean, short("general"), teams, DAY)
    assert found is not None
    assert found[1].team == "general-2"
    # Not a team's problem: a prephase location day or an interpreter is not a team's to give.
    for reason in (PlacementProblem.NO_LOCATION_DAY, PlacementProblem.NO_INTERPRETER):
        assert moved(eritrean, short("general", reason), teams, DAY) is None
    assert (
        moved(
            eritrean.model_copy(update={"status": PoolStatus.WITHDRAWN}),
            short("general"),
            teams,
            DAY,
        )
        is None
    )


def test_a_held_case_moves_but_stays_held_and_a_release_to_the_next_stage_forgets_the_teams() -> (
    None
):
    found = moved(released(status=PoolStatus.HELD), short("syria-1"), TEAMS, DAY)
    assert found is not None
    assert found[0].status is PoolStatus.HELD
    again, _ = release(found[0], ReleaseStage.DECISION, DAY, "syria-2", ())
    assert again.tried_teams == ()


def test_a_moved_case_is_counted_but_owes_no_days_to_a_re_plan() -> None:
    state = counted_as_moved(PlacementState(), short("syria-1"), DAY)
    assert (state.reported, state.moved, state.pending_cases, state.pending_days) == (1, 1, 0, 0)
    assert state.by_reason == {"no_hearing_slot": 1}


def test_the_record_shows_a_case_unplaced_until_something_places_it() -> None:
    registered = example(CaseRegistered)
    record = records.registered("case-1", registered, DAY)
    reported = records.recorded(record, short("syria-1"), DAY)
    assert reported is not None
    assert reported.unplaced == records.Unplaced(
        stage="hearing", reason="no_hearing_slot", since=DAY
    )
    for placing in (
        example(HearingPlanned),
        CaseReleased(stage=ReleaseStage.HEARING, release_day=DAY, team="syria-2"),
        example(CaseWithdrawn),
    ):
        placed = records.recorded(reported, placing, DAY)
        assert placed is not None
        assert placed.unplaced is None, placing
    # A fact that places nothing leaves it shown.
    still = records.recorded(reported, example(HearingHeld), DAY)
    assert still is not None
    assert still.unplaced is not None
