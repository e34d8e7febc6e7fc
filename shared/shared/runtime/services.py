"""The services of the system, as data: names, modules and default HTTP ports.

Kept as data (not imports) so that tooling in the shared library (the demo) can
start services without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    module: str
    port: int


SERVICES: tuple[ServiceInfo, ...] = (
    ServiceInfo("intake", "intake", 8101),
    ServiceInfo("planning", "planning", 8102),
    ServiceInfo("prephase", "prephase", 8103),
    ServiceInfo("hearing", "hearing", 8104),
    ServiceInfo("decision", "decision", 8105),
    ServiceInfo("chain-notify", "chain_notify", 8106),
)


def default_port(name: str) -> int:
    return next(s.port for s in SERVICES if s.name == name)
