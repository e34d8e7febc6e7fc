"""Wiring of the chain-notify service."""

from shared.runtime.service import ServiceDefinition
from shared.runtime.services import default_port

NAME = "chain-notify"

definition = ServiceDefinition(
    name=NAME, migrations="chain_notify:migrations", default_port=default_port(NAME)
)
