"""Planning's pool of cases, capacity per month, plan cycles and plan state.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from planning.persistence import capacity, cycles, plan_state, pool

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    bind = op.get_bind()
    for table in (pool, capacity, cycles, plan_state):
        table.create(bind)


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
