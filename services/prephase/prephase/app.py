"""Wiring of the prephase service."""

from shared.service import ServiceDefinition
from shared.services import default_port

NAME = "prephase"

definition = ServiceDefinition(
    name=NAME, migrations="prephase:migrations", default_port=default_port(NAME)
)
