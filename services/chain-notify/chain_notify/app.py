"""Wiring of the chain-notify service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "chain-notify"

definition = ServiceDefinition(name=NAME, migrations="chain_notify:migrations", default_port=default_port(NAME))
