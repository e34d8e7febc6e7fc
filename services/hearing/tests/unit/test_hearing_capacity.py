"""Capacity rules: the daily rate is never exceeded, the specialism is matched, the queue is
served in a fixed order, and a lawyer's clients share a review day where possible."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hearing.domain.capacity import (
    Booking,
    Caseworker,
    CaseworkerDay,
    Room,
    Roster,
    Team,
    allocate,
    day_key,
    first_day,
    free_slots,
    room_in,
    window,
)
from hearing.domain.case import HearingCase, HearingConfig, Mode, Plan, Status
from hearing.domain.steps import could_not_place, logistics_changed, released
from hearing.testing import ctx, release
from shared.contracts.events.hearing import HearingFormat, HearingKind
from shared.contracts.events.intake import ApplicantLogisticsChanged, LogisticsPart
from shared.contracts.events.planning import (
    PlacementProblem,
    ReleaseStage,
    Specialism,
    StageCouldNotPlace,
)
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.kit import Decision

TODAY = date(2026, 11, 2)  # a Monday
CONFIG = HearingConfig(horizon_working_days=3)
ROSTER = Roster(
    teams={
        "team-1": Team(
            location="ind-den-bosch",
            caseworkers=(
                Caseworker(caseworker="cw-1", specialisms=frozenset({Specialism.LANGUAGE})),
                Caseworker(caseworker="cw-2", specialisms=frozenset()),
            ),
        )
    }
)


def queued(
    case_id: str,
    category: Category | None = Category.A,
    *,
    lodged_day: int = 1,
    specialisms: tuple[Specialism, ...] = (),
    lawyer: str | None = None,
    priority_group: PriorityGroup | None = None,
    stream: Stream = Stream.BACKLOG,
) -> HearingCase:
    return HearingCase(
        case_id=case_id,
        stream=stream,
        status=Status.WAITING_SLOT,
        registered=True,
        category=category,
        priority_group=priority_group,
        lodged_at=datetime(2025, 1, lodged_day, tzinfo=UTC),
        team="team-1",
        specialisms=specialisms,
        lawyer=lawyer,
        plan=Plan(mode=Mode.ORAL, format=HearingFormat.SHORT_TARGETED),
    )


def test_two_a_hearings_a_day_per_caseworker_by_default() -> None:
    cases = [queued(f"case-{i}", lodged_day=i + 1) for i in range(5)]
    result = allocate(cases, ROSTER, {}, today=TODAY, config=CONFIG)
    per_day: dict[tuple[str, date], int] = {}
    for _, slot in result.booked:
        per_day[(slot.caseworker, slot.day)] = per_day.get((slot.caseworker, slot.day), 0) + 1
    assert len(result.booked) == 5
    assert max(per_day.values()) == 2
    first_day = {slot.day for _, slot in result.booked[:4]}
    assert first_day == {date(2026, 11, 3)}  # two caseworkers, two each, the next working day
    assert result.booked[4][1].day == date(2026, 11, 4)


def test_the_second_a_hearing_starts_halfway_through_the_day() -> None:
    cases = [queued("case-1"), queued("case-2", lodged_day=2)]
    result = allocate(cases, ROSTER, {}, today=TODAY, config=CONFIG)
    starts = sorted(s.starts_at for _, s in result.booked if s.caseworker == "cw-1")
    assert [t.hour for t in starts] == [9, 13]  # in Amsterdam


def test_one_c_hearing_fills_a_day_and_mixes_are_counted_by_share() -> None:
    existing = CaseworkerDay(
        caseworker="cw-1",
        day=date(2026, 11, 3),
        bookings=({"case_id": "case-old", "rate_class": "A"},),  # type: ignore[arg-type]
    )
    result = allocate(
        [queued("case-c", Category.C, specialisms=(Specialism.LANGUAGE,))],
        ROSTER,
        {existing.key: existing},
        today=TODAY,
        config=CONFIG,
    )
    [(_, slot)] = result.booked
    assert (slot.caseworker, slot.day) == ("cw-1", date(2026, 11, 4))  # half a day was not enough


def test_the_specialism_is_matched() -> None:
    cases = [queued(f"case-{i}", specialisms=(Specialism.LANGUAGE,)) for i in range(3)]
    result = allocate(cases, ROSTER, {}, today=TODAY, config=CONFIG)
    assert {slot.caseworker for _, slot in result.booked} == {"cw-1"}


def test_a_case_no_caseworker_can_hear_is_left_with_a_reason() -> None:
    case = queued("case-1", specialisms=(Specialism.UNACCOMPANIED_MINOR,))
    result = allocate([case], ROSTER, {}, today=TODAY, config=CONFIG)
    assert result.booked == []
    [unplaced] = result.unplaced
    assert unplaced.case == case
    assert unplaced.reason is PlacementProblem.NO_MATCHING_CASEWORKER
    assert unplaced.detail == "no caseworker of the team has the case's specialisms"


def test_planning_is_told_once_when_no_slot_fits_and_again_after_a_new_release() -> None:
    case = queued("case-1", specialisms=(Specialism.UNACCOMPANIED_MINOR,))
    [unplaced] = allocate([case], ROSTER, {}, today=TODAY, config=CONFIG).unplaced

    told = could_not_place(unplaced)
    assert told is not None
    reported, event = told
    assert event == StageCouldNotPlace(
        stage=ReleaseStage.HEARING,
        reason=PlacementProblem.NO_MATCHING_CASEWORKER,
        searched_until=unplaced.searched[1],
        team=case.team,
    )
    assert unplaced.searched[0] > TODAY
    [again] = allocate([reported], ROSTER, {}, today=TODAY, config=CONFIG).unplaced
    assert could_not_place(again) is None  # told once
    # Planning releases it anew (another team, say): it may be told again.
    re_released = released(reported, release(team="team-2"), ctx())
    assert isinstance(re_released, Decision)
    assert re_released.state is not None
    assert not re_released.state.unplaced_reported


def test_the_queue_is_served_by_priority_then_lodging_date_then_case_id() -> None:
    one_slot = Roster(
        teams={"team-1": Team(location="ind-x1", caseworkers=(Caseworker(caseworker="cw-1"),))}
    )
    config = HearingConfig(horizon_working_days=1, daily_rates={**CONFIG.daily_rates, "A": 1})
    old = queued("case-z", lodged_day=1)
    newer = queued("case-a", lodged_day=5)
    pact = queued("case-p", None, lodged_day=9, stream=Stream.PACT)
    nuisance = queued("case-n", None, lodged_day=20, priority_group=PriorityGroup.NUISANCE)
    for arrival in ([old, newer, pact, nuisance], [nuisance, pact, newer, old]):
        result = allocate(arrival, one_slot, {}, today=TODAY, config=config)
        assert [c.case_id for c, _ in result.booked] == ["case-n"]
        rest = allocate([old, newer, pact], one_slot, {}, today=TODAY, config=config)
        assert [c.case_id for c, _ in rest.booked] == ["case-p"]
    tie = allocate([queued("case-b"), queued("case-a")], one_slot, {}, today=TODAY, config=config)
    assert [c.case_id for c, _ in tie.booked] == ["case-a"]


def test_a_lawyers_clients_are_heard_on_one_day_so_their_reviews_fall_together() -> None:
    # The lawyer already has a client with cw-1 on Wednesday: the next client joins that day
    wednesday = date(2026, 11, 4)
    booked = CaseworkerDay(
        caseworker="cw-1",
        day=wednesday,
        bookings=({"case_id": "case-0", "rate_class": "A", "lawyer": "lawyer-7"},),  # type: ignore[arg-type]
    )
    case = queued("case-1", lawyer="lawyer-7")
    result = allocate([case], ROSTER, {booked.key: booked}, today=TODAY, config=CONFIG)
    [(_, slot)] = result.booked
    assert slot.day == wednesday
    assert slot.review_on == date(2026, 11, 5)
    no_lawyer = allocate(
        [queued("case-1")], ROSTER, {booked.key: booked}, today=TODAY, config=CONFIG
    )
    assert no_lawyer.booked[0][1].day == date(2026, 11, 3)
    strict = CONFIG.model_copy(update={"lawyer_grouping_days": 0})
    ungrouped = allocate([case], ROSTER, {booked.key: booked}, today=TODAY, config=strict)
    assert ungrouped.booked[0][1].day == date(2026, 11, 3)


def test_the_review_is_on_the_next_working_day() -> None:
    friday = date(2026, 11, 5)  # Thursday: the first slot is Friday, the review Monday
    result = allocate([queued("case-1")], ROSTER, {}, today=friday, config=CONFIG)
    [(_, slot)] = result.booked
    assert slot.day == date(2026, 11, 6)
    assert slot.review_on == date(2026, 11, 9)


def test_an_additional_hearing_gets_its_own_format_and_kind() -> None:
    case = queued("case-1").model_copy(update={"additional_pending": True})
    [(_, slot)] = allocate([case], ROSTER, {}, today=TODAY, config=CONFIG).booked
    assert (slot.kind, slot.format) == (HearingKind.ADDITIONAL, HearingFormat.ADDITIONAL)


def test_a_cancelled_slot_gives_its_capacity_back() -> None:
    cases = [queued("case-1"), queued("case-2", lodged_day=2)]
    first = allocate(cases, ROSTER, {}, today=TODAY, config=CONFIG)
    days = {d.key: d for d in first.days}
    slot = next(s for c, s in first.booked if c.case_id == "case-1")
    freed = free_slots(days, [("case-1", slot)], TODAY)
    assert [b.case_id for d in freed for b in d.bookings] == ["case-2"]
    assert free_slots(days, [("case-1", slot)], slot.day) == []  # the day itself: spent


categories = st.sampled_from([Category.A, Category.C, Category.D, None])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(categories, st.integers(1, 28), st.booleans()), min_size=1, max_size=25))
def test_the_daily_rate_is_never_exceeded(spec: list[tuple[Category | None, int, bool]]) -> None:
    cases = [
        queued(
            f"case-{i}",
            category,
            lodged_day=day,
            specialisms=(Specialism.LANGUAGE,) if lang else (),
            stream=Stream.PACT if category is None else Stream.BACKLOG,
        )
        for i, (category, day, lang) in enumerate(spec)
    ]
    result = allocate(cases, ROSTER, {}, today=TODAY, config=CONFIG)
    for row in result.days:
        assert row.load(ROSTER, CONFIG) <= 1
    by_id = {c.case_id: c for c in cases}
    for case, slot in result.booked:
        worker = next(
            w for w in ROSTER.teams["team-1"].caseworkers if w.caseworker == slot.caseworker
        )
        assert set(by_id[case.case_id].specialisms) <= worker.specialisms
    assert len(result.booked) + len(result.unplaced) == len(cases)


def test_the_slot_names_the_indicated_language_else_the_applicants_first_one() -> None:
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=("tir", "ara"),
        reception_location="coa-budel",
        lawyer="rvr-40211",
        court_district=None,
        changed=(LogisticsPart.INTERPRETER_LANGUAGES, LogisticsPart.LAWYER),
    )
    out = logistics_changed(queued("case-1", None, stream=Stream.PACT), logistics, ctx())
    assert isinstance(out, Decision)
    assert out.state is not None
    pact = out.state
    assert pact.lawyer == "rvr-40211"
    indicated = queued("case-2").model_copy(
        update={"language": "ara", "interpreter_languages": ("tir",)}
    )
    result = allocate([pact, indicated], ROSTER, {}, today=TODAY, config=CONFIG)
    languages = {case.case_id: slot.interpreter_language for case, slot in result.booked}
    assert languages == {"case-1": "tir", "case-2": "ara"}


def test_the_room_has_the_teams_with_a_caseworker_free_for_the_cheapest_hearing() -> None:
    """Issue 16: a team none of whose caseworkers has room for even the cheapest hearing (A:
    half a day) on any day of the window can give no queued case a slot."""
    config = HearingConfig()
    start = first_day(date(2026, 11, 2), config)
    team = Roster(
        teams={
            "team-a": Team(location="ind-x1", caseworkers=(Caseworker(caseworker="cw-a"),)),
            "team-b": Team(location="ind-x1", caseworkers=(Caseworker(caseworker="cw-b"),)),
        }
    )
    full = {
        day_key(worker, day): CaseworkerDay(
            caseworker=worker,
            day=day,
            bookings=(Booking(case_id=f"{worker}-{day}", rate_class="C"),),
        )
        for worker in ("cw-a", "cw-b")
        for day in window(start, config)
    }
    assert room_in(team, full, start, config).openings == frozenset()
    last = window(start, config)[-1]
    half = full | {
        day_key("cw-b", last): CaseworkerDay(
            caseworker="cw-b", day=last, bookings=(Booking(case_id="x", rate_class="A"),)
        )
    }
    room = room_in(team, half, start, config)
    # The roster counts no interpreters: any language (None).
    assert room.openings == {("team-b", frozenset(), None)}
    assert room.days == 1
    assert room_in(team, {}, start, config).teams == {"team-a", "team-b"}


def test_the_room_has_the_specialisms_and_languages_still_free_day_by_day() -> None:
    """Of a team, only the specialisms of caseworkers with room count; of the interpreters,
    only those free on the day of that room."""
    config = HearingConfig()
    start = first_day(date(2026, 11, 2), config)
    days = window(start, config)
    roster = Roster(
        teams={
            "team-a": Team(
                location="ind-x1",
                caseworkers=(
                    Caseworker(caseworker="cw-lang", specialisms=frozenset({Specialism.LANGUAGE})),
                    Caseworker(caseworker="cw-any"),
                ),
            )
        },
        interpreters={"ara": 1, "tir": 1},
    )
    # cw-lang is booked every day with an ara interpreter; cw-any on the first day with tir.
    busy = {
        day_key("cw-lang", d): CaseworkerDay(
            caseworker="cw-lang",
            day=d,
            bookings=(Booking(case_id=f"c-{d}", rate_class="C", language="ara"),),
        )
        for d in days
    }
    busy[day_key("cw-any", days[0])] = CaseworkerDay(
        caseworker="cw-any",
        day=days[0],
        bookings=(Booking(case_id="c-any", rate_class="C", language="tir"),),
    )
    room = room_in(roster, busy, start, config)
    assert room.openings == {("team-a", frozenset(), frozenset({"tir"}))}
    assert room.days == len(days) - 1


def test_a_room_within_another_lets_no_more_cases_fit() -> None:
    lang = frozenset({Specialism.LANGUAGE})
    both = frozenset({Specialism.LANGUAGE, Specialism.NATIONALITY})
    tir, ara = frozenset({"tir"}), frozenset({"ara"})
    small = Room(openings=frozenset({("team-a", lang, tir)}), days=1)
    big = Room(openings=frozenset({("team-a", both, None)}), days=3)
    assert small.within(big)
    assert not big.within(small)
    assert not small.within(Room(openings=frozenset({("team-a", both, ara)}), days=1))
    assert not small.within(Room(openings=frozenset({("team-b", both, None)}), days=1))
    # Languages free on one day and specialisms on another make no opening together.
    apart = Room(
        openings=frozenset({("team-a", both, frozenset()), ("team-a", frozenset(), tir)}), days=2
    )
    assert not small.within(apart)
    assert Room(openings=frozenset(), days=0).within(small)
