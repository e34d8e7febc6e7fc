"""Replay the backlog's registrations through intake, end to end, and report the throughput.

    uv run python benchmarks/intake_replay.py --cases 54000

Real servers (the same choice as the tests: environment, testcontainers or embedded).
The registrations follow the illustrative backlog nationality mix; they are published
first, then intake is started and timed until every CaseRegistered is on the topic.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer

from intake.app import definition
from intake.domain import default_backlog_mix
from shared.contracts.envelope import encode
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import ApplicationRegistered
from shared.contracts.topics import REGISTRATION_INPUT, Stage, TopicNames, all_topics, stage_events
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.tools.testing.kafka import front_end_event, publish_records, read_topic
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import real_servers

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def registrations(cases: int, seed: int = 7) -> list[tuple[str, ApplicationRegistered]]:
    """`cases` backlog registrations in the proportions of the illustrative mix."""
    mix = default_backlog_mix()
    rng = random.Random(seed)
    weights = [e.applications for e in mix.entries]
    first = datetime(2022, 1, 3, 9, 0, tzinfo=UTC)
    span = (datetime(2026, 6, 10, tzinfo=UTC) - first).total_seconds()
    out = []
    for n in range(cases):
        entry = rng.choices(mix.entries, weights)[0]
        sex = entry.sex or rng.choice([Sex.MALE, Sex.FEMALE])
        data = ApplicationRegistered(
            v_number=f"{3_000_000_000 + n:010d}",
            nationality=entry.nationality,
            sex=sex,
            date_of_birth=date(1970, 1, 1) + timedelta(days=rng.randrange(0, 365 * 35)),
            lodged_at=first + timedelta(seconds=rng.uniform(0, span)),
            unaccompanied=False,
            nuisance=False,
        )
        out.append((f"bench-{n:06d}", data))
    return out


async def run(cases: int, batch_size: int, timeout: float) -> None:
    with tempfile.TemporaryDirectory() as workdir, real_servers(Path(workdir)) as servers:
        settings = isolated_settings(servers, batch_size=batch_size, log_json=False)
        print(f"servers: {servers.origin}; {cases} registrations; batch size {batch_size}")
        await ensure_topics(settings, all_topics())
        names = TopicNames(settings.topic_prefix)
        records = [
            encode(front_end_event(data, subject=case_id, stream=None), names(REGISTRATION_INPUT))
            for case_id, data in registrations(cases)
        ]
        started = time.perf_counter()
        await publish_records(settings, records)
        published = time.perf_counter() - started
        print(f"published {cases} in {published:.1f}s ({cases / published:,.0f}/s)")

        runtime = ServiceRuntime(definition, settings, clock=DrivenClock(NOW))
        await runtime.migrate()
        started = time.perf_counter()
        await runtime.start()
        try:
            out = stage_events(Stream.BACKLOG, Stage.INTAKE)
            seen = len(await read_topic(settings, out, expect=cases, timeout=timeout))
            elapsed = time.perf_counter() - started
            batches = runtime.registry.get_sample_value("caseflow_batch_records_count") or 0
            seconds = runtime.registry.get_sample_value("caseflow_batch_seconds_sum") or 0
        finally:
            await runtime.stop()
        print(
            f"intake: {seen} of {cases} cases registered and published in {elapsed:.1f}s "
            f"({seen / elapsed:,.0f} events/s, consumer group join included)"
        )
        if batches:
            print(
                f"{batches:.0f} batches, {cases / batches:.0f} records each on average, "
                f"{seconds / batches * 1000:.1f} ms each to handle and commit"
            )
        if seen != cases:
            raise SystemExit(f"only {seen} of {cases} CaseRegistered events arrived")


def main(
    cases: int = typer.Option(54_000, help="How many registrations to replay"),
    batch_size: int = typer.Option(500, help="Records per consumed batch (one transaction)"),
    timeout: float = typer.Option(900, help="Give up after this many seconds"),
) -> None:
    asyncio.run(run(cases, batch_size, timeout))


if __name__ == "__main__":
    typer.run(main)
