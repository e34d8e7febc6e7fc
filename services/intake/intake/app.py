"""Wiring of the intake service: its rules (what it reads and does), its timer, its commands."""

from __future__ import annotations

from intake import handlers
from intake.cli import publish_policy
from intake.domain import IntakeCase, IntakeConfig
from intake.settings import IntakeSettings
from shared.runtime.kit import Rules
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "intake"
SETTINGS = IntakeSettings()


def rules() -> Rules[IntakeCase, IntakeConfig]:
    return handlers.rules(SETTINGS.config(), adoption_chunk=SETTINGS.adoption_chunk)


async def adopt_due_policies(runtime: ServiceRuntime, uow: UnitOfWork) -> bool:
    return await handlers.on_timer(rules(), uow, chunk=SETTINGS.adoption_chunk)


definition = ServiceDefinition(
    name=NAME,
    migrations="intake:migrations",
    default_port=default_port(NAME),
    rules=rules,
    periodic=(
        Periodic("adopt-due-country-policies", SETTINGS.policy_timer_seconds, adopt_due_policies),
    ),
    commands=(publish_policy,),
)
