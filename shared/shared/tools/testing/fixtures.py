"""pytest fixtures: real servers once per session, isolated topics and schemas per test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from shared.contracts.topics import TopicSpec, all_topics
from shared.runtime.broker import ensure_topics
from shared.runtime.database import asyncpg_dsn
from shared.runtime.settings import Settings
from shared.tools.testing.servers import Servers, real_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with real_servers(Path(tmp_path_factory.mktemp("servers"))) as found:
        print(f"\nreal servers for this session: {found.origin}")
        yield found


@pytest.fixture
async def settings(servers: Servers) -> AsyncIterator[Settings]:
    """Settings for one test: its own topic prefix and schema prefix on the session's servers;
    the idempotent producer on where the broker has it, as in production (deploy/)."""
    tag = uuid4().hex[:10]
    idempotence = {"kafka_idempotence": True} if servers.idempotent_producer else {}
    test_settings = Settings(
        kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
        database_url=servers.database_url,
        **idempotence,  # type: ignore[arg-type]
        topic_prefix=f"t{tag}.",
        schema_prefix=f"t{tag}_",
        batch_timeout_ms=20,
        relay_interval_ms=20,
        log_json=False,
    )
    # Few partitions per test topic: the broker holds a whole suite's worth of them.
    specs = [
        TopicSpec(s.name, s.kind, s.stream, s.owner, s.description, partitions=2)
        for s in all_topics()
    ]
    await ensure_topics(test_settings, specs)
    yield test_settings
    conn = await asyncpg.connect(asyncpg_dsn(servers.database_url))
    try:
        schemas = await conn.fetch(
            "select nspname from pg_namespace where nspname like $1", f"t{tag}_%"
        )
        for row in schemas:
            await conn.execute(f'DROP SCHEMA "{row["nspname"]}" CASCADE')
    finally:
        await conn.close()
    admin = AIOKafkaAdminClient(bootstrap_servers=servers.kafka_bootstrap_servers)
    await admin.start()
    try:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                admin.delete_topics(
                    [t for t in await admin.list_topics() if t.startswith(f"t{tag}.")]
                ),
                10,
            )
    finally:
        await admin.close()
