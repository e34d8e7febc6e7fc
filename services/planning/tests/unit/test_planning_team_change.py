"""A planner's change to one team from a day on (TeamCapacityChanged, ADR 0030): each refusal,
where an adopted change is kept, what the stages are told, and that the month's caseworker
days follow it from its day (the daily pass re-plans on them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from planning import persistence as db
from planning.domain.capacity import in_force, split_month
from planning.domain.config import PlanningConfig
from planning.domain.model import MonthCapacity, Team
from planning.domain.roster import roster_of
from planning.domain.team_change import adopt_team_change, team_change_problem
from planning.handlers import team_capacity_changed
from shared.contracts.events.planning import (
    CapacityChanged,
    CaseworkerCapacity,
    HearingRosterPlanned,
    TeamCapacityChanged,
)
from shared.contracts.values import Stream
from shared.runtime.kit import BatchCases, Context, Decision, Emit, Refusal

TODAY = date(2026, 11, 2)  # a Monday
CONFIG = PlanningConfig()


def member(code: str) -> CaseworkerCapacity:
    return CaseworkerCapacity(caseworker=code)


SYRIA = Team(
    team_id="syria",
    caseworkers=2,
    hours_per_week=36,
    nationalities=("SYR",),
    location="ind-zwolle",
    members=(member("cw-1"), member("cw-2")),
)
GENERAL = Team(team_id="general", caseworkers=4, hours_per_week=36)


def month(key: str, *teams: Team) -> MonthCapacity:
    return MonthCapacity(month=key, teams=teams or (SYRIA, GENERAL), decision_days=40)


CAPACITIES = {"2026-11": month("2026-11"), "2026-12": month("2026-12")}


def change(**extra: Any) -> TeamCapacityChanged:
    base: dict[str, Any] = {
        "effective_on": date(2026, 11, 16),
        "caseworkers": 3,
        "hours_per_week": 36,
        "nationalities": ("SYR",),
        "location": "ind-zwolle",
        "members": (member("cw-1"), member("cw-2"), member("cw-3")),
    }
    return TeamCapacityChanged(**{**base, **extra})


def problem(team: str = "syria", capacities: Any = None, **extra: Any) -> str | None:
    return team_change_problem(team, change(**extra), capacities or CAPACITIES, TODAY)


def test_a_team_not_in_the_capacity_in_force_that_day_is_refused() -> None:
    assert problem("eritrea") == "unknown team eritrea: not in the capacity in force on 2026-11-16"
    # In force on the day: a team declared only from December is unknown in November.
    later = {"2026-12": month("2026-12", GENERAL, SYRIA.model_copy(update={"team_id": "new"}))}
    assert problem("new", {**CAPACITIES, **later}) is not None
    assert problem("new", {**CAPACITIES, **later}, effective_on=date(2026, 12, 1)) is None
    assert problem("syria", {"2027-01": month("2027-01")}) == (
        "unknown team syria: no capacity is declared for 2026-11 or before"
    )


def test_a_change_from_a_day_in_the_past_is_refused_and_from_today_is_not() -> None:
    assert problem(effective_on=date(2026, 11, 1)) == (
        "the change takes effect on 2026-11-01, a day in the past (today is 2026-11-02)"
    )
    assert problem(effective_on=TODAY) is None


def test_named_caseworkers_must_match_the_count_have_a_location_and_be_named_once() -> None:
    assert problem(caseworkers=4) == "team syria names 3 caseworkers but counts 4"
    assert problem(location=None) == "team syria names caseworkers but no hearing location"
    twice = (member("cw-1"), member("cw-1"), member("cw-3"))
    assert problem(members=twice) == "caseworker cw-1 is named twice"
    general = GENERAL.model_copy(
        update={"caseworkers": 1, "location": "ind-zwolle", "members": (member("cw-3"),)}
    )
    december = {"2026-12": month("2026-12", SYRIA, general)}
    assert problem(capacities={**CAPACITIES, **december}) == (
        "caseworker cw-3 is named in team general already (2026-12)"
    )
    # A team counted, not rostered, names nobody: nothing to match.
    assert problem(members=(), location=None, caseworkers=7) is None


def test_negative_hours_or_caseworkers_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError, match="hours_per_week"):
        change(hours_per_week=-1)
    with pytest.raises(ValidationError, match="caseworkers"):
        change(caseworkers=-1, members=())


def test_a_change_within_a_month_counts_from_its_day_and_replaces_the_team_later_on() -> None:
    adopted = adopt_team_change("syria", change(), CAPACITIES)
    november, december = adopted.rows
    assert [c.effective_on for c in november.changes] == [date(2026, 11, 16)]
    assert {t.team_id: t.caseworkers for t in november.teams} == {"syria": 2, "general": 4}
    assert {t.team_id: t.caseworkers for t in november.teams_on(date(2026, 11, 16))}["syria"] == 3
    assert {t.team_id: t.caseworkers for t in december.teams}["syria"] == 3
    assert december.changes == ()
    # Dispatch sees the team as it is on the day.
    before = in_force({"2026-11": november}, date(2026, 11, 13))
    after = in_force({"2026-11": november}, date(2026, 11, 16))
    assert before is not None
    assert after is not None
    assert [t.caseworkers for t in before.teams if t.team_id == "syria"] == [2]
    assert [t.caseworkers for t in after.teams if t.team_id == "syria"] == [3]
    # November's working days: 2-13 (10 days) with 6 caseworkers, 16-30 (11) with 7.
    total = split_month(november, "2026-11", None, CONFIG).total_days
    full = CONFIG.full_time_hours
    assert total == pytest.approx(36 / full * (10 * 6 + 11 * 7))
    assert [m for m, _, _ in adopted.roster_months] == ["2026-11", "2026-12"]


def test_a_change_from_a_month_s_first_day_is_the_month_s_team() -> None:
    adopted = adopt_team_change("syria", change(effective_on=date(2026, 12, 1)), CAPACITIES)
    [december] = adopted.rows
    assert december.month == "2026-12"
    assert december.changes == ()
    assert {t.team_id: t.caseworkers for t in december.teams}["syria"] == 3


def test_a_later_change_of_the_team_supersedes_and_a_month_without_the_team_keeps_it() -> None:
    first = adopt_team_change("syria", change(effective_on=date(2026, 11, 20)), CAPACITIES)
    rows = {**CAPACITIES, **{r.month: r for r in first.rows}}
    rows["2027-01"] = month("2027-01", GENERAL)  # declared without the team
    earlier = change(effective_on=date(2026, 11, 9), caseworkers=0, members=(), location=None)
    second = adopt_team_change("syria", earlier, rows)
    november = second.rows[0]
    assert [(c.effective_on, c.team.caseworkers) for c in november.changes] == [
        (date(2026, 11, 9), 0)
    ]
    assert "2027-01" not in [r.month for r in second.rows]


def test_an_undeclared_month_is_changed_in_the_row_in_force_and_gets_its_own_roster() -> None:
    adopted = adopt_team_change(
        "syria", change(effective_on=date(2027, 2, 8)), {"2026-11": month("2026-11")}
    )
    [november] = adopted.rows
    assert november.month == "2026-11"
    assert [c.effective_on for c in november.changes] == [date(2027, 2, 8)]
    # November's own days are unchanged; February's roster has the third caseworker.
    assert split_month(november, "2026-11", None, CONFIG).total_days == pytest.approx(
        split_month(month("2026-11"), "2026-11", None, CONFIG).total_days
    )
    outcome = team_capacity_changed(
        None, change(effective_on=date(2027, 2, 8)), context({"2026-11": month("2026-11")})
    )
    assert isinstance(outcome, Decision)
    told = [(type(e.data).__name__, e.subject) for e in emitted(outcome)]
    assert told == [("HearingRosterPlanned", "2027-02")] * 2  # November's capacity as it was
    [(key, _, row)] = adopted.roster_months
    roster = roster_of(row, CONFIG, key)
    assert key == "2027-02"
    assert roster is not None
    assert [len(t.caseworkers) for t in roster.teams] == [3]
    # November's own roster, told again for another change, stays as November has it.
    own = roster_of(row, CONFIG)
    assert own is not None
    assert [len(t.caseworkers) for t in own.teams] == [2]


def context(capacities: dict[str, MonthCapacity], team: str = "syria") -> Context[PlanningConfig]:
    return Context(
        case_id=team,
        now=datetime(2026, 11, 2, 9, tzinfo=UTC),
        config=CONFIG,
        actor="user:planner",
        stream=None,
        topic="ind.planning.input.v1",
        cases=BatchCases(db.POOL),
        extras={"capacities": capacities, "pact_in_window": 0},
        rows={"capacity": BatchCases(db.CAPACITY, capacities.values())},
    )


def emitted(outcome: Decision[Any]) -> list[Emit]:
    return [e if isinstance(e, Emit) else Emit(e) for e in outcome.emit]


def test_the_handler_refuses_with_the_reason_and_tells_the_stages_what_changed() -> None:
    refused = team_capacity_changed(None, change(caseworkers=4), context(dict(CAPACITIES)))
    assert refused == Refusal("team syria names 3 caseworkers but counts 4")
    outcome = team_capacity_changed(None, change(), context(dict(CAPACITIES)))
    assert isinstance(outcome, Decision)
    assert outcome.state is None
    assert [r.month for r in outcome.rows if isinstance(r, MonthCapacity)] == [
        "2026-11",
        "2026-12",
    ]
    told = [(type(e.data).__name__, e.subject, e.stream) for e in emitted(outcome)]
    for key in ("2026-11", "2026-12"):
        for stream in (Stream.PACT, Stream.BACKLOG):
            assert ("CapacityChanged", key, stream) in told
            assert ("HearingRosterPlanned", key, stream) in told
    rosters = [e.data for e in emitted(outcome) if isinstance(e.data, HearingRosterPlanned)]
    assert all(len(r.teams[0].caseworkers) == 3 for r in rosters)
    hearing_days = {
        (e.subject, e.stream): e.data.hearing_days
        for e in emitted(outcome)
        if isinstance(e.data, CapacityChanged)
    }
    # A caseworker more from mid-November: December gains more than November.
    gained = sum(v for (k, _), v in hearing_days.items() if k == "2026-12")
    assert gained > sum(v for (k, _), v in hearing_days.items() if k == "2026-11")


def test_a_second_change_in_the_same_batch_builds_on_the_first() -> None:
    ctx = context(dict(CAPACITIES))
    first = team_capacity_changed(None, change(), ctx)
    assert isinstance(first, Decision)
    for row in first.rows:
        ctx.rows["capacity"].put(row)
    general = change(caseworkers=5, nationalities=(), members=(), location=None)
    # The same batch: the general team's input sees the rows syria's left.
    later = context(dict(CAPACITIES), "general")
    later.rows["capacity"].add(ctx.rows["capacity"].values())
    second = team_capacity_changed(None, general, later)
    assert isinstance(second, Decision)
    november = next(r for r in second.rows if isinstance(r, MonthCapacity) and r.month == "2026-11")
    on = {t.team_id: t.caseworkers for t in november.teams_on(date(2026, 11, 16))}
    assert on == {"syria": 3, "general": 5}


def test_only_a_change_hearing_s_roster_shows_tells_the_roster_again() -> None:
    counted = change(caseworkers=6, nationalities=(), members=(), location=None)
    outcome = team_capacity_changed(None, counted, context(dict(CAPACITIES), "general"))
    assert isinstance(outcome, Decision)
    told = {type(e.data).__name__ for e in emitted(outcome)}
    assert told == {"CapacityChanged"}
    hours = change(hours_per_week=32, members=(member("cw-1"), member("cw-2")), caseworkers=2)
    outcome = team_capacity_changed(None, hours, context(dict(CAPACITIES)))
    assert isinstance(outcome, Decision)
    rosters = [e.data for e in emitted(outcome) if isinstance(e.data, HearingRosterPlanned)]
    assert {c.hours_per_week for r in rosters for c in r.teams[0].caseworkers} == {32}
