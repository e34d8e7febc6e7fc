"""The service kit's parked facts and recorded conflicts of the intake service.

Revision ID: 0005
Revises: 0004
"""

from shared.runtime.database import create_fact_tables

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_fact_tables()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
