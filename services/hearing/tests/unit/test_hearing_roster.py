"""Planning's roster in hearing: named caseworkers with their hours, the rates per category and
the interpreters per language; a slot needs an interpreter free; a cut moves the bookings that
no longer fit, last in planning's order first."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hearing.domain.capacity import (
    Booking,
    Caseworker,
    CaseworkerDay,
    Roster,
    Team,
    allocate,
    day_keys,
    in_force,
    overbooked,
    roster_from,
    trim,
)
from hearing.domain.case import HearingCase, HearingConfig, Mode, Plan, Status
from hearing.domain.steps import could_not_place, exclusion_concluded, exclusion_signalled
from hearing.testing import ctx, roster_event
from shared.contracts.events.hearing import CancellationReason, HearingCancelled, HearingFormat
from shared.contracts.events.planning import PlacementProblem, Specialism
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionScreeningOutcome,
    ExclusionSignalRaised,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import Decision

TODAY = date(2026, 11, 2)  # a Monday; the first slot is Tuesday 3 November
TUESDAY = date(2026, 11, 3)
CONFIG = HearingConfig(horizon_working_days=3)


def team(*workers: Caseworker) -> dict[str, Team]:
    return {"team-1": Team(location="ind-den-bosch", caseworkers=workers)}


def worker(code: str, share: float = 1.0, *specialisms: Specialism) -> Caseworker:
    return Caseworker(caseworker=code, share=share, specialisms=frozenset(specialisms))


def queued(
    case_id: str, lodged_day: int = 1, language: str | None = None, **extra: object
) -> HearingCase:
    return HearingCase(
        case_id=case_id,
        stream=Stream.BACKLOG,
        status=Status.WAITING_SLOT,
        registered=True,
        category=Category.A,
        lodged_at=datetime(2025, 1, lodged_day, tzinfo=UTC),
        team="team-1",
        language=language,
        plan=Plan(mode=Mode.ORAL, format=HearingFormat.SHORT_TARGETED),
        **extra,  # type: ignore[arg-type]
    )


def test_planning_s_roster_becomes_caseworkers_with_a_share_of_a_day_and_rates() -> None:
    roster = Roster(teams=team(worker("cw-1", 1.0, Specialism.LANGUAGE), worker("cw-2", 0.5)))
    event = roster_event(roster, interpreters={"ara": 2}, rates={Category.A: 3.0})
    kept = roster_from("2026-11", event)
    assert kept.month == "2026-11"
    assert {c.caseworker: c.share for c in kept.teams["team-1"].caseworkers} == {
        "cw-1": 1.0,
        "cw-2": 0.5,
    }
    assert kept.teams["team-1"].caseworkers[0].specialisms == {Specialism.LANGUAGE}
    assert kept.rates["A"] == 3.0
    assert kept.interpreters == {"ara": 2}


def test_the_roster_of_a_day_is_its_month_s_else_the_latest_before_it() -> None:
    november = Roster(month="2026-11", teams=team(worker("cw-1")))
    january = Roster(month="2027-01", teams=team(worker("cw-9")))
    rosters = {"2026-11": november, "2027-01": january}
    assert in_force(rosters, date(2026, 10, 30)) is None
    assert in_force(rosters, date(2026, 12, 15)) is november
    assert in_force(rosters, date(2027, 2, 1)) is january


def test_a_part_time_caseworker_hears_in_proportion_and_the_rates_come_from_the_roster() -> None:
    # Half a week: half a day of hearings, so one A hearing (rate 2) a day.
    half = Roster(teams=team(worker("cw-1", 0.5)))
    config = HearingConfig(horizon_working_days=1)
    result = allocate([queued("case-1"), queued("case-2", 2)], half, {}, today=TODAY, config=config)
    assert [c.case_id for c, _ in result.booked] == ["case-1"]
    # Planning's rate of 4 A hearings a day fits both in that half day.
    faster = half.model_copy(update={"rates": {"A": 4.0}})
    result = allocate(
        [queued("case-1"), queued("case-2", 2)], faster, {}, today=TODAY, config=config
    )
    assert [c.case_id for c, _ in result.booked] == ["case-1", "case-2"]


def test_a_slot_needs_an_interpreter_free_for_the_case_s_language() -> None:
    roster = Roster(teams=team(worker("cw-1"), worker("cw-2")), interpreters={"ara": 1})
    cases = [queued("case-1", language="ara"), queued("case-2", 2, language="ara")]
    result = allocate(cases, roster, {}, today=TODAY, config=CONFIG)
    days = sorted((c.case_id, s.day, s.interpreter_language) for c, s in result.booked)
    # Two caseworkers are free on Tuesday, but one interpreter: the second case hears Wednesday.
    assert days == [("case-1", TUESDAY, "ara"), ("case-2", date(2026, 11, 4), "ara")]
    assert {b.language for d in result.days for b in d.bookings} == {"ara"}


def test_no_interpreter_within_the_horizon_tells_planning_with_the_language() -> None:
    roster = Roster(teams=team(worker("cw-1")), interpreters={"ara": 3})
    result = allocate([queued("case-1", language="tir")], roster, {}, today=TODAY, config=CONFIG)
    [unplaced] = result.unplaced
    assert unplaced.reason is PlacementProblem.NO_INTERPRETER
    told = could_not_place(unplaced)
    assert told is not None
    assert told[1].language == "tir"
    assert told[1].reason is PlacementProblem.NO_INTERPRETER
    # A case without a language needs no interpreter.
    assert allocate([queued("case-2")], roster, {}, today=TODAY, config=CONFIG).booked


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["ara", "tir", None]), min_size=1, max_size=20))
def test_interpreters_are_never_overbooked(languages: list[str | None]) -> None:
    roster = Roster(
        teams=team(worker("cw-1"), worker("cw-2"), worker("cw-3")),
        interpreters={"ara": 2, "tir": 1},
    )
    cases = [queued(f"case-{i:02d}", 1 + i % 28, language=lang) for i, lang in enumerate(languages)]
    result = allocate(cases, roster, {}, today=TODAY, config=CONFIG)
    per_day: dict[tuple[date, str], int] = {}
    for _, slot in result.booked:
        if slot.interpreter_language is not None:
            key = (slot.day, slot.interpreter_language)
            per_day[key] = per_day.get(key, 0) + 1
    assert all(n <= {"ara": 2, "tir": 1}[lang] for (_, lang), n in per_day.items())
    assert len(result.booked) + len(result.unplaced) == len(cases)


def booked_on(
    roster: Roster, cases: list[HearingCase]
) -> tuple[dict[str, CaseworkerDay], dict[str, HearingCase]]:
    config = HearingConfig(horizon_working_days=1)
    result = allocate(cases, roster, {}, today=TODAY, config=config)
    planned = {
        c.case_id: c.model_copy(update={"status": Status.PLANNED, "slot": s})
        for c, s in result.booked
    }
    return {d.key: d for d in result.days}, planned


def test_a_cut_in_caseworkers_moves_the_bookings_last_in_planning_s_order() -> None:
    before = Roster(teams=team(worker("cw-1"), worker("cw-2")))
    cases = [queued(f"case-{i}", lodged_day=i, lawyer=f"lawyer-{i}") for i in (1, 2, 3, 4)]
    days, planned = booked_on(before, cases)
    assert len(planned) == 4  # two A hearings each on Tuesday
    after = Roster(teams=team(worker("cw-1")))  # cw-2 is no longer available
    over = overbooked(days.values(), after, TODAY, CONFIG)
    assert over == {TUESDAY}
    result = trim(days, planned, after, over, CONFIG)
    moved = [(c.case_id, c.status, c.slot) for c, _ in result.moved]
    # cw-1 keeps room for two: the two lodged first keep a slot; the last two move.
    assert moved == [("case-3", Status.WAITING_SLOT, None), ("case-4", Status.WAITING_SLOT, None)]
    assert [e for _, e in result.moved] == [
        HearingCancelled(day=TUESDAY, reason=CancellationReason.RESCHEDULED, lawyer="lawyer-3"),
        HearingCancelled(day=TUESDAY, reason=CancellationReason.RESCHEDULED, lawyer="lawyer-4"),
    ]
    kept = {**days, **{d.key: d for d in result.days}}
    assert sorted(b.case_id for d in kept.values() for b in d.bookings) == ["case-1", "case-2"]
    # The moved bookings are booked again (another day) by the same run.
    again = allocate([c for c, _ in result.moved], after, kept, today=TODAY, config=CONFIG)
    assert {s.day for _, s in again.booked} == {date(2026, 11, 4)}
    assert overbooked(kept.values(), after, TODAY, CONFIG) == set()


def test_an_interpreter_cut_moves_the_later_case_of_that_language_only() -> None:
    before = Roster(teams=team(worker("cw-1"), worker("cw-2")), interpreters={"ara": 2, "tir": 1})
    cases = [
        queued("case-1", 1, language="ara"),
        queued("case-2", 2, language="ara"),
        queued("case-3", 3, language="tir"),
    ]
    days, planned = booked_on(before, cases)
    assert len(planned) == 3
    after = before.model_copy(update={"interpreters": {"ara": 1, "tir": 1}})
    over = overbooked(days.values(), after, TODAY, CONFIG)
    result = trim(days, planned, after, over, CONFIG)
    assert [c.case_id for c, _ in result.moved] == ["case-2"]
    # Nothing moves while the roster still covers the bookings, nor on a day already past.
    assert overbooked(days.values(), before, TODAY, CONFIG) == set()
    assert overbooked(days.values(), after, TUESDAY, CONFIG) == set()


def test_a_1f_signal_hold_is_dated_for_the_hold_gauges_and_cleared_when_lifted() -> None:
    case = queued("case-1")
    out = exclusion_signalled(case, ExclusionSignalRaised(signalled_on=TODAY), ctx())
    assert isinstance(out, Decision)
    assert out.state is not None
    assert out.state.exclusion_hold
    assert out.state.exclusion_since == ctx().today
    lifted = exclusion_concluded(
        out.state,
        ExclusionScreeningConcluded(
            outcome=ExclusionScreeningOutcome.NO_INDICATIONS, hold_lifted=True
        ),
        ctx(),
    )
    assert isinstance(lifted, Decision)
    assert lifted.state is not None
    assert lifted.state.exclusion_since is None


def test_a_caseworker_dropped_from_the_month_s_roster_is_still_looked_at_until_moved() -> None:
    first = roster_from("2026-11", roster_event(Roster(teams=team(worker("cw-1"), worker("cw-2")))))
    again = roster_from("2026-11", roster_event(Roster(teams=team(worker("cw-1")))), first)
    assert again.caseworkers() == ["cw-1"]
    assert again.former == ("cw-2",)
    keys = day_keys({"2026-11": again}, TODAY, CONFIG)
    assert f"cw-2/{TUESDAY.isoformat()}" in keys
    # The dropped caseworker's booking no longer fits: the day is cut.
    booked = CaseworkerDay(
        caseworker="cw-2",
        day=TUESDAY,
        bookings=(Booking(case_id="case-1", rate_class="A"),),
    )
    assert overbooked([booked], {"2026-11": again}, TODAY, CONFIG) == {TUESDAY}
