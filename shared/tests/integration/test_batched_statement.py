"""Rows written past SQLAlchemy (`BatchedStatement`, ADR 0039) belong to the session's
transaction: committed with it, rolled back with it, whether or not a statement ran before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import sqlalchemy

from shared.contracts.envelope import KafkaRecord
from shared.runtime.database import outbox_table
from shared.runtime.messaging import add_to_outbox
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo

pytestmark = pytest.mark.integration


def records(*keys: str) -> list[KafkaRecord]:
    return [
        KafkaRecord(
            topic="caseflow.test.v1",
            key=key.encode(),
            value=b'{"text": "x"}',
            headers=(("ce_type", b"test"), ("ce_id", key.encode())),
        )
        for key in keys
    ]


async def outbox_keys(runtime: ServiceRuntime) -> list[tuple[bytes, list[list[str]]]]:
    async with runtime.session_factory() as session:
        rows = await session.execute(
            sqlalchemy.select(outbox_table.c.key, outbox_table.c.headers).order_by(
                outbox_table.c.id
            )
        )
        return [(row.key, row.headers) for row in rows]


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(echo.definition, settings)
    await service.migrate()
    yield service
    await service.engine.dispose()


@pytest.mark.parametrize("statement_before", [True, False])
async def test_rows_commit_with_the_transaction(
    runtime: ServiceRuntime, statement_before: bool
) -> None:
    async with runtime.session_factory() as session, session.begin():
        if statement_before:  # the transaction has begun on the connection: asyncpg directly
            await session.execute(sqlalchemy.text("select 1"))
        await add_to_outbox(session, records("case-1", "case-2"))

    assert await outbox_keys(runtime) == [
        (b"case-1", [["ce_type", "test"], ["ce_id", "case-1"]]),
        (b"case-2", [["ce_type", "test"], ["ce_id", "case-2"]]),
    ]


@pytest.mark.parametrize("statement_before", [True, False])
async def test_rows_roll_back_with_the_transaction(
    runtime: ServiceRuntime, statement_before: bool
) -> None:
    async with runtime.session_factory() as session:
        transaction = await session.begin()
        if statement_before:
            await session.execute(sqlalchemy.text("select 1"))
        await add_to_outbox(session, records("case-3"))
        await transaction.rollback()

    assert await outbox_keys(runtime) == []
