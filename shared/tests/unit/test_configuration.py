"""Every setting is documented where operators look for it."""

from pathlib import Path

from shared.runtime.settings import Settings

DOCS = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_every_shared_setting_is_in_the_configuration_page() -> None:
    page = DOCS.read_text(encoding="utf-8")
    missing = [n for n in Settings.model_fields if f"`CASEFLOW_{n.upper()}`" not in page]
    assert missing == []


def test_settings_come_from_the_environment_with_the_prefix(monkeypatch) -> None:
    monkeypatch.setenv("CASEFLOW_BATCH_SIZE", "42")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    settings = Settings()
    assert settings.batch_size == 42
    assert settings.kafka_bootstrap_servers == "kafka.example:9092"
    assert settings.schema_for("chain-notify") == "chain_notify"
