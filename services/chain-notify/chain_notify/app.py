"""Wiring of the chain-notify service."""

from shared.service import ServiceDefinition
from shared.services import default_port

NAME = "chain-notify"

definition = ServiceDefinition(
    name=NAME, migrations="chain_notify:migrations", default_port=default_port(NAME)
)
