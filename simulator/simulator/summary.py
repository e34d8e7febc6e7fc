"""The end-of-run summary, taken from the system's own output on the topics (never from the
simulator's notes), and the run's checks on the plan's assumptions.

The clearance forecast is planning's latest `BacklogForecastMade` (issue 11); the counts come
straight from the case events, partner notices and rejections the services published. Which
months a prephase location is operational is what the planners declared to planning (its input
topic), as planning itself reads it (R11).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.contracts.envelope import Envelope
from shared.contracts.events import decision as d
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import planning as pl
from shared.contracts.events import prephase as pp
from shared.contracts.topics import PLANNING_INPUT, Kind, kind_of

from .world import CATEGORY_SHARES

HOLDS = (pp.PrephaseOnHold, pp.ExclusionSignalRaised, h.HearingOnHold, d.DecisionOnHold)
RESUMES = (pp.ExclusionScreeningConcluded, h.HearingResumed, d.DecisionResumed, pl.CaseReleased)


@dataclass
class Summary:
    registered: Counter[str] = field(default_factory=Counter)
    decided: Counter[str] = field(default_factory=Counter)
    withdrawn: Counter[str] = field(default_factory=Counter)
    on_hold: Counter[str] = field(default_factory=Counter)
    on_time: Counter[str] = field(default_factory=Counter)
    # Pact decisions issued once the backlog is being decided, and how many of them on time.
    pact_while_backlog: int = 0
    pact_on_time_while_backlog: int = 0
    notices: Counter[str] = field(default_factory=Counter)
    rejections: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    programme_releases_before_start: int = 0
    b_before_operational: int = 0
    forecast: pl.BacklogForecastMade | None = None  # planning's latest (R5)

    def open(self, stream: str) -> int:
        return self.registered[stream] - self.decided[stream] - self.withdrawn[stream]

    def figures(self) -> dict[str, Any]:
        """Everything the summary shows, as plain data (two runs compare equal or not)."""
        return {
            "registered": dict(self.registered),
            "decided": dict(self.decided),
            "withdrawn": dict(self.withdrawn),
            "on_hold": dict(self.on_hold),
            "on_time": dict(self.on_time),
            "pact_while_backlog": [self.pact_on_time_while_backlog, self.pact_while_backlog],
            "notices": dict(self.notices),
            "rejections": dict(self.rejections),
            "categories": dict(self.categories),
            "forecast": None if self.forecast is None else self.forecast.model_dump(mode="json"),
        }

    def forecast_line(self) -> str:
        f = self.forecast
        if f is None:
            return "not published yet (planning forecasts with each plan cycle, R5)"
        cleared = f.cleared_on.isoformat() if f.cleared_on else "not before the horizon"
        return (
            f"{cleared} (as of {f.as_of.isoformat()}; {f.open_at_target} open on "
            f"{f.target.isoformat()})"
        )


def summarise(
    records: list[tuple[str, Envelope[Any] | None, Any]],
    *,
    programme_start: date,
) -> Summary:
    """records: (topic without prefix, decoded envelope or None, raw record), in publication
    order; the planners' capacity declarations (planning's input) among them."""
    s = Summary()
    held: dict[str, bool] = defaultdict(bool)
    category: dict[str, str | None] = {}
    operational: dict[str, bool] = {}  # month 'YYYY-MM' -> declared operational (latest word)
    b_release_days: list[date] = []
    # By day, not by the order records were read: the streams' topics interleave differently
    # from one reading to the next.
    first_backlog_decision: date | None = None
    pact_decisions: list[tuple[date, bool]] = []
    for topic, envelope, _raw in records:
        if topic == PLANNING_INPUT:
            if envelope is not None and isinstance(envelope.data, pl.CapacityDeclared):
                operational[envelope.subject] = envelope.data.prephase_location_operational
            continue
        kind = kind_of(topic)
        if kind is Kind.PARTNER:
            s.notices[topic.split(".")[3]] += 1
            continue
        if kind is Kind.REJECTIONS:
            s.rejections[topic] += 1
            continue
        if envelope is None:
            continue
        data, stream = envelope.data, str(envelope.stream)
        day = envelope.time.date()
        if isinstance(data, pl.BacklogForecastMade):
            if s.forecast is None or data.as_of >= s.forecast.as_of:
                s.forecast = data
        elif isinstance(data, i.CaseRegistered):
            s.registered[stream] += 1
            category[envelope.subject] = data.category.value if data.category else None
            if stream == "backlog":
                s.categories[data.category.value if data.category else "priority group"] += 1
        elif isinstance(data, i.CaseRecategorised):
            category[envelope.subject] = data.new_category.value if data.new_category else None
        elif isinstance(data, d.DecisionIssued):
            s.decided[stream] += 1
            s.on_time[stream] += 1 if data.deadline_met else 0
            if stream == "backlog":
                first_backlog_decision = min(first_backlog_decision or day, day)
            else:
                pact_decisions.append((day, data.deadline_met))
            held[envelope.subject] = False
        elif isinstance(data, i.CaseWithdrawn):
            s.withdrawn[stream] += 1
            held[envelope.subject] = False
        elif isinstance(data, HOLDS):
            held[envelope.subject] = True
        elif isinstance(data, RESUMES) and (
            not isinstance(data, pp.ExclusionScreeningConcluded) or data.hold_lifted
        ):
            held[envelope.subject] = False
        if isinstance(data, pl.CaseReleased) and stream == "backlog":
            if data.cycle is not None and day < programme_start:
                s.programme_releases_before_start += 1
            if category.get(envelope.subject) == "B":
                b_release_days.append(data.release_day)
    if first_backlog_decision is not None:
        since = [met for day, met in pact_decisions if day >= first_backlog_decision]
        s.pact_while_backlog, s.pact_on_time_while_backlog = len(since), sum(since)
    s.b_before_operational = sum(
        1 for day in b_release_days if not operational.get(f"{day:%Y-%m}", False)
    )
    for subject, is_held in held.items():
        if is_held:
            s.on_hold["pact" if subject.startswith("pa-") else "backlog"] += 1
    return s


def checks(s: Summary, *, minimum_on_time: float = 0.9) -> list[tuple[str, bool, str]]:
    """The plan's assumptions, as the run shows them: (check, passed, figure)."""
    total = sum(s.categories.values()) or 1
    worst = max(abs(s.categories[c.value] / total - share) for c, share in CATEGORY_SHARES.items())
    tolerance = 0.03 + 1.5 / total**0.5  # sampling error shrinks with the run's size
    # Pact first (R2): judged on the Pact decisions issued while the backlog is being decided.
    pact = s.pact_while_backlog
    on_time = s.pact_on_time_while_backlog / pact if pact else 1.0
    return [
        ("category shares as planned", worst <= tolerance, f"largest gap {worst:.1%}"),
        (
            "Pact first: on time while the backlog is worked",
            on_time >= minimum_on_time,
            f"{on_time:.1%} of {pact} Pact decisions since the first backlog decision",
        ),
        (
            "no programme release before the start",
            s.programme_releases_before_start == 0,
            f"{s.programme_releases_before_start} released in a cycle before the start",
        ),
        (
            "B only once a location is operational",
            s.b_before_operational == 0,
            f"{s.b_before_operational} B releases in a month not declared operational",
        ),
    ]
