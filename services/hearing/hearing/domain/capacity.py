"""Hand out hearing slots: a caseworker of the team planning chose, whose specialisms match the
case, within that caseworker's daily rate for the case's category (R12; A: 2 a day).

Pure: the allocation run gives the queue, the roster and the caseworker days it loaded, and
saves what comes back. Within a run the queue is served in a fixed order (queue_order), never
in arrival order, so the same inputs give the same slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hearing.domain.case import (
    Frozen,
    HearingCase,
    HearingConfig,
    Slot,
    Status,
    queue_order,
    rate_class,
)
from shared.contracts.events.common import LocationId, TeamId
from shared.contracts.events.hearing import CaseworkerId, HearingFormat, HearingKind, LawyerId
from shared.contracts.events.planning import PlacementProblem, Specialism
from shared.runtime.calendar import add_working_days, next_working_day

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Caseworker(Frozen):
    caseworker: CaseworkerId
    specialisms: frozenset[Specialism] = frozenset()


class Team(Frozen):
    location: LocationId
    caseworkers: tuple[Caseworker, ...]


class Roster(Frozen):
    """Hearing caseworkers per team (planning's capacity data; a setting until planning
    publishes it)."""

    teams: dict[TeamId, Team]

    def caseworkers(self) -> list[CaseworkerId]:
        return sorted(c.caseworker for t in self.teams.values() for c in t.caseworkers)


class Booking(Frozen):
    case_id: str
    rate_class: str
    lawyer: LawyerId | None = None


class CaseworkerDay(Frozen):
    """One caseworker's hearings on one day: what the daily rate is counted against."""

    caseworker: CaseworkerId
    day: date
    bookings: tuple[Booking, ...] = ()

    @property
    def key(self) -> str:
        return day_key(self.caseworker, self.day)

    def load(self, rates: Mapping[str, int]) -> Fraction:
        """The share of the day taken: a hearing of a class with rate n takes 1/n."""
        return sum((Fraction(1, rates[b.rate_class]) for b in self.bookings), Fraction(0))

    def without(self, case_id: str) -> CaseworkerDay:
        kept = tuple(b for b in self.bookings if b.case_id != case_id)
        return self.model_copy(update={"bookings": kept})


def day_key(caseworker: str, day: date) -> str:
    return f"{caseworker}/{day.isoformat()}"


def first_day(today: date, config: HearingConfig) -> date:
    """The first day a slot may be on: the lead time in working days after today."""
    return (
        add_working_days(today, config.lead_working_days)
        if config.lead_working_days
        else (next_working_day(today))
    )


def window(start: date, config: HearingConfig) -> list[date]:
    start = next_working_day(start)
    return [add_working_days(start, i) for i in range(config.horizon_working_days)]


def day_keys(roster: Roster, today: date, config: HearingConfig) -> list[str]:
    """Every caseworker day an allocation run may book (the rows to lock)."""
    return [
        day_key(c, d)
        for d in window(first_day(today, config), config)
        for c in roster.caseworkers()
    ]


@dataclass(frozen=True)
class Unplaced:
    """A queued case the run could not give a slot: why, and the days it searched."""

    case: HearingCase
    reason: PlacementProblem
    detail: str  # for operators' logs (no personal data)
    searched: tuple[date, date]


@dataclass(frozen=True)
class Allocation:
    booked: list[tuple[HearingCase, Slot]]
    unplaced: list[Unplaced]
    days: list[CaseworkerDay]  # the caseworker days that changed


def allocate(
    queue: Iterable[HearingCase],
    roster: Roster,
    days: Mapping[str, CaseworkerDay],
    *,
    today: date,
    config: HearingConfig,
) -> Allocation:
    """Slots for the queued cases, in the fixed order; a case finds none within the horizon
    waits for the next run. A case with a lawyer moves up to `lawyer_grouping_days` later to a
    day where that lawyer already has a client, so the reviews fall on one day (seed 004)."""
    rows = dict(days)
    changed: dict[str, CaseworkerDay] = {}
    booked: list[tuple[HearingCase, Slot]] = []
    unplaced: list[Unplaced] = []
    # Kept as the run books, so that each case costs a few lookups, not a scan of every row.
    load = {key: row.load(config.daily_rates) for key, row in rows.items()}
    lawyer_days = {(b.lawyer, r.day) for r in rows.values() for b in r.bookings if b.lawyer}
    start = first_day(today, config)
    for case in sorted(queue, key=queue_order):
        if case.status is not Status.WAITING_SLOT or case.exclusion_hold:
            continue  # on hold (an obstacle, a 1F/NV screening), planned or done: not queued
        days_open = window(max(start, case.release_day or start), config)
        searched = (days_open[0], days_open[-1]) if days_open else (start, start)
        team = roster.teams.get(case.team or "")
        if team is None:
            detail = f"team {case.team} has no hearing caseworkers"
            unplaced.append(
                Unplaced(case, PlacementProblem.NO_MATCHING_CASEWORKER, detail, searched)
            )
            continue
        rc = rate_class(case)
        cost = Fraction(1, config.daily_rates[rc])
        matching = [
            c
            for c in sorted(team.caseworkers, key=lambda c: c.caseworker)
            if set(case.specialisms) <= c.specialisms
        ]
        if not matching:
            detail = "no caseworker of the team has the case's specialisms"
            unplaced.append(
                Unplaced(case, PlacementProblem.NO_MATCHING_CASEWORKER, detail, searched)
            )
            continue
        choice = _first_free(
            case,
            matching,
            days_open,
            load,
            cost,
            lawyer_days,
            config,
        )
        if choice is None:
            detail = "no free slot within the horizon"
            unplaced.append(Unplaced(case, PlacementProblem.NO_HEARING_SLOT, detail, searched))
            continue
        day, worker = choice
        row = _row(rows, worker.caseworker, day)
        slot = _slot(case, row, worker, team, config)
        booking = Booking(case_id=case.case_id, rate_class=rc, lawyer=case.lawyer)
        row = row.model_copy(update={"bookings": (*row.bookings, booking)})
        rows[row.key] = changed[row.key] = row
        load[row.key] = load.get(row.key, Fraction(0)) + cost
        if case.lawyer is not None:
            lawyer_days.add((case.lawyer, day))
        booked.append((case, slot))
    return Allocation(booked, unplaced, list(changed.values()))


def _row(rows: Mapping[str, CaseworkerDay], caseworker: str, day: date) -> CaseworkerDay:
    return rows.get(day_key(caseworker, day)) or CaseworkerDay(caseworker=caseworker, day=day)


def _first_free(
    case: HearingCase,
    workers: Sequence[Caseworker],
    days: Sequence[date],
    load: Mapping[str, Fraction],
    cost: Fraction,
    lawyer_days: set[tuple[str, date]],
    config: HearingConfig,
) -> tuple[date, Caseworker] | None:
    """The first day and caseworker with room; for a case with a lawyer, a day within the
    grouping limit on which the lawyer already has a client is preferred."""
    first: tuple[date, Caseworker] | None = None
    limit: date | None = None
    for day in days:
        if limit is not None and day > limit:
            break
        for worker in workers:
            if load.get(day_key(worker.caseworker, day), Fraction(0)) + cost > 1:
                continue
            if first is None:
                first = (day, worker)
                if case.lawyer is None:
                    return first
                limit = add_working_days(day, config.lawyer_grouping_days)
            if (case.lawyer, day) in lawyer_days:
                return (day, worker)
            break  # the first worker with room on this day is the day's candidate
    return first


def _slot(
    case: HearingCase, row: CaseworkerDay, worker: Caseworker, team: Team, config: HearingConfig
) -> Slot:
    # Hearings follow each other through the day: a second A hearing starts halfway.
    offset = row.load(config.daily_rates) * config.day_hours * 60
    begin = datetime.combine(row.day, config.day_starts, tzinfo=AMSTERDAM)
    additional = case.additional_pending
    plan_format = case.plan.format if case.plan is not None else None
    return Slot(
        day=row.day,
        starts_at=begin + timedelta(minutes=int(offset)),
        caseworker=worker.caseworker,
        team=case.team or "",
        location=team.location,
        review_on=add_working_days(row.day, 1),
        kind=HearingKind.ADDITIONAL if additional else HearingKind.FIRST,
        format=HearingFormat.ADDITIONAL if additional else (plan_format or HearingFormat.FULL),
        interpreter_language=case.language or next(iter(case.interpreter_languages), None),
        rate_class=rate_class(case),
    )


def free_slots(
    days: Mapping[str, CaseworkerDay], cancelled: Sequence[tuple[str, Slot]], today: date
) -> list[CaseworkerDay]:
    """Give the capacity of cancelled slots back (days still to come only)."""
    changed: dict[str, CaseworkerDay] = {}
    for case_id, slot in cancelled:
        key = day_key(slot.caseworker, slot.day)
        row = changed.get(key) or days.get(key)
        if row is None or slot.day <= today:
            continue
        changed[key] = row.without(case_id)
    return list(changed.values())
