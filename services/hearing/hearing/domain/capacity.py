"""Hand out hearing slots: a caseworker of the team planning chose, whose specialisms match the
case, within that caseworker's daily rate for the case's category (R12; A: 2 a day), with an
interpreter free for the case's language on that day.

The roster (teams, named caseworkers with specialisms and hours, rates per category, hearing
interpreters per language) is planning's capacity data (HearingRosterPlanned, one per month);
hearing keeps it in a store. Pure: the allocation run gives the queue, the rosters and the
caseworker days it loaded, and saves what comes back. Within a run the queue is served in a
fixed order (queue_order), never in arrival order, so the same inputs give the same slots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field

from hearing.domain.case import (
    Frozen,
    HearingCase,
    HearingConfig,
    Slot,
    Status,
    queue_order,
    rate_class,
)
from shared.contracts.events import hearing as h
from shared.contracts.events.common import LanguageCode, LocationId, TeamId
from shared.contracts.events.hearing import CaseworkerId, HearingFormat, HearingKind, LawyerId
from shared.contracts.events.planning import HearingRosterPlanned, PlacementProblem, Specialism
from shared.runtime.calendar import add_working_days, next_working_day, working_days_in

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Caseworker(Frozen):
    caseworker: CaseworkerId
    specialisms: frozenset[Specialism] = frozenset()
    share: float = Field(default=1.0, ge=0, le=1)  # of a day: hours over a full-time week

    @property
    def day(self) -> Fraction:
        """The part of a day this caseworker hears cases (exact, so loads add up)."""
        return _fraction(self.share, 1000)


class Team(Frozen):
    location: LocationId
    caseworkers: tuple[Caseworker, ...]


class Roster(Frozen):
    """Hearing caseworkers per team, rates and interpreters for a month (planning's data).

    `month` is 'YYYY-MM'; the empty month holds for every day (a test's or benchmark's roster).
    """

    month: str = ""
    teams: dict[TeamId, Team]
    rates: dict[str, float] = {}  # per category; over the configured daily rates
    interpreters: dict[LanguageCode, int] | None = None  # None: not counted (no language data)
    # Caseworkers an earlier version of this month's roster named and this one does not: their
    # booked days are still looked at, so that their bookings move.
    former: tuple[CaseworkerId, ...] = ()

    def caseworkers(self) -> list[CaseworkerId]:
        return sorted(c.caseworker for t in self.teams.values() for c in t.caseworkers)

    def caseworker(self, code: str) -> Caseworker | None:
        return next(
            (c for t in self.teams.values() for c in t.caseworkers if c.caseworker == code), None
        )

    def cost(self, rate_class: str, config: HearingConfig) -> Fraction:
        """The share of a caseworker's day one hearing of the class takes: 1 / its rate."""
        return _cost(self.rates.get(rate_class, config.daily_rates[rate_class]))

    def interpreter_room(self, language: str | None, used: int) -> bool:
        if language is None or self.interpreters is None:
            return True
        return used < self.interpreters.get(language, 0)


ZERO = Fraction(0)


@cache
def _fraction(value: float, limit: int) -> Fraction:
    # Cached: a run asks for the same few rates and shares many thousands of times.
    return Fraction(value).limit_denominator(limit)


@cache
def _cost(rate: float) -> Fraction:
    # Cached as `_fraction`: a day's load sums one cost per booking, for every day a pass sees.
    return 1 / _fraction(rate, 100)


def roster_from(month: str, event: HearingRosterPlanned, before: Roster | None = None) -> Roster:
    """Planning's roster as hearing keeps it: a caseworker's hours as a share of a day; the
    caseworkers the month's roster `before` named and this one drops are kept as `former`."""
    named = {c.caseworker for t in event.teams for c in t.caseworkers}
    dropped = set(before.caseworkers()) | set(before.former) if before is not None else set()
    return Roster(
        former=tuple(sorted(dropped - named)),
        month=month,
        teams={
            t.team: Team(
                location=t.location,
                caseworkers=tuple(
                    Caseworker(
                        caseworker=c.caseworker,
                        specialisms=frozenset(c.specialisms),
                        share=min(1.0, (c.hours_per_week or 0) / event.full_time_hours),
                    )
                    for c in t.caseworkers
                ),
            )
            for t in event.teams
        },
        rates={r.category.value: r.per_day for r in event.rates},
        interpreters={i.language: i.places for i in event.interpreters},
    )


Rosters = Roster | Mapping[str, Roster]


def in_force(rosters: Rosters, day: date) -> Roster | None:
    """The roster for a day: its month's, else the latest declared before it (a team does not
    vanish because planners have not declared the next month yet)."""
    if isinstance(rosters, Roster):
        return rosters
    month = day.strftime("%Y-%m")
    known = [m for m in rosters if m <= month]
    return rosters[max(known)] if known else None


def _all(rosters: Rosters) -> list[Roster]:
    return [rosters] if isinstance(rosters, Roster) else list(rosters.values())


class Booking(Frozen):
    case_id: str
    rate_class: str
    lawyer: LawyerId | None = None
    language: LanguageCode | None = None  # the interpreter it counts against


class CaseworkerDay(Frozen):
    """One caseworker's hearings on one day: what the daily rate is counted against."""

    caseworker: CaseworkerId
    day: date
    bookings: tuple[Booking, ...] = ()

    @property
    def key(self) -> str:
        return day_key(self.caseworker, self.day)

    def load(self, roster: Roster, config: HearingConfig) -> Fraction:
        """The share of the day taken: a hearing of a class with rate n takes 1/n."""
        return sum((roster.cost(b.rate_class, config) for b in self.bookings), ZERO)

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
    return list(_window(start, config.horizon_working_days))


@lru_cache(maxsize=1024)
def _window(start: date, days: int) -> tuple[date, ...]:
    # Cached: a pass asks for the window of every case it reads (last_day), most the same.
    start = next_working_day(start)
    return tuple(add_working_days(start, i) for i in range(days))


def last_day(today: date, config: HearingConfig, released: date | None = None) -> date:
    """The last day a run of `today` may book for a case released for `released`: the end of
    its window, which starts at its release day when that is after the first day."""
    start = first_day(today, config)
    return window(max(start, released or start), config)[-1]


def coming_days(today: date, config: HearingConfig, until: date | None = None) -> list[date]:
    """Every working day after today that may hold a booking: the lead days and the window, and
    on to `until` (the furthest a case released later, or a slot to give back, reaches)."""
    last = max(last_day(today, config), until or today)
    return working_days_in(today + timedelta(days=1), last)


def day_keys(
    rosters: Rosters, today: date, config: HearingConfig, until: date | None = None
) -> list[str]:
    """Every caseworker day an allocation run may book or find booked (the rows to lock): a
    day the run books must be one it loaded, or it books the day as if empty and its save
    overwrites the bookings stored there."""
    workers = sorted({c for r in _all(rosters) for c in (*r.caseworkers(), *r.former)})
    return [day_key(c, d) for d in coming_days(today, config, until) for c in workers]


@dataclass(frozen=True)
class Unplaced:
    """A queued case the run could not give a slot: why, and the days it searched."""

    case: HearingCase
    reason: PlacementProblem
    detail: str  # for operators' logs (no personal data)
    searched: tuple[date, date]
    language: LanguageCode | None = None  # the interpreter missing (no_interpreter)


@dataclass(frozen=True)
class Allocation:
    booked: list[tuple[HearingCase, Slot]]
    unplaced: list[Unplaced]
    days: list[CaseworkerDay]  # the caseworker days that changed


def slot_language(case: HearingCase) -> LanguageCode | None:
    """The interpreter a hearing needs: the language indication's, else the most preferred."""
    return case.language or next(iter(case.interpreter_languages), None)


class _Ledger:
    """What the run has booked so far: each caseworker day's load and each day's interpreters,
    kept as the run books so that each case costs a few lookups, not a scan of every row."""

    def __init__(self, rows: Mapping[str, CaseworkerDay], rosters: Rosters, config: HearingConfig):
        self.rows = dict(rows)
        # Per (caseworker, day): a tuple, not the row's key, as it is looked up many times.
        self.load: dict[tuple[str, date], Fraction] = {}
        self.interpreters: dict[tuple[date, str], int] = {}
        self.lawyer_days: set[tuple[str, date]] = set()
        self._rosters = rosters
        self._in_force: dict[date, Roster | None] = {}
        # Per (day, matching caseworkers, cost): the first of those caseworkers who may still
        # have room. Loads only grow during a run, so a caseworker without room for a cost has
        # none for the rest of it: each search starts where the last one stopped (thousands of
        # queued cases ask the same question; a booked-up day is past its last caseworker).
        self.first: dict[tuple[date, int, Fraction], int] = {}
        for row in self.rows.values():
            roster = in_force(rosters, row.day)
            self.load[(row.caseworker, row.day)] = row.load(roster, config) if roster else ZERO
            for b in row.bookings:
                if b.language is not None:
                    slot = (row.day, b.language)
                    self.interpreters[slot] = self.interpreters.get(slot, 0) + 1
                if b.lawyer is not None:
                    self.lawyer_days.add((b.lawyer, row.day))

    def roster(self, day: date) -> Roster | None:
        """`in_force`, worked out once a day of the run."""
        if day not in self._in_force:
            self._in_force[day] = in_force(self._rosters, day)
        return self._in_force[day]

    def free_worker(
        self, workers: list[Caseworker], day: date, cost: Fraction
    ) -> Caseworker | None:
        """The first of `workers` (a list `_Matching` keeps for the run) with room on `day`."""
        key = (day, id(workers), cost)
        n = self.first.get(key, 0)
        while n < len(workers) and not self.room(workers[n], day, cost):
            n += 1
        self.first[key] = n
        return workers[n] if n < len(workers) else None

    def room(self, worker: Caseworker, day: date, cost: Fraction) -> bool:
        return self.load.get((worker.caseworker, day), ZERO) + cost <= worker.day

    def add(self, row: CaseworkerDay, booking: Booking, cost: Fraction) -> CaseworkerDay:
        row = row.model_copy(update={"bookings": (*row.bookings, booking)})
        self.rows[row.key] = row
        load = (row.caseworker, row.day)
        self.load[load] = self.load.get(load, ZERO) + cost
        if booking.language is not None:
            slot = (row.day, booking.language)
            self.interpreters[slot] = self.interpreters.get(slot, 0) + 1
        if booking.lawyer is not None:
            self.lawyer_days.add((booking.lawyer, row.day))
        return row


@dataclass
class _Search:
    """Why a case found no slot: the furthest it got on any day of the window."""

    team: bool = False  # the team has hearing caseworkers in the roster
    matching: bool = False  # a caseworker of the team with the case's specialisms
    interpreter_short: bool = False  # a caseworker had room, but no interpreter was free


def allocate(
    queue: Iterable[HearingCase],
    rosters: Rosters,
    days: Mapping[str, CaseworkerDay],
    *,
    today: date,
    config: HearingConfig,
) -> Allocation:
    """Slots for the queued cases, in the fixed order; a case finds none within the horizon
    waits for the next run. A slot needs a caseworker with room and, for a case with a
    language, an interpreter of that language free that day. A case with a lawyer moves up to
    `lawyer_grouping_days` later to a day where that lawyer already has a client, so the
    reviews fall on one day (seed 004)."""
    ledger = _Ledger(days, rosters, config)
    matching = _Matching()
    changed: dict[str, CaseworkerDay] = {}
    booked: list[tuple[HearingCase, Slot]] = []
    unplaced: list[Unplaced] = []
    start = first_day(today, config)
    windows: dict[date, list[date]] = {}  # most cases share a start: worked out once a run
    for case in sorted(queue, key=queue_order):
        if case.status is not Status.WAITING_SLOT or case.exclusion_hold:
            continue  # on hold (an obstacle, a 1F/NV screening), planned or done: not queued
        opens = max(start, case.release_day or start)
        days_open = windows.get(opens)
        if days_open is None:
            days_open = windows[opens] = window(opens, config)
        searched = (days_open[0], days_open[-1]) if days_open else (start, start)
        search = _Search()
        choice = _first_free(case, rosters, days_open, ledger, matching, search, config)
        if choice is None:
            unplaced.append(_unplaced(case, search, searched))
            continue
        day, worker, roster = choice
        team = roster.teams[case.team or ""]
        rc = rate_class(case)
        row = _row(ledger.rows, worker.caseworker, day)
        slot = _slot(case, row, worker, team, roster, config)
        booking = Booking(
            case_id=case.case_id, rate_class=rc, lawyer=case.lawyer, language=slot_language(case)
        )
        row = ledger.add(row, booking, roster.cost(rc, config))
        changed[row.key] = row
        booked.append((case, slot))
    return Allocation(booked, unplaced, list(changed.values()))


Opening = tuple[TeamId, frozenset[Specialism], frozenset[LanguageCode] | None]
"""On some day of the window, a caseworker of the team with room for the cheapest hearing,
with those specialisms, and the interpreter languages still free that day (None: the day's
roster counts no interpreters, any language)."""


@dataclass(frozen=True)
class Room:
    """What a queued case needs to possibly get a slot in a window: an opening (`Opening`) of
    its team whose specialisms include all of the case's and, if the case needs an interpreter,
    whose languages include its language. A case that fits no opening finds no slot."""

    openings: frozenset[Opening]
    days: int  # caseworker days with room: about what the room can take

    @property
    def teams(self) -> set[TeamId]:
        return {team for team, _, _ in self.openings}

    def within(self, other: Room) -> bool:
        """Whether every case that might fit this room might fit `other` too."""
        return all(
            any(
                team == t2
                and specialisms <= s2
                and (l2 is None or (languages is not None and languages <= l2))
                for t2, s2, l2 in other.openings
            )
            for team, specialisms, languages in self.openings
        )


def room_in(
    rosters: Rosters, days: Mapping[str, CaseworkerDay], start: date, config: HearingConfig
) -> Room:
    """The `Room` the caseworker days `days` leave in the window from `start`. A queued case
    whose window that is (released by then) and that fits no opening gets no slot, whatever its
    place in the order; and as loads only grow while a pass books, it gets none later in the
    pass either. So a pass need not read it (unless it is owed a report)."""
    in_window = set(window(start, config))
    used: dict[tuple[date, str], int] = {}
    for booked in days.values():
        if booked.day in in_window:
            for b in booked.bookings:
                if b.language is not None:
                    used[(booked.day, b.language)] = used.get((booked.day, b.language), 0) + 1
    openings: set[Opening] = set()
    free_days = 0
    for day in sorted(in_window):
        roster = in_force(rosters, day)
        cheapest = _cheapest(roster, config)
        if roster is None or cheapest is None:
            continue
        languages = (
            None
            if roster.interpreters is None
            else frozenset(
                lang for lang, n in roster.interpreters.items() if used.get((day, lang), 0) < n
            )
        )
        for name, team in roster.teams.items():
            for worker in team.caseworkers:
                row = days.get(day_key(worker.caseworker, day))
                load = row.load(roster, config) if row is not None else ZERO
                if load + cheapest <= worker.day:
                    openings.add((name, frozenset(worker.specialisms), languages))
                    free_days += 1
    return Room(openings=frozenset(openings), days=free_days)


def _cheapest(roster: Roster | None, config: HearingConfig) -> Fraction | None:
    """The cost of the cheapest hearing under a roster (a class rated 0 a day is not heard)."""
    if roster is None:
        return None
    rates = {**config.daily_rates, **roster.rates}
    return min((roster.cost(c, config) for c, n in rates.items() if n > 0), default=None)


def _unplaced(case: HearingCase, search: _Search, searched: tuple[date, date]) -> Unplaced:
    if not search.matching:
        detail = (
            "no caseworker of the team has the case's specialisms"
            if search.team
            else f"team {case.team} has no hearing caseworkers"
        )
        return Unplaced(case, PlacementProblem.NO_MATCHING_CASEWORKER, detail, searched)
    if search.interpreter_short:
        language = slot_language(case)
        detail = f"no {language} interpreter free within the horizon"
        return Unplaced(case, PlacementProblem.NO_INTERPRETER, detail, searched, language)
    detail = "no free slot within the horizon"
    return Unplaced(case, PlacementProblem.NO_HEARING_SLOT, detail, searched)


def _row(rows: Mapping[str, CaseworkerDay], caseworker: str, day: date) -> CaseworkerDay:
    return rows.get(day_key(caseworker, day)) or CaseworkerDay(caseworker=caseworker, day=day)


class _Matching:
    """A team's caseworkers with a case's specialisms, per roster: worked out once a run."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, str, frozenset[Specialism]], list[Caseworker]] = {}

    def __call__(self, case: HearingCase, roster: Roster) -> list[Caseworker]:
        key = (id(roster), case.team or "", frozenset(case.specialisms))
        workers = self.found.get(key)
        if workers is None:
            team = roster.teams.get(case.team or "")
            workers = self.found[key] = [
                c
                for c in sorted(team.caseworkers if team else (), key=lambda c: c.caseworker)
                if key[2] <= c.specialisms
            ]
        return workers


def _first_free(
    case: HearingCase,
    rosters: Rosters,
    days: Sequence[date],
    ledger: _Ledger,
    matching: _Matching,
    search: _Search,
    config: HearingConfig,
) -> tuple[date, Caseworker, Roster] | None:
    """The first day and caseworker with room (and an interpreter); for a case with a lawyer,
    a day within the grouping limit on which the lawyer already has a client is preferred."""
    first: tuple[date, Caseworker, Roster] | None = None
    limit: date | None = None
    language = slot_language(case)
    rc = rate_class(case)
    for day in days:
        if limit is not None and day > limit:
            break
        roster = ledger.roster(day)
        if roster is None or (case.team or "") not in roster.teams:
            continue
        search.team = True
        workers = matching(case, roster)
        if not workers:
            continue
        search.matching = True
        cost = roster.cost(rc, config)
        worker = ledger.free_worker(workers, day, cost)
        if worker is None:
            continue
        if not roster.interpreter_room(language, ledger.interpreters.get((day, language or ""), 0)):
            search.interpreter_short = True
            continue
        if first is None:
            first = (day, worker, roster)
            if case.lawyer is None:
                return first
            limit = add_working_days(day, config.lawyer_grouping_days)
        if (case.lawyer, day) in ledger.lawyer_days:
            return (day, worker, roster)
    return first


def _slot(
    case: HearingCase,
    row: CaseworkerDay,
    worker: Caseworker,
    team: Team,
    roster: Roster,
    config: HearingConfig,
) -> Slot:
    # Hearings follow each other through the day: a second A hearing starts halfway.
    offset = row.load(roster, config) * config.day_hours * 60
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
        interpreter_language=slot_language(case),
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


# --- planning cut capacity: move the bookings that no longer fit --------------------------


def overbooked(
    days: Iterable[CaseworkerDay], rosters: Rosters, today: date, config: HearingConfig
) -> set[date]:
    """The days to come whose bookings planning's roster no longer covers: a caseworker gone
    or with fewer hours, a higher cost per hearing, or fewer interpreters of a language."""
    out: set[date] = set()
    interpreters: dict[tuple[date, str], int] = {}
    for row in days:
        if row.day <= today or not row.bookings:
            continue
        roster = in_force(rosters, row.day)
        worker = roster.caseworker(row.caseworker) if roster is not None else None
        if roster is None or worker is None or row.load(roster, config) > worker.day:
            out.add(row.day)
            continue
        for b in row.bookings:
            if b.language is not None:
                slot = (row.day, b.language)
                interpreters[slot] = interpreters.get(slot, 0) + 1
    for (day, language), used in interpreters.items():
        roster = in_force(rosters, day)
        if roster is not None and not roster.interpreter_room(language, used - 1):
            out.add(day)
    return out


@dataclass(frozen=True)
class Trimmed:
    moved: list[tuple[HearingCase, h.HearingCancelled]]  # back in the queue, slot cancelled
    days: list[CaseworkerDay]  # the caseworker days that changed


def trim(
    days: Mapping[str, CaseworkerDay],
    cases: Mapping[str, HearingCase],
    rosters: Rosters,
    over: set[date],
    config: HearingConfig,
) -> Trimmed:
    """Planning cut a day below what hearing booked on it: the day's hearings are fitted again
    in planning's order (queue_order); those that no longer fit, last in that order first, lose
    their slot (HearingCancelled, rescheduled: the lawyer is told) and go back to the queue,
    where the same run books them again. A booking whose case holds no slot there is kept (its
    capacity is given back with the case's cancelled slot)."""
    by_day: dict[date, list[CaseworkerDay]] = {}
    for row in days.values():
        if row.day in over:
            by_day.setdefault(row.day, []).append(row)
    moved: list[tuple[HearingCase, h.HearingCancelled]] = []
    changed: dict[str, CaseworkerDay] = {}
    for day in sorted(by_day):
        roster = in_force(rosters, day)
        rows = {r.caseworker: r for r in by_day[day]}
        entries = [
            (r.caseworker, b, _holder(cases.get(b.case_id), r.caseworker, day))
            for r in sorted(rows.values(), key=lambda r: r.caseworker)
            for b in r.bookings
        ]
        # Bookings without a planned case first (they cannot move), then planning's order.
        entries.sort(key=lambda e: (0, "") if e[2] is None else (1, queue_order(e[2])))
        load: dict[str, Fraction] = {}
        interpreters: dict[str, int] = {}
        for caseworker, booking, case in entries:
            worker = roster.caseworker(caseworker) if roster is not None else None
            cost = roster.cost(booking.rate_class, config) if roster is not None else Fraction(1)
            fits = (
                roster is not None
                and worker is not None
                and load.get(caseworker, ZERO) + cost <= worker.day
                and roster.interpreter_room(
                    booking.language, interpreters.get(booking.language or "", 0)
                )
            )
            if fits or case is None:
                load[caseworker] = load.get(caseworker, ZERO) + cost
                if booking.language is not None:
                    interpreters[booking.language] = interpreters.get(booking.language, 0) + 1
                continue
            row = changed.get(day_key(caseworker, day)) or rows[caseworker]
            changed[row.key] = row.without(case.case_id)
            again = case.model_copy(update={"status": Status.WAITING_SLOT, "slot": None})
            cancelled = h.HearingCancelled(
                day=day, reason=h.CancellationReason.RESCHEDULED, lawyer=case.lawyer
            )
            moved.append((again, cancelled))
    return Trimmed(moved, list(changed.values()))


def _holder(case: HearingCase | None, caseworker: str, day: date) -> HearingCase | None:
    """The case whose planned slot this booking is, if it still is."""
    if case is None or case.status is not Status.PLANNED or case.slot is None:
        return None
    return case if (case.slot.day, case.slot.caseworker) == (day, caseworker) else None
