"""How far the adoption of a country policy has come: it re-categorises in chunks, one
transaction each, and resumes after a crash from the last case it committed.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("country_policies", sa.Column("adoption_cursor", sa.Text(), nullable=True))
    op.add_column(
        "country_policies",
        sa.Column("adoption_recategorised", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
