"""Wiring of the decision service."""

from shared.runtime.service import ServiceDefinition
from shared.runtime.services import default_port

NAME = "decision"

definition = ServiceDefinition(
    name=NAME, migrations="decision:migrations", default_port=default_port(NAME)
)
