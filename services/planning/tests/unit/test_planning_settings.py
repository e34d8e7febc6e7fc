"""Planning's settings are documented and reach the domain's configuration."""

from pathlib import Path

import pytest

from planning.settings import PlanningSettings
from shared.contracts.values import Category

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_planning_setting_is_in_the_configuration_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    missing = [
        n for n in PlanningSettings.model_fields if f"`CASEFLOW_PLANNING_{n.upper()}`" not in page
    ]
    assert missing == []


def test_settings_reach_the_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_PLANNING_RATE_A", "3")
    monkeypatch.setenv("CASEFLOW_PLANNING_PACT_VIA_PREPHASE", "true")
    config = PlanningSettings().config()
    assert config.rate(Category.A) == 3.0
    assert config.pact_via_prephase
