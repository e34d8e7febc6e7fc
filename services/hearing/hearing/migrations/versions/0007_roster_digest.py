"""Hearing's rosters carry the digest of their state, computed by PostgreSQL as a row is
written (a generated column): the daily pass finds the roster it parsed before by it, and gets
a row's state only when it changed (ADR 0035).

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    # A generated column takes immutable functions only; converting jsonb's (canonical) text
    # to UTF-8 is immutable in a UTF-8 database, which every caseflow database is.
    op.execute(
        """
        CREATE FUNCTION state_digest(state jsonb) RETURNS bytea
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT sha256(convert_to(state::text, 'UTF8')) $$
        """
    )
    op.execute(
        "ALTER TABLE rosters ADD COLUMN digest bytea "
        "GENERATED ALWAYS AS (state_digest(state)) STORED"
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
