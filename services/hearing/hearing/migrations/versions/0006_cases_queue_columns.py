"""Hearing cases: whether a case is in the allocation queue, its team, its place in the fixed
order (queue_order), its release day, whether planning was told it found no slot, and what a
slot for it needs (specialisms, interpreter language), as columns, so that the daily pass reads the queue in that order only as far as the teams' free
capacity reaches, plus the cases still owed a report or released for later (issue 16).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("cases", sa.Column("in_queue", sa.Boolean, nullable=True))
    op.add_column("cases", sa.Column("team", sa.Text, nullable=True))
    op.add_column("cases", sa.Column("queue_rank", sa.Integer, nullable=True))
    op.add_column("cases", sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("release_day", sa.Date, nullable=True))
    op.add_column("cases", sa.Column("unplaced_reported", sa.Boolean, nullable=True))
    op.add_column("cases", sa.Column("specialisms", postgresql.ARRAY(sa.Text), nullable=True))
    op.add_column("cases", sa.Column("slot_language", sa.Text, nullable=True))
    # From the stored state, as HearingCase and queue_order decide them (a flag missing from
    # the JSON is its default: false; no lodging moment sorts last, as NEVER).
    op.execute(
        """
        UPDATE cases SET
            in_queue = status = 'waiting_slot'
                AND NOT COALESCE((state->>'exclusion_hold')::boolean, false),
            team = state->>'team',
            queue_rank = CASE
                WHEN state->>'priority_group' = 'nuisance' THEN 0
                WHEN state->>'priority_group' = 'unaccompanied_minor' THEN 1
                WHEN state->>'priority_group' = 'former_safe_country' THEN 2
                WHEN state->>'stream' = 'pact' THEN 3
                ELSE 4
            END,
            lodged_at = COALESCE(
                (state->>'lodged_at')::timestamptz, TIMESTAMPTZ '9999-01-01 00:00:00+00'
            ),
            release_day = (state->>'release_day')::date,
            unplaced_reported = COALESCE((state->>'unplaced_reported')::boolean, false),
            specialisms = ARRAY(
                SELECT jsonb_array_elements_text(COALESCE(state->'specialisms', '[]'::jsonb))
            ),
            slot_language = COALESCE(
                NULLIF(state->>'language', ''), state->'interpreter_languages'->>0
            )
        """
    )
    for column in ("in_queue", "queue_rank", "lodged_at", "unplaced_reported", "specialisms"):
        op.alter_column("cases", column, nullable=False)
    # The queue in the fixed order (case ids by code point, as Python compares them).
    op.execute(
        """
        CREATE INDEX queue_in_order ON cases
            (queue_rank, lodged_at, case_id COLLATE "C")
            INCLUDE (team, specialisms, slot_language) WHERE in_queue
        """
    )
    # The queued cases every pass reads: owed a report, or released for a later day.
    op.create_index(
        "queue_owed_a_report",
        "cases",
        ["case_id"],
        postgresql_where=sa.text("in_queue AND NOT unplaced_reported"),
    )
    op.create_index(
        "queue_by_release_day",
        "cases",
        ["release_day"],
        postgresql_where=sa.text("in_queue AND release_day IS NOT NULL"),
    )
    # The hold gauges read the cases on hold every pass: not by a scan of every case.
    op.create_index(
        "cases_on_hold",
        "cases",
        ["on_hold_since"],
        postgresql_where=sa.text("status = 'on_hold'"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
