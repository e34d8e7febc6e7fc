"""Planning's hearing roster per month, and the 1F/NV hold's start for the hold gauges.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from shared.runtime.database import state_columns

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table("rosters", *state_columns("month"))
    op.add_column("cases", sa.Column("exclusion_since", sa.Date, nullable=True))
    op.create_index(
        "cases_on_exclusion_hold",
        "cases",
        ["exclusion_since"],
        postgresql_where=sa.text("exclusion_since IS NOT NULL"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
