"""Create the system's topics on a Kafka cluster from the topic registry.

    python -m shared.provision --replication-factor 3     # production (see deploy/)
    python -m shared.provision --list                     # print the registry

The same registry feeds `make demo`, the tests and the AsyncAPI document.
"""

from __future__ import annotations

import asyncio

import typer

from shared.broker import ensure_topics
from shared.settings import Settings
from shared.topics import TopicNames, all_topics


def main(
    replication_factor: int = typer.Option(1, help="Replicas per partition (3 in production)"),
    list_only: bool = typer.Option(False, "--list", help="Print the registry; create nothing"),
) -> None:
    settings = Settings()
    names = TopicNames(settings.topic_prefix)
    if list_only:
        for spec in all_topics():
            days = spec.retention_ms // 86_400_000
            retention = "forever" if spec.retention_ms < 0 else f"{days}d"
            row = [names(spec.name), str(spec.partitions), retention, spec.description]
            typer.echo("\t".join(row))
        return
    created = asyncio.run(
        ensure_topics(settings, all_topics(), replication_factor=replication_factor)
    )
    typer.echo(f"{len(created)} topics created: {', '.join(created) or '-'}")


if __name__ == "__main__":
    typer.run(main)
