"""The caseflow metrics of one service, in the service's own Prometheus registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """The caseflow counters of one service, in the service's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.handled = Counter(
            "caseflow_events_handled_total", "Events handled, by type", ["type"], registry=registry
        )
        self.duplicates = Counter(
            "caseflow_duplicates_skipped_total",
            "Redelivered events skipped by the inbox",
            registry=registry,
        )
        self.ignored = Counter(
            "caseflow_events_ignored_total",
            "Events of types this service does not act on, read from other services' topics",
            registry=registry,
        )
        self.rejected = Counter(
            "caseflow_rejections_total",
            "Input sent to a rejection topic, by code",
            ["code"],
            registry=registry,
        )
        self.published = Counter(
            "caseflow_outbox_published_total", "Outbox records published", registry=registry
        )
        self.outbox_pending = Gauge(
            "caseflow_outbox_pending",
            "Outbox records seen waiting at the last relay pass",
            registry=registry,
        )
        self.consumer_stopped = Gauge(
            "caseflow_consumer_stopped",
            "1 while the consumer has stopped because records fail whatever they hold",
            registry=registry,
        )
        self.consumer_failures = Counter(
            "caseflow_consumer_failed_attempts_total",
            "Batches not committed because of a fault of the system (retried)",
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "caseflow_batch_seconds", "Time to handle one consumed batch", registry=registry
        )
        self.batch_records = Histogram(
            "caseflow_batch_records",
            "Records in one consumed batch",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
            registry=registry,
        )
