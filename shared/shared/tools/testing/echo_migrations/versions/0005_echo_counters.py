"""Echo's second store: counters (the kit's other stores).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from shared.runtime.database import state_columns

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "echo_counters",
        *state_columns("name"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
