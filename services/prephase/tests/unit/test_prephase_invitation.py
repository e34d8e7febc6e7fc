"""Location days: handed out in a fixed order, within the horizon, never overbooked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from prephase.domain import (
    DEFAULT_CONFIG,
    DayLoad,
    LocationDay,
    Logistics,
    PrephaseCase,
    PrephaseConfig,
    Status,
    booked_loads,
    day_row_key,
    free_places,
    invite,
    open_room,
    overbooked,
    room_after,
    streams_with_room,
    trim,
    window,
)
from shared.contracts.events.planning import PlacementProblem, ReleaseStage, StageCouldNotPlace
from shared.contracts.events.prephase import (
    GuardianNoticeRequested,
    PrephaseCancellationReason,
    PrephaseInvitationCancelled,
    PrephaseInvited,
    TransportCancelled,
    TransportRequested,
)
from shared.contracts.values import Category, PriorityGroup, Stream

TODAY = date(2026, 10, 12)  # a Monday
FIRST, LAST = window(TODAY, DEFAULT_CONFIG)


def day(
    on: date, places: int, location: str = "prephase-zwolle", **interpreters: int
) -> LocationDay:
    key = day_row_key(Stream.BACKLOG, f"{location}-{on.isoformat()}")
    return LocationDay(
        key=key,
        stream=Stream.BACKLOG,
        location=location,
        day=on,
        places=places,
        interpreters=interpreters,
    )


def waiting(case_id: str, *languages: str, **update: object) -> PrephaseCase:
    fields: dict[str, object] = {
        "case_id": case_id,
        "stream": Stream.BACKLOG,
        "category": Category.A,
        "priority_group": None,
        "lodged_at": datetime(2025, 3, 1, 9, tzinfo=UTC),
        "status": Status.WAITING,
        "release_day": TODAY,
        "logistics": Logistics(interpreter_languages=languages, reception_location="coa-budel"),
    }
    return PrephaseCase.model_validate(fields | update)


def booked(results: list, case_id: str) -> date | None:  # type: ignore[type-arg]
    for r in results:
        if r.case.case_id == case_id and r.case.invitation is not None:
            return r.case.invitation.day  # type: ignore[no-any-return]
    return None


def test_the_window_counts_working_days() -> None:
    assert window(TODAY, DEFAULT_CONFIG) == (date(2026, 10, 19), date(2026, 11, 9))


def test_a_day_is_never_overbooked() -> None:
    cases = [waiting(f"case-{i}") for i in range(5)]
    results = invite(cases, [day(FIRST, 2), day(date(2026, 10, 20), 2)], {}, TODAY, DEFAULT_CONFIG)

    days = [booked(results, c.case_id) for c in cases]
    assert days.count(FIRST) == 2
    assert days.count(date(2026, 10, 20)) == 2
    assert days.count(None) == 1


def test_bookings_already_made_count_against_the_day() -> None:
    first = day(FIRST, 2)
    loads = {first.key: DayLoad(places=2)}
    results = invite(
        [waiting("case-1")], [first, day(date(2026, 10, 20), 1)], loads, TODAY, DEFAULT_CONFIG
    )

    assert booked(results, "case-1") == date(2026, 10, 20)


def test_an_interpreter_is_counted_per_language_in_order_of_preference() -> None:
    first = day(FIRST, 10, ara=1, prs=1)
    cases = [waiting("case-1", "ara"), waiting("case-2", "ara", "prs"), waiting("case-3", "ara")]
    results = invite(cases, [first, day(date(2026, 10, 20), 10, ara=1)], {}, TODAY, DEFAULT_CONFIG)

    by_case = {
        r.case.case_id: (r.case.invitation.day, r.case.invitation.interpreter_language)
        for r in results
        if r.case.invitation is not None
    }
    assert by_case == {
        "case-1": (FIRST, "ara"),
        "case-2": (FIRST, "prs"),
        "case-3": (date(2026, 10, 20), "ara"),
    }


def test_the_order_is_planning_s_not_arrival() -> None:
    """Release day, priority group, lodging moment, case id: the same in any input order."""
    late_lodged = waiting("case-a", lodged_at=datetime(2025, 6, 1, tzinfo=UTC))
    early_lodged = waiting("case-b", lodged_at=datetime(2025, 1, 1, tzinfo=UTC))
    minor = waiting(
        "case-c",
        lodged_at=datetime(2025, 9, 1, tzinfo=UTC),
        priority_group=PriorityGroup.UNACCOMPANIED_MINOR,
        groups=frozenset({PriorityGroup.UNACCOMPANIED_MINOR}),
    )
    days = [day(FIRST, 1), day(date(2026, 10, 20), 1), day(date(2026, 10, 21), 1)]
    for order in ([late_lodged, early_lodged, minor], [minor, late_lodged, early_lodged]):
        results = invite(order, days, {}, TODAY, DEFAULT_CONFIG)
        assert [booked(results, c) for c in ("case-c", "case-b", "case-a")] == [
            FIRST,
            date(2026, 10, 20),
            date(2026, 10, 21),
        ]


def test_nothing_before_the_lead_time_or_the_release_day_or_after_the_horizon() -> None:
    days = [day(date(2026, 10, 16), 5), day(date(2026, 11, 10), 5), day(date(2026, 10, 22), 5)]
    results = invite(
        [waiting("case-1"), waiting("case-2", release_day=date(2026, 10, 23))],
        days,
        {},
        TODAY,
        DEFAULT_CONFIG,
    )

    assert booked(results, "case-1") == date(2026, 10, 22)
    assert booked(results, "case-2") is None


def test_planning_is_told_once_when_no_day_fits() -> None:
    first = day(FIRST, 5)  # no interpreter for Tigrinya
    results = invite([waiting("case-1", "tir")], [first], {}, TODAY, DEFAULT_CONFIG)

    [result] = results
    assert result.case.status is Status.WAITING
    assert result.emit == (
        StageCouldNotPlace(
            stage=ReleaseStage.PREPHASE,
            reason=PlacementProblem.NO_INTERPRETER,
            searched_until=LAST,
            language="tir",
        ),
    )
    assert invite([result.case], [first], {}, TODAY, DEFAULT_CONFIG) == []
    [none] = invite([waiting("case-2")], [], {}, TODAY, DEFAULT_CONFIG)
    assert none.emit[0].reason is PlacementProblem.NO_LOCATION_DAY  # type: ignore[attr-defined]
    assert none.emit[0].language is None  # type: ignore[attr-defined]


def test_planning_is_told_once_when_the_logistics_are_still_missing_after_the_release_day() -> None:
    released_today = waiting("case-1", logistics=None)
    released_before = waiting("case-2", logistics=None, release_day=date(2026, 10, 9))
    days = [day(FIRST, 5)]

    [result] = invite([released_today, released_before], days, {}, TODAY, DEFAULT_CONFIG)

    assert result.case.case_id == "case-2"
    assert result.case.status is Status.WAITING
    [told] = result.emit
    assert isinstance(told, StageCouldNotPlace)
    assert told.reason is PlacementProblem.LOGISTICS_MISSING
    assert told.stage is ReleaseStage.PREPHASE
    assert invite([result.case], days, {}, TODAY, DEFAULT_CONFIG) == []  # told once
    # The logistics arrive: the case gets its day.
    arrived = result.case.model_copy(update={"logistics": waiting("case-9").logistics})
    assert booked(invite([arrived], days, {}, TODAY, DEFAULT_CONFIG), "case-2") == FIRST


def test_an_invitation_brings_transport_and_for_an_amv_the_guardian() -> None:
    amv = waiting(
        "case-1",
        "ara",
        priority_group=PriorityGroup.UNACCOMPANIED_MINOR,
        groups=frozenset({PriorityGroup.UNACCOMPANIED_MINOR}),
    )
    no_reception = waiting("case-2").model_copy(update={"logistics": Logistics()})
    results = invite([amv, no_reception], [day(FIRST, 5, ara=1)], {}, TODAY, DEFAULT_CONFIG)

    emitted = {r.case.case_id: r.emit for r in results}
    assert emitted["case-1"] == (
        PrephaseInvited(
            day=FIRST,
            location="prephase-zwolle",
            interpreter_language="ara",
            return_information=False,
        ),
        TransportRequested(day=FIRST, from_location="coa-budel", to_location="prephase-zwolle"),
        GuardianNoticeRequested(day=FIRST, location="prephase-zwolle"),
    )
    assert [type(e) for e in emitted["case-2"]] == [PrephaseInvited]


def test_a_case_without_logistics_or_not_waiting_is_not_invited() -> None:
    unknown = waiting("case-1").model_copy(update={"logistics": None})
    held = waiting("case-2", status=Status.ON_HOLD)
    assert invite([unknown, held], [day(FIRST, 5)], {}, TODAY, DEFAULT_CONFIG) == []


def test_a_cancelled_day_is_not_booked_again_for_the_same_case() -> None:
    again = waiting("case-1", cancelled_days=(FIRST,))
    results = invite(
        [again], [day(FIRST, 5), day(date(2026, 10, 20), 5)], {}, TODAY, DEFAULT_CONFIG
    )
    assert booked(results, "case-1") == date(2026, 10, 20)


def test_another_stream_s_capacity_is_not_used() -> None:
    pact_day = day(FIRST, 5).model_copy(update={"stream": Stream.PACT})
    config = PrephaseConfig(streams=frozenset(Stream))
    [result] = invite([waiting("case-1")], [pact_day], {}, TODAY, config)
    assert result.case.status is Status.WAITING


def test_a_capacity_cut_moves_the_last_invitations_in_planning_s_order_to_another_day() -> None:
    first = day(FIRST, 3, ara=3)
    second = day(date(2026, 10, 20), 5, ara=5)
    cases = [
        waiting(f"case-{i}", "ara", lodged_at=datetime(2025, 3, i, 9, tzinfo=UTC))
        for i in (1, 2, 3)
    ]
    booked = [r.case for r in invite(cases, [first, second], {}, TODAY, DEFAULT_CONFIG)]
    assert {c.invitation.day for c in booked if c.invitation} == {FIRST}
    # Planning cuts the first day to one place, and its interpreter to one as well.
    cut = first.model_copy(update={"places": 2, "interpreters": {"ara": 1}})
    loads = {first.key: DayLoad(places=3, interpreters={"ara": 3})}
    assert overbooked([cut, second], loads) == [first.key]

    moved, after = trim([cut, second], booked)

    assert [m.case.case_id for m in moved] == ["case-2", "case-3"]  # the last in release order
    assert after == {first.key: DayLoad(places=1, interpreters={"ara": 1})}
    for m in moved:
        assert m.case.status is Status.WAITING
        assert FIRST in m.case.cancelled_days
        assert m.emit[0] == PrephaseInvitationCancelled(
            day=FIRST, reason=PrephaseCancellationReason.LOCATION_UNAVAILABLE
        )
        assert isinstance(m.emit[1], TransportCancelled)
    again = invite([m.case for m in moved], [cut, second], after, TODAY, DEFAULT_CONFIG)
    assert {booked_on(r) for r in again} == {date(2026, 10, 20)}  # rescheduled, not the cut day
    assert overbooked([cut], after) == []


def booked_on(result: Any) -> date | None:
    return result.case.invitation.day if result.case.invitation else None


# Issue 16: the daily pass does no work for what cannot change. Days booked up are passed over
# and, with no free place in a stream, only the cases still owed a report to planning matter.

SECOND = date(2026, 10, 20)


def test_a_stream_has_room_only_with_a_free_place_inside_the_window() -> None:
    full = day(FIRST, 2, ara=2)
    beyond = day(date(2026, 12, 1), 5)  # after the window: no pass today books it
    pact = day(SECOND, 1).model_copy(
        update={"stream": Stream.PACT, "key": day_row_key(Stream.PACT, "prephase-zwolle-x")}
    )
    loads = {full.key: DayLoad(places=2, interpreters={"ara": 2})}

    assert streams_with_room([full, beyond], loads, FIRST, LAST) == frozenset()
    assert streams_with_room([full, beyond, pact], loads, FIRST, LAST) == {Stream.PACT}
    # A free place without a free interpreter is still room: a case without languages fits.
    short = {full.key: DayLoad(places=1, interpreters={"ara": 2})}
    assert streams_with_room([full], short, FIRST, LAST) == {Stream.BACKLOG}


def test_a_case_is_owed_a_report_until_planning_was_told() -> None:
    no_logistics = waiting("case-1").model_copy(update={"logistics": None})
    assert no_logistics.placement_report_due
    assert not no_logistics.model_copy(
        update={"logistics_missing_reported": True}
    ).placement_report_due
    assert waiting("case-2").placement_report_due
    assert not waiting("case-2", not_scheduled_reported=True).placement_report_due
    # Once the pass reports it, the case is no longer owed one (the stored column follows).
    [told] = invite([waiting("case-2")], [], {}, TODAY, DEFAULT_CONFIG)
    assert isinstance(told.emit[0], StageCouldNotPlace)
    assert not told.case.placement_report_due


def test_without_room_only_the_cases_owed_a_report_change() -> None:
    full = day(FIRST, 1)
    loads = {full.key: DayLoad(places=1)}
    assert streams_with_room([full], loads, FIRST, LAST) == frozenset()
    past = TODAY.replace(day=TODAY.day - 1)
    cases: list[PrephaseCase] = [
        waiting("case-1", not_scheduled_reported=True),
        waiting("case-2", "ara", not_scheduled_reported=True),
        waiting("case-3", logistics=None, release_day=past, logistics_missing_reported=True),
        waiting("case-4"),
        waiting("case-5", logistics=None, release_day=past),
    ]
    results = invite(cases, [full], loads, TODAY, DEFAULT_CONFIG)

    owed = {c.case_id for c in cases if c.placement_report_due}
    assert owed == {"case-4", "case-5"}
    assert {r.case.case_id for r in results} == owed  # the others are not even written
    reasons = {r.case.case_id: r.emit[0].reason for r in results}  # type: ignore[attr-defined]
    assert reasons == {
        "case-4": PlacementProblem.NO_LOCATION_DAY,
        "case-5": PlacementProblem.LOGISTICS_MISSING,
    }


def test_a_day_that_fills_up_is_passed_over_with_the_same_outcome() -> None:
    # The first day has one place and the one Arabic interpreter; the second a place and none.
    first, second = day(FIRST, 1, ara=1), day(SECOND, 1)
    cases = [waiting(f"case-{i}", *langs) for i, langs in enumerate([("ara",), ("ara",), (), ()])]

    results = {r.case.case_id: r for r in invite(cases, [first, second], {}, TODAY, DEFAULT_CONFIG)}

    assert results["case-0"].case.invitation is not None
    assert results["case-0"].case.invitation.day == FIRST
    # The second day has a place but no interpreter: short of an interpreter, not of a day.
    assert results["case-1"].emit[0].reason is PlacementProblem.NO_INTERPRETER  # type: ignore[attr-defined]
    assert results["case-2"].case.invitation is not None
    assert results["case-2"].case.invitation.day == SECOND
    # Both days full now: no day, whatever the languages.
    assert results["case-3"].emit[0].reason is PlacementProblem.NO_LOCATION_DAY  # type: ignore[attr-defined]
    assert all(
        r.case.status is Status.INVITED for k, r in results.items() if k in ("case-0", "case-2")
    )


# Reading only the first waiting cases (issue 16): room_after says what a later case needs.

B = Stream.BACKLOG


def test_no_room_is_left_once_the_first_cases_fill_every_free_place() -> None:
    d = day(FIRST, 2)
    first = [waiting("case-1"), waiting("case-2")]
    assert room_after(B, first, [], [d], {}, TODAY, DEFAULT_CONFIG) is None
    assert room_after(B, first[:1], [], [d], {}, TODAY, DEFAULT_CONFIG) == frozenset()


def test_a_case_without_an_interpreter_leaves_room_for_a_later_case_with_another_language() -> None:
    """The interpreter rule: the first cases find no interpreter, the place stays free for a
    later case needing none or a tir interpreter (the one the day has)."""
    d = day(FIRST, 1, tir=1)
    first = [waiting("case-1", "ara"), waiting("case-2", "fas")]
    assert room_after(B, first, [], [d], {}, TODAY, DEFAULT_CONFIG) == {"tir"}
    later = waiting("case-3", "tir")
    assert room_after(B, [*first, later], [], [d], {}, TODAY, DEFAULT_CONFIG) is None


def test_the_languages_left_are_those_free_on_a_day_with_a_free_place() -> None:
    """An interpreter free on a day with no place left is no room."""
    full = day(FIRST, 1, ara=2)
    other = day(LAST, 2, location="prephase-ter-apel", tir=1, fas=1)
    taken = {
        full.key: DayLoad(places=1, interpreters={"ara": 1}),
        other.key: DayLoad(places=1, interpreters={"fas": 1}),
    }
    assert open_room([full, other], taken, B, FIRST, LAST) == {"tir"}
    assert open_room([full, other], taken, Stream.PACT, FIRST, LAST) is None
    assert open_room([full], taken, B, FIRST, LAST) is None


def test_only_moved_cases_before_the_last_one_read_count() -> None:
    """A moved case later in the order than the cases read takes no place ahead of the unread
    cases between them; one earlier does."""
    d = day(FIRST, 1)
    read = [waiting("case-2", lodged_at=datetime(2025, 3, 1, 10, tzinfo=UTC), logistics=None)]
    early = waiting("case-1", lodged_at=datetime(2025, 3, 1, 9, tzinfo=UTC))
    late = waiting("case-3", lodged_at=datetime(2025, 3, 1, 11, tzinfo=UTC))
    assert room_after(B, read, [late], [d], {}, TODAY, DEFAULT_CONFIG) == frozenset()
    assert room_after(B, read, [early], [d], {}, TODAY, DEFAULT_CONFIG) is None


def test_booked_loads_add_each_new_invitation_and_free_places_count_what_is_left() -> None:
    d = day(FIRST, 3, ara=2)
    results = invite([waiting("case-1", "ara"), waiting("case-2")], [d], {}, TODAY, DEFAULT_CONFIG)
    loads = booked_loads({}, results)
    assert loads == {d.key: DayLoad(places=2, interpreters={"ara": 1})}
    assert free_places([d], loads, Stream.BACKLOG, FIRST, LAST) == 1
    assert free_places([d], loads, Stream.PACT, FIRST, LAST) == 0
