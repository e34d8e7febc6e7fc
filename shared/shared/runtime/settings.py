"""Settings, from the environment with one prefix: ``CASEFLOW_`` (docs/configuration.md lists them).

``KAFKA_BOOTSTRAP_SERVERS`` and ``DATABASE_URL`` are also read without the prefix, as
container platforms and CI commonly provide them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEFLOW_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:19092",
        validation_alias=AliasChoices(
            "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"
        ),
        description="Kafka bootstrap servers, comma-separated",
    )
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:15432/caseflow",
        validation_alias=AliasChoices("CASEFLOW_DATABASE_URL", "DATABASE_URL"),
        description="SQLAlchemy URL of the PostgreSQL database (asyncpg driver)",
    )
    kafka_idempotence: bool = Field(
        False,
        description="Idempotent producer; turn on for Apache Kafka (the embedded Tansu lacks it)",
    )
    topic_prefix: str = Field("", description="Prefix for every topic name (tests isolate with it)")
    schema_prefix: str = Field("", description="Prefix for every service's database schema")
    http_host: str = Field("127.0.0.1", description="Address of the /health and /metrics endpoint")
    http_port: int = Field(
        0, description="Port of the /health and /metrics endpoint (0: the service's default)"
    )
    batch_size: int = Field(
        500, ge=1, description="Most records a consumer handles in one transaction"
    )
    batch_timeout_ms: int = Field(
        100,
        ge=1,
        description="Longest a consumer's poll waits for records before it polls again; it "
        "returns as soon as any come",
    )
    max_record_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="Largest input record accepted (key, headers and value); larger ones are "
        "rejected with code too-large",
    )
    fetch_max_wait_ms: int = Field(
        500,
        ge=1,
        description="Longest a consumer's fetch waits for records (the embedded broker holds "
        "a fetch for the whole wait: keep it short there)",
    )
    topic_partitions: int = Field(
        0,
        ge=0,
        description="Most partitions a topic gets when this process creates it; 0: each "
        "topic's own count from the catalogue (12 for most). Simulated runs use 2: one "
        "instance per service needs no more, and the embedded broker's work for every idle "
        "fetch grows with the partitions it names",
    )
    simulated_clock: bool = Field(
        False,
        description="Follow the simulation driver's clock (caseflow.clock.v1) instead of the "
        "wall clock; timers fire per simulated day. Simulations only",
    )
    parked_fact_limit_hours: float = Field(
        72.0,
        gt=0,
        description="A fact parked for its case longer than this is flagged for operators "
        "(metric caseflow_parked_facts_overdue, a warning)",
    )
    # Longer than the input topics' retention (30 days): a record consumed again must still
    # find its id. Event topics are kept, but a group reads them from its committed offsets.
    inbox_retention_hours: float = Field(
        45 * 24.0,
        gt=30 * 24.0,
        description="How long a processed event id stays in the inbox; longer than the input "
        "topics' retention (30 days)",
    )
    inbox_prune_interval_seconds: float = Field(
        3600.0, gt=0, description="How often the inbox is pruned, on wall time (simulated runs too)"
    )
    inbox_prune_chunk: int = Field(
        10_000, ge=1, description="Most inbox rows deleted in one transaction while pruning"
    )
    relay_enabled: bool = Field(True, description="Run the outbox relay in the service process")
    relay_interval_ms: int = Field(200, ge=10, description="Outbox relay poll interval when idle")
    relay_stall_seconds: float = Field(
        60.0,
        gt=0,
        description="Records waiting and no relay pass succeeded this long: /health reports it",
    )
    log_level: str = Field("INFO", description="Log level")
    log_json: bool = Field(True, description="JSON log lines (false: human-readable console lines)")
    data_dir: Path = Field(Path(".data"), description="Where the embedded servers keep their data")
    embedded_postgres_port: int = Field(15432, description="Port of the embedded PostgreSQL")
    embedded_kafka_port: int = Field(
        19092, description="Port of the embedded Kafka-protocol broker"
    )
    # A dead consumer's partitions sit idle until its session times out and the group has
    # rebalanced: shorter is a quicker failover, too short a false one (docs/adr/0007).
    consumer_session_timeout_ms: int = Field(
        6000,
        ge=1000,
        description="How long the group waits for a silent consumer before its partitions move",
    )
    consumer_heartbeat_interval_ms: int = Field(
        1000,
        ge=100,
        description="How often a consumer tells the group it is alive (at most a third of the "
        "session timeout)",
    )
    consumer_rebalance_timeout_ms: int = Field(
        6000,
        ge=1000,
        description="How long a rebalance waits for the group's members to rejoin",
    )
    consumer_max_poll_interval_ms: int = Field(
        120_000,
        ge=1000,
        description="Longest pause between two polls (one batch's handling) before the "
        "consumer leaves the group",
    )

    def schema_for(self, service: str) -> str:
        return f"{self.schema_prefix}{service.replace('-', '_')}"
