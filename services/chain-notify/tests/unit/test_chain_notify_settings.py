"""Chain-notify's settings: documented, read from the environment, turned into its config."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from chain_notify.settings import ChainNotifySettings

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_chain_notify_setting_is_in_the_configuration_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    names = [f"`CASEFLOW_CHAIN_NOTIFY_{n.upper()}`" for n in ChainNotifySettings.model_fields]
    assert [n for n in names if n not in page] == []


def test_the_appeal_share_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEFLOW_CHAIN_NOTIFY_APPEAL_SHARE", "0.65")
    assert ChainNotifySettings().config().appeal_share == 0.65
    monkeypatch.setenv("CASEFLOW_CHAIN_NOTIFY_APPEAL_SHARE", "1.5")
    with pytest.raises(ValidationError):
        ChainNotifySettings()
