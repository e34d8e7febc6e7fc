"""Echo test service: the outbox rows the relay parked."""

from shared.runtime.database import create_outbox_parked_table

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_outbox_parked_table()
