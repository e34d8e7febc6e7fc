"""Wiring of the intake service: what it reads, its handler, its timer."""

from __future__ import annotations

from intake.cli import publish_policy
from intake.handlers import IntakeHandler
from intake.settings import IntakeSettings
from shared.contracts.topics import POLICY_INPUT, REGISTRATION_INPUT, Stage, stage_events
from shared.contracts.values import Stream
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "intake"
SETTINGS = IntakeSettings()


def subscriptions() -> list[str]:
    # Its own input, and the other stages' events that change what intake knows of a case:
    # prephase findings (R8), a hearing held (no more re-categorisation), a decision issued.
    topics = [REGISTRATION_INPUT, POLICY_INPUT]
    for stream in Stream:
        topics += [
            stage_events(stream, stage) for stage in (Stage.PREPHASE, Stage.HEARING, Stage.DECISION)
        ]
    return topics


def make_handler(runtime: ServiceRuntime) -> IntakeHandler:
    return IntakeHandler(SETTINGS.config())


async def adopt_due_policies(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    if isinstance(runtime.handler, IntakeHandler):
        await runtime.handler.on_timer(uow)


definition = ServiceDefinition(
    name=NAME,
    migrations="intake:migrations",
    default_port=default_port(NAME),
    subscriptions=subscriptions,
    make_handler=make_handler,
    periodic=(
        Periodic("adopt-due-country-policies", SETTINGS.policy_timer_seconds, adopt_due_policies),
    ),
    commands=(publish_policy,),
)
