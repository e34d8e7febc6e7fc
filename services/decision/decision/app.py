"""Wiring of the decision service."""

from shared.service import ServiceDefinition
from shared.services import default_port

NAME = "decision"

definition = ServiceDefinition(
    name=NAME, migrations="decision:migrations", default_port=default_port(NAME)
)
