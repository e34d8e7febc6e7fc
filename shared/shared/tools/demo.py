"""`make demo`: the whole system on the embedded default.

Starts the embedded PostgreSQL (emptied first: the broker is memory-only, see
EmbeddedServers) and Kafka-protocol broker, creates the topics,
starts every service as its own process (each migrates its schema first), waits
until all report healthy, prints their endpoints, and stops everything cleanly on
Ctrl-C or after --seconds.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import asyncpg
import typer
from rich.console import Console
from rich.table import Table

from shared.contracts.topics import all_topics
from shared.runtime.broker import ensure_topics
from shared.runtime.database import asyncpg_dsn
from shared.runtime.services import SERVICES
from shared.runtime.settings import Settings
from shared.tools.embedded import EmbeddedError, EmbeddedServers

console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


class Stop(Exception):
    pass


def _on_signal(signum: int, frame: object) -> None:
    # One stop is enough: a second Ctrl-C (or uv forwarding the first) must not cut clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


async def _create_database(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        if not await conn.fetchval("select 1 from pg_database where datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def healthy(port: int) -> bool:
    """Whether the service on this local port answers its health check with 200. Anything else
    (nothing listening yet, a 503, or an answer that is not HTTP from whatever holds the port)
    is "not yet": a service that cannot bind its port exits, and its start-up says so."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, http.client.HTTPException):  # URLError is an OSError
        return False


class NotHealthy(RuntimeError):
    """A service exited during start-up, or was not healthy in time."""


def start_service(
    module: str, env: Mapping[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    """`python -m <module> serve` as its own process on `port`, its output appended to `log`.
    A session of its own: a terminal's Ctrl-C reaches the caller only, which stops things in
    order."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, "serve"],
            env={**env, "CASEFLOW_HTTP_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_healthy(
    processes: Mapping[str, subprocess.Popen[bytes]],
    ports: Mapping[str, int],
    timeout: float,
    logs: Path,
) -> float:
    """Seconds until every service in `ports` answers its health check; raises NotHealthy
    naming a service that exited (and its log in `logs`), or those not healthy in time."""
    started = time.monotonic()
    waiting = set(ports)
    while waiting:
        for name in sorted(waiting):
            if processes[name].poll() is not None:
                raise NotHealthy(f"{name} exited during start-up; see its log in {logs}")
            if healthy(ports[name]):
                waiting.discard(name)
        if waiting and time.monotonic() - started > timeout:
            raise NotHealthy(f"not healthy after {timeout:.0f}s: {', '.join(sorted(waiting))}")
        if waiting:
            time.sleep(0.1)
    return time.monotonic() - started


def _stop_processes(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for name, process in processes.items():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]{name} did not stop in time; killing it[/]")
            process.kill()
            process.wait(5)


def run(seconds: float, base_port: int, health_timeout: float) -> int:
    settings = Settings()
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        with EmbeddedServers(
            settings.data_dir,
            settings.embedded_postgres_port,
            settings.embedded_kafka_port,
            fresh_database=True,  # Tansu starts empty, so must the database (README.md)
        ) as servers:
            if servers.wiped_database:
                console.print(
                    f"Fresh start: removed the database of the previous run "
                    f"({servers.postgres.data_dir}); the embedded broker keeps nothing between "
                    "runs, so the demo starts both empty."
                )
            try:
                _run_services(servers, settings, processes, seconds, base_port, health_timeout)
            finally:
                # Services first, then the servers they use.
                _stop_processes(processes)
        console.print("Stopped cleanly.")
        return 0
    except Stop as stop:
        console.print(f"{stop}: stopped cleanly.")
        return 0
    except EmbeddedError as error:
        console.print(f"[red]demo failed:[/] {error}")
        return 1


def _run_services(
    servers: EmbeddedServers,
    settings: Settings,
    processes: dict[str, subprocess.Popen[bytes]],
    seconds: float,
    base_port: int,
    health_timeout: float,
) -> None:
    database = "caseflow"
    console.print(
        f"PostgreSQL on 127.0.0.1:{servers.postgres.port}, "
        f"Kafka protocol (Tansu) on {servers.kafka.bootstrap_servers}"
    )
    asyncio.run(_create_database(servers.postgres.url, database))
    database_url = servers.postgres.url.rsplit("/", 1)[0] + f"/{database}"
    env = {
        **os.environ,
        "CASEFLOW_DATABASE_URL": database_url,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
    }
    env.pop("DATABASE_URL", None)
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    created = asyncio.run(
        ensure_topics(
            settings.model_copy(
                update={"kafka_bootstrap_servers": servers.kafka.bootstrap_servers}
            ),
            all_topics(),
        )
    )
    console.print(f"{len(created)} topics created")
    ports = {}
    logs_dir = settings.data_dir / "logs"
    logs_dir.mkdir(parents=True, exist_ok=True)
    for index, service in enumerate(SERVICES):
        port = base_port + index if base_port else service.port
        ports[service.name] = port
        log = logs_dir / f"{service.name}.log"
        processes[service.name] = start_service(service.module, env, port, log)
    try:
        wait_healthy(processes, ports, health_timeout, logs_dir)
    except NotHealthy as problem:
        raise EmbeddedError(str(problem)) from None
    table = Table(title="caseflow: all services healthy")
    for column in ("service", "health", "metrics", "log"):
        table.add_column(column)
    for name, port in ports.items():
        table.add_row(
            name,
            f"http://127.0.0.1:{port}/health",
            f"http://127.0.0.1:{port}/metrics",
            str(logs_dir / f"{name}.log"),
        )
    console.print(table)
    console.print(
        "Press Ctrl-C to stop." if not seconds else f"Stopping by itself in {seconds:g}s."
    )
    started = time.monotonic()
    while not seconds or time.monotonic() - started < seconds:
        for name, process in processes.items():
            if process.poll() is not None:
                raise EmbeddedError(f"{name} stopped unexpectedly; see {logs_dir / name}.log")
        time.sleep(0.2)
    console.print("Stopping.")


def main(
    seconds: float = typer.Option(
        0, help="Stop by itself after this many seconds (0: run until Ctrl-C)"
    ),
    base_port: int = typer.Option(
        0,
        envvar="CASEFLOW_DEMO_BASE_PORT",
        help="First HTTP port; services take consecutive ports (0: their defaults)",
    ),
    health_timeout: float = typer.Option(
        60, help="Seconds to wait for every service to be healthy"
    ),
) -> None:
    raise typer.Exit(run(seconds, base_port, health_timeout))


if __name__ == "__main__":
    typer.run(main)
