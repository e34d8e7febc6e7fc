"""The summary's forecast is planning's latest BacklogForecastMade; day costs (no servers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.contracts.envelope import Envelope, new_event
from shared.contracts.events.planning import BacklogForecastMade
from shared.contracts.topics import plan_events
from shared.contracts.values import Stream
from simulator.run import DayCost, RunReport
from simulator.summary import summarise

TARGET = date(2029, 6, 12)


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
    summary = summarise(records, programme_start=date(2026, 10, 1), operational_from=TARGET)
    assert summary.forecast is not None
    assert summary.forecast.as_of == date(2027, 4, 1)
    assert summary.forecast_line().startswith("2029-03-02 (as of 2027-04-01; 0 open on")
    assert summary.figures()["forecast"]["cleared_on"] == "2029-03-02"


def test_no_forecast_is_said_to_be_missing() -> None:
    summary = summarise([], programme_start=date(2026, 10, 1), operational_from=TARGET)
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
