"""`make services` (`make demo` without the simulation): every service healthy, then a clean
stop, nothing left behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import psutil
import pytest

from shared.runtime.database import asyncpg_dsn
from shared.runtime.services import SERVICES
from shared.tools.embedded import EmbeddedPostgres, free_port, port_in_use

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def _free_base_port() -> int:
    for _ in range(50):
        base = free_port()
        if base + len(SERVICES) < 65000 and not any(
            port_in_use("127.0.0.1", base + i) for i in range(len(SERVICES))
        ):
            return base
    raise RuntimeError("no run of free ports")


def _demo_env(data_dir: Path) -> tuple[dict[str, str], list[int]]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"}
    }
    base = _free_base_port()
    services = range(base, base + len(SERVICES))
    pg = kafka = base
    while pg in services or kafka in services or pg == kafka:  # a clash fails start-up
        pg, kafka = free_port(), free_port()
    env.update(
        CASEFLOW_DATA_DIR=str(data_dir),
        CASEFLOW_EMBEDDED_POSTGRES_PORT=str(pg),
        CASEFLOW_EMBEDDED_KAFKA_PORT=str(kafka),
        CASEFLOW_DEMO_BASE_PORT=str(base),
    )
    return env, [pg, kafka, *range(base, base + len(SERVICES))]


def _leftovers(data_dir: Path) -> list[str]:
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "environ"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        ours = str(data_dir) in cmdline or environ.get("CASEFLOW_DATA_DIR") == str(data_dir)
        if ours and process.status() != psutil.STATUS_ZOMBIE:
            found.append(f"{process.info['pid']}: {cmdline}")
    return found


def test_make_demo_runs_every_service_healthy_and_stops_cleanly(tmp_path: Path) -> None:
    env, ports = _demo_env(tmp_path / "data")

    done = subprocess.run(
        ["make", "services", "DEMO_SECONDS=3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "caseflow: all services healthy" in output
    for service in SERVICES:
        assert service.name in output
    assert "Stopped cleanly." in output
    assert _leftovers(tmp_path / "data") == []
    assert [p for p in ports if port_in_use("127.0.0.1", p)] == []


def test_a_second_demo_on_the_same_data_is_refused_and_ctrl_c_stops_the_first(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    env, ports = _demo_env(data_dir)
    # Its own process group, signalled as a whole: what a terminal does on Ctrl-C.
    first = subprocess.Popen(
        [sys.executable, "-m", "shared.tools.demo"],
        start_new_session=True,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            line = first.stdout.readline() if first.stdout else ""
            seen.append(line)
            if "all services healthy" in line or not line:
                break
        assert any("all services healthy" in line for line in seen), "".join(seen)

        second_env, _ = _demo_env(data_dir)
        second = subprocess.run(
            [sys.executable, "-m", "shared.tools.demo", "--seconds", "1"],
            cwd=ROOT,
            env=second_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert "is in use by" in second.stderr + second.stdout

        os.killpg(first.pid, signal.SIGINT)
        rest, _ = first.communicate(timeout=60)
        assert first.returncode == 0, rest
        assert "stopped cleanly" in rest

        # The servers outlived the services: no service lost its broker while stopping.
        for service in SERVICES:
            log = (data_dir / "logs" / f"{service.name}.log").read_text(encoding="utf-8")
            stopping = log[log.rindex("Shutting down") :]
            assert "Unable connect" not in stopping, service.name
    finally:
        if first.poll() is None:
            first.kill()
    assert _leftovers(data_dir) == []
    assert [p for p in ports if port_in_use("127.0.0.1", p)] == []


def _sql(postgres: EmbeddedPostgres, database: str, statement: str) -> object:
    url = asyncpg_dsn(postgres.url).rsplit("/", 1)[0]

    async def run() -> object:
        conn = await asyncpg.connect(f"{url}/{database}")
        try:
            return await conn.fetchval(statement)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_a_second_demo_run_starts_with_an_empty_database(tmp_path: Path) -> None:
    """The broker is memory-only; a database kept from an earlier run would skip re-sent
    input as duplicates and never answer it. So the demo starts both empty."""
    data_dir = tmp_path / "data"
    env, _ = _demo_env(data_dir)
    # What an earlier run leaves behind: its database, with a service's state in it.
    earlier = EmbeddedPostgres(data_dir / "postgres", int(env["CASEFLOW_EMBEDDED_POSTGRES_PORT"]))
    earlier.start()
    try:
        _sql(earlier, "postgres", "create database caseflow")
        _sql(earlier, "caseflow", "create table kept_from_an_earlier_run (id int)")
        assert _sql(earlier, "caseflow", "select to_regclass('kept_from_an_earlier_run')")
    finally:
        earlier.stop()

    done = subprocess.run(
        ["make", "services", "DEMO_SECONDS=1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Fresh start: removed the database of the previous run" in output
    again = EmbeddedPostgres(data_dir / "postgres", int(env["CASEFLOW_EMBEDDED_POSTGRES_PORT"]))
    again.start()
    try:
        assert _sql(again, "caseflow", "select to_regclass('kept_from_an_earlier_run')") is None
        # The services' schemas are the ones this run made, not the earlier run's.
        assert (
            _sql(again, "caseflow", "select count(*) from pg_namespace where nspname = 'intake'")
            == 1
        )
    finally:
        again.stop()
