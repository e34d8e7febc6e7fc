"""Decision's cases: the state, and the columns of the deadline watch and the figures.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from shared.runtime.database import state_columns

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "cases",
        *state_columns(),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("watch_on", sa.Date, nullable=True),
        sa.Column("on_hold", sa.Boolean, nullable=False),
        sa.Column("category", sa.Text, nullable=True),
        sa.Column("cycle", sa.Text, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
        sa.Column("rate_reported", sa.Boolean, nullable=False),
    )
    # Partial indexes: the watch reads only watched cases, the figures only unreported ones.
    op.create_index(
        "cases_to_watch", "cases", ["watch_on"], postgresql_where=sa.text("watch_on IS NOT NULL")
    )
    op.create_index(
        "cases_to_report", "cases", ["stream"], postgresql_where=sa.text("NOT rate_reported")
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
