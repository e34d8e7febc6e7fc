"""Wiring of the hearing service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "hearing"

definition = ServiceDefinition(name=NAME, migrations="hearing:migrations", default_port=default_port(NAME))
