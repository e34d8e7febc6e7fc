"""The event catalogue: every case event and partner message, typed and versioned.

Importing this package registers every event type with shared.contracts.envelope, so that
``decode`` knows them all. One module per stage; ``catalogue`` says where each message
travels and who may send it; ``docs`` generates docs/asyncapi.json, docs/catalogue.md
and docs/schemas/; ``compat`` is the backward-compatibility gate.
"""

from shared.contracts.events import (
    catalogue,
    clock,
    common,
    decision,
    hearing,
    intake,
    partners,
    planning,
    prephase,
)

__all__ = [
    "catalogue",
    "clock",
    "common",
    "decision",
    "hearing",
    "intake",
    "partners",
    "planning",
    "prephase",
]
