"""Echo test service: inbox, outbox and its effects table."""

import sqlalchemy as sa
from alembic import op

from shared.runtime.database import create_messaging_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "echo_effects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
