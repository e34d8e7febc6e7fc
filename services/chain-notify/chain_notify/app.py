"""Wiring of the chain-notify service: its rules, the delivery-logging handler, its commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chain_notify import handlers
from chain_notify.cli import deliveries, held, replay
from chain_notify.delivery import DeliveryLogHandler, metrics_of
from chain_notify.domain.state import NotifyCase, NotifyConfig
from chain_notify.settings import ChainNotifySettings
from chain_notify.watch import watch_held_notices
from shared.runtime.kit import Rules
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.services import default_port

NAME = "chain-notify"
SETTINGS = ChainNotifySettings()


def rules() -> Rules[NotifyCase, NotifyConfig]:
    return handlers.rules(SETTINGS.config())


@dataclass(frozen=True)
class ChainNotifyDefinition(ServiceDefinition):
    """The kit's definition, with the handler that also writes the delivery log."""

    def handler(self, runtime: ServiceRuntime) -> Any:
        return DeliveryLogHandler(rules(), metrics_of(runtime.registry))


definition = ChainNotifyDefinition(
    name=NAME,
    migrations="chain_notify:migrations",
    default_port=default_port(NAME),
    rules=rules,
    commands=(deliveries, replay, held),
    # A gauge read from the database, like the kit's parked-fact watch: on every instance.
    periodic=(Periodic("watch-held-notices", 60.0, watch_held_notices, exclusive=False),),
)
