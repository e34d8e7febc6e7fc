"""Hearing's own metrics, in the service's registry (created once per runtime)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, Histogram

DAY_BUCKETS = (1, 2, 5, 10, 20, 40, 60, 90, 120, 180, 365)


class HearingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.holds = Gauge(
            "caseflow_hearing_holds",
            "Cases on hold, by reason: the long-term obstacle, or exclusion_screening (1F/NV)",
            ["obstacle"],
            registry=registry,
        )
        self.oldest_hold_days = Gauge(
            "caseflow_hearing_oldest_hold_days",
            "Age in days of the oldest hold, by reason (as caseflow_hearing_holds)",
            ["obstacle"],
            registry=registry,
        )
        self.waiting = Gauge(
            "caseflow_hearing_waiting_for_slot",
            "Cases waiting for a slot after the last allocation run",
            registry=registry,
        )
        self.slots = Histogram(
            "caseflow_hearing_slots_per_caseworker_day",
            "Hearings booked for one caseworker on one day, by category (rate class)",
            ["category"],
            buckets=(1, 2, 3, 4),
            registry=registry,
        )
        self.hearing_minutes = Histogram(
            "caseflow_hearing_duration_minutes",
            "Duration of an oral hearing, by category and kind (first, additional)",
            ["category", "kind"],
            buckets=(30, 60, 90, 120, 180, 240, 360, 480),
            registry=registry,
        )
        self.written_days = Histogram(
            "caseflow_hearing_written_days",
            "Days from sending written questions to the answers, by category (kept apart from "
            "oral hearing times so the written hearing's gain can be measured, seed 003)",
            ["category"],
            buckets=DAY_BUCKETS,
            registry=registry,
        )
        self.to_ready_days = Histogram(
            "caseflow_hearing_days_to_ready_for_decision",
            "Days from entering hearing (prephase completion, or release on the direct route) "
            "to ready-for-decision, by category, route and mode",
            ["category", "route", "mode"],
            buckets=DAY_BUCKETS,
            registry=registry,
        )


_BY_REGISTRY: dict[int, HearingMetrics] = {}


def metrics_for(registry: CollectorRegistry) -> HearingMetrics:
    found = _BY_REGISTRY.get(id(registry))
    if found is None:
        found = _BY_REGISTRY[id(registry)] = HearingMetrics(registry)
    return found
