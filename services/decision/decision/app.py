"""Wiring of the decision service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "decision"

definition = ServiceDefinition(name=NAME, migrations="decision:migrations", default_port=default_port(NAME))
