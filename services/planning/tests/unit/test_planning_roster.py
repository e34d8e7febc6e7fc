"""Hearing's roster from a capacity declaration: named caseworkers, rates, interpreters (R12,
R13); invalid names and figures are refused with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from planning import persistence as db
from planning.domain.capacity_file import read_capacity
from planning.domain.config import PlanningConfig
from planning.domain.inputs import capacity_problem
from planning.domain.roster import hearing_roster
from planning.handlers import capacity_declared
from shared.contracts.events.planning import (
    CapacityDeclared,
    HearingRosterPlanned,
    InterpreterPlaces,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import BatchCases, Context, Decision, Emit, Refusal

TODAY = date(2026, 11, 2)


def declared(**extra: Any) -> CapacityDeclared:
    base: dict[str, Any] = {
        "prephase_places": 0,
        "hearing_days": 40,
        "decision_days": 10,
        "prephase_location_operational": True,
        "teams": [
            {
                "team": "team-syria-1",
                "caseworkers": 2,
                "hours_per_week": 36,
                "location": "ind-den-bosch",
                "members": [
                    {"caseworker": "cw-1002", "specialisms": ["nationality"]},
                    {
                        "caseworker": "cw-1001",
                        "specialisms": ["nationality", "language"],
                        "hours_per_week": 18,
                    },
                ],
            },
            {"team": "team-counted", "caseworkers": 5, "hours_per_week": 36},
        ],
        "hearing_rates": [{"category": "C", "per_day": 1.5}],
        "hearing_interpreters": [{"language": "ara", "places": 3}],
    }
    return CapacityDeclared.model_validate({**base, **extra})


def test_the_roster_names_each_caseworker_with_hours_and_every_category_rate() -> None:
    roster = hearing_roster(declared(), PlanningConfig())
    assert roster is not None
    assert [t.team for t in roster.teams] == ["team-syria-1"]  # a counted team is not rostered
    team = roster.teams[0]
    assert team.location == "ind-den-bosch"
    assert [(c.caseworker, c.hours_per_week) for c in team.caseworkers] == [
        ("cw-1001", 18),
        ("cw-1002", 36),  # the team's hours
    ]
    rates = {r.category: r.per_day for r in roster.rates}
    assert rates == {
        Category.A: 2.0,
        Category.B: 4.0,
        Category.C: 1.5,
        Category.D: 1.0,
        Category.OUTSIDE: 1.0,
    }
    assert roster.interpreters == (InterpreterPlaces(language="ara", places=3),)
    assert roster.full_time_hours == 36


def test_a_declaration_naming_nobody_gives_no_roster() -> None:
    plain = declared(teams=[{"team": "team-t", "caseworkers": 3, "hours_per_week": 36}])
    assert (
        hearing_roster(plain.model_copy(update={"hearing_interpreters": ()}), PlanningConfig())
        is None
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"hearing_rates": [{"category": "A", "per_day": 0}]}, "a rate of zero hearings a day"),
        (
            {
                "teams": [
                    {
                        "team": "team-t",
                        "caseworkers": 2,
                        "hours_per_week": 36,
                        "location": "x-1",
                        "members": [{"caseworker": "cw-1"}],
                    }
                ]
            },
            "team team-t names 1 caseworkers but counts 2",
        ),
        (
            {
                "teams": [
                    {
                        "team": "team-t",
                        "caseworkers": 1,
                        "hours_per_week": 36,
                        "members": [{"caseworker": "cw-1"}],
                    }
                ]
            },
            "team team-t names caseworkers but no hearing location",
        ),
        (
            {
                "teams": [
                    {
                        "team": "team-t",
                        "caseworkers": 1,
                        "hours_per_week": 36,
                        "location": "x-1",
                        "members": [{"caseworker": "cw-1"}],
                    },
                    {
                        "team": "team-u",
                        "caseworkers": 1,
                        "hours_per_week": 36,
                        "location": "x-1",
                        "members": [{"caseworker": "cw-1"}],
                    },
                ]
            },
            "caseworker cw-1 is named twice",
        ),
        (
            {
                "hearing_interpreters": [
                    {"language": "ara", "places": 1},
                    {"language": "ara", "places": 2},
                ]
            },
            "hearing interpreters for ara declared twice",
        ),
    ],
)
def test_invalid_rosters_are_refused_with_a_reason(change: dict[str, Any], reason: str) -> None:
    problem = capacity_problem("2026-11", declared(**change), TODAY)
    assert problem is not None
    assert problem.startswith(reason)


@pytest.mark.parametrize(
    "member",
    [
        {"caseworker": "cw-1", "specialisms": ["farsi"]},  # an unknown specialism
        {"caseworker": "cw-1", "hours_per_week": -4},  # negative hours
    ],
)
def test_the_schema_refuses_unknown_specialisms_and_negative_hours(member: dict[str, Any]) -> None:
    team = {"team": "team-t", "caseworkers": 1, "hours_per_week": 36, "location": "x-1"}
    with pytest.raises(ValidationError):
        declared(teams=[{**team, "members": [member]}])


def test_a_capacity_file_refuses_an_unknown_specialism_by_name() -> None:
    text = """
[months."2026-11"]
prephase_places = 0
hearing_days = 10
decision_days = 1
prephase_location_operational = true
[[months."2026-11".teams]]
team = "team-t"
caseworkers = 1
hours_per_week = 36
location = "x-1"
members = [{ caseworker = "cw-1", specialisms = ["farsi"] }]
"""
    (problem,) = read_capacity(text, TODAY).problems
    assert problem.startswith("2026-11: teams.0.members.0.specialisms.0: Input should be")


def test_planning_answers_a_declaration_with_the_roster_on_both_streams() -> None:
    ctx = Context(
        case_id="2026-11",
        now=datetime(2026, 11, 2, 9, tzinfo=UTC),
        config=PlanningConfig(),
        actor="planner:pl-1",
        stream=None,
        topic="ind.planning.input.v1",
        cases=BatchCases(db.POOL),
        extras={"pact_in_window": 0},
        rows={},
    )
    outcome = capacity_declared(None, declared(), ctx)
    assert isinstance(outcome, Decision)
    rosters = [
        e for e in outcome.emit if isinstance(e, Emit) and isinstance(e.data, HearingRosterPlanned)
    ]
    assert sorted((e.stream, e.subject) for e in rosters) == [
        (Stream.BACKLOG, "2026-11"),
        (Stream.PACT, "2026-11"),
    ]
    refused = capacity_declared(
        None, declared(hearing_rates=[{"category": "A", "per_day": 0}]), ctx
    )
    assert isinstance(refused, Refusal)
