"""Echo on the service kit: its cases as typed state (the effects table goes).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from shared.runtime.database import state_columns

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.drop_table("echo_effects")
    op.create_table(
        "echo_cases",
        *state_columns(),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
