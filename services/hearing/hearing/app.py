"""Wiring of the hearing service."""

from shared.runtime.service import ServiceDefinition
from shared.runtime.services import default_port

NAME = "hearing"

definition = ServiceDefinition(
    name=NAME, migrations="hearing:migrations", default_port=default_port(NAME)
)
