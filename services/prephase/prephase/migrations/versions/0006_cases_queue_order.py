"""Prephase cases: their place in the pass's fixed order (PrephaseCase.queue_order) as columns,
and their interpreter languages, with an index over the waiting cases per stream in that order,
so that a pass with a few free places reads the waiting cases that might fit them only as far
as the free places can take them (issue 16).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("cases", sa.Column("queue_day", sa.Date, nullable=True))
    op.add_column("cases", sa.Column("queue_rank", sa.Integer, nullable=True))
    op.add_column("cases", sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=True))
    # The interpreter languages (none: an empty array; no logistics yet: null).
    op.add_column("cases", sa.Column("languages", postgresql.ARRAY(sa.Text), nullable=True))
    # From the stored state, as PrephaseCase.queue_order ranks it (no release day: last; the
    # ranks of PRIORITY_RANK, no group: 3).
    op.execute(
        """
        UPDATE cases SET
            queue_day = COALESCE((state->>'release_day')::date, DATE '9999-12-31'),
            queue_rank = CASE state->>'priority_group'
                WHEN 'nuisance' THEN 0
                WHEN 'unaccompanied_minor' THEN 1
                WHEN 'former_safe_country' THEN 2
                ELSE 3
            END,
            lodged_at = (state->>'lodged_at')::timestamptz,
            languages = CASE
                WHEN state->'logistics' IS NULL OR state->'logistics' = 'null'::jsonb THEN NULL
                ELSE ARRAY(
                    SELECT jsonb_array_elements_text(
                        COALESCE(state->'logistics'->'interpreter_languages', '[]'::jsonb)
                    )
                )
            END
        """
    )
    op.alter_column("cases", "queue_day", nullable=False)
    op.alter_column("cases", "queue_rank", nullable=False)
    op.alter_column("cases", "lodged_at", nullable=False)
    # Case ids compare as Python compares them (code points): collation "C".
    op.execute(
        """
        CREATE INDEX waiting_cases_in_queue_order ON cases
            (stream, queue_day, queue_rank, lodged_at, case_id COLLATE "C") INCLUDE (languages)
            WHERE status = 'waiting'
        """
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
