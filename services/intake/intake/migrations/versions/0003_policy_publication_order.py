"""Publication order of country policies: several can be recorded at one now().

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    # Existing rows are numbered in table order, which is their insertion order here.
    op.add_column(
        "country_policies",
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
    )
    op.create_unique_constraint("country_policies_seq_key", "country_policies", ["seq"])


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
