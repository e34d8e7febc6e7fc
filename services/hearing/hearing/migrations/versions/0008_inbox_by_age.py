"""The index on the inbox's age, which the daily pruning reads, of the hearing service.

Revision ID: 0008
Revises: 0007
"""

from shared.runtime.database import create_inbox_age_index

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    create_inbox_age_index()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
