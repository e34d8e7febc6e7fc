"""The monthly figures (R14) as open data: a function of the case records only.

Every figure is one row of the same shape (docs/planning-figures.md):
`month, stream, figure, group, value`. `group` is a category, a hold reason or empty;
`value` is a number, or an ISO date for `forecast_clearance`.

- `pact_decided`, `pact_decided_in_time`, `pact_in_time_share`: Pact first decisions issued
  in the month, those on or before their legal deadline, and the share (R14).
- `backlog_decided` (this month), `backlog_decided_total` (so far), `backlog_open` (at the
  month's end: registered, not decided, not withdrawn) and `backlog_path`: the straight line
  from the open count at the end of the first month to zero on 12 June 2029 (R5).
- `amv_decided`, `amv_open`: the same for unaccompanied minors (AMV), apart (R14).
- `decided`, `granted`, `grant_rate` per stream and category (group; `none` for Pact and
  priority cases without one), by the category at the decision (R10, R14).
- `holds_started`, `holds_open` by reason (group).
- `forecast_clearance`: at the backlog's pace of the last three months (decisions a working
  day), the working day the open backlog would be decided; absent when nothing was decided.

Partner notices per partner and kind wait for chain-notify's events (not built yet).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from shared.contracts.events.common import DecisionOutcome
from shared.contracts.values import Stream
from shared.runtime.calendar import add_working_days, working_days_in

from .capacity import month_bounds, month_key, months_between
from .forecast import TARGET
from .records import CaseRecord

PACE_MONTHS = 3


@dataclass(frozen=True, order=True)
class Figure:
    month: str
    stream: str
    figure: str
    group: str
    value: float | int | str

    def row(self) -> dict[str, object]:
        return {
            "month": self.month,
            "stream": self.stream,
            "figure": self.figure,
            "group": self.group,
            "value": self.value,
        }


COLUMNS = ("month", "stream", "figure", "group", "value")


def _month(day: date | None) -> str | None:
    return month_key(day) if day else None


def monthly_figures(records: Iterable[CaseRecord], until: date) -> list[Figure]:
    """Every figure of every month from the first registration to `until`'s month."""
    cases = list(records)
    if not cases:
        return []
    first = min(c.registered_on for c in cases)
    months = months_between(first, until)
    out: list[Figure] = []
    path_start: tuple[date, int] | None = None
    decided_so_far = 0
    backlog_pace: list[int] = []
    for month in months:
        start, end = month_bounds(month)
        for stream in Stream:
            s = stream.value
            mine = [c for c in cases if c.stream is stream]
            decided = [c for c in mine if _month(c.decided_on) == month]
            if stream is Stream.PACT:
                in_time = sum(1 for c in decided if c.deadline_met)
                out += [
                    Figure(month, s, "pact_decided", "", len(decided)),
                    Figure(month, s, "pact_decided_in_time", "", in_time),
                ]
                if decided:
                    share = round(in_time / len(decided), 4)
                    out.append(Figure(month, s, "pact_in_time_share", "", share))
            else:
                open_now = [
                    c
                    for c in mine
                    if c.registered_on <= end
                    and not (c.decided_on and c.decided_on <= end)
                    and not (c.withdrawn_on and c.withdrawn_on <= end)
                ]
                decided_so_far += len(decided)
                backlog_pace.append(len(decided))
                out += [
                    Figure(month, s, "backlog_decided", "", len(decided)),
                    Figure(month, s, "backlog_decided_total", "", decided_so_far),
                    Figure(month, s, "backlog_open", "", len(open_now)),
                    Figure(month, s, "amv_decided", "", sum(1 for c in decided if c.amv)),
                    Figure(month, s, "amv_open", "", sum(1 for c in open_now if c.amv)),
                ]
                if path_start is None:
                    path_start = (end, len(open_now))
                out.append(Figure(month, s, "backlog_path", "", path_value(path_start, end)))
                clearance = clearance_at(len(open_now), backlog_pace[-PACE_MONTHS:], start, end)
                if clearance:
                    out.append(Figure(month, s, "forecast_clearance", "", clearance.isoformat()))
            by_category: dict[str, list[CaseRecord]] = {}
            for c in decided:
                key = c.decided_category.value if c.decided_category else "none"
                by_category.setdefault(key, []).append(c)
            for category, group in sorted(by_category.items()):
                grants = sum(1 for c in group if c.outcome is DecisionOutcome.GRANT)
                out += [
                    Figure(month, s, "decided", category, len(group)),
                    Figure(month, s, "granted", category, grants),
                    Figure(month, s, "grant_rate", category, round(grants / len(group), 4)),
                ]
            started: dict[str, int] = {}
            still: dict[str, int] = {}
            for c in mine:
                for h in c.holds:
                    if _month(h.since) == month:
                        started[h.reason.value] = started.get(h.reason.value, 0) + 1
                    if h.since <= end and (h.until is None or h.until > end):
                        still[h.reason.value] = still.get(h.reason.value, 0) + 1
            out += [Figure(month, s, "holds_started", r, n) for r, n in sorted(started.items())]
            out += [Figure(month, s, "holds_open", r, n) for r, n in sorted(still.items())]
    return out


def path_value(start: tuple[date, int], day: date) -> int:
    """The straight path from (start day, open count) to zero on the target (R5)."""
    begin, count = start
    if day >= TARGET:
        return 0
    whole = (TARGET - begin).days
    return round(count * (TARGET - day).days / whole) if whole > 0 else 0


def clearance_at(open_now: int, pace: Sequence[int], start: date, end: date) -> date | None:
    """The working day the open backlog is decided at the recent pace: decisions per working
    day over the last PACE_MONTHS months (this one included), rounded up to whole days."""
    if not open_now:
        return end
    first = start
    for _ in range(len(pace) - 1):
        first = month_bounds(month_key(first - timedelta(days=1)))[0]
    days = len(working_days_in(first, end))
    per_day = sum(pace) / days if days else 0.0
    if per_day <= 0:
        return None
    return add_working_days(end, math.ceil(open_now / per_day - 1e-9))
