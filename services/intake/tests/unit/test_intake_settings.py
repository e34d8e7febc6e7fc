"""Intake's settings: documented, read from the environment, and turned into the domain config."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from intake.domain import Procedure, assign_stream
from intake.settings import IntakeSettings
from shared.contracts.values import Stream

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_intake_setting_is_documented() -> None:
    page = DOCS.read_text(encoding="utf-8")
    assert [
        n for n in IntakeSettings.model_fields if f"`CASEFLOW_INTAKE_{n.upper()}`" not in page
    ] == []


def test_the_cut_off_comes_from_configuration_with_its_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEFLOW_INTAKE_CUTOFF_DATE", "2026-07-01")
    monkeypatch.setenv("CASEFLOW_INTAKE_CUTOFF_SOURCE", "test: a later start")
    config = IntakeSettings().config()
    lodged = datetime(2026, 6, 20, 12, tzinfo=UTC)
    assert config.cutoff.source == "test: a later start"
    assert assign_stream(lodged, None, config.cutoff) is Stream.BACKLOG
    assert (
        assign_stream(lodged, None, IntakeSettings(cutoff_date=date(2026, 6, 12)).config().cutoff)
        is Stream.PACT
    )


def test_a_terms_file_overrides_the_default_terms(tmp_path: Path) -> None:
    terms = tmp_path / "terms.toml"
    terms.write_text(
        '[procedures.national_regular]\nlength = 8\nsource = "test: eight months"\n',
        encoding="utf-8",
    )
    config = IntakeSettings(terms_file=terms).config()
    assert config.terms.procedures[Procedure.NATIONAL_REGULAR].length == 8
    assert config.terms.procedures[Procedure.NATIONAL_REGULAR].source == "test: eight months"
