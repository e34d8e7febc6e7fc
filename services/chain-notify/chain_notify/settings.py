"""Chain-notify's own settings (prefix CASEFLOW_CHAIN_NOTIFY_), turned into the domain's config."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from chain_notify.domain.state import DEFAULT_CONFIG, NotifyConfig


class ChainNotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_CHAIN_NOTIFY_", extra="ignore")

    appeal_share: float = Field(
        DEFAULT_CONFIG.appeal_share,
        ge=0,
        le=1,
        description="Share of refusals expected to be appealed, for the courts' weekly forecast",
    )

    def config(self) -> NotifyConfig:
        return NotifyConfig(appeal_share=self.appeal_share)
