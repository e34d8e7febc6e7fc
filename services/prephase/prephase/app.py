"""Wiring of the prephase service."""

from shared.services import default_port
from shared.service import ServiceDefinition

NAME = "prephase"

definition = ServiceDefinition(name=NAME, migrations="prephase:migrations", default_port=default_port(NAME))
