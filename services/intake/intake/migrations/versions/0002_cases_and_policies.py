"""Intake's cases and country policies; the shipped (illustrative) policy as the first version.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from intake.domain import default_policy

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("case_id", sa.Text, primary_key=True),
        sa.Column("v_number", sa.Text, nullable=False),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("heard", sa.Boolean, nullable=False),
        sa.Column("state", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("cases_by_applicant", "cases", ["v_number"])
    op.create_index("one_open_case_per_applicant", "cases", ["v_number"], unique=True,
                    postgresql_where=sa.text("status = 'open'"))
    op.create_index("open_unheard_cases", "cases", ["stream"],
                    postgresql_where=sa.text("status = 'open' AND NOT heard"))
    policies = op.create_table(
        "country_policies",
        sa.Column("policy_version", sa.Text, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("published_event", JSONB, nullable=True),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    shipped = default_policy()
    # Adopted from the start: there are no cases yet to re-categorise.
    op.execute(policies.insert().values(
        policy_version=shipped.policy_version,
        effective_from=shipped.effective_from,
        body=shipped.model_dump(mode="json"),
        published_event=None,
        adopted_at=sa.func.now(),
    ))


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
