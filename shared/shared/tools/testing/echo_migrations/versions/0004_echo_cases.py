"""Echo on the service kit: its cases as typed state (the effects table goes).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.drop_table("echo_effects")
    op.create_table(
        "echo_cases",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("state", JSONB, nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
