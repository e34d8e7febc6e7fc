"""Two instances of one service side by side (issue 9): migrations under a lock, a timer on one
instance at a time, the inbox pruned in chunks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import insert, select, text

from shared.runtime.database import inbox_table
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.embedded import free_port
from shared.tools.testing import echo

pytestmark = pytest.mark.integration


async def test_two_instances_migrating_one_empty_schema_at_once_both_succeed(
    settings: Settings,
) -> None:
    first, second = (
        ServiceRuntime(echo.definition, settings),
        ServiceRuntime(echo.definition, settings),
    )
    try:
        await asyncio.gather(first.migrate(), second.migrate())
        async with first.engine.connect() as conn:
            versions = (await conn.execute(text("select version_num from alembic_version"))).all()
    finally:
        await asyncio.gather(first.engine.dispose(), second.engine.dispose())
    assert len(versions) == 1


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_HTTP_PORT": str(port),
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "shared.tools.testing.echo", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.mark.slow
async def test_two_instances_started_at_the_same_moment_on_an_empty_schema_both_come_up(
    settings: Settings, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    processes = [_serve(settings, p, tmp_path / f"echo-{i}.log") for i, p in enumerate(ports)]
    try:
        deadline = time.monotonic() + 90
        while not all(_ready(p) for p in ports):
            for i, process in enumerate(processes):
                log = (tmp_path / f"echo-{i}.log").read_text()[-2000:]
                assert process.poll() is None, f"instance {i} exited: {log}"
            assert time.monotonic() < deadline, "the two instances never both became ready"
            await asyncio.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


async def test_an_exclusive_timer_runs_on_one_instance_at_a_time(settings: Settings) -> None:
    first, second = (
        ServiceRuntime(echo.definition, settings),
        ServiceRuntime(echo.definition, settings),
    )
    await first.migrate()
    running: list[str] = []
    overlapped: list[bool] = []

    async def slow(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
        overlapped.append(bool(running))
        running.append("x")
        await asyncio.sleep(0.5)  # long enough for the other instance to try meanwhile
        running.pop()

    try:
        exclusive = Periodic("slow", 60, slow)
        await asyncio.gather(first.run_periodic(exclusive), second.run_periodic(exclusive))
        ran_exclusive = len(overlapped)
        shared = Periodic("slow-everywhere", 60, slow, exclusive=False)
        await asyncio.gather(first.run_periodic(shared), second.run_periodic(shared))
    finally:
        await asyncio.gather(first.engine.dispose(), second.engine.dispose())
    assert ran_exclusive == 1
    assert overlapped[1:] == [False, True]  # the non-exclusive one ran on both, side by side
    # Each pass is timed by task for the operators (the one that lost the lock too, briefly).
    timed = [
        first.registry.get_sample_value("caseflow_periodic_pass_seconds_count", {"task": t})
        for t in ("slow", "slow-everywhere")
    ]
    assert timed == [1, 1]
    slowest = first.registry.get_sample_value(
        "caseflow_periodic_pass_seconds_sum", {"task": "slow-everywhere"}
    )
    assert slowest is not None
    assert slowest >= 0.5


async def test_the_inbox_forgets_ids_past_the_retention_in_chunks(settings: Settings) -> None:
    pruning = settings.model_copy(update={"inbox_prune_chunk": 2})
    runtime = ServiceRuntime(echo.definition, pruning)
    await runtime.migrate()
    old, new = [uuid4() for _ in range(5)], [uuid4() for _ in range(3)]
    prune = next(p for p in runtime.periodic if p.name == "prune-inbox")
    try:
        async with runtime.engine.begin() as conn:
            past = datetime(2020, 1, 1, tzinfo=UTC)  # far past any retention
            rows = [{"event_id": i, "processed_at": past} for i in old]
            await conn.execute(insert(inbox_table), rows)
            await conn.execute(insert(inbox_table), [{"event_id": i} for i in new])
        passes = await runtime.run_periodic(prune)
        async with runtime.engine.connect() as conn:
            kept = set((await conn.execute(select(inbox_table.c.event_id))).scalars())
    finally:
        await runtime.engine.dispose()
    assert kept == set(new)
    assert passes == 2  # chunks of two: 2 + 2 (more to do), then 1 (done)
