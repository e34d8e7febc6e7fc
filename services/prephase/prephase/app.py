"""Wiring of the prephase service."""

from shared.runtime.service import ServiceDefinition
from shared.runtime.services import default_port

NAME = "prephase"

definition = ServiceDefinition(
    name=NAME, migrations="prephase:migrations", default_port=default_port(NAME)
)
