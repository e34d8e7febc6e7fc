"""Wiring of the planning service."""

from shared.runtime.service import ServiceDefinition
from shared.runtime.services import default_port

NAME = "planning"

definition = ServiceDefinition(
    name=NAME, migrations="planning:migrations", default_port=default_port(NAME)
)
