"""The monthly progress page (R14) as plain functions: export rows in, one HTML document out.

Each section has a chart (inline SVG, `svg.py`), a table beside it with every figure the
chart draws, and one plain-language line: what it shows and whether it is on track. Every row
of the export appears in exactly one section's table (figures no section knows go to "More
figures"), each cell tagged with its row's key and raw value, so a reader, or a test, can check
the page against the export. A section whose figures are not in the export says so plainly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from planning.domain.figures import Figure
from planning.domain.forecast import TARGET

from .svg import Reference, Series, chart, legend

Key = tuple[str, str, str, str]  # month, stream, figure, group
Value = float | int | str

# R10 asks a stable grant rate; planning's default band (grant_rate_band) is 10 points.
STABLE_BAND = 0.10

PACT = ("pact_decided", "pact_decided_in_time", "pact_in_time_share")
BACKLOG = ("backlog_decided", "backlog_decided_total", "backlog_open", "backlog_path")
AMV = ("amv_decided", "amv_open")
GRANTS = ("decided", "granted", "grant_rate")
HOLDS = ("holds_started", "holds_open")
# Partner figures are matched by name: the export adds them per partner and kind.
PARTNER_WORDS = ("partner", "notice", "transport", "housing", "return", "appeal", "reception")

HEADERS = {
    "pact_decided": "Decided",
    "pact_decided_in_time": "Within the limit",
    "pact_in_time_share": "Share within",
    "backlog_decided": "Decided",
    "backlog_decided_total": "Decided so far",
    "backlog_open": "Open",
    "backlog_path": "Path to zero",
    "amv_decided": "Decided",
    "amv_open": "Open",
    "decided": "Decided",
    "granted": "Granted",
    "grant_rate": "Grant rate",
    "holds_started": "Started",
    "holds_open": "On hold",
    "forecast_clearance": "Forecast clearance",
    "forecast_open_at_target": "Open on 12 Jun 2029",
}
# Partner notices' groups (partner.kind) in words.
KINDS = {
    "coa.transport_requested": "transport requests (COA)",
    "coa.transport_cancelled": "transports cancelled (COA)",
    "coa.housing_requested": "housing outflow (COA)",
    "coa.reception_ends": "reception ends (COA)",
    "dtv.refusal_notified": "return cases (DT&V)",
    "courts.decision_sent": "decisions sent to the courts",
    "nidos.decision_sent": "decisions sent to Nidos",
    "nidos.appointment_planned": "appointments announced to Nidos",
    "nidos.appointment_cancelled": "appointments cancelled to Nidos",
    "lawyer.appointment_planned": "appointments announced to lawyers",
    "lawyer.appointment_cancelled": "appointments cancelled to lawyers",
    "expected_appeals": "expected appeals",
}
STREAMS = {"pact": "Pact", "backlog": "Backlog"}
REASONS = {
    "exclusion_signal": "exclusion check (1F/NV)",
    "no_shows": "did not appear",
    "hearing_obstacle": "hearing obstacle",
    "decision_obstacle": "decision obstacle",
    "none": "no category",
}


class Figures:
    """The export's rows, looked up by key, with the months they cover in order."""

    def __init__(self, rows: Iterable[Figure]) -> None:
        self.rows = list(rows)
        self.value: dict[Key, Value] = {
            (r.month, r.stream, r.figure, r.group): r.value for r in self.rows
        }
        self.months = sorted({r.month for r in self.rows})

    def get(self, month: str, stream: str, figure: str, group: str = "") -> Value | None:
        return self.value.get((month, stream, figure, group))

    def number(self, month: str, stream: str, figure: str, group: str = "") -> float | None:
        v = self.get(month, stream, figure, group)
        return float(v) if isinstance(v, int | float) else None

    def named(self, names: Iterable[str]) -> list[Figure]:
        wanted = set(names)
        return [r for r in self.rows if r.figure in wanted]

    def latest(self, stream: str, figure: str, group: str = "") -> str | None:
        """The last month that has this figure."""
        months = [m for m in self.months if (m, stream, figure, group) in self.value]
        return months[-1] if months else None


def as_date(value: Value | None) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def month_name(month: str, short: bool = False) -> str:
    day = date.fromisoformat(f"{month}-01")
    return day.strftime("%b %y" if short else "%b %Y")


def is_share(figure: str) -> bool:
    return figure.endswith(("_share", "_rate"))


def show(figure: str, value: Value) -> str:
    """A figure as a reader sees it: a share as a percentage, a date spelled out."""
    day = as_date(value)
    if day is not None:
        return day.strftime("%-d %b %Y")
    if isinstance(value, str):
        return value
    if is_share(figure):
        return f"{value * 100:.1f}%"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def percent(v: float) -> str:
    return f"{v * 100:.0f}%"


def count(v: float) -> str:
    return f"{v:,.0f}"


def month_of_ordinal(v: float) -> str:
    return date.fromordinal(round(v)).strftime("%b %y")


# --- tables -----------------------------------------------------------------------------------


def table(figures: Figures, rows: Sequence[Figure], columns: Sequence[str], caption: str) -> str:
    """One row per (month, stream, group) among `rows`, one column per figure in `columns`:
    every cell carries its key and raw value (data-key, data-value)."""
    keys = sorted({(r.month, r.stream, r.group) for r in rows if r.figure in columns})
    if not keys:
        return '<p class="no-data">No figures for this table in this export yet.</p>'
    streams = len({k[1] for k in keys}) > 1
    groups = any(k[2] for k in keys)
    head = ['<th scope="col">Month</th>']
    head += ['<th scope="col">Stream</th>'] if streams else []
    head += ['<th scope="col">Group</th>'] if groups else []
    head += [f'<th scope="col">{escape(HEADERS.get(c, c))}</th>' for c in columns]
    body = []
    for month, stream, group in keys:
        cells = [f'<th scope="row">{month_name(month)}</th>']
        cells += [f"<td>{escape(STREAMS.get(stream, stream))}</td>"] if streams else []
        cells += [f"<td>{escape(REASONS.get(group, group))}</td>"] if groups else []
        for column in columns:
            value = figures.get(month, stream, column, group)
            if value is None:
                cells.append('<td class="none"><span aria-label="no figure">&ndash;</span></td>')
            else:
                key = "|".join((month, stream, column, group))
                cells.append(
                    f'<td data-key="{escape(key)}" data-value="{escape(str(value))}">'
                    f"{escape(show(column, value))}</td>"
                )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>{''.join(head)}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def long_table(rows: Sequence[Figure], caption: str) -> str:
    """Rows as they are in the export: month, stream, figure, group, value."""
    if not rows:
        return '<p class="no-data">No figures for this table in this export yet.</p>'
    body = []
    for r in sorted(rows):
        key = "|".join((r.month, r.stream, r.figure, r.group))
        body.append(
            f'<tr><th scope="row">{month_name(r.month)}</th>'
            f"<td>{escape(STREAMS.get(r.stream, r.stream))}</td>"
            f"<td>{escape(partner_label(r.figure, r.group))}</td>"
            f'<td data-key="{escape(key)}" data-value="{escape(str(r.value))}">'
            f"{escape(show(r.figure, r.value))}</td></tr>"
        )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>"
        '<th scope="col">Month</th><th scope="col">Stream</th><th scope="col">Figure</th>'
        f'<th scope="col">Value</th></tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


# --- sections ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    line: str  # what it shows and whether it is on track, in plain words
    chart: str
    legend: str
    table: str
    shown: frozenset[str]  # the figures whose rows its table holds


def monthly(figures: Figures, stream: str, figure: str, group: str = "") -> list[float | None]:
    return [figures.number(m, stream, figure, group) for m in figures.months]


def pact_section(f: Figures) -> Section:
    share = Series("Share within the legal limit", monthly(f, "pact", "pact_in_time_share"))
    month = f.latest("pact", "pact_in_time_share")
    if month is None:
        line = "No Pact first decisions yet, so no share within the legal limit."
    else:
        decided = f.number(month, "pact", "pact_decided") or 0
        in_time = f.number(month, "pact", "pact_decided_in_time") or 0
        late = int(decided - in_time)
        line = (
            f"In {month_name(month)}, {count(in_time)} of {count(decided)} Pact first decisions "
            f"({show('pact_in_time_share', f.get(month, 'pact', 'pact_in_time_share') or 0)}) "
            "were made within the legal time limit. "
            + (
                "On track: none was late."
                if late == 0
                else f"Not on track: {late:,} {'was' if late == 1 else 'were'} late."
            )
        )
    return Section(
        "pact",
        "Pact applications decided within the legal time limit",
        line,
        chart(
            "chart-pact",
            "Share of Pact first decisions within the legal time limit, per month",
            line,
            [month_name(m, short=True) for m in f.months],
            [share],
            value_label=percent,
            ceiling=1.0,
        ),
        legend([share]),
        table(f, f.named(PACT), PACT, "Pact first decisions per month"),
        frozenset(PACT),
    )


def backlog_section(f: Figures) -> Section:
    series = [
        Series("Decided in the month", monthly(f, "backlog", "backlog_decided")),
        Series("Open at the month's end", monthly(f, "backlog", "backlog_open"), "line"),
        Series("Path to zero by 12 June 2029", monthly(f, "backlog", "backlog_path"), "line"),
    ]
    month = f.latest("backlog", "backlog_open")
    if month is None:
        line = "No backlog figures in this export yet."
    else:
        open_now = f.number(month, "backlog", "backlog_open") or 0
        path = f.number(month, "backlog", "backlog_path")
        decided = f.number(month, "backlog", "backlog_decided") or 0
        total = f.number(month, "backlog", "backlog_decided_total") or 0
        line = (
            f"At the end of {month_name(month)}, {count(open_now)} backlog applications were "
            f"open; {count(decided)} were decided that month, {count(total)} so far. "
        )
        if path is None:
            line += "The path to zero is not in this export, so on track or not cannot be said."
        elif open_now <= path:
            line += f"On track: at or below the path to zero by 12 June 2029 ({count(path)})."
        else:
            line += (
                f"Not on track: {count(open_now - path)} above the path to zero by "
                f"12 June 2029 ({count(path)})."
            )
    return Section(
        "backlog",
        "The backlog: decided and still open, against the path to zero",
        line,
        chart(
            "chart-backlog",
            "Backlog applications decided per month and open at each month's end, "
            "with the path to zero by 12 June 2029",
            line,
            [month_name(m, short=True) for m in f.months],
            series,
        ),
        legend(series),
        table(f, f.named(BACKLOG), BACKLOG, "Backlog production and what remains, per month"),
        frozenset(BACKLOG),
    )


def forecast_figures(f: Figures) -> list[str]:
    """Every figure named forecast... whose values are dates (the pace and the capacity one)."""
    names = {r.figure for r in f.rows if r.figure.startswith("forecast") and as_date(r.value)}
    return sorted(names)


def forecast_section(f: Figures) -> Section:
    names = forecast_figures(f)
    series = []
    for name in names:
        days = [as_date(f.get(m, "backlog", name)) for m in f.months]
        label = name.replace("forecast_", "").replace("_", " ")
        series.append(
            Series(
                f"Forecast clearance ({label})" if label != "clearance" else "Forecast clearance",
                [d.toordinal() if d else None for d in days],
                "line",
            )
        )
    latest = [(m, n) for n in names if (m := f.latest("backlog", n))]
    if not latest:
        line = "No clearance forecast in this export yet: planning makes one with each plan cycle."
    else:
        month, name = max(latest)
        day = as_date(f.get(month, "backlog", name))
        assert day is not None
        late = (day.year - TARGET.year) * 12 + day.month - TARGET.month
        line = (
            f"As of {month_name(month)}, the open backlog would be decided by "
            f"{day.strftime('%-d %B %Y')}. "
            + (
                "On track: before 12 June 2029."
                if day <= TARGET
                else f"Not on track: about {max(late, 1)} months after 12 June 2029."
            )
        )
    others = sorted({r.figure for r in f.rows if r.figure.startswith("forecast")} - set(names))
    if latest:
        at_target = f.number(max(latest)[0], "backlog", "forecast_open_at_target")
        if at_target is not None:
            line += f" Forecast still open on 12 June 2029: {count(at_target)}."
    columns = ("backlog_decided_total", "backlog_open", *names, *others)
    rows = [r for r in f.rows if r.figure in columns and r.stream == "backlog"]
    return Section(
        "forecast",
        "When the backlog would be cleared, beside the actual progress",
        line,
        chart(
            "chart-forecast",
            "Forecast date the open backlog is decided, as forecast at each month's end",
            line,
            [month_name(m, short=True) for m in f.months],
            series,
            value_label=month_of_ordinal,
            reference=Reference(TARGET.toordinal(), "target: 12 June 2029"),
            floor=None,
        ),
        legend(series),
        table(f, rows, columns, "Forecast clearance date and progress, per month"),
        frozenset((*names, *others)),
    )


def amv_section(f: Figures) -> Section:
    series = [
        Series("Decided in the month", monthly(f, "backlog", "amv_decided")),
        Series("Open at the month's end", monthly(f, "backlog", "amv_open"), "line"),
    ]
    month = f.latest("backlog", "amv_open")
    if month is None:
        line = "No figures for unaccompanied minors (AMV) in this export yet."
    else:
        decided = f.number(month, "backlog", "amv_decided") or 0
        open_now = f.number(month, "backlog", "amv_open") or 0
        line = (
            f"In {month_name(month)}, {count(decided)} backlog applications of unaccompanied "
            f"minors (AMV) were decided; {count(open_now)} were still open. "
        )
        earlier = [m for m in f.months if m < month and f.number(m, "backlog", "amv_open")]
        if earlier:
            before = f.number(earlier[-1], "backlog", "amv_open") or 0
            then = month_name(earlier[-1])
            if open_now < before:
                line += f"Going down: {count(before - open_now)} fewer open than in {then}."
            elif open_now == before:
                line += f"Not going down: as many open as in {then}."
            else:
                line += f"Not going down: {count(open_now - before)} more open than in {then}."
    return Section(
        "amv",
        "Unaccompanied minors (AMV), apart",
        line,
        chart(
            "chart-amv",
            "Backlog applications of unaccompanied minors decided per month and still open",
            line,
            [month_name(m, short=True) for m in f.months],
            series,
        ),
        legend(series),
        table(f, f.named(AMV), AMV, "Unaccompanied minors (AMV) per month"),
        frozenset(AMV),
    )


def group_name(stream: str, group: str) -> str:
    if group in ("", "none"):
        return STREAMS.get(stream, stream)
    return f"{STREAMS.get(stream, stream)} {group}"


def grant_section(f: Figures) -> Section:
    rates = f.named(["grant_rate"])
    month = max((r.month for r in rates), default=None)
    here = sorted(
        (r for r in rates if r.month == month), key=lambda r: (r.stream != "pact", r.group)
    )
    rate = Series(
        f"Grant rate in {month_name(month)}" if month else "Grant rate",
        [float(r.value) for r in here],
    )
    labels = [group_name(r.stream, r.group) for r in here]
    if month is None:
        line = "No decisions yet, so no grant rate."
    else:
        parts = [f"{group_name(r.stream, r.group)} {show('grant_rate', r.value)}" for r in here]
        line = f"Grant rate in {month_name(month)}: {', '.join(parts)}. "
        line += stability(f, month)
    return Section(
        "grants",
        "Grant rate per stream and category",
        line,
        chart(
            "chart-grants",
            f"Grant rate per stream and category in the latest month ({month or 'none'})",
            line,
            labels,
            [rate],
            value_label=percent,
            ceiling=1.0,
        ),
        legend([rate]),
        table(f, f.named(GRANTS), GRANTS, "Decisions and grants per stream and category"),
        frozenset(GRANTS),
    )


def backlog_rate(f: Figures, month: str) -> float | None:
    decided = sum(
        f.number(month, "backlog", "decided", r.group) or 0
        for r in f.rows
        if r.month == month and r.stream == "backlog" and r.figure == "decided"
    )
    granted = sum(
        f.number(month, "backlog", "granted", r.group) or 0
        for r in f.rows
        if r.month == month and r.stream == "backlog" and r.figure == "granted"
    )
    return granted / decided if decided else None


def stability(f: Figures, month: str) -> str:
    """R10: the backlog's grant rate this month against the month before that had decisions."""
    now = backlog_rate(f, month)
    before = [(m, r) for m in f.months if m < month and (r := backlog_rate(f, m)) is not None]
    if now is None or not before:
        return "Too early to say whether the backlog's grant rate is stable (R10)."
    then, rate = before[-1]
    moved = abs(now - rate)
    if moved <= STABLE_BAND:
        return (
            f"Stable: the backlog's grant rate ({percent(now)}) is within "
            f"{STABLE_BAND * 100:.0f} points of {month_name(then)} ({percent(rate)})."
        )
    return (
        f"Not stable: the backlog's grant rate ({percent(now)}) moved "
        f"{moved * 100:.0f} points since {month_name(then)} ({percent(rate)})."
    )


def holds_section(f: Figures) -> Section:
    held = f.named(["holds_open"])
    month = max((r.month for r in held), default=None)
    here = [r for r in held if r.month == month]
    reasons = sorted({r.group for r in here})
    streams = sorted({r.stream for r in here}, key=lambda s: s != "pact")
    series = [
        Series(STREAMS.get(s, s), [f.number(month or "", s, "holds_open", g) for g in reasons])
        for s in streams
    ]
    if month is None:
        line = "No cases on hold in this export."
    else:
        per: dict[str, float] = defaultdict(float)
        for r in here:
            per[r.group] += float(r.value)
        listed = ", ".join(f"{count(n)} {REASONS.get(g, g)}" for g, n in sorted(per.items()))
        line = (
            f"At the end of {month_name(month)}, {count(sum(per.values()))} cases were on hold: "
            f"{listed}. There is no target: a case on hold is tracked, not lost."
        )
    return Section(
        "holds",
        "Cases on hold, by reason",
        line,
        chart(
            "chart-holds",
            f"Cases on hold at the end of the latest month ({month or 'none'}), by reason",
            line,
            [REASONS.get(g, g) for g in reasons],
            series,
        ),
        legend(series),
        table(f, f.named(HOLDS), HOLDS, "Holds started and open per month, by reason"),
        frozenset(HOLDS),
    )


def partner_figures(f: Figures, claimed: set[str]) -> list[str]:
    names = {r.figure for r in f.rows if r.figure not in claimed}
    return sorted(n for n in names if any(w in n for w in PARTNER_WORDS))


def partner_label(figure: str, group: str) -> str:
    if group in KINDS:
        return KINDS[group]
    if not group and figure in KINDS:
        return KINDS[figure]
    return f"{figure.replace('_', ' ')}{' (' + group + ')' if group else ''}"


def partners_section(f: Figures, claimed: set[str]) -> Section:
    names = partner_figures(f, claimed)
    rows = f.named(names)
    totals: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        if isinstance(r.value, int | float):
            totals[(r.figure, r.group)][r.month] += float(r.value)
    series = [
        Series(partner_label(name, group), [by_month.get(m) for m in f.months], "line")
        for (name, group), by_month in sorted(totals.items())
    ]
    if not rows:
        line = (
            "This export has no figures of what the chain partners were sent yet (transport "
            "requests, housing outflow, return cases, expected appeals)."
        )
    else:
        month = max(r.month for r in rows)
        parts = [
            f"{count(v[month])} {partner_label(s, g)}"
            for (s, g), v in sorted(totals.items())
            if month in v
        ]
        line = (
            f"In {month_name(month)}, the chain partners were sent: {', '.join(parts)}. "
            "There is no target: these tell the partners what is coming."
        )
    return Section(
        "partners",
        "What the chain partners were sent",
        line,
        chart(
            "chart-partners",
            "Notices to the chain partners per month (transport requests, housing outflow, "
            "return cases, expected appeals)",
            line,
            [month_name(m, short=True) for m in f.months],
            series,
        ),
        legend(series),
        long_table(rows, "What the chain partners were sent, per month"),
        frozenset(names),
    )


SECTIONS: tuple[Callable[[Figures], Section], ...] = (
    pact_section,
    backlog_section,
    forecast_section,
    amv_section,
    grant_section,
    holds_section,
)


def sections(f: Figures) -> list[Section]:
    out = [make(f) for make in SECTIONS]
    claimed = {name for s in out for name in s.shown}
    out.append(partners_section(f, claimed))
    return out


# --- the page ---------------------------------------------------------------------------------

STYLE = """
:root{--ink:#1b1b1b;--muted:#4a4f57;--line:#c9ced6;--accent:#1f4e99;--bg:#fff;--band:#f2f4f7}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--ink);background:var(--bg)}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.25rem}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0}
h2{font-size:1.25rem;margin:0 0 .5rem}
a{color:var(--accent)}
.lead{color:var(--muted);margin:.25rem 0 1rem}
.glance{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.5rem;
padding:0;list-style:none}
.glance li{background:var(--band);padding:.6rem .75rem;border-radius:.4rem}
.glance strong{display:block;font-size:1.3rem}
section{border-top:1px solid var(--line);padding:1.25rem 0}
.line{font-size:1.05rem;margin:0 0 .75rem}
.pair{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
@media (min-width:60rem){.pair{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}}
figure{margin:0;min-width:0}
svg.chart{width:100%;height:auto;display:block;background:#fff}
svg .grid{stroke:#e3e6eb;stroke-width:1}
svg .axis-line{stroke:#6b7280;stroke-width:1}
svg .axis{font-size:13px;fill:#3a3f47}
svg .reference{stroke:#b0123f;stroke-width:1.5;stroke-dasharray:4 3}
svg .no-data{font-size:16px;fill:#3a3f47}
.legend{list-style:none;padding:0;margin:.5rem 0 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;
font-size:.9rem}
.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{width:24px;height:12px}
.table-wrap{max-width:100%;overflow-x:auto;max-height:26rem;overflow-y:auto}
.table-wrap:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding-bottom:.25rem}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:right;
white-space:nowrap}
th[scope=row],thead th:first-child{text-align:left}
thead th{position:sticky;top:0;background:var(--band);white-space:normal;vertical-align:bottom}
td.none{color:var(--muted)}
.no-data{color:var(--muted)}
footer{border-top:1px solid var(--line);padding-bottom:2rem;color:var(--muted);font-size:.95rem}
code{font-size:.9em}
@media (max-width:40rem){
svg .axis{font-size:21px}
svg .no-data{font-size:24px}
table{font-size:.85rem}
th,td{padding:.3rem .3rem}
}
"""


def glance(f: Figures) -> str:
    items = []
    for stream, figure, label in (
        ("pact", "pact_in_time_share", "Pact decided within the limit"),
        ("backlog", "backlog_open", "Backlog still open"),
        ("backlog", "backlog_decided_total", "Backlog decided so far"),
        ("backlog", "forecast_clearance", "Forecast clearance"),
    ):
        month = f.latest(stream, figure)
        if month is not None:
            value = show(figure, f.get(month, stream, figure) or 0)
            items.append(
                f"<li>{escape(label)}<strong>{escape(value)}</strong>"
                f"<span class='lead'>{month_name(month)}</span></li>"
            )
    return f'<ul class="glance">{"".join(items)}</ul>' if items else ""


def render(
    rows: Iterable[Figure], *, csv_name: str = "figures.csv", json_name: str = "figures.json"
) -> str:
    """The whole page: every section, then more figures, then the open data and its schema."""
    f = Figures(rows)
    parts = sections(f)
    claimed = {name for s in parts for name in s.shown}
    others = [r for r in f.rows if r.figure not in claimed]
    period = f"{month_name(f.months[0])} to {month_name(f.months[-1])}" if f.months else "no months"
    body = []
    for s in parts:
        body.append(
            f'<section id="{s.id}" aria-labelledby="{s.id}-h"><h2 id="{s.id}-h">'
            f'{escape(s.heading)}</h2><p class="line">{escape(s.line)}</p>'
            f'<div class="pair"><figure>{s.chart}{s.legend}</figure>{s.table}</div></section>'
        )
    if others:
        body.append(
            '<section id="more" aria-labelledby="more-h"><h2 id="more-h">More figures</h2>'
            '<p class="line">Figures in the export that no chart above draws.</p>'
            f"{long_table(others, 'More figures from the export')}</section>"
        )
    toc = "".join(f'<li><a href="#{s.id}">{escape(s.heading)}</a></li>' for s in parts)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Asylum procedure: monthly progress ({escape(period)})</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<p class="lead">Immigration and Naturalisation Service (IND) · monthly publication</p>
<h1>Asylum procedure: progress on the backlog and the Pact time limits</h1>
<p class="lead">Figures per month, {escape(period)}. Every chart has its numbers in a table
beside it. The figures are open data: <a href="{escape(csv_name)}">CSV</a> and
<a href="{escape(json_name)}">JSON</a>.</p>
{glance(f)}
<nav aria-label="Sections"><ul>{toc}</ul></nav>
</header>
<main>
{"".join(body)}
</main>
<footer>
<h2>About these figures</h2>
<p>Open data: <a href="{escape(csv_name)}">{escape(csv_name)}</a> and
<a href="{escape(json_name)}">{escape(json_name)}</a> hold the same rows as this page, one per
figure: <code>month</code> (YYYY-MM), <code>stream</code> (<code>pact</code> or
<code>backlog</code>), <code>figure</code>, <code>group</code> (a category, a hold reason, a
partner, or empty) and <code>value</code> (a number, or an ISO date for a forecast). A share is
a fraction between 0 and 1; the page shows it as a percentage.</p>
<p>The backlog are the applications lodged before 12 June 2026; the target is a first decision
on them by 12 June 2029. Pact applications are those lodged from 12 June 2026 under the EU
Pact on Migration and Asylum, with short legal time limits.</p>
</footer>
</body>
</html>
"""
