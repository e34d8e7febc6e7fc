"""Wiring of the planning service: its rules (what it reads and does) and its daily pass."""

from __future__ import annotations

from planning import daily, handlers
from planning.cli import COMMANDS
from planning.domain.config import PlanningConfig
from planning.domain.model import PoolCase
from planning.metrics import metrics_for
from planning.settings import PlanningSettings
from shared.runtime.kit import Rules
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "planning"
SETTINGS = PlanningSettings()
log = get_logger(__name__)


def rules() -> Rules[PoolCase, PlanningConfig]:
    return handlers.rules(SETTINGS.config())


async def plan_day(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    figures = await daily.plan_day(uow, SETTINGS.config())
    await daily.report_unplaced(uow, metrics_for(runtime.registry))
    log.info("planning pass", **figures)


definition = ServiceDefinition(
    name=NAME,
    migrations="planning:migrations",
    default_port=default_port(NAME),
    rules=rules,
    # Daily on wall time would be enough; once per simulated day with CASEFLOW_SIMULATED_CLOCK.
    commands=COMMANDS,
    periodic=(Periodic("plan-and-release", SETTINGS.timer_seconds, plan_day),),
)
