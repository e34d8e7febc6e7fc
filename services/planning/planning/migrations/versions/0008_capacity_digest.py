"""Planning's declared months carry the digest of their state, computed by PostgreSQL as a row
is written (a generated column): a batch finds the month it parsed before by it, and gets a
row's state only when it changed (ADR 0035).

Revision ID: 0008
Revises: 0007
"""

from shared.runtime.parsed import add_state_digest_column

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    add_state_digest_column("capacity")


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
