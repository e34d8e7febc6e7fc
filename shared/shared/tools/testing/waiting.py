"""Waiting for the real servers in integration tests: poll a condition, read a table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncEngine


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Poll until the condition holds; fail the test when it does not within `timeout`."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached in {timeout:.0f}s")
        await asyncio.sleep(0.05)


async def table_rows(engine: AsyncEngine, table: Table) -> list[Any]:
    """Every row of a service's table, in id order when it has one."""
    order = table.c.id if "id" in table.c else next(iter(table.primary_key.columns))
    async with engine.connect() as conn:
        return list((await conn.execute(select(table).order_by(order))).all())
