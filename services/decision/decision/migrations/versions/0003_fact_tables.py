"""The service kit's parked facts and recorded conflicts of the decision service.

Revision ID: 0003
Revises: 0002
"""

from shared.runtime.database import create_fact_tables

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_fact_tables()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
