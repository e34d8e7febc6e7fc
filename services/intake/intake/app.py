"""Wiring of the intake service."""

from shared.service import ServiceDefinition
from shared.services import default_port

NAME = "intake"

definition = ServiceDefinition(
    name=NAME, migrations="intake:migrations", default_port=default_port(NAME)
)
