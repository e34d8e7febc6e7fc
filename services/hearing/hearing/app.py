"""Wiring of the hearing service: its rules, and its daily work on a timer."""

from __future__ import annotations

from hearing import handlers, timers
from hearing.domain.case import HearingCase, HearingConfig
from hearing.metrics import metrics_for
from hearing.settings import HearingSettings
from shared.runtime.kit import Rules
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "hearing"
SETTINGS = HearingSettings()


def rules() -> Rules[HearingCase, HearingConfig]:
    return handlers.rules(SETTINGS.config())


async def daily_work(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    """Lapse reviews, give back cancelled slots and hand out new ones, then observe."""
    await timers.daily(uow, SETTINGS.config(), metrics_for(runtime.registry))


definition = ServiceDefinition(
    name=NAME,
    migrations="hearing:migrations",
    default_port=default_port(NAME),
    rules=rules,
    periodic=(Periodic("hearing-daily", SETTINGS.allocation_timer_seconds, daily_work),),
)
