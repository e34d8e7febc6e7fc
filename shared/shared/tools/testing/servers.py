"""Which real servers the tests talk to, in this order:

1. servers named by KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL (each on its own);
2. testcontainers (Apache Kafka in KRaft mode, PostgreSQL) when CASEFLOW_TEST_CONTAINERS=1
   and a Docker engine answers;
3. the embedded servers, in a temporary folder on free ports.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.tools.embedded import EmbeddedKafka, EmbeddedPostgres, free_port


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap_servers: str
    database_url: str
    origin: str  # "environment", "testcontainers" or "embedded", per server
    postgres: EmbeddedPostgres | None = None  # when embedded: tests can restart it

    @property
    def idempotent_producer(self) -> bool:
        """Whether the broker takes the idempotent producer: Apache Kafka from testcontainers
        does; the embedded Tansu does not (docs/architecture.md), and a broker named by
        KAFKA_BOOTSTRAP_SERVERS follows CASEFLOW_KAFKA_IDEMPOTENCE as the services do."""
        return "kafka: testcontainers" in self.origin


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


def _asyncpg_url(url: str) -> str:
    for prefix in (
        "postgresql+psycopg2://",
        "postgresql+psycopg://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


@contextlib.contextmanager
def real_servers(workdir: Path) -> Iterator[Servers]:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database = os.environ.get("DATABASE_URL")
    origins = []
    postgres: EmbeddedPostgres | None = None
    with contextlib.ExitStack() as stack:
        want_containers = os.environ.get("CASEFLOW_TEST_CONTAINERS") == "1" and _docker_answers()
        if kafka:
            origins.append("kafka: environment")
        elif want_containers:
            from testcontainers.kafka import KafkaContainer

            container = stack.enter_context(KafkaContainer().with_kraft())
            kafka = container.get_bootstrap_server()
            origins.append("kafka: testcontainers")
        else:
            broker = EmbeddedKafka(workdir / "kafka", free_port())
            broker.start()
            stack.callback(broker.stop)
            kafka = broker.bootstrap_servers
            origins.append("kafka: embedded")
        if database:
            database = _asyncpg_url(database)
            origins.append("postgres: environment")
        elif want_containers:
            from testcontainers.postgres import PostgresContainer

            pg = stack.enter_context(PostgresContainer("postgres:17", driver="asyncpg"))
            database = pg.get_connection_url()
            origins.append("postgres: testcontainers")
        else:
            postgres = EmbeddedPostgres(workdir / "postgres", free_port())
            postgres.start()
            stack.callback(postgres.stop)
            database = postgres.url
            origins.append("postgres: embedded")
        embedded_pg = postgres if "postgres: embedded" in origins else None
        yield Servers(kafka, database, ", ".join(origins), embedded_pg)
