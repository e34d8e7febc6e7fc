"""Handing out location days: once a day, to the waiting cases in a fixed order.

A case gets the earliest day, from `lead_working_days` ahead up to `horizon_working_days`, that
has a free place and, when it needs one, a free interpreter in one of its languages (most
preferred first). A day is never booked beyond the places and interpreters planning gave it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from prephase.domain.model import (
    DayLoad,
    Invitation,
    LocationDay,
    PrephaseCase,
    PrephaseConfig,
    Status,
    day_row_key,
)
from shared.contracts.envelope import EventData
from shared.contracts.events.planning import PlacementProblem, ReleaseStage, StageCouldNotPlace
from shared.contracts.events.prephase import (
    GuardianNoticeCancelled,
    GuardianNoticeRequested,
    PrephaseCancellationReason,
    PrephaseInvitationCancelled,
    PrephaseInvited,
    TransportCancelled,
    TransportRequested,
)
from shared.contracts.values import Stream
from shared.runtime.calendar import add_working_days


@dataclass(frozen=True)
class Invited:
    """One case's new state after a pass, and what it emits."""

    case: PrephaseCase
    emit: tuple[EventData, ...]


def window(today: date, config: PrephaseConfig) -> tuple[date, date]:
    """The first and last day a pass on `today` may book."""
    return (
        add_working_days(today, config.lead_working_days),
        add_working_days(today, config.horizon_working_days),
    )


def invitation_events(case: PrephaseCase, invitation: Invitation) -> tuple[EventData, ...]:
    events: list[EventData] = [
        PrephaseInvited(
            day=invitation.day,
            location=invitation.location,
            interpreter_language=invitation.interpreter_language,
            return_information=invitation.return_information,
        )
    ]
    if invitation.transport_from is not None:
        events.append(
            TransportRequested(
                day=invitation.day,
                from_location=invitation.transport_from,
                to_location=invitation.location,
            )
        )
    if invitation.guardian:
        events.append(GuardianNoticeRequested(day=invitation.day, location=invitation.location))
    return tuple(events)


def cancellation_events(
    invitation: Invitation, reason: PrephaseCancellationReason
) -> tuple[EventData, ...]:
    events: list[EventData] = [PrephaseInvitationCancelled(day=invitation.day, reason=reason)]
    if invitation.transport_from is not None:
        events.append(TransportCancelled(day=invitation.day))
    if invitation.guardian:
        events.append(GuardianNoticeCancelled(day=invitation.day))
    return tuple(events)


EMPTY_LOAD = DayLoad()
"""The load of a day nobody booked yet (one shared frozen model, not one per look-up)."""


def has_room(day: LocationDay, load: DayLoad) -> bool:
    """Whether a day has a free place (an interpreter may still be short)."""
    return load.places < day.places


def streams_with_room(
    days: Iterable[LocationDay], loads: Mapping[str, DayLoad], first: date, last: date
) -> frozenset[Stream]:
    """The streams with a free place on some day from `first` to `last`. A stream without
    one can place no case on this pass: its waiting cases can only still be owed the one-time
    report to planning (`PrephaseCase.placement_report_due`), so only those need loading."""
    return frozenset(
        day.stream
        for day in days
        if first <= day.day <= last and has_room(day, loads.get(day.key, EMPTY_LOAD))
    )


def free_places(
    days: Iterable[LocationDay],
    loads: Mapping[str, DayLoad],
    stream: Stream,
    first: date,
    last: date,
) -> int:
    """The free places of a stream's days from `first` to `last`."""
    return sum(
        max(0, day.places - loads.get(day.key, EMPTY_LOAD).places)
        for day in days
        if day.stream is stream and first <= day.day <= last
    )


def booked_loads(loads: Mapping[str, DayLoad], results: Iterable[Invited]) -> dict[str, DayLoad]:
    """The days' loads once each case a pass invited holds its place."""
    out = dict(loads)
    for result in results:
        case = result.case
        if case.booked_day is not None:
            key = day_row_key(case.stream, case.booked_day)
            out[key] = out.get(key, EMPTY_LOAD).add(case.booked_language)
    return out


def open_room(
    days: Iterable[LocationDay],
    loads: Mapping[str, DayLoad],
    stream: Stream,
    first: date,
    last: date,
) -> frozenset[str] | None:
    """What a waiting case of `stream` needs to possibly get a day from `first` to `last`:
    None when no day has a free place (no case can get one); else the interpreter languages
    free on a day with a free place (a case needing none, or one of these, might fit; any
    other case finds no interpreter and takes no place)."""
    found = False
    languages: set[str] = set()
    for day in days:
        load = loads.get(day.key, EMPTY_LOAD)
        if day.stream is not stream or not first <= day.day <= last or not has_room(day, load):
            continue
        found = True
        languages.update(
            lang for lang, n in day.interpreters.items() if load.interpreters.get(lang, 0) < n
        )
    return frozenset(languages) if found else None


def room_after(
    stream: Stream,
    first_waiting: Sequence[PrephaseCase],
    moved: Iterable[PrephaseCase],
    days: Sequence[LocationDay],
    loads: Mapping[str, DayLoad],
    today: date,
    config: PrephaseConfig,
) -> frozenset[str] | None:
    """`open_room` once the pass has invited `first_waiting` (the stream's first waiting cases
    in the fixed order that might fit) and the `moved` cases (trimmed off a cut day) that come
    before the last of them. The pass handles cases one by one in that order, so this is what
    it leaves for the later ones whatever they are: None, no place for any; else a place only
    for a case needing no interpreter or one of the languages returned (a case that finds no
    interpreter takes no place, so a later one with another language may still fit). Places
    and interpreters only fill up as the pass goes on, so what does not fit now never will on
    this pass, and a later case can then only be owed its one-time report (read apart:
    `placement_report_due`)."""
    first, last = window(today, config)
    if not first_waiting:
        return open_room(days, loads, stream, first, last)
    until = max(case.queue_order() for case in first_waiting)
    before = [c for c in moved if c.stream is stream and c.queue_order() <= until]
    results = invite([*first_waiting, *before], days, loads, today, config)
    return open_room(days, booked_loads(loads, results), stream, first, last)


def _language(case: PrephaseCase, day: LocationDay, load: DayLoad) -> tuple[bool, str | None]:
    """(fits, interpreter language): the first of the case's languages with a free interpreter."""
    languages = case.logistics.interpreter_languages if case.logistics else ()
    if not languages:
        return True, None
    for language in languages:
        if load.interpreters.get(language, 0) < day.interpreters.get(language, 0):
            return True, language
    return False, None


def overbooked(days: Iterable[LocationDay], loads: Mapping[str, DayLoad]) -> list[str]:
    """The days whose bookings exceed what planning now gives them (planning cut capacity)."""
    out = []
    for day in days:
        load = loads.get(day.key)
        if load is None:
            continue
        short = any(n > day.interpreters.get(lang, 0) for lang, n in load.interpreters.items())
        if load.places > day.places or short:
            out.append(day.key)
    return out


def trim(
    days: Iterable[LocationDay], booked: Iterable[PrephaseCase]
) -> tuple[list[Invited], dict[str, DayLoad]]:
    """Planning cut a day's places or interpreters below what it had booked: the cases last in
    planning's order lose their invitation (cancelled, reason location_unavailable, with the
    transport and guardian notice) and wait for another day, not that one; the rest keep theirs.
    Returns the cancelled cases and each trimmed day's load after trimming."""
    by_key = {d.key: d for d in days}
    holders: dict[str, list[PrephaseCase]] = {}
    for case in booked:
        if case.booked_day is not None:
            holders.setdefault(day_row_key(case.stream, case.booked_day), []).append(case)
    result: list[Invited] = []
    loads: dict[str, DayLoad] = {}
    for key in sorted(holders):
        day = by_key.get(key)
        if day is None:
            continue
        load = DayLoad()
        for case in sorted(holders[key], key=PrephaseCase.queue_order):
            language = case.booked_language
            fits = load.places < day.places and (
                language is None
                or load.interpreters.get(language, 0) < day.interpreters.get(language, 0)
            )
            if fits:
                load = load.add(language)
                continue
            assert case.invitation is not None  # booked_day implies an invitation
            waiting = case.model_copy(
                update={
                    "status": Status.WAITING,
                    "cancelled_days": (*case.cancelled_days, day.day),
                }
            )
            reason = PrephaseCancellationReason.LOCATION_UNAVAILABLE
            result.append(Invited(waiting, cancellation_events(case.invitation, reason)))
        loads[key] = load
    return result, loads


def invite(
    waiting: Iterable[PrephaseCase],
    days: Sequence[LocationDay],
    loads: Mapping[str, DayLoad],
    today: date,
    config: PrephaseConfig,
) -> list[Invited]:
    """Give each waiting case (with known logistics) the earliest day that fits, in the fixed
    order; tell planning, once, about a case no day fits. `loads` are the days' bookings by
    `LocationDay.key`; the result never books a day beyond its places or interpreters."""
    first, last = window(today, config)
    load = dict(loads)
    # Only days with a free place, per stream; a day that fills up leaves its list (a full
    # day is passed over anyway, so this changes no outcome, only the work per case).
    open_days: dict[Stream, list[LocationDay]] = {}
    for d in sorted(
        (d for d in days if first <= d.day <= last), key=lambda d: (d.day, d.location, d.key)
    ):
        if has_room(d, load.get(d.key, EMPTY_LOAD)):
            open_days.setdefault(d.stream, []).append(d)
    result: list[Invited] = []
    for case in sorted(waiting, key=PrephaseCase.queue_order):
        if case.status is not Status.WAITING:
            continue
        earliest = max(first, case.release_day or first)
        if case.logistics is None:
            # Without the applicant's languages and location no day can be planned. Logistics
            # may still be on their way (topics are not ordered), so planning is told only once
            # a pass after the release day still lacks them.
            if (
                not case.logistics_missing_reported
                and case.release_day is not None
                and case.release_day < today
            ):
                told = StageCouldNotPlace(
                    stage=ReleaseStage.PREPHASE,
                    reason=PlacementProblem.LOGISTICS_MISSING,
                    searched_until=max(last, earliest),
                )
                result.append(
                    Invited(case.model_copy(update={"logistics_missing_reported": True}), (told,))
                )
            continue
        interpreter_short = False
        chosen: tuple[LocationDay, str | None] | None = None
        for day in open_days.get(case.stream, ()):
            if day.day < earliest or day.day in case.cancelled_days:
                continue
            booked = load.get(day.key, EMPTY_LOAD)
            fits, language = _language(case, day, booked)
            if not fits:
                interpreter_short = True
                continue
            chosen = (day, language)
            break
        if chosen is None:
            if not case.not_scheduled_reported:
                reason = (
                    PlacementProblem.NO_INTERPRETER
                    if interpreter_short
                    else PlacementProblem.NO_LOCATION_DAY
                )
                languages = case.logistics.interpreter_languages
                told = StageCouldNotPlace(
                    stage=ReleaseStage.PREPHASE,
                    reason=reason,
                    searched_until=max(last, earliest),
                    # The most preferred language: the one planning would add an interpreter for.
                    language=languages[0] if interpreter_short and languages else None,
                )
                result.append(
                    Invited(case.model_copy(update={"not_scheduled_reported": True}), (told,))
                )
            continue
        day, language = chosen
        load[day.key] = load.get(day.key, EMPTY_LOAD).add(language)
        if not has_room(day, load[day.key]):
            open_days[day.stream].remove(day)
        invitation = Invitation(
            location=day.location,
            day=day.day,
            interpreter_language=language,
            return_information=day.return_information,
            transport_from=case.logistics.reception_location,
            guardian=case.unaccompanied,
        )
        updated = case.model_copy(
            update={
                "status": Status.INVITED,
                "invitation": invitation,
                "invitations": case.invitations + 1,
                "not_scheduled_reported": False,
            }
        )
        result.append(Invited(updated, invitation_events(updated, invitation)))
    return result
