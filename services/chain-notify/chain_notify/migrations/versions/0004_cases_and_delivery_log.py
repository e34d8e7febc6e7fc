"""Chain-notify's cases, the location days DT&V was told about, and the delivery log.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.runtime.database import state_columns

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "cases",
        *state_columns(),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("court_district", sa.Text, nullable=True),
    )
    # The courts' forecast splits by the stream's cases per court district.
    op.create_index("cases_by_district", "cases", ["stream", "court_district"])
    op.create_table("return_days", *state_columns("key"))
    op.create_table(
        "delivery_log",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("partner", sa.Text, nullable=False),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.LargeBinary, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("delivery_log_by_subject", "delivery_log", ["subject", "partner"])
    op.create_index(
        "delivery_log_by_partner_time", "delivery_log", ["partner", "stream", "event_time"]
    )


def downgrade() -> None:
    raise NotImplementedError("caseflow migrations go forward only")
