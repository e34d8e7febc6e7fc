"""The index on the inbox's age, which the daily pruning reads, of the prephase service.

Revision ID: 0007
Revises: 0006
"""

from shared.runtime.database import create_inbox_age_index

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    create_inbox_age_index()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
