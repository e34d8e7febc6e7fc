"""Tables of the decision service (its own schema; inbox and outbox come from shared)."""

from sqlalchemy import MetaData

metadata = MetaData()
