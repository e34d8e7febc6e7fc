"""The index on the inbox's age, which the daily pruning reads, of the echo test service.

Revision ID: 0006
Revises: 0005
"""

from shared.runtime.database import create_inbox_age_index

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    create_inbox_age_index()


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
