"""Planning's roster reaches hearing on the real broker and database (issue 13, ADR 0027): a
planner declares the month's capacity with named caseworkers and hearing interpreters; planning
publishes HearingRosterPlanned; hearing books each case with a caseworker of the matched
specialism and an interpreter free for its language; a cut in interpreters moves the booking
last in planning's order to another day (HearingCancelled, then HearingPlanned)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hearing import timers
from hearing.app import definition as hearing_definition
from hearing.domain.case import HearingCase, HearingConfig, Status
from hearing.metrics import metrics_for
from hearing.persistence import cases, rosters
from hearing.testing import completion, registration, release
from planning.app import definition as planning_definition
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events import hearing as h
from shared.contracts.events.intake import ApplicantLogisticsChanged, LogisticsPart
from shared.contracts.events.planning import CapacityDeclared, Specialism, TeamCapacityChanged
from shared.contracts.topics import PLANNING_INPUT, Stage, stage_events
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic
from shared.tools.testing.waiting import wait_until

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday: the first slot day is Tuesday
TUESDAY, WEDNESDAY, THURSDAY = date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)
TEAM = "team-syria-1"
CASES = ("case-1", "case-2", "case-3")  # lodged in this order: planning's order


def declaration(ara_interpreters: int) -> CapacityDeclared:
    return CapacityDeclared.model_validate(
        {
            "prephase_places": 0,
            "hearing_days": 40,
            "decision_days": 20,
            "prephase_location_operational": True,
            "teams": [
                {
                    "team": TEAM,
                    "caseworkers": 2,
                    "hours_per_week": 36,
                    "nationalities": ["SYR"],
                    "location": "ind-den-bosch",
                    "members": [
                        {"caseworker": "cw-1001", "specialisms": ["nationality", "language"]},
                        {"caseworker": "cw-1002", "specialisms": ["nationality"]},
                    ],
                }
            ],
            "hearing_interpreters": [{"language": "ara", "places": ara_interpreters}],
        }
    )


def fact(data: EventData, subject: str, actor: str, stream: Stream | None) -> Envelope[Any]:
    return front_end_event(data, subject=subject, stream=stream, actor=actor)


async def states(runtime: ServiceRuntime) -> dict[str, HearingCase]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(select(cases.c.state))
    found = [HearingCase.model_validate(r.state) for r in rows]
    return {c.case_id: c for c in found}


async def test_planning_s_roster_books_hearings_and_an_interpreter_cut_moves_one(
    settings: Settings,
) -> None:
    clock = DrivenClock(NOW)
    config = HearingConfig()
    # Hearing's daily run is driven by hand here, so that the test knows when it ran.
    hearing_def = dataclasses.replace(hearing_definition, periodic=())
    runtimes = [
        ServiceRuntime(d, settings, clock=clock) for d in (planning_definition, hearing_def)
    ]
    for runtime in runtimes:
        await runtime.migrate()
        await runtime.start()
    _, hearing = runtimes
    assert hearing.processor is not None
    processor = hearing.processor

    async def daily() -> None:
        await processor.run_work(
            lambda uow: timers.daily(uow, config, metrics_for(hearing.registry))
        )

    async def roster_with(ara: int) -> bool:
        async with hearing.engine.connect() as conn:
            row = (await conn.execute(select(rosters.c.state))).one_or_none()
        return row is not None and row.state["interpreters"] == {"ara": ara}

    try:
        # A planner declares November: two named caseworkers, two Arabic interpreters a day.
        await publish(
            settings, PLANNING_INPUT, fact(declaration(2), "2026-11", "planner:pl-1", None)
        )
        await wait_until(lambda: roster_with(2), timeout=40)
        # Three backlog cases of the team, matched on nationality and language, in Arabic.
        for n, case_id in enumerate(CASES):
            facts: list[tuple[EventData, str]] = [
                (registration(Category.A, lodged=datetime(2025, 3, 1 + n, tzinfo=UTC)), "intake"),
                (
                    ApplicantLogisticsChanged(
                        interpreter_languages=("ara",),
                        reception_location="coa-budel",
                        lawyer=f"rvr-4021{n}",
                        court_district=None,
                        changed=(LogisticsPart.INTERPRETER_LANGUAGES, LogisticsPart.LAWYER),
                    ),
                    "intake",
                ),
                (
                    release(team=TEAM, specialisms=(Specialism.NATIONALITY, Specialism.LANGUAGE)),
                    "planning",
                ),
                (completion(category_b=False), "prephase"),
            ]
            for data, service in facts:
                topic = stage_events(Stream.BACKLOG, Stage(service))
                await publish(
                    settings, topic, fact(data, case_id, f"system:{service}", Stream.BACKLOG)
                )

        async def queued() -> bool:
            found = await states(hearing)
            return all(
                c in found and found[c].status is Status.WAITING_SLOT and found[c].lawyer
                for c in CASES
            )

        await wait_until(queued, timeout=40)
        await daily()
        booked = await states(hearing)
        slots = {c: booked[c].slot for c in CASES}
        assert all(s is not None for s in slots.values())
        # Only cw-1001 has the language specialism; two interpreters a day: two on Tuesday.
        assert {
            c: (s.caseworker, s.day, s.interpreter_language) for c, s in slots.items() if s
        } == {
            "case-1": ("cw-1001", TUESDAY, "ara"),
            "case-2": ("cw-1001", TUESDAY, "ara"),
            "case-3": ("cw-1001", WEDNESDAY, "ara"),
        }

        # Planning cuts the interpreters to one a day: Tuesday no longer holds two.
        await publish(
            settings, PLANNING_INPUT, fact(declaration(1), "2026-11", "planner:pl-1", None)
        )
        await wait_until(lambda: roster_with(1), timeout=40)
        await daily()
        moved = await states(hearing)
        assert moved["case-1"].slot is not None
        assert moved["case-1"].slot.day == TUESDAY
        assert moved["case-3"].slot is not None
        assert moved["case-3"].slot.day == WEDNESDAY
        # The last in planning's order moves; Wednesday's interpreter is taken: Thursday.
        assert moved["case-2"].status is Status.PLANNED
        assert moved["case-2"].slot is not None
        assert (moved["case-2"].slot.caseworker, moved["case-2"].slot.day) == ("cw-1001", THURSDAY)

        records = await read_topic(
            settings, stage_events(Stream.BACKLOG, Stage.HEARING), expect=5, settle=1.0
        )
        events = [decode(r.headers, r.value) for r in records]
        of_2 = [e.data for e in events if e.subject == "case-2"]
        assert [type(e).__name__ for e in of_2] == [
            "HearingPlanned",
            "HearingCancelled",
            "HearingPlanned",
        ]
        cancelled = of_2[1]
        assert isinstance(cancelled, h.HearingCancelled)
        # The lawyer is told (chain-notify reads the cancellation and the new slot).
        assert (cancelled.day, cancelled.reason, cancelled.lawyer) == (
            TUESDAY,
            h.CancellationReason.RESCHEDULED,
            "rvr-40211",
        )
        assert sorted(e.subject for e in events) == [
            "case-1",
            "case-2",
            "case-2",
            "case-2",
            "case-3",
        ]
    finally:
        for runtime in reversed(runtimes):
            await runtime.stop()


async def test_a_team_change_from_a_day_reaches_hearing_s_roster(settings: Settings) -> None:
    """A planner changes one team from 7 December (TeamCapacityChanged, ADR 0030): cw-1002
    leaves, cw-1003 joins. December is not declared: planning gives it a roster of its own
    from the change (hearing reads a month's roster for the months after it), and November's
    stays as declared."""
    clock = DrivenClock(NOW)
    hearing_def = dataclasses.replace(hearing_definition, periodic=())
    runtimes = [
        ServiceRuntime(d, settings, clock=clock) for d in (planning_definition, hearing_def)
    ]
    for runtime in runtimes:
        await runtime.migrate()
        await runtime.start()
    _, hearing = runtimes

    async def kept() -> dict[str, Any]:
        async with hearing.engine.connect() as conn:
            rows = await conn.execute(select(rosters.c.state))
        return {r.state["month"]: r.state for r in rows}

    def named(roster: dict[str, Any]) -> list[str]:
        return sorted(c["caseworker"] for t in roster["teams"].values() for c in t["caseworkers"])

    try:
        await publish(
            settings, PLANNING_INPUT, fact(declaration(2), "2026-11", "planner:pl-1", None)
        )

        async def declared() -> bool:
            return "2026-11" in await kept()

        await wait_until(declared, timeout=40)
        change = TeamCapacityChanged.model_validate(
            {
                "effective_on": "2026-12-07",
                "caseworkers": 2,
                "hours_per_week": 36,
                "nationalities": ["SYR"],
                "location": "ind-den-bosch",
                "members": [
                    {"caseworker": "cw-1001", "specialisms": ["nationality", "language"]},
                    {"caseworker": "cw-1003", "specialisms": ["nationality", "language"]},
                ],
            }
        )
        await publish(settings, PLANNING_INPUT, fact(change, TEAM, "planner:pl-1", None))

        async def changed() -> bool:
            return "2026-12" in await kept()

        await wait_until(changed, timeout=40)
        rosters_now = await kept()
        assert named(rosters_now["2026-11"]) == ["cw-1001", "cw-1002"]  # November as declared
        assert named(rosters_now["2026-12"]) == ["cw-1001", "cw-1003"]
    finally:
        for runtime in reversed(runtimes):
            await runtime.stop()
