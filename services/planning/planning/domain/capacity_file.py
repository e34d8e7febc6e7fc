"""A capacity file as a planner writes it: per month what the organisation has, the teams with
their caseworkers, hours and specialisms, the rates and the prephase locations (R11-R13).

TOML, one table per month under `months`, each a CapacityDeclared in the message's own field
names; `[defaults]` fills what a month leaves out (teams, rates and locations are replaced as
a whole, not merged). Each month is checked as planning checks the message: the schema's
bounds (negative hours, a negative count), then planning's own reasons (a zero rate, a team
twice, a month in the past). A file with any problem publishes nothing.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from shared.contracts.events.planning import CapacityDeclared

from .inputs import capacity_problem


@dataclass(frozen=True)
class CapacityFile:
    months: tuple[tuple[str, CapacityDeclared], ...]
    problems: tuple[str, ...]


def read_capacity(text: str, today: date) -> CapacityFile:
    """The months of a capacity file, in month order, and every problem found (plain words)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return CapacityFile((), (f"not a TOML file: {error}",))
    defaults: Mapping[str, Any] = data.get("defaults", {})
    months: Mapping[str, Any] = data.get("months", {})
    if not isinstance(months, dict) or not isinstance(defaults, dict) or not months:
        return CapacityFile((), ('no [months."YYYY-MM"] table',))
    found: list[tuple[str, CapacityDeclared]] = []
    problems: list[str] = []
    for month in sorted(months):
        if not isinstance(months[month], dict):
            problems.append(f"{month}: not a table")
            continue
        try:
            declared = CapacityDeclared.model_validate({**defaults, **months[month]})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problems.append(f"{month}: {where}: {first['msg']}")
            continue
        try:
            problem = capacity_problem(month, declared, today)
        except ValueError:
            problem = "not a month (YYYY-MM)"
        if problem:
            problems.append(f"{month}: {problem}")
        else:
            found.append((month, declared))
    return CapacityFile(tuple(found), tuple(problems))
