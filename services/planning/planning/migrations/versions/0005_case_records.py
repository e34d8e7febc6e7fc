"""Planning's case records: each case's timeline, deadline, holds and decision (issue 11).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from planning.persistence import records

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    records.create(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
