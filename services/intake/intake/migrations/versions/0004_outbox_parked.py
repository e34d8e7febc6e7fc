"""The outbox rows the relay parked (never sendable) of the intake service.

Revision ID: 0004
Revises: 0003
"""

from shared.runtime.database import create_outbox_parked_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_outbox_parked_table()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
