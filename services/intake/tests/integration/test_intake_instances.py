"""Two intake instances in one consumer group share 10,000 registrations; one is killed with
SIGKILL halfway (issue 9). Every registration is answered under exactly one event id, none is
missing; records the broker carries twice (a batch sent again after the kill, under the same
event id) are counted and reported, not hidden.

Two processes, as in production: `python -m intake serve`, on the test's topics and schema.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from intake.app import definition
from shared.contracts.envelope import decode, encode
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import ApplicationRegistered
from shared.contracts.topics import REGISTRATION_INPUT, Stage, TopicNames, stage_events
from shared.contracts.values import Stream
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.embedded import free_port
from shared.tools.testing.kafka import front_end_event, publish_records, read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REGISTRATIONS = 10_000
ANSWERED = "nl.ind.intake.case-registered"


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_HTTP_PORT": str(port),
        "CASEFLOW_RELAY_INTERVAL_MS": "20",
        "CASEFLOW_LOG_LEVEL": "WARNING",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "intake", "serve", "--no-migrate-first"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _handled(port: int) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            body = response.read().decode()
    except (urllib.error.URLError, OSError):
        return 0.0
    found = re.findall(r"^caseflow_events_handled_total\{[^}]*\} (\S+)$", body, re.MULTILINE)
    return sum(float(n) for n in found)


def _registrations() -> list[tuple[str, ApplicationRegistered]]:
    first = datetime(2024, 1, 8, 9, tzinfo=UTC)  # all backlog: lodged before 12 June 2026
    return [
        (
            f"inst-{n:05d}",
            ApplicationRegistered(
                v_number=f"{4_000_000_000 + n:010d}",
                nationality=("SYR", "AFG", "ERI", "TUR", "MAR")[n % 5],
                sex=Sex.FEMALE if n % 3 else Sex.MALE,
                date_of_birth=date(1980, 1, 1) + timedelta(days=n % 9000),
                lodged_at=first + timedelta(minutes=n),
                unaccompanied=False,
                nuisance=False,
            ),
        )
        for n in range(REGISTRATIONS)
    ]


async def test_two_instances_share_10000_registrations_and_one_is_killed_halfway(
    settings: Settings, tmp_path: Path
) -> None:
    probe = ServiceRuntime(definition, settings)
    await probe.migrate()  # the race of two migrations is test_instances.py's
    await probe.engine.dispose()
    topic = TopicNames(settings.topic_prefix)(REGISTRATION_INPUT)
    sent = {
        case_id: front_end_event(data, subject=case_id, stream=None)
        for case_id, data in _registrations()
    }
    await publish_records(settings, [encode(e, topic) for e in sent.values()])

    ports = [free_port(), free_port()]
    processes = [_serve(settings, p, tmp_path / f"intake-{i}.log") for i, p in enumerate(ports)]
    started = time.monotonic()
    killed = None
    try:
        # Kill one once half the registrations are handled, after both have handled some.
        while True:
            assert time.monotonic() - started < 240, "the instances never got halfway"
            assert all(p.poll() is None for p in processes), "an instance exited"
            counts = [_handled(port) for port in ports]
            if sum(counts) >= REGISTRATIONS / 2 and all(counts):
                break
            await asyncio.sleep(0.2)
        killed = counts
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait(10)
        records = await read_topic(
            settings,
            stage_events(Stream.BACKLOG, Stage.INTAKE),
            expect=REGISTRATIONS,
            timeout=240,
            settle=3.0,
        )
        assert processes[1].poll() is None, "the surviving instance exited"
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    elapsed = time.monotonic() - started

    answers: dict[UUID, set[UUID]] = defaultdict(set)  # registration id -> answer event ids
    copies: Counter[UUID] = Counter()  # answer event id -> records carrying it
    for record in records:
        answer = decode(record.headers, record.value)
        if answer.type.startswith(ANSWERED):
            assert answer.causationid is not None
            answers[answer.causationid].add(answer.id)
            copies[answer.id] += 1
    missing = [case for case, event in sent.items() if event.id not in answers]
    twice = {i: ids for i, ids in answers.items() if len(ids) > 1}
    duplicate_records = sum(n - 1 for n in copies.values())
    report = (
        f"{REGISTRATIONS} registrations, killed one instance at {killed} handled; "
        f"{len(answers)} answered, {len(missing)} missing, {len(twice)} under two event ids, "
        f"{duplicate_records} duplicate answer record(s) (same event id) in {elapsed:.0f}s"
    )
    print(report)  # pytest -s shows the figures
    assert missing == [], report
    assert twice == {}, report
    assert len(answers) == REGISTRATIONS, report
