"""Simulated time across services: a driver moves the shared clock day by day, every service's
timers fire on their simulated day, and the driver knows when each day's reactions are over."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.contracts.envelope import Envelope, decode
from shared.contracts.topics import TopicNames, TopicSpec, all_topics
from shared.contracts.values import Stream
from shared.runtime.broker import ensure_topics
from shared.runtime.calendar import working_days_in
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.runtime.simulation import PAUSE_LIMIT_SECONDS
from shared.tools.simulation import DayReport, SimulationDriver
from shared.tools.testing import echo, tally
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

FIRST = date(2026, 4, 20)  # 30 days over King's Day (Mon 27 April) and Ascension (14 May)
DAYS = 30
LAST = FIRST + timedelta(days=DAYS - 1)
WORKING = working_days_in(FIRST, LAST)
EVERY_DAY = [FIRST + timedelta(days=n) for n in range(DAYS)]
MONDAYS = [d for d in EVERY_DAY if d.weekday() == 0]

Output = tuple[str, str, str, datetime]  # topic, type, text, time


async def simulate(
    settings: Settings, *, exact_ends: bool = False
) -> tuple[list[DayReport], list[Output], SimulationDriver]:
    simulated = settings.model_copy(update={"simulated_clock": True, "fetch_max_wait_ms": 20})
    before = datetime(2026, 4, 19, tzinfo=UTC)
    services = [
        ServiceRuntime(d, simulated, clock=DrivenClock(before))
        for d in (echo.definition, tally.definition)
    ]
    for service in services:
        await service.migrate()
        await service.start()
    # A started follower hears the first tick's notification: one that read it only from the
    # clock topic, a fetch wait later, could meanwhile handle the other's first output on the
    # clock it started with (a race that FastStream's batch loop, no longer sleeping after an
    # empty poll, made visible).
    for service in services:
        assert service.follower is not None
        assert service.follower.listening.is_set()
    try:
        async with SimulationDriver(simulated, ["echo", "tally"], exact_ends=exact_ends) as driver:
            reports = await driver.run(FIRST, DAYS)
        # Each tick is answered only after the service's own timer passes and reactions; with
        # exact ends a day's later rounds ask only the services with records still to handle.
        rounds = sum(r.rounds for r in reports)
        answered = []
        for service in services:
            assert service.follower is not None
            answered.append(service.follower.ticks_answered)
        if exact_ends:
            assert all(DAYS <= n <= rounds for n in answered), (answered, rounds)
            if rounds > DAYS:  # a day's second round asked only who still had records
                assert min(answered) < rounds
        else:
            assert answered == [rounds] * len(services)
    finally:
        for service in services:
            await service.stop()
    expected = {
        echo.OTHERS: len(WORKING),
        echo.OUTPUT: len(WORKING) + len(MONDAYS),
        tally.OUTPUT: len(WORKING) + len(MONDAYS),
    }
    outputs: list[Output] = []
    for topic, count in expected.items():
        # The driver saw the last day over: everything is on the topics already.
        records = await read_topic(simulated, topic, expect=count, timeout=5.0, settle=0.2)
        for record in records:
            event = decode(record.headers, record.value)
            outputs.append((topic, event.type, event.data.text, event.time))
    return reports, sorted(outputs), driver


def texts(outputs: list[Output], topic: str) -> list[str]:
    return sorted(text for t, _, text, _ in outputs if t == topic)


async def test_timers_fire_on_their_simulated_days_and_every_day_settles(
    settings: Settings,
) -> None:
    reports, outputs, driver = await simulate(settings)

    assert [r.day for r in reports] == EVERY_DAY
    working = [f"working {d}" for d in WORKING]
    weekly = [f"weekly {d}" for d in MONDAYS]
    assert texts(outputs, echo.OTHERS) == sorted(working)  # tally's timer
    assert texts(outputs, echo.OUTPUT) == sorted(working + weekly)  # echo's answers and timer
    assert texts(outputs, tally.OUTPUT) == sorted(working + weekly)  # the chain's last link
    assert date(2026, 4, 27) not in WORKING  # King's Day: no request, but a weekly echo
    assert "weekly 2026-04-27" in texts(outputs, tally.OUTPUT)
    for _, _, text, moment in outputs:  # every event carries the time of its simulated day
        assert moment == driver.moment(date.fromisoformat(text.split()[1]))
    # A day with nothing to do is over after one round; a busy one needs more.
    for report in reports[1:]:
        quiet = report.day not in WORKING and report.day not in MONDAYS
        assert (report.rounds == 1) is quiet, report
    # Once a day each: echo's Monday echo and its parked-facts watch (the kit's) and tally's
    # ask; not the inbox pruning, which keeps to the wall clock (the servers' time).
    assert all(r.timers_run == 3 for r in reports)


async def again(settings: Settings) -> Settings:
    """The same settings with topics and tables of their own, for a second run."""
    second = settings.model_copy(
        update={
            "topic_prefix": f"{settings.topic_prefix}again.",
            "schema_prefix": f"{settings.schema_prefix}again_",
        }
    )
    specs = [
        TopicSpec(s.name, s.kind, s.stream, s.owner, s.description, partitions=2)
        for s in all_topics()
    ]
    await ensure_topics(second, specs)
    return second


async def test_two_runs_give_the_same_events_at_the_same_times(settings: Settings) -> None:
    _, first_outputs, _ = await simulate(settings)
    _, second_outputs, _ = await simulate(await again(settings))

    assert first_outputs == second_outputs
    assert len(first_outputs) == 3 * len(WORKING) + 2 * len(MONDAYS)


async def test_ends_known_from_the_producers_end_days_sooner_with_the_same_events(
    settings: Settings,
) -> None:
    counted, counted_outputs, _ = await simulate(settings)
    exact, exact_outputs, driver = await simulate(await again(settings), exact_ends=True)

    assert exact_outputs == counted_outputs
    # No round only to confirm that nothing moved: fewer rounds, a quiet day still one.
    assert sum(r.rounds for r in exact) < sum(r.rounds for r in counted)
    for report in exact[1:]:
        if report.day not in WORKING and report.day not in MONDAYS:
            assert report.rounds == 1, report
    # The driver knows every partition the services wrote to, from their answers.
    names = TopicNames(f"{settings.topic_prefix}again.")
    written = {key.rpartition("/")[0] for key in driver.ends}
    assert {names(echo.OUTPUT), names(echo.OTHERS), names(tally.OUTPUT)} <= written


async def test_input_waits_between_rounds_for_the_next_tick_and_none_is_left_unread(
    settings: Settings,
) -> None:
    """With exact ends a follower stops its service's fetches once it has answered (idle
    fetches were most of the embedded broker's work between rounds, docs/adr/0038) and lets it
    fetch again on the next tick. Input nobody reported to the driver (sent after
    the run, say) is not lost: with no tick for a while, the service fetches everything again."""
    simulated = settings.model_copy(update={"simulated_clock": True, "fetch_max_wait_ms": 20})
    before = datetime(2026, 4, 19, tzinfo=UTC)
    async with running(simulated, echo.definition, clock=lambda: DrivenClock(before)) as [service]:
        async with SimulationDriver(simulated, ["echo"], exact_ends=True) as driver:
            driver.published(await publish(simulated, echo.INPUT, request("in the run")))
            await driver.run(FIRST, 2)
        assert "in the run" in echo.COMMITTED
        consumer = service._input.consumer
        assigned = consumer.assignment()
        assert assigned
        assert consumer.paused() == assigned  # answered: nothing is fetched until a tick asks

        await publish(simulated, echo.INPUT, request("after the run"))
        await asyncio.sleep(0.5)
        assert "after the run" not in echo.COMMITTED  # no tick has asked for it yet
        await handled("after the run", within=PAUSE_LIMIT_SECONDS + 10)
        assert not consumer.paused()


async def handled(text: str, *, within: float) -> None:
    """Wait until echo has committed `text` (fails after `within` seconds)."""
    deadline = time.monotonic() + within
    while text not in echo.COMMITTED:
        assert time.monotonic() < deadline, f"{text!r} not handled within {within} s"
        await asyncio.sleep(0.1)


def request(text: str) -> Envelope[Any]:
    return front_end_event(
        echo.EchoRequested(text=text), subject=f"c-{text.replace(' ', '-')}", stream=Stream.BACKLOG
    )
