"""The inbox and outbox of the decision service.

Revision ID: 0001
Revises:
"""

from shared.runtime.database import create_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
