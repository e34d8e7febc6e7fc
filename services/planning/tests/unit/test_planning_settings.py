"""Planning's settings are documented and reach the domain's configuration."""

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from planning.domain.model import CohortPlan, Cycle
from planning.events import cycle_opened
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


def test_the_appeal_share_is_planning_s_and_travels_on_each_plan_cycle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEFLOW_PLANNING_APPEAL_SHARE", "0.65")
    config = PlanningSettings().config()
    assert config.appeal_share == 0.65
    cycle = Cycle(
        cycle_id="cycle-1",
        starts_on=date(2026, 11, 2),
        ends_on=date(2027, 2, 1),
        cohorts=(
            CohortPlan(
                cohort_id="a-syr", rank=3, category=Category.A, nationality="SYR", planned=10
            ),
        ),
        expected_grant_rate=0.2,
        backlog_days=5.0,
    )
    opened = cycle_opened(cycle, config)
    assert opened is not None
    assert opened.appeal_share == 0.65  # chain-notify's courts' forecast uses this one
    monkeypatch.setenv("CASEFLOW_PLANNING_APPEAL_SHARE", "1.5")
    with pytest.raises(ValidationError):
        PlanningSettings()
