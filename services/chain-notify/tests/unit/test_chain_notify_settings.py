"""Chain-notify's settings: documented, read from the environment, turned into its config."""

from __future__ import annotations

from pathlib import Path

import pytest

from chain_notify.settings import ChainNotifySettings

DOCS = Path(__file__).resolve().parents[4] / "docs" / "configuration.md"


def test_every_chain_notify_setting_is_in_the_configuration_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    names = [f"`CASEFLOW_CHAIN_NOTIFY_{n.upper()}`" for n in ChainNotifySettings.model_fields]
    assert [n for n in names if n not in page] == []


def test_the_appeal_share_is_not_chain_notify_s_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # Planning owns it and sends it with each plan cycle: an old variable is ignored.
    monkeypatch.setenv("CASEFLOW_CHAIN_NOTIFY_APPEAL_SHARE", "0.65")
    assert "appeal_share" not in ChainNotifySettings.model_fields
    assert not hasattr(ChainNotifySettings().config(), "appeal_share")
