"""States parsed once and found again by the digest of their stored JSON (ADR 0035).

For a service that reads the same large states again and again (planning's declared months in
every batch, hearing's rosters in every daily pass). The table carries the SHA-256 of each
row's state in a column PostgreSQL generates as the row is written
(`add_state_digest_column`, in the service's migration); equal states give equal digests
(jsonb's text is canonical). A query sends the digests the process has parsed and gets a
row's state only when its digest is not among them, so nothing is ever stale, whichever
instance, migration or operator wrote the row, and there is nothing to invalidate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table, Text, any_, cast, literal_column
from sqlalchemy import case as case_when
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA
from sqlalchemy.sql.elements import ColumnElement

M = TypeVar("M", bound=BaseModel)


class Parsed(Generic[M]):
    """The states of one table as parsed in this process, by digest; at most `size`, the
    oldest dropped."""

    def __init__(self, model: type[M], size: int = 256) -> None:
        self.model = model
        self.size = size
        self._states: dict[bytes, M] = {}

    def known(self, which: Callable[[M], bool] | None = None) -> list[bytes]:
        """The digests held (of the states `which` selects: those the query may return)."""
        return [d for d, state in self._states.items() if which is None or which(state)]

    def states(self, rows: Iterable[Any]) -> list[M]:
        """The states of rows read as (digest, state or None when the digest was known)."""
        found = []
        for digest, state in rows:
            parsed = self._states.get(digest)
            if parsed is None:
                parsed = self._states[digest] = self.model.model_validate_json(state)
            found.append(parsed)
        while len(self._states) > self.size:  # after the rows: a digest sent stays until then
            del self._states[next(iter(self._states))]  # the oldest parsed
        return found


def digest_of(table: Table) -> ColumnElement[bytes]:
    """A row's digest, the generated column (not in the SQLAlchemy table: a service may create
    its tables from the current model before the digest's function exists)."""
    return literal_column(f"{table.name}.digest", BYTEA)


def state_unless(digest: ColumnElement[bytes], state: Any, known: list[bytes]) -> Any:
    """The state as JSON text (parsed by pydantic itself, as the kit reads states: ADR 0036),
    or NULL when its digest is among the known ones (not sent, not parsed)."""
    return case_when((digest == any_(cast(known, ARRAY(BYTEA))), None), else_=cast(state, Text))


def add_state_digest_column(table: str) -> None:
    """For a service's migration: the generated `digest` column of a state table."""
    from alembic import op

    # A generated column takes immutable functions only; converting jsonb's (canonical) text
    # to UTF-8 is immutable in a UTF-8 database, which every caseflow database is.
    op.execute(
        """
        CREATE OR REPLACE FUNCTION state_digest(state jsonb) RETURNS bytea
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT sha256(convert_to(state::text, 'UTF8')) $$
        """
    )
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN digest bytea "
        "GENERATED ALWAYS AS (state_digest(state)) STORED"
    )
