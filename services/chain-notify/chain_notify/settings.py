"""Chain-notify's own settings (prefix CASEFLOW_CHAIN_NOTIFY_), turned into the domain's config."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from chain_notify.domain.state import NotifyConfig


class ChainNotifySettings(BaseSettings):
    """None yet: the courts' appeal share comes with the plan (CASEFLOW_PLANNING_APPEAL_SHARE)."""

    model_config = SettingsConfigDict(env_prefix="CASEFLOW_CHAIN_NOTIFY_", extra="ignore")

    def config(self) -> NotifyConfig:
        return NotifyConfig()
