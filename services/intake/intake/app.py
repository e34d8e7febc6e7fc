"""Wiring of the intake service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "intake"

definition = ServiceDefinition(name=NAME, migrations="intake:migrations", default_port=default_port(NAME))
