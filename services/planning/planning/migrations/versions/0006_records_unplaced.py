"""Planning's case records: what a stage could not place, as columns with a partial index, so
that the daily gauges count the unplaced cases, not every record ever kept (issue 16).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # 0005 creates the table from the current model, which has these already on a new database:
    # hence IF NOT EXISTS; on an existing one they are added and filled from the stored state.
    op.execute("ALTER TABLE case_records ADD COLUMN IF NOT EXISTS unplaced_stage text")
    op.execute("ALTER TABLE case_records ADD COLUMN IF NOT EXISTS unplaced_reason text")
    op.execute(
        """
        UPDATE case_records SET
            unplaced_stage = state->'unplaced'->>'stage',
            unplaced_reason = state->'unplaced'->>'reason'
        WHERE state->'unplaced'->>'stage' IS NOT NULL
        """
    )
    op.execute(
        """
        CREATE INDEX IF NOT EXISTS records_unplaced
        ON case_records (stream, unplaced_stage, unplaced_reason)
        WHERE unplaced_stage IS NOT NULL
        """
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
