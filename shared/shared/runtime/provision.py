"""Create the system's topics on a Kafka cluster from the topic registry, and say who may
read and write each one (ACLs) from the event catalogue.

    python -m shared.runtime.provision --replication-factor 3     # production (see deploy/)
    python -m shared.runtime.provision --list                     # print the registry
    python -m shared.runtime.provision --acls                     # print the kafka-acls commands

The same registry feeds `make demo`, the tests and the AsyncAPI document.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import typer

from shared.contracts.events.catalogue import CATALOGUE, OPERATIONS, Direction
from shared.contracts.events.catalogue import spec as catalogue_spec
from shared.contracts.topics import Kind, TopicNames, all_topics, kind_of
from shared.runtime.broker import ensure_topics
from shared.runtime.services import SERVICES
from shared.runtime.settings import Settings


def principal(party: str) -> str:
    """The Kafka principal of a catalogue party: a service, a front-end role, a partner,
    operations."""
    kind, _, name = party.partition(":")
    if name:
        return f"User:{kind}-{name}"  # frontend-caseworker, partner-coa, ...
    if party == OPERATIONS:
        return "User:operations"
    return f"User:caseflow-{party}"  # a service


def acl_plan() -> dict[str, dict[str, set[str]]]:
    """Per topic: the principals that may write it and those that may read it. Nobody gets
    more than the catalogue says: a partner reads its own partner topics and nothing else."""
    plan: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"write": set(), "read": set()})
    for spec in CATALOGUE:
        for topic in spec.topic_names():
            readers = set(spec.consumers)
            if kind_of(topic) is Kind.PARTNER:
                # A message for several partners goes to each partner's own topic.
                readers &= {f"partner:{topic.split('.')[3]}"}
            plan[topic]["write"].update(principal(p) for p in spec.producers)
            plan[topic]["read"].update(principal(c) for c in readers)
        if spec.direction is Direction.INPUT:
            # A front-end reads the answers to what it sends: the outputs and the refusals.
            senders = {principal(p) for p in spec.producers}
            answer_topics = [t for a in spec.answers for t in catalogue_spec(a).topic_names()]
            for topic in [*answer_topics, *spec.refusals.values()]:
                plan[topic]["read"].update(senders)
    return dict(plan)


def acl_commands(prefix: str = "") -> list[str]:
    lines = []
    for topic, access in sorted(acl_plan().items()):
        for operation, who in (("Write", access["write"]), ("Read", access["read"])):
            for name in sorted(who):
                lines.append(
                    f"kafka-acls.sh --bootstrap-server $KAFKA --add --allow-principal {name} "
                    f"--operation {operation} --topic {prefix}{topic}"
                )
    for service in SERVICES:  # each service consumes as its own group
        lines.append(
            f"kafka-acls.sh --bootstrap-server $KAFKA --add --allow-principal "
            f"{principal(service.name)} --operation Read --group {prefix}caseflow-{service.name}"
        )
    readers = {name for access in acl_plan().values() for name in access["read"]}
    for name in sorted(readers - {principal(s.name) for s in SERVICES}):
        # Partners, front-ends and operations name their groups after themselves.
        group = name.removeprefix("User:")
        lines.append(
            f"kafka-acls.sh --bootstrap-server $KAFKA --add --allow-principal {name} "
            f"--operation Read --resource-pattern-type prefixed --group {prefix}{group}"
        )
    return lines


def main(
    replication_factor: int = typer.Option(1, help="Replicas per partition (3 in production)"),
    list_only: bool = typer.Option(False, "--list", help="Print the registry; create nothing"),
    acls: bool = typer.Option(
        False, "--acls", help="Print the kafka-acls commands; create nothing"
    ),
) -> None:
    settings = Settings()
    names = TopicNames(settings.topic_prefix)
    if acls:
        typer.echo("\n".join(acl_commands(settings.topic_prefix)))
        return
    if list_only:
        for spec in all_topics():
            days = spec.retention_ms // 86_400_000
            retention = "forever" if spec.retention_ms < 0 else f"{days}d"
            size = f"max {settings.max_record_bytes} bytes"
            row = [names(spec.name), str(spec.partitions), retention, size, spec.description]
            typer.echo("\t".join(row))
        return
    created = asyncio.run(
        ensure_topics(settings, all_topics(), replication_factor=replication_factor)
    )
    typer.echo(f"{len(created)} topics created: {', '.join(created) or '-'}")


if __name__ == "__main__":
    typer.run(main)
