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
- `partner_notices` by partner and kind (group `partner.kind`): the notices chain-notify sends,
  counted from the events it maps (the same rules: one transport request a day, a cancellation
  only of a request, a withdrawal cancels what is still asked for; a grant asks COA for housing,
  a refusal ends reception at COA, goes to DT&V for return and to the courts; an AMV's
  decision goes to Nidos). Requests and cancellations count in the month they were sent,
  decision notices in the month the decision was sent; a refusal's courts notice held for the
  applicant's court district in the month the district came and it went out.
- `expected_appeals`: refusals sent to the courts in the month x the appeal share.
- `forecast_clearance`, `forecast_open_at_target`: the capacity forecast (BacklogForecastMade,
  R5) last made on or before the month's end: the day the backlog would be cleared (absent
  when not within the horizon) and the cases still open on 12 June 2029.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from shared.contracts.events.common import DecisionOutcome
from shared.contracts.values import Stream

from .capacity import month_bounds, month_key, months_between
from .config import DEFAULT_CONFIG
from .forecast import TARGET
from .model import ForecastMade
from .records import CaseRecord


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

PARTNER_KINDS = (
    "coa.transport_requested",
    "coa.transport_cancelled",
    "coa.housing_requested",
    "coa.reception_ends",
    "dtv.refusal_notified",
    "courts.decision_sent",
    "nidos.appointment_planned",
    "nidos.appointment_cancelled",
    "nidos.decision_sent",
    "lawyer.appointment_planned",
    "lawyer.appointment_cancelled",
)
"""Every `partner.kind` of `partner_notices`: each notice chain-notify sends about a case (the
partner and the message type's last word). Plan-level forecasts are not counted."""


def _month(day: date | None) -> str | None:
    return month_key(day) if day else None


def monthly_figures(
    records: Iterable[CaseRecord],
    until: date,
    forecasts: Iterable[ForecastMade] = (),
    appeal_share: float = DEFAULT_CONFIG.appeal_share,
) -> list[Figure]:
    """Every figure of every month from the first registration to `until`'s month."""
    cases = list(records)
    made = sorted(forecasts, key=lambda f: f.as_of)
    if not cases:
        return []
    first = min(c.registered_on for c in cases)
    months = months_between(first, until)
    out: list[Figure] = []
    path_start: tuple[date, int] | None = None
    decided_so_far = 0
    for month in months:
        end = month_bounds(month)[1]
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
                out += forecast_figures(month, s, made, end)
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
            notices = partner_notices(mine, month)
            out += [Figure(month, s, "partner_notices", k, n) for k, n in sorted(notices.items())]
            refusals = notices.get("courts.decision_sent", 0)
            out.append(Figure(month, s, "expected_appeals", "", round(refusals * appeal_share)))
    return out


def partner_notices(cases: Iterable[CaseRecord], month: str) -> dict[str, int]:
    """The notices chain-notify sends in a month, per `partner.kind` (only kinds sent)."""
    counts: dict[str, int] = {}

    def add(kind: str, n: int = 1) -> None:
        if n:
            counts[kind] = counts.get(kind, 0) + n

    for c in cases:
        add(
            "coa.transport_requested", sum(1 for d in c.transport_requests if month_key(d) == month)
        )
        add(
            "coa.transport_cancelled",
            sum(1 for d in c.transport_cancellations if month_key(d) == month),
        )
        for sent in c.partners.sent:  # Nidos's, the lawyer's, a held courts notice (notices.py)
            if month_key(sent.day) == month:
                add(sent.kind)
        sent_on = c.decision_sent_on or c.decided_on
        if c.outcome is None or sent_on is None or month_key(sent_on) != month:
            continue
        if c.outcome is DecisionOutcome.GRANT:
            add("coa.housing_requested")
        else:
            add("coa.reception_ends")
            add("dtv.refusal_notified")
            if not c.partners.courts_apart:  # else held for the district: counted when sent
                add("courts.decision_sent")
    return counts


def forecast_figures(
    month: str, stream: str, made: Sequence[ForecastMade], end: date
) -> list[Figure]:
    """The capacity forecast last made on or before the month's end (R5), if any."""
    known = [f for f in made if f.as_of <= end]
    if not known:
        return []
    last = known[-1]
    out = [Figure(month, stream, "forecast_open_at_target", "", last.open_at_target)]
    if last.cleared_on is not None:
        out.append(Figure(month, stream, "forecast_clearance", "", last.cleared_on.isoformat()))
    return out


def path_value(start: tuple[date, int], day: date) -> int:
    """The straight path from (start day, open count) to zero on the target (R5)."""
    begin, count = start
    if day >= TARGET:
        return 0
    whole = (TARGET - begin).days
    return round(count * (TARGET - day).days / whole) if whole > 0 else 0
