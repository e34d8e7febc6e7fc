"""A refusal's courts notice held for the court district: when it was held, per case.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("cases", sa.Column("courts_held_since", sa.DateTime(timezone=True)))
    # Few rows are ever held: a partial index keeps the gauge's count cheap on a large table.
    op.create_index(
        "cases_courts_held",
        "cases",
        ["stream", "courts_held_since"],
        postgresql_where=sa.text("courts_held_since IS NOT NULL"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
