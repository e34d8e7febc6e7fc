"""The outbox rows the relay parked (never sendable) of the hearing service.

Revision ID: 0002
Revises: 0001
"""

from shared.runtime.database import create_outbox_parked_table

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_outbox_parked_table()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
