"""Planning's own commands, beside `serve` and `migrate`: the clearance forecast with what-ifs,
the explanation of a cycle or a case, a case's timeline, and the monthly figures as open data
(CSV and JSON, docs/planning-figures.md), kept or rebuilt from the topics, and the monthly
progress page rendered from such an export (docs/progress-page.md)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from planning import persistence as db
from planning.domain.capacity import month_key
from planning.domain.capacity_file import read_capacity
from planning.domain.cohorts import rotated_out
from planning.domain.explain import explain_case, explain_cycle, timeline
from planning.domain.figures import COLUMNS, Figure, monthly_figures
from planning.domain.forecast import WhatIf, summary_lines
from planning.domain.forecast import forecast as run_forecast
from planning.domain.model import ForecastMade
from planning.domain.records import CaseRecord, Step
from planning.forecasting import forecast_inputs
from planning.rebuild import forecasts as rebuilt_forecasts
from planning.rebuild import rebuild
from planning.settings import PlanningSettings
from shared.contracts.envelope import encode, new_event
from shared.contracts.topics import PLANNING_INPUT, TopicNames
from shared.contracts.values import Category
from shared.runtime.broker import publish_records
from shared.runtime.clock import WallClock
from shared.runtime.database import make_engine
from shared.runtime.kit import AMSTERDAM
from shared.runtime.settings import Settings

T = TypeVar("T")


def _today() -> date:
    return WallClock().now().astimezone(AMSTERDAM).date()


async def _with_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = Settings()
    engine = make_engine(settings.database_url, settings.schema_for("planning"))
    try:
        async with AsyncSession(engine) as session:
            return await work(session)
    finally:
        await engine.dispose()


def _config() -> Any:
    from planning.app import SETTINGS  # the service's settings, read when a command runs

    return SETTINGS.config()


def forecast(
    caseworkers: Annotated[
        list[str] | None,
        typer.Option("--caseworkers", help="MONTH:DELTA, e.g. 2027-03:+40 (repeatable)"),
    ] = None,
    pact_inflow: Annotated[float, typer.Option(min=0, help="Pact inflow factor")] = 1.0,
    rate: Annotated[
        list[str] | None, typer.Option("--rate", help="CATEGORY:PER_DAY, e.g. A:2.5")
    ] = None,
    target_grant_rate: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    band: Annotated[float | None, typer.Option(min=0, max=1, help="grant-rate band")] = None,
) -> None:
    """When the backlog is cleared at this capacity (R5), and what if."""
    what_if = WhatIf(
        caseworkers=tuple((m, float(d)) for m, d in (c.split(":", 1) for c in caseworkers or [])),
        pact_inflow_factor=pact_inflow,
        hearing_rates={Category(c): float(r) for c, r in (x.split(":", 1) for x in rate or [])},
        target_grant_rate=target_grant_rate,
        grant_rate_band=band,
    )
    config = _config()
    inputs = asyncio.run(_with_session(lambda s: forecast_inputs(s, _today(), config)))
    for line in summary_lines(run_forecast(inputs, config, what_if)):
        typer.echo(line)


async def _explain(session: AsyncSession, target: str) -> list[str] | None:
    config = _config()
    today = _today()
    if target.startswith("cycle-"):
        cycles = {c.cycle_id: c for c in await db.all_cycles(session)}
        cycle = cycles.get(target)
        if cycle is None:
            return None
        earlier = [c for c in cycles.values() if c.starts_on < cycle.starts_on]
        earlier.sort(key=lambda c: c.starts_on, reverse=True)
        history = [(config.cycle_months, c.nationalities()) for c in earlier]
        capacity = (await db.capacities(session)).get(month_key(cycle.starts_on))
        return explain_cycle(
            cycle,
            config,
            await db.pool_summary(session),
            prephase_operational=bool(capacity and capacity.prephase_location_operational),
            rotated=rotated_out(history, config.rotation_months),
        )
    case = await db.load_pool_case(session, target)
    if case is None:
        return None
    return explain_case(case, await db.load_record(session, target), today)


def explain(
    target: Annotated[str, typer.Argument(help="A plan cycle id (cycle-...) or a case id")],
) -> None:
    """Why each cohort of a cycle was chosen or left out; why a case is held or waiting."""
    lines = asyncio.run(_with_session(lambda s: _explain(s, target)))
    if lines is None:
        typer.echo(f"planning does not know {target}", err=True)
        raise typer.Exit(1)
    for line in lines:
        typer.echo(line)


async def _timeline(session: AsyncSession, case_id: str) -> list[str] | None:
    record = await db.load_record(session, case_id)
    if record is None:
        return None
    case = await db.load_pool_case(session, case_id)
    released = any(s.stage == "planning" for s in record.steps)
    if case is not None and case.release_day and not released:
        # A backlog release is made by the daily pass: the pool keeps it, the record shows it.
        step = Step(day=case.release_day, stage="planning", what=f"released to {case.stage}")
        steps = tuple(sorted((*record.steps, step), key=lambda s: s.day))
        record = record.model_copy(update={"steps": steps})
    return timeline(record, _today())


def where(case_id: Annotated[str, typer.Argument(help="The case id")]) -> None:
    """Where is this case: its steps across the stages, what it waits for, its deadline."""
    lines = asyncio.run(_with_session(lambda s: _timeline(s, case_id)))
    if lines is None:
        typer.echo(f"planning does not know case {case_id}", err=True)
        raise typer.Exit(1)
    for line in lines:
        typer.echo(line)


def write_figures(figures: list[Figure], out: Path) -> None:
    """`out`.csv and `out`.json: the same rows, one schema (docs/planning-figures.md)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(f.row() for f in figures)
    out.with_suffix(".csv").write_text(buffer.getvalue())
    payload = {"schema": "caseflow-monthly-figures/1", "rows": [f.row() for f in figures]}
    out.with_suffix(".json").write_text(json.dumps(payload, indent=1) + "\n")


async def _records(session: AsyncSession) -> tuple[list[CaseRecord], list[ForecastMade]]:
    made = [f for c in await db.all_cycles(session) for f in c.forecasts]
    return await db.all_records(session), made


def export_figures(
    out: Annotated[Path, typer.Argument(help="Path without suffix: writes .csv and .json")],
    from_topics: Annotated[
        bool, typer.Option(help="Rebuild the records from the topics instead of the tables")
    ] = False,
    until: Annotated[
        str | None,
        typer.Option(
            help="Last day (YYYY-MM-DD) of the figures' last month; default today "
            "(a simulated run passes its own last day)"
        ),
    ] = None,
) -> None:
    """The monthly figures (R14) as open data, CSV and JSON."""
    if from_topics:
        from planning.app import rules

        settings = Settings()
        records = list(asyncio.run(rebuild(settings, rules())).values())
        made = asyncio.run(rebuilt_forecasts(settings))
    else:
        records, made = asyncio.run(_with_session(_records))
    appeal_share = PlanningSettings().config().appeal_share
    last_day = date.fromisoformat(until) if until else _today()
    figures = monthly_figures(records, last_day, made, appeal_share)
    write_figures(figures, out)
    typer.echo(f"{len(figures)} figures over {len(records)} cases to {out}.csv and {out}.json")


DEMO_CAPACITY = Path(__file__).with_name("data") / "demo-capacity.toml"


def declare_capacity(
    file: Annotated[Path, typer.Argument(help="A capacity file (TOML, docs/planning.md)")] = (
        DEMO_CAPACITY
    ),
    planner: Annotated[str, typer.Option(help="The planner's id, as in the actor")] = "pl-0001",
    as_of: Annotated[
        str | None, typer.Option(help="Judge 'in the past' against this day (YYYY-MM-DD)")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Check the file only; publish nothing")] = False,
) -> None:
    """Check a planner's capacity file and publish one CapacityDeclared per month, as the
    planners' front-end would; a file with any problem publishes nothing."""
    today = date.fromisoformat(as_of) if as_of else _today()
    read = read_capacity(file.read_text(), today)
    for problem in read.problems:
        typer.echo(f"refused: {problem}", err=True)
    if read.problems:
        raise typer.Exit(1)
    if not dry_run:
        settings = Settings()
        events = [
            new_event(
                declared,
                subject=month,
                stream=None,
                source="/front-end/planner",
                actor=f"planner:{planner}",
                time=WallClock().now(),
            )
            for month, declared in read.months
        ]
        names = TopicNames(settings.topic_prefix)
        records = [encode(e, names(PLANNING_INPUT)) for e in events]
        asyncio.run(publish_records(settings, records))
    verb = "checked" if dry_run else "published"
    typer.echo(
        f"{verb} capacity for {len(read.months)} months: " + ", ".join(m for m, _ in read.months)
    )


def figures_page(
    export: Annotated[
        Path, typer.Option(help="A figures export: .json or .csv, or the path without suffix")
    ],
    out: Annotated[Path, typer.Option(help="Folder for index.html, figures.csv, figures.json")],
) -> None:
    """The monthly progress page (R14) from any figures export (docs/progress-page.md)."""
    from planning.progress.publish import ExportError, publish

    try:
        index = publish(export, out)
    except ExportError as error:
        typer.echo(f"cannot render the page: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"progress page written to {index}")


COMMANDS: tuple[Callable[..., None], ...] = (
    forecast,
    explain,
    where,
    export_figures,
    declare_capacity,
    figures_page,
)
