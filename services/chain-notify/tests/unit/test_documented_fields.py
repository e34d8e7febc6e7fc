"""The field list per partner in docs/chain-notify.md names every field a partner message
carries (the allow-list itself is enforced in shared/tests/events/test_partners.py)."""

from __future__ import annotations

from pathlib import Path

from shared.contracts.events.catalogue import CATALOGUE, Direction

DOCS = Path(__file__).resolve().parents[4] / "docs" / "chain-notify.md"
NAMES = {"coa": "COA", "dtv": "DT&V", "courts": "courts", "nidos": "Nidos", "lawyer": "lawyer"}


def _rows() -> dict[str, str]:
    rows = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 4 and cells[1] in NAMES.values():
            rows[cells[1]] = cells[2]
    return rows


def test_every_partner_field_is_in_its_partners_row() -> None:
    rows = _rows()
    missing = []
    for spec in (s for s in CATALOGUE if s.direction is Direction.PARTNER):
        for consumer in spec.consumers:
            row = rows[NAMES[consumer.removeprefix("partner:")]]
            for field in spec.model.model_fields:
                # DT&V's and the courts' rows say "forecasts as COA" for the volume forecast.
                as_coa = spec.name == "VolumeForecast" and "forecasts as COA" in row
                if f"`{field}`" not in row and not as_coa:
                    missing.append(f"{spec.name}.{field} for {consumer}")
    assert missing == []
