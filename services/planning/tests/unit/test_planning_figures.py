"""Records, monthly figures (R14) and explanations over a small hand-made history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from planning.domain.cohorts import CohortSummary
from planning.domain.config import PlanningConfig
from planning.domain.explain import explain_case, explain_cycle, timeline
from planning.domain.figures import Figure, monthly_figures
from planning.domain.model import (
    NO_PRIORITY,
    CohortPlan,
    Cycle,
    ForecastMade,
    HoldReason,
    PoolCase,
    PoolStatus,
)
from planning.domain.records import (
    CaseRecord,
    CaseStep,
    Waiting,
    kept_apart,
    recorded,
    registered,
    replay,
    with_steps,
)
from shared.contracts.envelope import EventData
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionIssued, DecisionOnHold
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CaseWithdrawn,
)
from shared.contracts.events.planning import PlacementProblem, ReleaseStage, StageCouldNotPlace
from shared.contracts.events.prephase import TransportCancelled, TransportRequested
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.tools.examples import example


def registration(stream: Stream, *, unaccompanied: bool = False, deadline: date) -> CaseRegistered:
    base = example(CaseRegistered)
    assert isinstance(base, CaseRegistered)
    procedure = Procedure.PACT_REGULAR if stream is Stream.PACT else Procedure.NATIONAL_REGULAR
    return base.model_copy(
        update={
            "stream": stream,
            "procedure": procedure,
            "unaccompanied": unaccompanied,
            "minor_on_lodging": unaccompanied,
            "category": Category.A if stream is Stream.BACKLOG else None,
            "priority_group": None,
            "priority_groups": (),
            "deadline": deadline,
            "lodged_at": datetime(2026, 9, 1, 9, tzinfo=UTC),
        }
    )


def issued(on: date, deadline: date, *, grant: bool) -> DecisionIssued:
    """A valid decision (validated again: a grant carries its ground and no refusal terms)."""
    base = example(DecisionIssued).model_dump()
    days = (on - deadline).days
    base.update(issued_on=on, deadline=deadline, days_relative_to_deadline=days)
    base.update(sent_at=datetime(on.year, on.month, on.day, 11, tzinfo=UTC))
    base.update(deadline_met=days <= 0)
    if grant:
        base.update(outcome=DecisionOutcome.GRANT, legal_ground="a", rejection_kind=None)
        base.update(departure_period_days=None, departure_period_basis=None, entry_ban=False)
        base.update(enforceable_from=None)
    return DecisionIssued.model_validate(base)


OCT1, NOV2 = date(2026, 10, 1), date(2026, 11, 2)


def history() -> list[tuple[str, EventData, date]]:
    """October: three backlog cases (one AMV) and two Pact cases registered. November: one
    Pact case decided late, one in time; the AMV case decided (a grant); one backlog case on
    hold for a decision obstacle."""
    assert example(DecisionIssued).outcome is not DecisionOutcome.GRANT  # type: ignore[attr-defined]
    hold = DecisionOnHold.model_validate(
        {**example(DecisionOnHold).model_dump(), "since": date(2026, 11, 10)}
    )
    return [
        ("b1", registration(Stream.BACKLOG, deadline=date(2027, 3, 1)), OCT1),
        ("b2", registration(Stream.BACKLOG, unaccompanied=True, deadline=date(2027, 3, 1)), OCT1),
        ("b3", registration(Stream.BACKLOG, deadline=date(2027, 3, 1)), OCT1),
        ("p1", registration(Stream.PACT, deadline=date(2026, 11, 5)), OCT1),
        ("p2", registration(Stream.PACT, deadline=date(2026, 12, 31)), OCT1),
        ("p1", issued(date(2026, 11, 12), date(2026, 11, 5), grant=False), NOV2),
        ("p2", issued(date(2026, 11, 20), date(2026, 12, 31), grant=True), NOV2),
        ("b2", issued(date(2026, 11, 25), date(2027, 3, 1), grant=True), NOV2),
        ("b3", hold, date(2026, 11, 10)),
    ]


def figure(figures: list[Figure], month: str, stream: str, name: str, group: str = "") -> object:
    found = [
        f.value
        for f in figures
        if (f.month, f.stream, f.figure, f.group) == (month, stream, name, group)
    ]
    assert len(found) <= 1
    return found[0] if found else None


def test_monthly_figures_over_a_hand_made_history() -> None:
    records = replay(history())
    figures = monthly_figures(records.values(), date(2026, 11, 30))
    oct_, nov = "2026-10", "2026-11"
    assert figure(figures, oct_, "pact", "pact_decided") == 0
    assert figure(figures, nov, "pact", "pact_decided") == 2
    assert figure(figures, nov, "pact", "pact_decided_in_time") == 1  # p1 was late
    assert figure(figures, nov, "pact", "pact_in_time_share") == 0.5
    assert figure(figures, oct_, "backlog", "backlog_open") == 3
    assert figure(figures, nov, "backlog", "backlog_decided") == 1
    assert figure(figures, nov, "backlog", "backlog_open") == 2
    assert figure(figures, nov, "backlog", "amv_decided") == 1
    assert figure(figures, nov, "backlog", "amv_open") == 0
    assert figure(figures, oct_, "backlog", "amv_open") == 1
    assert figure(figures, nov, "backlog", "grant_rate", "A") == 1.0
    assert figure(figures, nov, "pact", "decided", "none") == 2
    assert figure(figures, nov, "pact", "grant_rate", "none") == 0.5
    assert figure(figures, nov, "backlog", "holds_started", "decision_obstacle") == 1
    assert figure(figures, nov, "backlog", "holds_open", "decision_obstacle") == 1
    assert figure(figures, oct_, "backlog", "holds_open", "decision_obstacle") is None
    # The straight path: 3 open at 31 October 2026 down to 0 on 12 June 2029.
    assert figure(figures, oct_, "backlog", "backlog_path") == 3
    assert figure(figures, nov, "backlog", "backlog_path") == round(3 * 955 / 985)
    # No forecast made yet: no clearance figure (it comes from the capacity forecast only).
    assert figure(figures, nov, "backlog", "forecast_clearance") is None


def test_the_clearance_figure_is_the_capacity_forecast_last_made_in_or_before_the_month() -> None:
    made = [
        ForecastMade(as_of=date(2026, 11, 20), cleared_on=date(2029, 1, 5), open_at_target=0),
        ForecastMade(as_of=date(2026, 10, 1), cleared_on=None, open_at_target=4200),
        ForecastMade(as_of=date(2026, 11, 2), cleared_on=date(2029, 8, 1), open_at_target=900),
    ]
    figures = monthly_figures(replay(history()).values(), date(2026, 11, 30), made)
    # October: the horizon was not enough (no date), 4,200 open on 12 June 2029.
    assert figure(figures, "2026-10", "backlog", "forecast_clearance") is None
    assert figure(figures, "2026-10", "backlog", "forecast_open_at_target") == 4200
    # November: the forecast of the 20th, the later of the two made that month.
    assert figure(figures, "2026-11", "backlog", "forecast_clearance") == "2029-01-05"
    assert figure(figures, "2026-11", "backlog", "forecast_open_at_target") == 0
    assert figure(figures, "2026-11", "pact", "forecast_clearance") is None


def test_partner_notices_per_partner_and_kind_as_chain_notify_sends_them() -> None:
    """b1 gets transport for 10 and 12 November (the 10th asked twice: one request), the 12th
    cancelled, then b1 is withdrawn (the 10th cancelled with it). Decisions: p1 refused, p2 and
    b2 (an AMV) granted, b3 refused. b3's court district is known before its refusal; p1's
    comes only in December: its courts notice is held until then (chain-notify, ADR 0031)."""
    district = example(ApplicantLogisticsChanged)
    assert isinstance(district, ApplicantLogisticsChanged)
    assert district.court_district is not None
    moved = TransportRequested(
        day=date(2026, 11, 10), from_location="coa-ter-apel", to_location="prephase-zwolle"
    )
    events = [
        *history(),
        ("b1", moved, date(2026, 11, 3)),
        ("b1", moved, date(2026, 11, 4)),  # redelivered or asked again: no second request
        ("b1", moved.model_copy(update={"day": date(2026, 11, 12)}), date(2026, 11, 4)),
        ("b1", TransportCancelled(day=date(2026, 11, 12)), date(2026, 11, 5)),
        ("b1", TransportCancelled(day=date(2026, 11, 20)), date(2026, 11, 5)),  # never asked
        ("b1", withdrawal(datetime(2026, 11, 6, 10, tzinfo=UTC)), date(2026, 11, 6)),
        ("b3", district, date(2026, 11, 20)),
        ("b3", issued(date(2026, 12, 1), date(2027, 3, 1), grant=False), date(2026, 12, 1)),
        ("p1", district, date(2026, 12, 3)),
    ]
    figures = monthly_figures(replay(events).values(), date(2026, 12, 31), appeal_share=0.5)
    nov, dec = "2026-11", "2026-12"
    notices = "partner_notices"
    assert figure(figures, nov, "backlog", notices, "coa.transport_requested") == 2
    assert figure(figures, nov, "backlog", notices, "coa.transport_cancelled") == 2
    assert figure(figures, nov, "backlog", notices, "coa.housing_requested") == 1  # b2
    assert figure(figures, nov, "backlog", notices, "nidos.decision_sent") == 1  # b2, an AMV
    assert figure(figures, nov, "backlog", notices, "dtv.refusal_notified") is None
    assert figure(figures, nov, "pact", notices, "coa.housing_requested") == 1  # p2
    assert figure(figures, nov, "pact", notices, "coa.reception_ends") == 1  # p1
    assert figure(figures, nov, "pact", notices, "dtv.refusal_notified") == 1
    assert figure(figures, nov, "pact", notices, "courts.decision_sent") is None  # held
    assert figure(figures, dec, "pact", notices, "courts.decision_sent") == 1  # p1's district
    assert figure(figures, dec, "pact", "expected_appeals") == 0  # round(0.5), to even
    assert figure(figures, dec, "backlog", notices, "courts.decision_sent") == 1  # b3
    assert figure(figures, dec, "backlog", "expected_appeals") == 0
    assert figure(figures, dec, "backlog", notices, "coa.transport_requested") is None


def withdrawal(at: datetime) -> CaseWithdrawn:
    return CaseWithdrawn.model_validate({**example(CaseWithdrawn).model_dump(), "withdrawn_at": at})


def test_a_rebuild_in_another_order_gives_the_same_figures() -> None:
    events = history()
    shuffled = [events[5], events[8], *events[:5], events[7], events[6]]  # facts before cases
    assert replay(shuffled) == replay(events)
    until = date(2026, 11, 30)
    assert monthly_figures(replay(shuffled).values(), until) == monthly_figures(
        replay(events).values(), until
    )


def test_a_fact_before_its_registration_waits() -> None:
    fact = issued(date(2026, 11, 12), date(2026, 11, 5), grant=False)
    assert recorded(None, fact, NOV2) is None


def test_the_timeline_shows_steps_deadline_and_what_the_case_waits_for() -> None:
    record = replay(history())["b3"]
    assert record.waiting is Waiting.HOLD
    lines = timeline(record, date(2026, 11, 30))
    assert lines[0] == "case b3 (backlog, national_regular)"
    assert "on hold: decision_obstacle" in lines[-3]
    assert lines[-2].startswith("now: planning, waiting for the end of a hold: decision_obstacle")
    assert lines[-1] == "legal deadline 2027-03-01: +63 working days left"
    assert not any("1234567890" in line for line in lines)  # the V-number never shows


def test_steps_kept_apart_event_by_event_give_the_timeline_of_the_fold() -> None:
    """ADR 0035: the service keeps each event's new steps apart from the record; the record
    with its steps read back is the record the fold gives in one go."""
    folded = replay(history())["b3"]
    stored: CaseRecord | None = None
    kept: list[CaseStep] = []
    for case_id, event, day in history():
        if case_id != "b3":
            continue
        if stored is None:
            assert isinstance(event, CaseRegistered)
            after: CaseRecord | None = registered(case_id, event, day)
        else:
            after = recorded(stored, event, day)
        assert after is not None
        stored, new = kept_apart(after)
        assert stored.steps == ()
        assert [s.n for s in new] == list(range(len(kept), len(kept) + len(new)))
        kept += new
    assert stored is not None
    assert stored.steps_kept == len(kept) == len(folded.steps)
    assert len({s.key for s in kept}) == len(kept)
    assert with_steps(stored, kept) == folded


def test_the_explanation_of_a_hand_made_cycle() -> None:
    config = PlanningConfig()
    cycle = Cycle(
        cycle_id="cycle-2027-02-01",
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 4, 30),
        cohorts=(
            CohortPlan(
                cohort_id="p1-amv", rank=1, category=Category.A, nationality="SYR", planned=10
            ),
            CohortPlan(
                cohort_id="a-syr",
                rank=NO_PRIORITY,
                category=Category.A,
                nationality="SYR",
                planned=50,
                oldest=date(2019, 5, 1),
            ),
        ),
        expected_grant_rate=0.4,
        backlog_days=40.0,
    )
    pooled = [
        CohortSummary(NO_PRIORITY, Category.A, "SYR", 5, date(2019, 5, 1)),  # chosen
        CohortSummary(NO_PRIORITY, Category.B, "ERI", 9, date(2019, 1, 1)),
        CohortSummary(NO_PRIORITY, Category.C, "AFG", 9, date(2019, 2, 1)),
        CohortSummary(NO_PRIORITY, Category.D, "IRQ", 9, date(2019, 3, 1)),
    ]
    lines = explain_cycle(
        cycle, config, pooled, prephase_operational=False, rotated=frozenset({"AFG"})
    )
    assert "40 caseworker days for the backlog after Pact (R2); the cohorts need 30" in lines[1]
    assert "priority group unaccompanied_minor (R7)" in lines[3]
    assert "waiting since 2019-05-01" in lines[4]
    left = lines[5:]
    assert len(left) == 3
    assert "b-eri" in left[0]
    assert "ramp-up" in left[0]
    assert "c-afg" in left[1]
    assert "rotation" in left[1]
    assert "d-irq" in left[2]
    assert "grant-rate balance" in left[2]
    full = explain_cycle(cycle.model_copy(update={"backlog_days": 30.0}), config, pooled)
    assert "capacity: the cycle's backlog days are used up" in full[-1]


def test_the_explanation_of_a_held_and_a_waiting_case() -> None:
    record: CaseRecord = replay(history())["b3"]
    held = PoolCase(
        case_id="b3",
        stream=Stream.BACKLOG,
        nationality="SYR",
        lodged_on=date(2020, 1, 1),
        registered_on=OCT1,
        holds=(HoldReason.DECISION_OBSTACLE,),
        status=PoolStatus.HELD,
    )
    assert explain_case(held, record, NOV2)[1] == "  hold: decision_obstacle since 2026-11-10"
    waiting = held.model_copy(
        update={"holds": (), "status": PoolStatus.POOLED, "priority_group": PriorityGroup.NUISANCE}
    )
    assert "priority group nuisance (R7), lodged 2020-01-01" in explain_case(waiting, None, NOV2)[1]
    assert registered("x", registration(Stream.PACT, deadline=NOV2), OCT1).stream is Stream.PACT
    # Released, and no matching team left to place it: the explanation says capacity.
    short = StageCouldNotPlace(
        stage=ReleaseStage.HEARING,
        reason=PlacementProblem.NO_HEARING_SLOT,
        searched_until=NOV2,
        team="syria-2",
    )
    unplaced = recorded(record, short, NOV2)
    assert unplaced is not None
    released = held.model_copy(
        update={
            "holds": (),
            "status": PoolStatus.RELEASED,
            "stage": ReleaseStage.HEARING,
            "release_day": OCT1,
            "team": "syria-2",
            "tried_teams": ("syria-1",),
        }
    )
    assert explain_case(released, unplaced, NOV2)[-1] == (
        "  capacity: hearing could not place it since 2026-11-02 (no_hearing_slot); teams "
        "tried: syria-1, syria-2; it waits for capacity, the cycle was re-planned with less (R9)"
    )
