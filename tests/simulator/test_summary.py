"""The summary's forecast is planning's latest BacklogForecastMade; the checks on the plan's
assumptions judge the system's own events (and the planners' declarations); day costs (no
servers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.contracts.envelope import Envelope, EventData, new_event
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import BacklogForecastMade, CapacityDeclared, CaseReleased
from shared.contracts.topics import PLANNING_INPUT, Stage, plan_events, stage_events
from shared.contracts.values import Category, Stream
from shared.tools.examples import example
from simulator.run import DayCost, RunReport
from simulator.summary import Summary, checks, summarise

TARGET = date(2029, 6, 12)
START = date(2026, 10, 1)  # R6


def forecast(as_of: date, cleared_on: date | None, open_at_target: int) -> Envelope[Any]:
    data = BacklogForecastMade(
        as_of=as_of,
        cleared_on=cleared_on,
        target=TARGET,
        open_at_target=open_at_target,
        pooled=10,
        held=1,
    )
    return new_event(
        data,
        subject=f"cycle-{as_of.isoformat()}",
        stream=Stream.BACKLOG,
        source="/caseflow/planning",
        actor="system:planning",
        time=datetime.combine(as_of, datetime.min.time(), tzinfo=UTC),
    )


def test_the_forecast_is_planning_s_latest() -> None:
    topic = plan_events(Stream.BACKLOG)
    records = [
        (topic, forecast(date(2026, 10, 1), date(2029, 9, 1), 120), None),
        (topic, forecast(date(2027, 4, 1), date(2029, 3, 2), 0), None),
        (topic, forecast(date(2026, 12, 1), None, 300), None),  # read later, made earlier
    ]
    summary = summarise(records, programme_start=START)
    assert summary.forecast is not None
    assert summary.forecast.as_of == date(2027, 4, 1)
    assert summary.forecast_line().startswith("2029-03-02 (as of 2027-04-01; 0 open on")
    assert summary.figures()["forecast"]["cleared_on"] == "2029-03-02"


def test_no_forecast_is_said_to_be_missing() -> None:
    summary = summarise([], programme_start=START)
    assert summary.forecast is None
    assert summary.forecast_line().startswith("not published yet")


def test_day_costs_are_told_apart_by_input() -> None:
    report = RunReport(
        costs=[
            DayCost(date(2026, 5, 4), 3.0, 5, 540, 600),
            DayCost(date(2026, 5, 5), 5.0, 6, 1080, 1400),
            DayCost(date(2026, 5, 6), 0.2, 1, 0, 0),
        ]
    )
    assert report.cost_lines() == [
        "2 days with input: median 4.00 s, slowest 5.00 s, 5.5 rounds a day",
        "1 days without input: median 0.20 s, slowest 0.20 s, 1.0 rounds a day",
    ]


def published(
    topic: str, data: EventData, subject: str, stream: Stream | None, on: date
) -> tuple[str, Envelope[Any], None]:
    envelope = new_event(
        data,
        subject=subject,
        stream=stream,
        source="/caseflow/test",
        actor="system:test",
        time=datetime.combine(on, datetime.min.time(), tzinfo=UTC),
    )
    return (topic, envelope, None)


def registered(case_id: str, category: Category, stream: Stream = Stream.BACKLOG) -> Any:
    data = example(CaseRegistered).model_copy(update={"stream": stream, "category": category})
    return published(stage_events(stream, Stage.INTAKE), data, case_id, stream, date(2026, 6, 2))


def decided(case_id: str, stream: Stream, on: date, *, on_time: bool) -> Any:
    data = example(DecisionIssued).model_copy(update={"deadline_met": on_time})
    return published(stage_events(stream, Stage.DECISION), data, case_id, stream, on)


def released(case_id: str, on: date, cycle: str | None = "cycle-2026-4") -> Any:
    cohort = None if cycle is None else "cohort-2026-4-01"
    data = example(CaseReleased).model_copy(
        update={"release_day": on, "cycle": cycle, "cohort": cohort}
    )
    return published(plan_events(Stream.BACKLOG), data, case_id, Stream.BACKLOG, on)


def declared(month: str, operational: bool) -> Any:
    data = example(CapacityDeclared).model_copy(
        update={"prephase_location_operational": operational}
    )
    return published(PLANNING_INPUT, data, month, None, date(2026, 6, 1))


def check(summary: Summary, name: str) -> tuple[bool, str]:
    return next((passed, figure) for n, passed, figure in checks(summary) if n.startswith(name))


def test_b_is_judged_by_the_months_the_planners_declared_operational() -> None:
    records = [
        declared("2026-10", operational=False),
        declared("2026-11", operational=False),
        declared("2026-11", operational=True),  # the latest word for a month counts
        registered("bl-b-1", Category.B),
        registered("bl-b-2", Category.B),
        registered("bl-a-1", Category.A),
        released("bl-b-1", date(2026, 10, 20)),  # October: not operational
        released("bl-b-2", date(2026, 11, 3)),
        released("bl-a-1", date(2026, 10, 20)),  # A may start before (R11)
    ]
    summary = summarise(records, programme_start=START)
    assert summary.b_before_operational == 1
    assert check(summary, "B only once") == (
        False,
        "1 B releases in a month not declared operational",
    )
    in_time = [r for r in records if r[1].subject != "bl-b-1"]
    assert check(summarise(in_time, programme_start=START), "B only once")[0]


def test_a_b_release_in_a_month_nobody_declared_counts_as_too_early() -> None:
    records = [registered("bl-b-1", Category.B), released("bl-b-1", date(2027, 1, 11))]
    assert summarise(records, programme_start=START).b_before_operational == 1


def test_pact_first_is_judged_on_pact_decisions_while_the_backlog_is_decided() -> None:
    early = date(2026, 9, 1)
    records = [
        decided("pa-1", Stream.PACT, early, on_time=False),  # before any backlog decision
        decided("bl-1", Stream.BACKLOG, date(2026, 10, 5), on_time=True),
        decided("pa-2", Stream.PACT, date(2026, 10, 6), on_time=True),
        decided("pa-3", Stream.PACT, date(2026, 10, 7), on_time=False),
    ]
    summary = summarise(records, programme_start=START)
    assert (summary.pact_on_time_while_backlog, summary.pact_while_backlog) == (1, 2)
    assert check(summary, "Pact first") == (
        False,
        "50.0% of 2 Pact decisions since the first backlog decision",
    )
    # The same events read in another order (the streams' topics interleave as they come):
    # the same figure, as the decisions' days decide it.
    reread = summarise([records[2], records[3], records[0], records[1]], programme_start=START)
    assert (reread.pact_on_time_while_backlog, reread.pact_while_backlog) == (1, 2)
    assert check(summarise(records[:3], programme_start=START), "Pact first")[0]


def test_a_backlog_release_in_a_cycle_before_the_programme_start_fails() -> None:
    records = [
        released("bl-1", date(2026, 9, 14)),
        released("bl-2", date(2026, 9, 15), cycle=None),  # R6's regular process: no cycle
        released("bl-3", date(2026, 10, 12)),
    ]
    summary = summarise(records, programme_start=START)
    assert summary.programme_releases_before_start == 1
    assert not check(summary, "no programme release")[0]


def test_category_shares_are_judged_on_the_registered_categories() -> None:
    mix = {Category.A: 39, Category.B: 17, Category.C: 8, Category.D: 28, Category.OUTSIDE: 8}
    planned = [registered(f"bl-{c.value}-{n}", c) for c, count in mix.items() for n in range(count)]
    assert check(summarise(planned, programme_start=START), "category shares")[0]
    only_a = [registered(f"bl-a-{n}", Category.A) for n in range(100)]
    passed, figure = check(summarise(only_a, programme_start=START), "category shares")
    assert (passed, figure) == (False, "largest gap 61.0%")
