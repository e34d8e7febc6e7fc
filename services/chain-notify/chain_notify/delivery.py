"""The edge between the kit and the delivery log: every partner record chain-notify queues goes
into the delivery log in the same transaction as the outbox, and is counted per partner, stream
and type. A subclass of the kit's handler, so that the kit's batches, parked facts and the
`stuck` replay all work as in every service; nothing in the runtime changes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from prometheus_client import CollectorRegistry, Counter, Gauge

from chain_notify import persistence as db
from shared.contracts.envelope import KafkaRecord
from shared.contracts.events.partners import CourtsAppealForecast, VolumeForecast
from shared.runtime.kit import KitHandler, Rules
from shared.runtime.messaging import UnitOfWork


class NotifyMetrics:
    """Volumes as metrics (docs/chain-notify.md): notices sent, expected volumes per week."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.notices = Counter(
            "caseflow_partner_notices_total",
            "Partner notices logged and queued, per partner, stream and message type "
            "(transport requests per day: the rate of type transport-requested)",
            ["partner", "stream", "type"],
            registry=registry,
        )
        self.held = Gauge(
            "caseflow_partner_notices_held",
            "Partner notices held for a fact they need: a refusal's courts notice waiting for "
            "the applicant's court district (COA and DT&V were told already)",
            ["partner", "stream"],
            registry=registry,
        )
        self.held_overdue = Gauge(
            "caseflow_partner_notices_held_overdue",
            "Held partner notices waiting longer than CASEFLOW_PARKED_FACT_LIMIT_HOURS",
            ["partner", "stream"],
            registry=registry,
        )
        self.expected = Gauge(
            "caseflow_partner_expected_per_week",
            "Expected grants, refusals and appeals per week of the latest plan cycle forecast "
            "(appeals: summed over the court districts, for the coming forecast week)",
            ["kind", "stream"],
            registry=registry,
        )

    def observe(self, rows: Sequence[dict[str, Any]]) -> None:
        for (partner, stream, ce_type), n in db.count_by(rows).items():
            self.notices.labels(partner, stream, ce_type.rsplit(".", 2)[-2]).inc(n)
        appeals: dict[str, dict[str, int]] = {}
        for row in rows:
            kind = row["event_type"]
            if kind == VolumeForecast.ce_type() and row["partner"] == "courts":
                data = json.loads(row["value"])
                weeks = max(1, ((_days(data["period_start"], data["period_end"])) + 6) // 7)
                self.expected.labels("grants", row["stream"]).set(data["expected_grants"] / weeks)
                self.expected.labels("refusals", row["stream"]).set(
                    data["expected_refusals"] / weeks
                )
            elif kind == CourtsAppealForecast.ce_type():
                data = json.loads(row["value"])
                first = data["weeks"][0] if data["weeks"] else None
                if first is not None:
                    week = appeals.setdefault(row["stream"], {})
                    week[data["court_district"]] = first["expected_appeals"]
        for stream, districts in appeals.items():
            self.expected.labels("appeals", stream).set(sum(districts.values()))


_METRICS: WeakKeyDictionary[CollectorRegistry, NotifyMetrics] = WeakKeyDictionary()


def metrics_of(registry: CollectorRegistry) -> NotifyMetrics:
    """The service's metrics in `registry`, made once: the handler and the timer share them."""
    metrics = _METRICS.get(registry)
    if metrics is None:
        metrics = _METRICS[registry] = NotifyMetrics(registry)
    return metrics


def _days(start: str, end: str) -> int:
    from datetime import date

    return (date.fromisoformat(end) - date.fromisoformat(start)).days


class DeliveryLogHandler(KitHandler[Any, Any]):
    """The kit's handler, which also logs what it queued for partners."""

    def __init__(self, rules: Rules[Any, Any], metrics: NotifyMetrics) -> None:
        super().__init__(rules)
        self.metrics = metrics

    async def finish(self, uow: UnitOfWork) -> None:
        await super().finish(uow)
        await self._log(uow, uow.records)

    async def replay(
        self, uow: UnitOfWork, parked_ids: Sequence[int], conflict_ids: Sequence[int]
    ) -> dict[tuple[str, int], str]:
        before = len(uow.records)
        result = await super().replay(uow, parked_ids, conflict_ids)
        await self._log(uow, uow.records[before:])
        return result

    async def _log(self, uow: UnitOfWork, records: Sequence[KafkaRecord]) -> None:
        rows = db.log_rows(records, uow.topics.prefix)
        await db.log_deliveries(uow.session, rows)
        # Counted once the batch commits: a batch rolled back and retried counts nothing twice.
        uow.after_commit(partial(self.metrics.observe, rows))
