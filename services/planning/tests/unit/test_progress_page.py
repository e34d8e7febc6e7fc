"""The progress page (R14) as plain functions over export rows: every row shown once with its
value, a chart without figures says so, each line says whether it is on track, and the
command reads a JSON or a CSV export alike."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from planning.cli import figures_page, write_figures
from planning.domain.figures import PARTNER_KINDS, Figure
from planning.progress.page import KINDS, render, show
from planning.progress.publish import ExportError, publish, read_export
from planning.progress.svg import PALETTE, nice_step

SCHEMA_DOC = Path(__file__).resolve().parents[4] / "docs" / "planning-figures.md"


def rows(*, late: int = 1, open_oct: int = 90, path_oct: int = 95) -> list[Figure]:
    out = []
    for month, decided, in_time in (("2026-09", 4, 4), ("2026-10", 5, 5 - late)):
        out += [
            Figure(month, "pact", "pact_decided", "", decided),
            Figure(month, "pact", "pact_decided_in_time", "", in_time),
            Figure(month, "pact", "pact_in_time_share", "", round(in_time / decided, 4)),
        ]
    out += [
        Figure("2026-09", "backlog", "backlog_decided", "", 10),
        Figure("2026-09", "backlog", "backlog_decided_total", "", 10),
        Figure("2026-09", "backlog", "backlog_open", "", 100),
        Figure("2026-09", "backlog", "backlog_path", "", 100),
        Figure("2026-10", "backlog", "backlog_decided", "", 10),
        Figure("2026-10", "backlog", "backlog_decided_total", "", 20),
        Figure("2026-10", "backlog", "backlog_open", "", open_oct),
        Figure("2026-10", "backlog", "backlog_path", "", path_oct),
        Figure("2026-10", "backlog", "forecast_clearance", "", "2027-05-03"),
        Figure("2026-10", "backlog", "amv_decided", "", 2),
        Figure("2026-10", "backlog", "amv_open", "", 7),
        Figure("2026-10", "backlog", "decided", "A", 6),
        Figure("2026-10", "backlog", "granted", "A", 3),
        Figure("2026-10", "backlog", "grant_rate", "A", 0.5),
        Figure("2026-10", "pact", "decided", "none", 5),
        Figure("2026-10", "pact", "granted", "none", 1),
        Figure("2026-10", "pact", "grant_rate", "none", 0.2),
        Figure("2026-10", "backlog", "holds_started", "decision_obstacle", 1),
        Figure("2026-10", "backlog", "holds_open", "decision_obstacle", 1),
        Figure("2026-10", "backlog", "something_new", "", 3),
    ]
    return out


class Cells(HTMLParser):
    """Every tagged table cell: data-key -> (data-value, text); charts by id with their marks."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, list[tuple[str, str]]] = {}
        self.charts: dict[str, dict[str, int]] = {}
        self._cell: tuple[str, str] | None = None
        self._text = ""
        self._chart: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "td" and a.get("data-key"):
            self._cell, self._text = (a["data-key"] or "", a.get("data-value") or ""), ""
        if tag == "svg" and "chart" in (a.get("class") or ""):
            assert a.get("role") == "img"
            self._chart = a.get("id") or ""
            self.charts[self._chart] = {"marks": 0, "no-data": 0}
        if self._chart and "mark" in (a.get("class") or "").split():
            self.charts[self._chart]["marks"] += 1
        if self._chart and a.get("class") == "no-data":
            self.charts[self._chart]["no-data"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell:
            key, value = self._cell
            self.cells.setdefault(key, []).append((value, self._text))
            self._cell = None
        if tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self._text += data


def parsed(html: str) -> Cells:
    cells = Cells()
    cells.feed(html)
    return cells


def test_every_row_of_the_export_is_on_the_page_with_its_value() -> None:
    export = rows()
    cells = parsed(render(export)).cells
    keys = {"|".join((r.month, r.stream, r.figure, r.group)): r for r in export}
    assert set(cells) == set(keys)
    for key, shown in cells.items():
        value = keys[key].value
        assert {v for v, _ in shown} == {str(value)}, key
        assert {t for _, t in shown} == {show(keys[key].figure, value)}, key
    assert cells["2026-10|pact|pact_in_time_share|"][0][1] == "80.0%"
    assert cells["2026-10|backlog|forecast_clearance|"][0][1] == "3 May 2027"


def test_each_chart_draws_its_figures_and_one_without_says_so() -> None:
    charts = parsed(render(rows())).charts
    assert set(charts) == {
        "chart-pact",
        "chart-backlog",
        "chart-forecast",
        "chart-amv",
        "chart-grants",
        "chart-holds",
        "chart-partners",
    }
    for name, found in charts.items():
        if name == "chart-partners":  # this export has no partner figures
            assert found == {"marks": 0, "no-data": 1}
        else:
            assert found["marks"] > 0, name
            assert found["no-data"] == 0, name
    empty = parsed(render([])).charts
    assert all(c == {"marks": 0, "no-data": 1} for c in empty.values())


def line(html: str, section: str) -> str:
    match = re.search(rf'<section id="{section}".*?<p class="line">(.*?)</p>', html, re.S)
    assert match, section
    return match.group(1)


def test_the_lines_say_whether_it_is_on_track() -> None:
    late = render(rows(late=1, open_oct=96, path_oct=95))
    assert "4 of 5 Pact first decisions (80.0%)" in line(late, "pact")
    assert "Not on track: 1 was late." in line(late, "pact")
    assert "Not on track: 1 above the path" in line(late, "backlog")
    assert "On track: before 12 June 2029." in line(late, "forecast")
    good = render(rows(late=0, open_oct=90, path_oct=95))
    assert "On track: none was late." in line(good, "pact")
    assert "On track: at or below the path" in line(good, "backlog")
    assert "no figures of what the chain partners were sent yet" in line(good, "partners")
    same = [*rows(), Figure("2026-09", "backlog", "amv_open", "", 7)]
    assert "Not going down: as many open as in Sep 2026." in line(render(same), "amv")
    fewer = [*rows(), Figure("2026-09", "backlog", "amv_open", "", 9)]
    assert "Going down: 2 fewer open than in Sep 2026." in line(render(fewer), "amv")


def test_partner_figures_are_drawn_when_the_export_has_them() -> None:
    export = [
        *rows(),
        Figure("2026-10", "backlog", "partner_notices", "coa.transport_requested", 4),
        Figure("2026-10", "pact", "partner_notices", "coa.transport_requested", 2),
        Figure("2026-10", "backlog", "partner_notices", "dtv.refusal_notified", 3),
        Figure("2026-10", "backlog", "expected_appeals", "", 2),
        Figure("2026-10", "backlog", "forecast_open_at_target", "", 0),
    ]
    html = render(export)
    assert parsed(html).charts["chart-partners"]["marks"] > 0
    partners = line(html, "partners")
    assert "6 transport requests (COA)" in partners
    assert "3 return cases (DT&amp;V)" in partners
    assert "2 expected appeals" in partners
    assert "Forecast still open on 12 June 2029: 0." in line(html, "forecast")
    cells = parsed(html).cells
    assert cells["2026-10|backlog|forecast_open_at_target|"] == [("0", "0")]
    assert cells["2026-10|pact|partner_notices|coa.transport_requested"] == [("2", "2")]


def test_every_partner_and_kind_is_named_on_the_page_and_in_the_documented_schema() -> None:
    export = [
        *rows(),
        *(
            Figure("2026-10", "backlog", "partner_notices", kind, n + 1)
            for n, kind in enumerate(PARTNER_KINDS)
        ),
    ]
    html = render(export)
    partners = line(html, "partners")
    cells = parsed(html).cells
    schema = SCHEMA_DOC.read_text(encoding="utf-8")
    for n, kind in enumerate(PARTNER_KINDS):
        assert f"{n + 1} {KINDS[kind]}" in partners.replace("&amp;", "&")
        assert cells[f"2026-10|backlog|partner_notices|{kind}"] == [(str(n + 1), str(n + 1))]
        assert f"`{kind}`" in schema
    for partner in ("COA", "DT&V", "courts", "Nidos", "lawyer"):
        assert any(partner in KINDS[k] for k in PARTNER_KINDS)


def test_nice_steps_are_round() -> None:
    assert [nice_step(s) for s in (1, 7, 100, 0.3, 54_000)] == [0.25, 2, 25, 0.1, 20_000]


def test_a_csv_export_reads_as_its_json(tmp_path: Path) -> None:
    write_figures(rows(), tmp_path / "figures")
    from_json = read_export(tmp_path / "figures.json")
    assert from_json == rows()
    assert read_export(tmp_path / "figures.csv") == from_json
    assert read_export(tmp_path / "figures") == from_json  # as export-figures is given


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "not JSON"),
        ('{"schema": "other/1", "rows": []}', "not a caseflow-monthly-figures/N document"),
        ('{"schema": "caseflow-monthly-figures/1", "rows": [{"month": "2026-10"}]}', "lacks"),
    ],
)
def test_a_file_that_is_no_export_is_refused_with_the_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(ExportError, match=reason):
        read_export(bad)


def test_the_command_writes_the_page_beside_the_open_data(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(figures_page)
    write_figures(rows(), tmp_path / "export")
    (tmp_path / "export.csv").unlink()  # a JSON export alone: the CSV is written from its rows
    out = tmp_path / "page"
    runner = CliRunner()
    done = runner.invoke(app, ["--export", str(tmp_path / "export"), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == ["figures.csv", "figures.json", "index.html"]
    assert read_export(out / "figures.csv") == rows()
    assert json.loads((out / "figures.json").read_text())["rows"] == [r.row() for r in rows()]
    assert 'href="figures.csv"' in (out / "index.html").read_text()
    missing = runner.invoke(app, ["--export", str(tmp_path / "nope"), "--out", str(out)])
    assert missing.exit_code == 2
    assert "no such export" in missing.output


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_keep_their_contrast_against_the_page() -> None:
    from planning.progress.page import STYLE

    for colour in PALETTE:  # chart marks: non-text contrast (WCAG 1.4.11)
        assert contrast(colour, "#ffffff") >= 3.0, colour
    text = re.findall(r"--(?:ink|muted|accent):(#[0-9a-f]{6})", STYLE)
    assert len(text) == 3
    for colour in text:  # text on white and on the table headers' band (WCAG 1.4.3)
        assert contrast(colour, "#ffffff") >= 4.5, colour
        assert contrast(colour, "#f2f4f7") >= 4.5, colour
    axis = re.search(r"svg \.axis\{font-size:13px;fill:(#[0-9a-f]{6})", STYLE)
    assert axis
    assert contrast(axis.group(1), "#ffffff") >= 4.5


def test_the_page_can_be_rendered_beside_the_export_itself(tmp_path: Path) -> None:
    write_figures(rows(), tmp_path / "figures")  # as the demo does: export and page in one folder
    before = (tmp_path / "figures.json").read_text()
    index = publish(tmp_path / "figures", tmp_path)
    assert index == tmp_path / "index.html"
    assert (tmp_path / "figures.json").read_text() == before
    assert read_export(tmp_path / "figures.csv") == rows()
