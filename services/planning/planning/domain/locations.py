"""Prephase location days from a capacity declaration (R2, R11, R13).

A declared location is planned for every working day of the month from today on. The Pact
takes its share of the places only when its cases go through the prephase; otherwise the
backlog has the whole location.
"""

from __future__ import annotations

from datetime import date

from shared.contracts.events.planning import (
    CapacityDeclared,
    InterpreterPlaces,
    PrephaseLocationDayPlanned,
)
from shared.contracts.values import Stream
from shared.runtime.calendar import working_days_in

from .capacity import month_bounds


def location_days(
    month: str, declared: CapacityDeclared, today: date, pact_share: float | None
) -> list[tuple[Stream, PrephaseLocationDayPlanned]]:
    """The location days of a declared month per stream, in day and location order.

    ``pact_share``: the Pact's share of the month when Pact cases go through the prephase,
    None when they do not (the backlog then has every place)."""
    first, last = month_bounds(month)
    shares = [(Stream.BACKLOG, 1.0)]
    if pact_share is not None:
        shares = [(Stream.PACT, pact_share), (Stream.BACKLOG, 1.0 - pact_share)]
    planned = []
    for day in working_days_in(max(first, today), last):
        for location in sorted(declared.prephase_locations, key=lambda loc: loc.location):
            for stream, share in shares:
                planned.append(
                    (
                        stream,
                        PrephaseLocationDayPlanned(
                            location=location.location,
                            day=day,
                            places=round(location.places_per_day * share),
                            interpreters=tuple(
                                InterpreterPlaces(
                                    language=i.language, places=round(i.places * share)
                                )
                                for i in location.interpreters
                            ),
                            return_information=day.weekday()
                            in location.return_information_weekdays,
                        ),
                    )
                )
    return planned
