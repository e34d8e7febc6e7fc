"""`make demo`: the whole programme on driven time, with the simulated outside world.

Starts the embedded PostgreSQL and broker, every service as its own process on the simulated
clock, then runs the simulation with progress bars and prints the summary and the checks.

    python -m simulator --scale 0.1 --seed 2026
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import time
from datetime import date, timedelta

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from shared.contracts.topics import Stage, all_topics
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.collector import settle_after_start
from shared.runtime.logs import configure_logging
from shared.runtime.services import SERVICES
from shared.runtime.settings import Settings
from shared.tools.demo import NotHealthy, start_service, wait_healthy
from shared.tools.embedded import EmbeddedServers, exit_cleanly_on_sigterm, port_in_use

from .handoff import FIGURES_STEM, ExportFailed, export_planning_figures
from .page import show_progress_page
from .reading import summary_of
from .run import Simulation, tuned, tuning_environment
from .summary import Summary, checks
from .world import WorldConfig

console = Console(stderr=True)
PROGRAMME_START = date(2026, 10, 1)
REFRESHES_PER_SECOND = 4


def _progress(day: date, simulation: Simulation, started: float) -> Table:
    table = Table(title=f"simulated day {day.isoformat()}")
    for column in ("stage", "stream", "waiting", "in progress", "done"):
        table.add_column(column)
    rows = simulation.actors.progress()
    for stage in Stage:
        for stream in Stream:
            c = rows.get((stage, stream))
            if c:
                table.add_row(
                    stage, stream, str(c["waiting"]), str(c["in_progress"]), str(c["done"])
                )
    rate = simulation.report.events / max(1e-6, time.monotonic() - started)
    table.caption = f"{simulation.report.events} events, {rate:.0f} events/s"
    return table


def _summary_table(summary: Summary) -> Group:
    table = Table(title="summary (from the system's own events)")
    for column in ("stream", "registered", "decided", "on hold", "open"):
        table.add_column(column)
    for stream in ("backlog", "pact"):
        table.add_row(
            stream,
            str(summary.registered[stream]),
            str(summary.decided[stream]),
            str(summary.on_hold[stream]),
            str(summary.open(stream)),
        )
    notices = ", ".join(f"{p}: {n}" for p, n in sorted(summary.notices.items())) or "none yet"
    rejections = sum(summary.rejections.values())
    forecast = summary.forecast_line()
    check_table = Table(title="checks")
    for column in ("check", "passed", "figure"):
        check_table.add_column(column)
    for name, passed, figure in checks(summary):
        check_table.add_row(name, "yes" if passed else "NO", figure)
    return Group(
        table,
        f"partner notices: {notices}",
        f"rejections: {rejections}",
        f"forecast clearance: {forecast}",
        check_table,
    )


async def _simulate(settings: Settings, config: WorldConfig) -> Summary:
    simulation = Simulation(settings, config)
    started = time.monotonic()
    shown = 0.0

    def show(day: date, sim: Simulation) -> None:
        # At most as often as the display refreshes: the table counts every case, and a
        # thousand days a run, each a fraction of a second, redrew it for nobody.
        nonlocal shown
        if time.monotonic() - shown >= 1 / REFRESHES_PER_SECOND or day == config.ends:
            shown = time.monotonic()
            live.update(_progress(day, sim, started))

    with Live(console=console, refresh_per_second=REFRESHES_PER_SECOND) as live:
        await simulation.run(show)
    console.print(
        f"{simulation.report.days} days, {simulation.report.inputs} inputs, "
        f"{simulation.report.events} events in {simulation.report.seconds:.0f} s"
    )
    for line in simulation.report.cost_lines():
        console.print(line)
    return await summary_of(settings, PROGRAMME_START)


def run(config: WorldConfig, base_port: int = 0) -> int:
    settings = Settings()
    configure_logging("simulator", level="WARNING", json=False)
    processes: list[subprocess.Popen[bytes]] = []
    with EmbeddedServers(
        settings.data_dir,
        settings.embedded_postgres_port,
        settings.embedded_kafka_port,
        fresh_database=True,
    ) as servers:
        sim_settings = tuned(
            settings.model_copy(
                update={
                    "kafka_bootstrap_servers": servers.kafka.bootstrap_servers,
                    "database_url": servers.postgres.url,
                }
            )
        )
        asyncio.run(ensure_topics(sim_settings, all_topics()))
        logs = settings.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "CASEFLOW_DATABASE_URL": servers.postgres.url,
            "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
            **tuning_environment(),
        }
        ports = {s.name: base_port + i if base_port else s.port for i, s in enumerate(SERVICES)}
        taken = sorted(
            f"{name} ({port})" for name, port in ports.items() if port_in_use("127.0.0.1", port)
        )
        if taken:
            # A health check answered by another run's services would pass, and the run stall.
            console.print(
                f"[red]ports taken: {', '.join(taken)}; another demo running? Stop it, or set "
                "CASEFLOW_DEMO_BASE_PORT to a free range[/]"
            )
            return 1
        try:
            for service in SERVICES:
                port = ports[service.name]
                log = logs / f"{service.name}.log"
                processes.append(start_service(service.module, env, port, log))
            try:
                wait_healthy(dict(zip(ports, processes, strict=True)), ports, 120, logs)
            except NotHealthy as problem:
                console.print(f"[red]services did not come up: {problem}[/]")
                return 1
            console.print("every service healthy; simulating")
            settle_after_start()
            summary = asyncio.run(_simulate(sim_settings, config))
            console.print(_summary_table(summary))
            try:
                folder = export_planning_figures(sim_settings, config.ends)
            except ExportFailed as error:
                console.print(f"[red]no figures and no progress page: {error}[/]")
                return 1
            console.print(f"planning's monthly figures: {folder / FIGURES_STEM}.csv and .json")
            return 0 if show_progress_page(folder, env, console.print) else 1
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()


def main(
    scale: float = typer.Option(0.1, envvar="SCALE", help="Share of the real volumes (1: full)"),
    seed: int = typer.Option(2026, envvar="SEED", help="Seed of every random choice"),
    days: int = typer.Option(0, help="Simulate only this many days (0: the whole programme)"),
    above_triage: bool = typer.Option(False, help="Pact inflow above the triage threshold"),
    unlimited: bool = typer.Option(False, help="Unlimited caseworker capacity (benchmark)"),
    base_port: int = typer.Option(
        0,
        envvar="CASEFLOW_DEMO_BASE_PORT",
        help="First HTTP port; services take consecutive ports (0: their defaults)",
    ),
) -> None:
    config = WorldConfig(seed=seed, scale=scale, above_triage=above_triage, unlimited=unlimited)
    if days:
        config = dataclasses.replace(config, ends=config.starts + timedelta(days=days - 1))
    exit_cleanly_on_sigterm()
    raise typer.Exit(run(config, base_port))


if __name__ == "__main__":
    typer.run(main)
