"""Prephase location days planned from a capacity declaration."""

from __future__ import annotations

from datetime import date

from planning.domain.locations import location_days
from shared.contracts.events.planning import (
    CapacityDeclared,
    InterpreterPlaces,
    PrephaseLocationCapacity,
)
from shared.contracts.values import Stream

DECLARED = CapacityDeclared(
    prephase_places=400,
    hearing_days=100,
    decision_days=100,
    prephase_location_operational=True,
    prephase_locations=(
        PrephaseLocationCapacity(
            location="prephase-zwolle",
            places_per_day=20,
            interpreters=(InterpreterPlaces(language="ara", places=10),),
            return_information_weekdays=(1,),
        ),
    ),
)


def test_every_working_day_from_today_gets_the_location_for_the_backlog() -> None:
    days = location_days("2026-12", DECLARED, date(2026, 12, 20), None)
    # 21-24 and 28-31 December are working days; 25 and 26 December are holidays.
    assert [d.day.day for _, d in days] == [21, 22, 23, 24, 28, 29, 30, 31]
    assert {stream for stream, _ in days} == {Stream.BACKLOG}
    assert [d.day.day for _, d in days if d.return_information] == [22, 29]
    assert all(d.places == 20 and d.interpreters[0].places == 10 for _, d in days)


def test_the_pact_takes_its_share_when_it_goes_through_the_prephase() -> None:
    days = location_days("2026-12", DECLARED, date(2026, 12, 31), 0.25)
    assert [(s, d.places, d.interpreters[0].places) for s, d in days] == [
        (Stream.PACT, 5, 2),
        (Stream.BACKLOG, 15, 8),
    ]


def test_a_declaration_without_locations_plans_no_day() -> None:
    bare = DECLARED.model_copy(update={"prephase_locations": ()})
    assert location_days("2026-12", bare, date(2026, 12, 1), None) == []
