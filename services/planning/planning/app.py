"""Wiring of the planning service."""

from shared.service import ServiceDefinition
from shared.services import default_port

NAME = "planning"

definition = ServiceDefinition(
    name=NAME, migrations="planning:migrations", default_port=default_port(NAME)
)
