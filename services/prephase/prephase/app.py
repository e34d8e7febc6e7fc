"""Wiring of the prephase service: its rules (what it reads and does) and its daily pass."""

from __future__ import annotations

from prephase import handlers
from prephase.domain import PrephaseCase, PrephaseConfig
from prephase.settings import PrephaseSettings
from shared.runtime.kit import Rules
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "prephase"
SETTINGS = PrephaseSettings()


def rules() -> Rules[PrephaseCase, PrephaseConfig]:
    return handlers.rules(SETTINGS.config())


async def invite_waiting_cases(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    await handlers.invitation_pass(rules(), uow)
    await handlers.count_holds(runtime.registry, uow)


definition = ServiceDefinition(
    name=NAME,
    migrations="prephase:migrations",
    default_port=default_port(NAME),
    rules=rules,
    # Once a day on the simulated clock; hourly on wall time (a pass is idempotent).
    periodic=(
        Periodic("invite-waiting-cases", SETTINGS.invitation_timer_seconds, invite_waiting_cases),
    ),
)
