"""Prephase's cases and location days.

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
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("hold", sa.Text, nullable=True),
        sa.Column("booked_day", sa.Text, nullable=True),
        sa.Column("interpreter", sa.Text, nullable=True),
    )
    # The daily pass reads the waiting cases and each day's bookings; operators count holds.
    op.create_index("waiting_cases", "cases", ["case_id"],
                    postgresql_where=sa.text("status = 'waiting'"))
    op.create_index("cases_by_booked_day", "cases", ["booked_day"],
                    postgresql_where=sa.text("booked_day IS NOT NULL"))
    op.create_index("cases_on_hold", "cases", ["hold"], postgresql_where=sa.text("hold IS NOT NULL"))
    op.create_table(
        "location_days",
        *state_columns("key"),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("location_days_by_day", "location_days", ["day"])


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
