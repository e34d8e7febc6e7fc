"""Hearing's rosters carry the digest of their state, computed by PostgreSQL as a row is
written (a generated column): the daily pass finds the roster it parsed before by it, and gets
a row's state only when it changed (ADR 0035).

Revision ID: 0007
Revises: 0006
"""

from shared.runtime.parsed import add_state_digest_column

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    add_state_digest_column("rosters")


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
