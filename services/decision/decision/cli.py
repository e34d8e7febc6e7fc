"""Decision's own commands, beside `serve` and `migrate`: the audit trail of a case, and the
cases at risk in the coming working days."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Annotated

import typer

from decision import persistence as db
from decision.domain.report import at_risk as at_risk_table
from decision.domain.report import audit_lines
from shared.runtime.clock import WallClock
from shared.runtime.database import make_engine
from shared.runtime.kit import AMSTERDAM
from shared.runtime.settings import Settings


async def _trail(settings: Settings, case_id: str) -> list[str] | None:
    engine = make_engine(settings.database_url, settings.schema_for("decision"))
    try:
        async with engine.connect() as conn:
            case = await db.load_case(conn, case_id)
    finally:
        await engine.dispose()
    return None if case is None else audit_lines(case)


def audit_trail(case_id: Annotated[str, typer.Argument(help="The case id")]) -> None:
    """Print who drafted, approved, voted and issued a case's decision, when, on which ground
    and policy version: the trail a court or the Inspectorate follows."""
    lines = asyncio.run(_trail(Settings(), case_id))
    if lines is None:
        typer.echo(f"decision does not know case {case_id}", err=True)
        raise typer.Exit(1)
    for line in lines:
        typer.echo(line)


async def _at_risk(settings: Settings, days: int, today: date) -> list[str]:
    engine = make_engine(settings.database_url, settings.schema_for("decision"))
    try:
        async with engine.connect() as conn:
            # Working days are never fewer than calendar days: this bound keeps them all.
            cases = await db.open_cases_due_by(conn, today + timedelta(days=2 * days + 14))
    finally:
        await engine.dispose()
    lines = []
    for (stream, stage), rows in at_risk_table(cases, today, days).items():
        lines.append(f"{stream} / {stage}: {len(rows)}")
        lines += [
            f"  {case_id}  deadline {deadline}  {left:+d} working days"
            for case_id, deadline, left in rows
        ]
    return lines


def at_risk(
    days: Annotated[int, typer.Option(min=0, help="Working days ahead")] = 10,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="The day to count from (default: today); under the simulated clock, its day",
        ),
    ] = None,
) -> None:
    """List the open cases whose deadline falls in the coming working days (or has passed),
    per stream and stage (planning, prephase, hearing, or the step at decision)."""
    today = as_of.date() if as_of else WallClock().now().astimezone(AMSTERDAM).date()
    for line in asyncio.run(_at_risk(Settings(), days, today)) or ["no cases at risk"]:
        typer.echo(line)
