"""A country-policy adoption in chunks (issue 9): each chunk its own transaction, resumed after a
crash by another instance, every eligible case re-categorised once; the timer takes no lock when
nothing is due."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from intake import handlers
from intake.app import SETTINGS, definition
from intake.persistence import policies
from shared.contracts.envelope import decode
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
    stage_events,
)
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
CASES = 250
CHUNK = 100
BACKLOG_OUT = stage_events(Stream.BACKLOG, Stage.INTAKE)


def chunked() -> ServiceDefinition:
    def rules() -> Any:
        return handlers.rules(SETTINGS.config(), adoption_chunk=CHUNK)

    async def adopt(runtime: ServiceRuntime, uow: UnitOfWork) -> bool:
        return await handlers.on_timer(rules(), uow, chunk=CHUNK)

    return dataclasses.replace(
        definition, rules=rules, periodic=(Periodic("adopt-due-country-policies", 3600, adopt),)
    )


@pytest.fixture
async def intake(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = ServiceRuntime(chunked(), settings, clock=DrivenClock(NOW))
    await runtime.migrate()
    await runtime.start()
    yield runtime
    await runtime.stop()


def registration(number: int) -> Any:
    data = ApplicationRegistered(
        v_number=f"{2000000000 + number}",
        nationality="NGA",
        sex=Sex.MALE,
        date_of_birth=date(1990, 5, 17),
        lodged_at=datetime(2025, 4, 1, tzinfo=UTC),
        unaccompanied=False,
        nuisance=False,
    )
    return front_end_event(data, subject=f"case-{number:05d}", stream=None, actor="caseworker:d-7")


async def adoption_progress(runtime: ServiceRuntime) -> Any:
    async with runtime.engine.connect() as conn:
        query = select(policies).where(policies.c.policy_version == "cp-2026-11")
        return (await conn.execute(query)).one()


async def test_an_adoption_runs_in_chunks_survives_a_crash_and_recategorises_each_case_once(
    intake: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, REGISTRATION_INPUT, *(registration(n) for n in range(CASES)))
    await read_topic(settings, BACKLOG_OUT, expect=CASES, timeout=60)
    published = front_end_event(
        CountryPolicyPublished(
            policy_version="cp-2026-11",
            effective_from=date(2026, 11, 1),
            rules=(CountryPolicyRule(nationality="NGA", category=Category.B),),
        ),
        subject="cp-2026-11",
        stream=None,
        actor="policy-officer:po-3",
    )
    await publish(settings, POLICY_INPUT, published)
    # The publication's own transaction re-categorises the first chunk only.
    await read_topic(settings, BACKLOG_OUT, expect=CASES + CHUNK, timeout=30)
    first = await adoption_progress(intake)
    assert (first.adoption_cursor, first.adoption_recategorised) == ("case-00099", CHUNK)
    assert first.adopted_at is None

    # A pass that dies halfway (its chunk done, then the process gone): nothing of it stays.
    async def dies(uow: UnitOfWork) -> None:
        await handlers.on_timer(chunked().rules(), uow, chunk=CHUNK)  # type: ignore[misc]
        raise ConnectionError("killed")

    assert intake.processor is not None
    with pytest.raises(ConnectionError):
        await intake.processor.run_work(dies)
    assert (await adoption_progress(intake)).adoption_cursor == "case-00099"
    await intake.stop()

    # Another instance takes over and finishes: two more chunks, then the adoption.
    successor = ServiceRuntime(chunked(), settings, clock=DrivenClock(NOW))
    await successor.start()
    try:
        [timer] = [p for p in successor.periodic if p.name == "adopt-due-country-policies"]
        assert await successor.run_periodic(timer) == 1  # 100-199 (more), then 200-249 and done
        [adopted] = await read_topic(settings, POLICY_EVENTS, expect=1, settle=1.0)
        out = await read_topic(settings, BACKLOG_OUT, expect=2 * CASES, settle=1.0)

        # Nothing due now: the check takes no lock at all.
        async def check(uow: UnitOfWork) -> int:
            assert not await handlers.on_timer(chunked().rules(), uow, chunk=CHUNK)  # type: ignore[misc]
            return int(
                await uow.session.scalar(
                    text(
                        "select count(*) from pg_locks where locktype = 'advisory' "
                        "and pid = pg_backend_pid()"
                    )
                )
            )

        assert successor.processor is not None
        locks = await successor.processor.run_work(check)
    finally:
        await successor.stop()
    adoption = decode(adopted.headers, adopted.value)
    assert adoption.data.cases_recategorised == CASES
    assert adoption.causationid == published.id
    moved = Counter(
        e.subject
        for e in (decode(r.headers, r.value) for r in out)
        if e.type == "nl.ind.intake.case-recategorised.v1"
    )
    assert len(moved) == CASES
    assert set(moved.values()) == {1}
    assert locks == 0
