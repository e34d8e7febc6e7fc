"""Wiring of the planning service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "planning"

definition = ServiceDefinition(name=NAME, migrations="planning:migrations", default_port=default_port(NAME))
