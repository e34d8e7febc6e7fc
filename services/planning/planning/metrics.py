"""Planning's own metrics, in the service's registry (one set per registry: a test runs several
services in one process)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Gauge

from shared.contracts.events.planning import PlacementProblem, ReleaseStage
from shared.contracts.values import Stream


class PlanningMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.unplaced = Gauge(
            "caseflow_planning_cases_unplaced",
            "Released cases a stage reported it could not place and nothing has placed since "
            "(not moved to another team), per stream, stage and reason; after each daily pass",
            ["stream", "stage", "reason"],
            registry=registry,
        )

    def report_unplaced(self, counts: Mapping[tuple[str, str, str], int]) -> None:
        """Every known (stream, stage, reason) is set, to 0 when none: an alert ends when its
        cases are placed, not when its series vanishes."""
        for stream in Stream:
            for stage in ReleaseStage:
                for reason in PlacementProblem:
                    key = (stream.value, stage.value, reason.value)
                    self.unplaced.labels(*key).set(counts.get(key, 0))


_METRICS: dict[int, PlanningMetrics] = {}


def metrics_for(registry: CollectorRegistry) -> PlanningMetrics:
    if id(registry) not in _METRICS:
        _METRICS[id(registry)] = PlanningMetrics(registry)
    return _METRICS[id(registry)]
