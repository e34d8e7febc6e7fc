"""A planner's capacity file: read month by month, refused with plain reasons."""

from __future__ import annotations

from datetime import date

from planning.cli import DEMO_CAPACITY
from planning.domain.capacity_file import read_capacity
from planning.domain.inputs import month_capacity
from shared.contracts.values import Category

OCT1 = date(2026, 10, 1)

FILE = """
[defaults]
prephase_places = 100
hearing_days = 40
decision_days = 10
prephase_location_operational = true

[[defaults.teams]]
team = "general"
caseworkers = 2
hours_per_week = 36

[months."2026-10"]
prephase_location_operational = false

[months."2026-11"]
hearing_rates = [{ category = "A", per_day = 2.5 }]
"""


def test_defaults_fill_each_month_and_a_month_overrides_a_key() -> None:
    read = read_capacity(FILE, OCT1)
    assert read.problems == ()
    assert [m for m, _ in read.months] == ["2026-10", "2026-11"]
    october, november = (d for _, d in read.months)
    assert not october.prephase_location_operational
    assert november.prephase_location_operational
    assert month_capacity("2026-11", november).hearing_rates == {Category.A: 2.5}
    assert [t.team for t in october.teams] == ["general"]


def test_every_problem_is_named_and_nothing_is_taken() -> None:
    bad = FILE.replace("per_day = 2.5", "per_day = 0") + (
        '\n[months."2026-12"]\n'
        'teams = [{ team = "team-x", caseworkers = 1, hours_per_week = -4 }]\n'
    )
    read = read_capacity(bad, date(2026, 11, 2))
    assert read.problems == (
        "2026-10: capacity for 2026-10 lies in the past (today is in 2026-11)",
        "2026-11: a rate of zero hearings a day for category A",
        "2026-12: teams.0.hours_per_week: Input should be greater than or equal to 0",
    )
    assert read_capacity("months = 3", OCT1).problems
    assert read_capacity("[months", OCT1).problems[0].startswith("not a TOML file")


def test_the_shipped_demo_file_is_valid_from_the_programme_start() -> None:
    read = read_capacity(DEMO_CAPACITY.read_text(), OCT1)
    assert read.problems == ()
    months = dict(read.months)
    assert not months["2026-10"].prephase_location_operational  # no B in October (R11)
    assert sum(t.caseworkers for t in months["2027-03"].teams) == 105  # forty more in March
