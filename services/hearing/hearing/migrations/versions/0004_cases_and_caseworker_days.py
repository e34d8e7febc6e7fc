"""Hearing's cases and the caseworker days the daily rate is counted against.

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
        sa.Column("slot_to_free", sa.Boolean, nullable=False),
        sa.Column("review_due", sa.Date, nullable=True),
        sa.Column("obstacle", sa.Text, nullable=True),
        sa.Column("on_hold_since", sa.Date, nullable=True),
        sa.Column("to_measure", sa.Boolean, nullable=False),
    )
    op.create_index(
        "cases_to_allocate",
        "cases",
        ["status"],
        postgresql_where=sa.text("status = 'waiting_slot'"),
    )
    op.create_index(
        "cases_with_a_slot_to_free",
        "cases",
        ["case_id"],
        postgresql_where=sa.text("slot_to_free"),
    )
    op.create_index(
        "cases_to_measure", "cases", ["case_id"], postgresql_where=sa.text("to_measure")
    )
    op.create_index(
        "cases_in_review", "cases", ["review_due"], postgresql_where=sa.text("status = 'heard'")
    )
    op.create_table(
        "caseworker_days",
        *state_columns("day_key"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
