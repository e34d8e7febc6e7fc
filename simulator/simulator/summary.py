"""The end-of-run summary, taken from the system's own output on the topics (never from the
simulator's notes), and the run's checks on the plan's assumptions.

The clearance forecast is planning's latest `BacklogForecastMade` (issue 11); the counts come
straight from the case events, partner notices and rejections the services published.
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
from shared.contracts.topics import Kind, kind_of

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
    operational_from: date,
) -> Summary:
    """records: (topic without prefix, decoded envelope or None, raw record)."""
    s = Summary()
    held: dict[str, bool] = defaultdict(bool)
    category: dict[str, str | None] = {}
    for topic, envelope, _raw in records:
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
            if category.get(envelope.subject) == "B" and data.release_day < operational_from:
                s.b_before_operational += 1
    for subject, is_held in held.items():
        if is_held:
            s.on_hold["pact" if subject.startswith("pa-") else "backlog"] += 1
    return s


def checks(s: Summary, *, minimum_on_time: float = 0.9) -> list[tuple[str, bool, str]]:
    """The plan's assumptions, as the run shows them: (check, passed, figure)."""
    total = sum(s.categories.values()) or 1
    worst = max(abs(s.categories[c.value] / total - share) for c, share in CATEGORY_SHARES.items())
    tolerance = 0.03 + 1.5 / total**0.5  # sampling error shrinks with the run's size
    pact_decided = s.decided["pact"]
    on_time = s.on_time["pact"] / pact_decided if pact_decided else 1.0
    return [
        ("category shares as planned", worst <= tolerance, f"largest gap {worst:.1%}"),
        ("Pact first: on time", on_time >= minimum_on_time, f"{on_time:.1%} of Pact decisions"),
        (
            "no programme release before the start",
            s.programme_releases_before_start == 0,
            f"{s.programme_releases_before_start} released in a cycle before the start",
        ),
        (
            "B only once a location is operational",
            s.b_before_operational == 0,
            f"{s.b_before_operational} B releases before",
        ),
    ]
