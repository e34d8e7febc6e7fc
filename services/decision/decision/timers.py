"""Decision's timers: the deadline watch over the rows due today, and the grant-rate figures.
Both run through the kit's transaction and outbox; time comes from the unit of work's clock."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from decision import persistence as db
from decision.domain import (
    DecisionConfig,
    rate_reports,
    reported_groups,
    tally_changes,
    watch,
)
from shared.contracts.envelope import EventData, encode, new_event
from shared.contracts.events.catalogue import grant_rate_key
from shared.contracts.topics import Stage, stage_events
from shared.contracts.values import Stream
from shared.runtime.kit import AMSTERDAM
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)


def emit(uow: UnitOfWork, data: EventData, *, stream: Stream, subject: str) -> None:
    """Queue an event the clock caused (there is no consumed event to follow)."""
    envelope = new_event(
        data,
        subject=subject,
        stream=stream,
        source=uow.source,
        actor=f"system:{uow.service}",
        time=uow.clock.now(),
    )
    uow.records.append(encode(envelope, uow.topics(stage_events(stream, Stage.DECISION))))


async def watch_deadlines(uow: UnitOfWork, config: DecisionConfig, batch: int) -> int:
    """Send the at-risk and breach alerts due today; returns how many cases it looked at."""
    today = uow.clock.now().astimezone(AMSTERDAM).date()
    looked = 0
    while True:
        due = await db.lock_due(uow.session, today, batch)
        changed = []
        for case in due:
            new, events = watch(case, today, config)
            for event in events:
                emit(uow, event, stream=case.stream, subject=case.case_id)
            changed.append(new)
        await db.CASES.save(uow.session, changed)
        looked += len(due)
        if len(due) < batch:
            return looked


class Figures:
    """The service's gauges: grant rates, holds, watched cases."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.grant_rate = Gauge(
            "caseflow_decision_grant_rate",
            "Grants over decisions issued, per stream, plan cycle and category (R10, R14)",
            ["stream", "cycle", "category"],
            registry=registry,
        )
        self.decided = Gauge(
            "caseflow_decision_decided",
            "Decisions issued, per stream, plan cycle and category",
            ["stream", "cycle", "category"],
            registry=registry,
        )
        self.on_hold = Gauge(
            "caseflow_decision_cases_on_hold", "Open cases on hold at decision", registry=registry
        )
        self.at_risk = Gauge(
            "caseflow_decision_cases_at_risk",
            "Open cases the deadline watch reported at risk for their current deadline, not "
            "yet late, per stream",
            ["stream"],
            registry=registry,
        )
        self.late = Gauge(
            "caseflow_decision_cases_late",
            "Open cases past their current deadline (the breach was reported), per stream",
            ["stream"],
            registry=registry,
        )
        self.watched = Gauge(
            "caseflow_decision_cases_watched",
            "Open cases whose deadline decision watches",
            registry=registry,
        )


_FIGURES: dict[int, Figures] = {}


def figures(registry: CollectorRegistry) -> Figures:
    """One set of gauges per service registry (a test runs several services in a process)."""
    if id(registry) not in _FIGURES:
        _FIGURES[id(registry)] = Figures(registry)
    return _FIGURES[id(registry)]


async def report_grant_rates(uow: UnitOfWork, gauges: Figures) -> int:
    """One GrantRateReported per group with new decisions; returns how many. Only the cases
    decided (or saved again) since the last pass are read; the totals come from the running
    tallies they are added to."""
    today = uow.clock.now().astimezone(AMSTERDAM).date()
    recounts = await db.unreported_decisions(uow.session)
    reports = {}
    if recounts:
        tallies = await db.add_to_tallies(uow.session, tally_changes(recounts))
        groups = reported_groups(recounts)
        reports = rate_reports({g: t for g, t in tallies.items() if g in groups}, today)
        await db.mark_reported(uow.session, recounts)
    for group, report in reports.items():
        emit(uow, report, stream=group.stream, subject=grant_rate_key(group.cycle, group.category))
        labels = (group.stream.value, group.cycle or "none", group.category or "none")
        gauges.grant_rate.labels(*labels).set(report.grant_rate)
        gauges.decided.labels(*labels).set(report.decided)
    on_hold, watched, alerts = await db.open_case_counts(uow.session)
    gauges.on_hold.set(on_hold)
    gauges.watched.set(watched)
    for (stream, kind), count in alerts.items():
        (gauges.at_risk if kind == "at risk" else gauges.late).labels(stream).set(count)
    if reports:
        log.info("grant rates reported", groups=len(reports))
    return len(reports)
