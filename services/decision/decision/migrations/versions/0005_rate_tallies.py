"""Running grant-rate tallies per (stream, cycle, category), where each case is counted in them,
and the deadline alert as a column: the daily figures read only the cases decided since the
last pass, and the open cases' gauges one index (issue 16).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("cases", sa.Column("alert", sa.Text, nullable=True))
    op.add_column("cases", sa.Column("counted_outcome", sa.Text, nullable=True))
    op.add_column("cases", sa.Column("counted_cycle", sa.Text, nullable=True))
    op.add_column("cases", sa.Column("counted_category", sa.Text, nullable=True))
    # The alert as decision.persistence.alert_of decides it from the stored state.
    op.execute(
        """
        UPDATE cases SET alert = CASE
            WHEN state->>'late_sent_for' = to_char(deadline, 'YYYY-MM-DD') THEN 'late'
            WHEN state->>'at_risk_sent_for' = to_char(deadline, 'YYYY-MM-DD') THEN 'at risk'
        END
        WHERE state->>'late_sent_for' IS NOT NULL OR state->>'at_risk_sent_for' IS NOT NULL
        """
    )
    # Every decided case counted where it is now; one not yet reported stays unreported, and
    # the next pass reports its group from these tallies (it moves nothing).
    op.execute(
        """
        UPDATE cases SET counted_outcome = outcome, counted_cycle = cycle,
            counted_category = category
        WHERE outcome IS NOT NULL
        """
    )
    op.create_table(
        "rate_tallies",
        sa.Column("stream", sa.Text, primary_key=True),
        sa.Column("cycle", sa.Text, primary_key=True),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("decided", sa.Integer, nullable=False),
        sa.Column("grants", sa.Integer, nullable=False),
    )
    op.execute(
        """
        INSERT INTO rate_tallies (stream, cycle, category, decided, grants)
        SELECT stream, COALESCE(cycle, ''), COALESCE(category, ''), count(*),
            count(*) FILTER (WHERE outcome = 'grant')
        FROM cases WHERE outcome IS NOT NULL
        GROUP BY 1, 2, 3
        """
    )
    # The gauges count open cases only: this index has them, and what the counts read.
    op.create_index(
        "open_cases",
        "cases",
        ["stream", "on_hold", "alert", "watch_on"],
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
