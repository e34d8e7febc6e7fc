"""Volumes as metrics: notices counted per partner, stream and type; expected volumes per week
from the forecasts that went out."""

from __future__ import annotations

from datetime import date
from typing import Any

from prometheus_client import CollectorRegistry

from chain_notify.delivery import NotifyMetrics
from shared.contracts.envelope import EventData
from shared.contracts.events.partners import (
    CoaTransportRequested,
    CourtsAppealForecast,
    VolumeForecast,
    WeeklyAppeals,
)


def row(partner: str, data: EventData) -> dict[str, Any]:
    return {
        "partner": partner,
        "stream": "backlog",
        "event_type": data.ce_type(),
        "value": data.model_dump_json().encode(),
    }


def test_notices_and_expected_volumes_per_week() -> None:
    registry = CollectorRegistry()
    metrics = NotifyMetrics(registry)
    transport = CoaTransportRequested(
        v_number="1234567890", day=date(2026, 10, 19), from_location="coa-a", to_location="pp-b"
    )
    volume = VolumeForecast(
        period_start=date(2026, 10, 5),
        period_end=date(2026, 12, 27),  # 83 days: 12 weeks
        expected_decisions=1200,
        expected_grants=480,
        expected_refusals=720,
    )
    appeals = [
        CourtsAppealForecast(
            cycle_revision=0,
            court_district=district,
            weeks=(WeeklyAppeals(week_of=date(2026, 10, 5), expected_appeals=n),),
        )
        for district, n in (("amsterdam", 30), ("rotterdam", 18))
    ]
    metrics.observe(
        [
            row("coa", transport),
            row("coa", transport),
            row("courts", volume),
            *(row("courts", a) for a in appeals),
        ]
    )

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert (
        value(
            "caseflow_partner_notices_total",
            partner="coa",
            stream="backlog",
            type="transport-requested",
        )
        == 2
    )
    assert value("caseflow_partner_expected_per_week", kind="grants", stream="backlog") == 40
    assert value("caseflow_partner_expected_per_week", kind="refusals", stream="backlog") == 60
    assert value("caseflow_partner_expected_per_week", kind="appeals", stream="backlog") == 48
