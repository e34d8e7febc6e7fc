"""A country-policy adoption killed halfway as a process (SIGKILL) finishes after a restart, with
every eligible case re-categorised once (issue 9).

Intake runs as `python -m intake serve`. The suite adopts over 2,000 cases in chunks of 100;
`make adoption-crash` runs the same test over the backlog's 54,000 cases in chunks of 1,000
(CASEFLOW_TEST_ADOPTION_CASES, CASEFLOW_TEST_ADOPTION_CHUNK), which takes many minutes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from intake.app import definition
from intake.persistence import policies
from shared.contracts.envelope import decode, encode
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import (
    ApplicationRegistered,
    CountryPolicyPublished,
    CountryPolicyRule,
)
from shared.contracts.topics import (
    POLICY_EVENTS,
    POLICY_INPUT,
    REGISTRATION_INPUT,
    Stage,
    TopicNames,
    stage_events,
)
from shared.contracts.values import Category, Stream
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.embedded import free_port
from shared.tools.testing.kafka import front_end_event, publish, publish_records, read_topic

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CASES = int(os.environ.get("CASEFLOW_TEST_ADOPTION_CASES", "2000"))
CHUNK = int(os.environ.get("CASEFLOW_TEST_ADOPTION_CHUNK", "100"))
# Registering the cases through intake dominates: about 100 a second on a loaded machine.
WAIT = 120 + CASES / 20
VERSION = "cp-2026-12"
BACKLOG_OUT = stage_events(Stream.BACKLOG, Stage.INTAKE)
RECATEGORISED = "nl.ind.intake.case-recategorised"


def _serve(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_HTTP_PORT": str(free_port()),
        "CASEFLOW_RELAY_INTERVAL_MS": "20",
        "CASEFLOW_LOG_LEVEL": "WARNING",
        "CASEFLOW_INTAKE_ADOPTION_CHUNK": str(CHUNK),
        "CASEFLOW_INTAKE_POLICY_TIMER_SECONDS": "1",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "intake", "serve", "--no-migrate-first"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


async def _progress(runtime: ServiceRuntime) -> tuple[int, datetime | None]:
    async with runtime.engine.connect() as conn:
        query = select(policies).where(policies.c.policy_version == VERSION)
        row = (await conn.execute(query)).first()
    return (0, None) if row is None else (int(row.adoption_recategorised), row.adopted_at)


async def _until(what: str, check: object, timeout: float) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if await check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} never happened")


async def test_an_adoption_killed_halfway_as_a_process_finishes_after_a_restart(
    settings: Settings, tmp_path: Path
) -> None:
    probe = ServiceRuntime(definition, settings)
    await probe.migrate()
    names = TopicNames(settings.topic_prefix)
    registrations = [
        encode(
            front_end_event(
                ApplicationRegistered(
                    v_number=f"{5_000_000_000 + n:010d}",
                    nationality="NGA",
                    sex=Sex.MALE,
                    date_of_birth=date(1990, 5, 17),
                    lodged_at=datetime(2025, 4, 1, tzinfo=UTC),
                    unaccompanied=False,
                    nuisance=False,
                ),
                subject=f"adopt-{n:05d}",
                stream=None,
            ),
            names(REGISTRATION_INPUT),
        )
        for n in range(CASES)
    ]
    await publish_records(settings, registrations)
    first = _serve(settings, tmp_path / "intake-1.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        await read_topic(settings, BACKLOG_OUT, expect=CASES, timeout=WAIT)
        published = front_end_event(
            CountryPolicyPublished(
                policy_version=VERSION,
                effective_from=date(2026, 11, 1),
                rules=(CountryPolicyRule(nationality="NGA", category=Category.B),),
            ),
            subject=VERSION,
            stream=None,
            actor="policy-officer:po-3",
        )
        await publish(settings, POLICY_INPUT, published)

        async def halfway() -> bool:
            return (await _progress(probe))[0] >= CASES // 2

        await _until("half the adoption", halfway, WAIT)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill, adopted_at = await _progress(probe)
        assert adopted_at is None, "the adoption finished before the kill: use more cases"

        second = _serve(settings, tmp_path / "intake-2.log")

        async def adopted() -> bool:
            return (await _progress(probe))[1] is not None

        await _until("the adoption's end after the restart", adopted, WAIT)
        [adoption] = await read_topic(settings, POLICY_EVENTS, expect=1, settle=1.0)
        out = await read_topic(settings, BACKLOG_OUT, expect=2 * CASES, timeout=WAIT, settle=3.0)
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        await probe.engine.dispose()

    ids: dict[str, set[UUID]] = defaultdict(set)  # case -> CaseRecategorised event ids
    copies: Counter[UUID] = Counter()
    for record in out:
        event = decode(record.headers, record.value)
        if event.type.startswith(RECATEGORISED):
            ids[event.subject].add(event.id)
            copies[event.id] += 1
    twice = [case for case, events in ids.items() if len(events) > 1]
    duplicates = sum(n - 1 for n in copies.values())
    report = (
        f"{CASES} cases in chunks of {CHUNK}: killed at {at_kill} re-categorised; after the "
        f"restart {len(ids)} re-categorised, {len(twice)} twice, {duplicates} duplicate "
        "record(s) of one event"
    )
    print(report)
    assert CASES // 2 <= at_kill < CASES, report
    assert len(ids) == CASES, report
    assert twice == [], report
    assert decode(adoption.headers, adoption.value).data.cases_recategorised == CASES, report
