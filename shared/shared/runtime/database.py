"""Async SQLAlchemy engine and sessions, schema per service, Alembic per service.

Every service owns one PostgreSQL schema; the connection's search_path points at it,
so a service's tables and migrations carry no schema name and tests can give each
test a schema of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import orjson
from alembic import command, context
from alembic.config import Config
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Insert,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    any_,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.sql.elements import ColumnElement


def asyncpg_dsn(database_url: str) -> str:
    """The settings' SQLAlchemy URL as asyncpg takes it (for a connection of its own)."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


def json_text(value: Any) -> str:
    # As the standard library's dumps reads them: keys that are not strings become strings.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def in_array(column: ColumnElement[Any], name: str) -> ColumnElement[bool]:
    """`column = ANY(:name)`, the values given as one array parameter `name`: one statement
    text whatever their number. An IN list of each length was another statement to compile and
    for PostgreSQL to prepare (ADR 0036)."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def make_engine(database_url: str, schema: str, *, pool_size: int = 5) -> AsyncEngine:
    return create_async_engine(
        database_url,
        pool_size=pool_size,
        # JSON columns read and written by orjson: the standard library's codec was a twentieth
        # of a service's time, in the daily passes that read whole queues (ADR 0036).
        json_serializer=json_text,
        json_deserializer=orjson.loads,
        # No ping before each checkout: it was a fifth of a service's SQL time (a round trip per
        # transaction). A connection PostgreSQL dropped fails its first statement instead; the
        # pool then drops every older connection, and the batch, relay pass or tick is retried
        # as after any fault of the server (docs/adr/0021, session 6).
        pool_pre_ping=False,
        hide_parameters=True,  # statement parameters are case data: keep them out of errors
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
    )


class BatchedStatement:
    """A statement run for many rows at once on the asyncpg connection under a session's
    transaction: compiled once, its rows given as tuples in its parameters' order. SQLAlchemy's
    own path built, processed and reordered a dict for every row, and cost more client CPU
    than the statement cost PostgreSQL (ADR 0039); the values go to asyncpg unchanged, as
    they did through SQLAlchemy (the kit's column types have no bind processing there)."""

    def __init__(self, statement: Insert) -> None:
        compiled = statement.compile(dialect=PGDialect_asyncpg())  # type: ignore[no-untyped-call]
        self.statement = statement
        self.sql = str(compiled)
        self.names: tuple[str, ...] = tuple(compiled.positiontup or ())

    async def run(self, session: AsyncSession, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        if driver is not None and driver.is_in_transaction():
            await driver.executemany(self.sql, rows)
        else:
            # Nothing has run in the transaction yet, so it has not begun on the connection:
            # through SQLAlchemy, which begins it (a statement past it would commit alone).
            await session.execute(
                self.statement, [dict(zip(self.names, r, strict=True)) for r in rows]
            )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# The inbox and outbox every service has; created by each service's first migration.
messaging_metadata = MetaData()


def _inbox_columns() -> list[Column[Any]]:
    return [
        Column("event_id", Uuid, primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _outbox_columns() -> list[Column[Any]]:
    return [
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("topic", Text, nullable=False),
        Column("key", LargeBinary, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _outbox_parked_columns() -> list[Column[Any]]:
    # The outbox row as it was (its id kept), and when and why the relay gave up on it.
    return [
        Column("id", BigInteger, primary_key=True, autoincrement=False),
        Column("topic", Text, nullable=False),
        Column("key", LargeBinary, nullable=False),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("reason", Text, nullable=False),
    ]


inbox_table = Table("inbox", messaging_metadata, *_inbox_columns())
outbox_table = Table("outbox", messaging_metadata, *_outbox_columns())
# Rows the broker will never take (too large, say): out of the relay's way, kept for an operator.
# The relay holds back every later outbox row with a parked row's key, hence the index.
outbox_parked_table = Table(
    "outbox_parked",
    messaging_metadata,
    *_outbox_parked_columns(),
    Index("outbox_parked_key", "key"),
)


def state_columns(key: str = "case_id") -> list[Column[Any]]:
    """The columns every typed-state table of the service kit starts with: its key, the state
    as JSON, and when it last changed (shared/shared/runtime/kit.py, `state_table`)."""
    return [
        Column(key, Text, primary_key=True),
        Column("state", JSONB, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _parked_fact_columns() -> list[Column[Any]]:
    # A fact from another service that came before what it builds on, kept until its case is
    # ready for it (shared/shared/runtime/kit.py).
    return [
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("case_key", Text, nullable=False),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("event", JSONB, nullable=False),
        Column("reason", Text, nullable=False),
        Column("parked_at", DateTime(timezone=True), nullable=False),
    ]


def _conflict_columns() -> list[Column[Any]]:
    # A fact that contradicts this service's state: recorded, counted, never a rejection.
    return [
        Column("id", BigInteger, Identity(always=True), primary_key=True),
        Column("case_key", Text, nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("topic", Text, nullable=False),
        Column("event", JSONB, nullable=False),
        Column("reason", Text, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    ]


parked_facts_table = Table(
    "parked_facts",
    messaging_metadata,
    *_parked_fact_columns(),
    Index("parked_facts_by_case", "case_key", "id"),
)
conflicts_table = Table("fact_conflicts", messaging_metadata, *_conflict_columns())


def create_messaging_tables() -> None:
    """For a service's first Alembic migration: create the inbox and the outbox."""
    from alembic import op

    op.create_table("inbox", *_inbox_columns())
    op.create_table("outbox", *_outbox_columns())


def create_outbox_parked_table() -> None:
    """For a service's migration after the first: the table of outbox rows the relay parked."""
    from alembic import op

    op.create_table("outbox_parked", *_outbox_parked_columns())
    op.create_index("outbox_parked_key", "outbox_parked", ["key"])


def create_fact_tables() -> None:
    """For a service's migration: the kit's parked facts and recorded conflicts."""
    from alembic import op

    op.create_table("parked_facts", *_parked_fact_columns())
    op.create_index("parked_facts_by_case", "parked_facts", ["case_key", "id"])
    op.create_table("fact_conflicts", *_conflict_columns())


def run_migrations_in_env(target_metadata: MetaData | None) -> None:
    """The body of every service's migrations/env.py (online, on a shared connection)."""
    connection: Connection | None = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `python -m <service> migrate`, not the alembic CLI")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table_schema=context.config.attributes["schema"],
    )
    with context.begin_transaction():
        context.run_migrations()


def _quoted(schema: str) -> str:
    if not schema.replace("_", "").isalnum():
        raise ValueError(f"unsafe schema name {schema!r}")
    return f'"{schema}"'


# The first key of the advisory lock that migrations of one schema take (the second: the schema).
MIGRATION_LOCK = 0x0CA5E_F10


async def migrate(engine: AsyncEngine, schema: str, script_location: str) -> None:
    """Create the schema if needed and upgrade it to the newest migration.

    Under a transaction-level advisory lock per schema: two instances starting at once would
    otherwise both create the schema or both run a migration; the second waits, then finds the
    schema at head and does nothing."""

    def upgrade(connection: Connection, /) -> None:
        config = Config()
        config.set_main_option("script_location", script_location)
        config.attributes["connection"] = connection
        config.attributes["schema"] = schema
        command.upgrade(config, "head")

    async with engine.begin() as conn:
        await conn.execute(
            select(func.pg_advisory_xact_lock(MIGRATION_LOCK, func.hashtext(schema)))
        )
        await conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {_quoted(schema)}"))
        await conn.execute(text(f"SET LOCAL search_path TO {_quoted(schema)}"))
        await conn.run_sync(upgrade)


async def prune_inbox_rows(session: AsyncSession, retention: timedelta, chunk: int) -> int:
    """Delete up to `chunk` inbox rows processed longer than `retention` ago; returns how many.

    The database's own now(), not the service clock: processed_at is the database's wall time
    of the commit, and what the retention guards against (a record consumed again) happens on
    the broker's wall time, whatever clock the service's domain follows. Rows are inserted in
    time order, so the old ones sit first and a chunk is found without an index; a pass that
    finds nothing old reads the whole inbox, which is why it runs on wall time, hourly, even
    under the simulated clock (an index on the age cost every event more: ADR 0021)."""
    old = (
        select(inbox_table.c.event_id)
        .where(inbox_table.c.processed_at < func.now() - retention)
        .limit(chunk)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(delete(inbox_table).where(inbox_table.c.event_id.in_(old)))
    return int(getattr(result, "rowcount", 0) or 0)


async def drop_schema(engine: AsyncEngine, schema: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(schema)} CASCADE"))


SessionFactory = Callable[[], AsyncSession]
