"""The stuck-work command (issue 9), tried on a dead letter, a parked fact, a conflict and a parked
outbox row: each is listed, shown with its reason, and replayed to its normal effect once."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from shared.contracts.envelope import decode
from shared.contracts.topics import rejections
from shared.contracts.values import Stream
from shared.runtime.database import conflicts_table, outbox_parked_table, parked_facts_table
from shared.runtime.kit import GONE, Context, Decision, KitHandler, Outcome
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.runtime.stuck import Kind, Selection, StuckWork, details, mask
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

REJECTIONS = rejections(Stream.BACKLOG)


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    service = ServiceRuntime(echo.definition, settings)
    await service.migrate()
    await service.start()
    yield service
    await service.stop()


def request(text: str, subject: str) -> Any:
    return front_end_event(echo.EchoRequested(text=text), subject=subject, stream=Stream.BACKLOG)


def note(text: str, subject: str) -> Any:
    return front_end_event(
        echo.EchoNoted(text=text), subject=subject, stream=Stream.BACKLOG, actor="system:hearing"
    )


async def rows(runtime: ServiceRuntime, table: Any) -> list[Any]:
    async with runtime.engine.connect() as conn:
        return list((await conn.execute(select(table).order_by(table.c.id))).all())


async def wait_until(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def fix(runtime: ServiceRuntime, event_type: type[Any], function: Any) -> None:
    """Deploy a fixed domain function (the bug that stuck the work is gone)."""
    handler = runtime.handler
    assert isinstance(handler, KitHandler)
    registrations = handler.rules.registrations
    registrations[event_type] = dataclasses.replace(registrations[event_type], function=function)


def answers(records: list[Any]) -> Counter[str]:
    return Counter(decode(r.headers, r.value).data.text for r in records)


async def test_a_dead_letter_is_listed_shown_and_replayed_once_after_the_fix(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    failing = request("boom", "case-0001")
    await publish(settings, echo.INPUT, failing, request("fine", "case-0002"))
    await read_topic(settings, REJECTIONS, expect=1)
    stuck = StuckWork(runtime)

    [item] = await stuck.find(Selection(kinds=frozenset({Kind.DEAD_LETTER})))
    shown = details(item, stuck.clock.now(), show_case_ids=False)
    assert shown["case"] == mask("case-0001") != "case-0001"
    assert "RuntimeError" in shown["reason"]
    assert shown["replayable"] is True
    assert await stuck.find(Selection(kinds=frozenset({Kind.DEAD_LETTER}), reason="nothing")) == []

    def fixed(case: Any, event: echo.EchoRequested, ctx: Context[None]) -> Outcome[Any]:
        return Decision(echo.EchoCase(case_id=ctx.case_id), [echo.EchoDone(text=event.text)])

    fix(runtime, echo.EchoRequested, fixed)
    [outcome] = await stuck.replay([item], actor="operator:op-1", rate=0)
    assert outcome.startswith("published again")
    await wait_until(lambda: _empty(stuck.find(Selection(kinds=frozenset({Kind.DEAD_LETTER})))))
    await stuck.replay([item], actor="operator:op-1", rate=0)  # twice: the inbox drops it

    out = await read_topic(settings, echo.OUTPUT, expect=3, timeout=5, settle=2.0)
    assert answers(out) == Counter(["fine", "boom"])
    assert runtime.metrics.duplicates._value.get() == 1


async def _empty(found: Any) -> bool:
    return not await found


async def test_a_parked_fact_and_a_conflict_are_decided_again_from_the_command_line(
    runtime: ServiceRuntime, settings: Settings
) -> None:
    await publish(settings, echo.INPUT, request("known", "case-0200"))
    await read_topic(settings, echo.OUTPUT, expect=1)
    await publish(
        settings, echo.OTHERS, note("early", "case-0300"), note("contradict", "case-0200")
    )

    async def both() -> bool:
        return bool(
            await rows(runtime, parked_facts_table) and await rows(runtime, conflicts_table)
        )

    await wait_until(both)
    listed = _cli(settings, "list")
    assert "parked-fact:" in listed
    assert "conflict:" in listed
    assert mask("case-0300") in listed
    assert "case-0300" not in listed.replace(mask("case-0300"), "")
    assert "echo has not seen a request for this case yet" in listed
    assert "case-0300" in _cli(settings, "list", "--show-case-ids", "--case", "case-0300")

    [parked] = await rows(runtime, parked_facts_table)
    [conflict] = await rows(runtime, conflicts_table)
    assert "still waiting" in _cli(
        settings, "replay", f"parked-fact:{parked.id}", "--actor", "operator:op-2"
    )
    assert "still a conflict" in _cli(
        settings, "replay", f"conflict:{conflict.id}", "--actor", "operator:op-2"
    )
    # The case arrives by another path than an event (repaired by hand): nothing retries the fact.
    async with runtime.engine.begin() as conn, runtime.session_factory(bind=conn) as session:
        await echo.CASES.save(session, [echo.EchoCase(case_id="case-0300")])

    def fixed(case: Any, event: echo.EchoNoted, ctx: Context[None]) -> Outcome[Any]:
        updated = case.model_copy(update={"notes": (*case.notes, event.text)})
        return Decision(updated, [echo.EchoDone(text=f"noted {event.text}")])

    fix(runtime, echo.EchoNoted, fixed)  # in-process: the conflict is replayed here, not by the CLI
    stuck = StuckWork(runtime)
    items = await stuck.find(Selection(kinds=frozenset({Kind.PARKED_FACT, Kind.CONFLICT})))
    assert await stuck.replay(items, actor="operator:op-2", rate=20) == ["applied", "applied"]
    again = await stuck.replay(items, actor="operator:op-2", rate=20)
    assert again == [GONE, GONE]

    out = await read_topic(settings, echo.OUTPUT, expect=3, settle=1.0)
    assert answers(out) == Counter(["known", "noted early", "noted contradict"])
    assert await rows(runtime, parked_facts_table) == []
    assert await rows(runtime, conflicts_table) == []


def _cli(settings: Settings, *args: str) -> str:
    env = {
        **os.environ,
        "CASEFLOW_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "CASEFLOW_DATABASE_URL": settings.database_url,
        "CASEFLOW_TOPIC_PREFIX": settings.topic_prefix,
        "CASEFLOW_SCHEMA_PREFIX": settings.schema_prefix,
        "CASEFLOW_LOG_JSON": "false",
    }
    done = subprocess.run(
        [sys.executable, "-m", "shared.tools.testing.echo", "stuck", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr


async def test_a_parked_outbox_row_goes_back_before_the_records_held_behind_it(
    settings: Settings,
) -> None:
    small = settings.model_copy(update={"max_record_bytes": 4096})
    runtime = ServiceRuntime(echo.definition, small)
    assert runtime.processor is not None
    runtime.processor.max_record_bytes = 40_960  # its inputs pass, its answers do not
    await runtime.migrate()
    await runtime.start()
    try:
        huge = "x" * 5000
        await publish(
            settings, echo.INPUT, request(huge, "case-0400"), request("after", "case-0400")
        )

        async def parked() -> bool:
            return len(await rows(runtime, outbox_parked_table)) == 1

        await wait_until(parked)
        stuck = StuckWork(runtime)
        [item] = await stuck.find(Selection(kinds=frozenset({Kind.OUTBOX}), case_id="case-0400"))
        assert item.reason.startswith("MessageSizeTooLargeError")
        # The relay's limit raised (the topic takes larger records now): replay.
        await runtime.stop_relay()
        runtime.settings = settings
        await runtime.start_relay()
        assert await stuck.replay([item], actor="operator:op-3", rate=0) == ["back in the outbox"]
        assert await stuck.replay([item], actor="operator:op-3", rate=0) == [
            "gone: replayed meanwhile"
        ]
        out = await read_topic(settings, echo.OUTPUT, expect=2, settle=1.0)
    finally:
        await runtime.stop()
    assert [decode(r.headers, r.value).data.text for r in out] == [huge, "after"]
    assert await stuck.find(Selection()) == []
