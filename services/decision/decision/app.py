"""Wiring of the decision service: its rules, its timers, its commands."""

from __future__ import annotations

from decision import handlers, timers
from decision.cli import at_risk, audit_trail
from decision.domain import DecisionCase, DecisionConfig
from decision.settings import DecisionSettings
from shared.runtime.kit import Rules
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "decision"
SETTINGS = DecisionSettings()


def rules() -> Rules[DecisionCase, DecisionConfig]:
    return handlers.rules(SETTINGS.config())


async def watch_deadlines(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    await timers.watch_deadlines(uow, SETTINGS.config(), SETTINGS.watch_batch)


async def report_figures(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    await timers.report_grant_rates(uow, timers.figures(runtime.registry))


definition = ServiceDefinition(
    name=NAME,
    migrations="decision:migrations",
    default_port=default_port(NAME),
    rules=rules,
    periodic=(
        # Daily under the driven clock (docs/adr/0008-simulated-time.md).
        Periodic("deadline-watch", SETTINGS.watch_timer_seconds, watch_deadlines),
        Periodic("grant-rates", SETTINGS.watch_timer_seconds, report_figures),
    ),
    commands=(audit_trail, at_risk),
)
