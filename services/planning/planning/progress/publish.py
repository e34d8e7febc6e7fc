"""The page from any figures export file: read the rows (JSON or CSV), write the folder that is
published: index.html with figures.csv and figures.json beside it (docs/progress-page.md)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from planning.domain.figures import COLUMNS, Figure

from .page import render

SCHEMA_PREFIX = "caseflow-monthly-figures/"


class ExportError(ValueError):
    """The file is not a monthly figures export; the message says why."""


def _number(text: str) -> float | int | str:
    """A CSV value as the JSON has it: an integer, a fraction, or text (an ISO date)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _figure(row: dict[str, object], where: str) -> Figure:
    missing = [c for c in COLUMNS if c not in row]
    if missing:
        raise ExportError(f"{where}: a row lacks {', '.join(missing)}")
    value = row["value"]
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        raise ExportError(f"{where}: a value is neither a number nor text")
    return Figure(
        str(row["month"]), str(row["stream"]), str(row["figure"]), str(row["group"] or ""), value
    )


def find_export(path: Path) -> Path:
    """The file itself, or for a path without suffix (as export-figures takes) its .json, else
    its .csv."""
    if path.is_file():
        return path
    for suffix in (".json", ".csv"):
        if path.with_suffix(suffix).is_file():
            return path.with_suffix(suffix)
    raise ExportError(f"{path}: no such export (nor {path.name}.json or {path.name}.csv)")


def read_export(path: Path) -> list[Figure]:
    """The rows of a JSON export (schema caseflow-monthly-figures/N) or a CSV export."""
    file = find_export(path)
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        if reader.fieldnames is None or not set(COLUMNS) <= set(reader.fieldnames):
            raise ExportError(f"{file}: the CSV header is not {','.join(COLUMNS)}")
        return [_figure({**row, "value": _number(row["value"] or "")}, str(file)) for row in reader]
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportError(f"{file}: not JSON ({error.msg})") from None
    schema = payload.get("schema", "") if isinstance(payload, dict) else ""
    if not str(schema).startswith(SCHEMA_PREFIX) or not isinstance(payload.get("rows"), list):
        raise ExportError(f"{file}: not a {SCHEMA_PREFIX}N document with rows")
    return [_figure(row, str(file)) for row in payload["rows"] if isinstance(row, dict)]


def publish(export: Path, out: Path) -> Path:
    """Write out/index.html, with the export beside it as figures.csv and figures.json (copied
    as they are; a form the export lacks is written from its rows). Returns index.html."""
    from planning.cli import write_figures  # the export's own writer: one format

    rows = read_export(export)
    out.mkdir(parents=True, exist_ok=True)
    source = find_export(export)
    copied = set()
    for suffix in (".csv", ".json"):
        given, beside = source.with_suffix(suffix), out / f"figures{suffix}"
        if given.is_file():
            if not (beside.exists() and beside.samefile(given)):  # the demo exports in place
                shutil.copyfile(given, beside)
            copied.add(suffix)
    if copied != {".csv", ".json"}:
        missing = out / "missing"
        write_figures(rows, missing)
        for suffix in {".csv", ".json"} - copied:
            missing.with_suffix(suffix).replace(out / f"figures{suffix}")
        for suffix in copied:
            missing.with_suffix(suffix).unlink(missing_ok=True)
    index = out / "index.html"
    index.write_text(render(rows), encoding="utf-8")
    return index
