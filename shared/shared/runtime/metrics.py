"""The caseflow metrics of one service, in the service's own Prometheus registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """The caseflow counters of one service, in the service's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.handled = Counter(
            "caseflow_events_handled_total",
            "Events handled, by type and stream (none: not about one stream, a policy say)",
            ["type", "stream"],
            registry=registry,
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
        # The outbox gauges are read from the database at each relay pass: every instance
        # reports the whole schema's outbox, whichever instance holds the relay lock.
        self.outbox_pending = Gauge(
            "caseflow_outbox_pending",
            "Outbox records waiting to be published (those held behind a parked record too)",
            registry=registry,
        )
        self.outbox_parked = Gauge(
            "caseflow_outbox_parked",
            "Outbox records parked because the broker will never take them (outbox_parked)",
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            "caseflow_outbox_oldest_age_seconds",
            "Age of the oldest outbox record waiting to be published (0: none waiting)",
            registry=registry,
        )
        self.parked = Counter(
            "caseflow_outbox_parked_records_total",
            "Outbox records parked by this instance, by the error that refused them",
            ["reason"],
            registry=registry,
        )
        self.conflicts = Counter(
            "caseflow_fact_conflicts_total",
            "Facts from other services that contradicted this service's state (recorded)",
            registry=registry,
        )
        self.parked_facts = Gauge(
            "caseflow_parked_facts",
            "Facts waiting for what they build on, at the last check",
            registry=registry,
        )
        self.parked_facts_overdue = Gauge(
            "caseflow_parked_facts_overdue",
            "Parked facts older than their limit (CASEFLOW_PARKED_FACT_LIMIT_HOURS)",
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
        self.periodic_seconds = Histogram(
            "caseflow_periodic_pass_seconds",
            "Time of one pass of a timer's work (a daily pass, a sweep), by task",
            ["task"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.batch_records = Histogram(
            "caseflow_batch_records",
            "Records in one consumed batch",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000),
            registry=registry,
        )
