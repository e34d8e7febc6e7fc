"""Hearing's settings: documented, read from the environment, turned into the domain config."""

from pathlib import Path

import pytest

from hearing.settings import HearingSettings

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_hearing_setting_is_documented() -> None:
    page = DOCS.read_text(encoding="utf-8")
    fields = HearingSettings.model_fields
    assert [n for n in fields if f"`CASEFLOW_HEARING_{n.upper()}`" not in page] == []


def test_rates_and_written_categories_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEFLOW_HEARING_DAILY_RATES", '{"A": 3}')
    monkeypatch.setenv("CASEFLOW_HEARING_WRITTEN_CATEGORIES", '["C"]')
    monkeypatch.setenv("CASEFLOW_HEARING_PACT_VIA_PREPHASE", "true")
    config = HearingSettings().config()
    assert config.daily_rates["A"] == 3
    assert config.daily_rates["C"] == 1  # the defaults stay for the rest
    assert config.written_categories == frozenset({"C"})
    assert config.pact_via_prephase
