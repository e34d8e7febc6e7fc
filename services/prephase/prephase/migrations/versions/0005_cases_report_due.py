"""Prephase cases: their stream and whether planning is still owed a report, as columns, so that
the daily pass reads only the waiting cases that can change when no day has a free place
(issue 16).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("cases", sa.Column("stream", sa.Text, nullable=True))
    op.add_column("cases", sa.Column("report_due", sa.Boolean, nullable=True))
    # From the stored state, as PrephaseCase.placement_report_due decides it (a flag missing
    # from the JSON is its default: false).
    op.execute(
        """
        UPDATE cases SET
            stream = state->>'stream',
            report_due = CASE
                WHEN state->'logistics' IS NULL OR state->'logistics' = 'null'::jsonb
                THEN NOT COALESCE((state->>'logistics_missing_reported')::boolean, false)
                ELSE NOT COALESCE((state->>'not_scheduled_reported')::boolean, false)
            END
        """
    )
    op.alter_column("cases", "stream", nullable=False)
    op.alter_column("cases", "report_due", nullable=False)
    op.create_index("waiting_cases_report_due", "cases", ["case_id"],
                    postgresql_where=sa.text("status = 'waiting' AND report_due"))


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
