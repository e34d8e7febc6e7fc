"""Prephase's settings: documented, read from the environment, turned into its configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from prephase.domain import Requirement
from prephase.settings import PrephaseSettings
from shared.contracts.values import Category, Stream

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_prephase_setting_is_in_the_configuration_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    names = [f"`CASEFLOW_PREPHASE_{n.upper()}`" for n in PrephaseSettings.model_fields]
    assert [n for n in names if n not in page] == []


def test_settings_become_the_domain_configuration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.toml"
    requirements.write_text('A = ["attendance", "written_account"]\n', encoding="utf-8")
    monkeypatch.setenv("CASEFLOW_PREPHASE_PACT", "true")
    monkeypatch.setenv("CASEFLOW_PREPHASE_MAX_REINVITATIONS", "4")
    monkeypatch.setenv("CASEFLOW_PREPHASE_REQUIREMENTS_FILE", str(requirements))

    config = PrephaseSettings().config()

    assert config.streams == frozenset({Stream.BACKLOG, Stream.PACT})
    assert config.max_reinvitations == 4
    assert config.required(Category.A) == {Requirement.ATTENDANCE, Requirement.WRITTEN_ACCOUNT}
