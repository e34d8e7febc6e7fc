"""The index on the inbox's age, which the daily pruning reads, of the planning service.

Revision ID: 0009
Revises: 0008
"""

from shared.runtime.database import create_inbox_age_index

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    create_inbox_age_index()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
