"""Hearing's daily pass reads the queue only as far as the teams' room reaches (issue 16),
against the real database: the same slots and reports as reading the whole queue, the queue
read in the fixed order, and a first look gone stale before the lock still leaves no slot
unused."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hearing import persistence as db
from hearing import timers
from hearing.app import definition
from hearing.domain.capacity import (
    Booking,
    Caseworker,
    CaseworkerDay,
    Room,
    Roster,
    Team,
    first_day,
    window,
)
from hearing.domain.case import (
    HearingCase,
    HearingConfig,
    Mode,
    Plan,
    Status,
    queue_order,
)
from hearing.metrics import metrics_for
from shared.contracts.events.hearing import HearingFormat
from shared.contracts.events.planning import Specialism
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.calendar import add_working_days
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.runtimes import running

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday
CONFIG = HearingConfig()
# Room for a case of team a needing no specialism, with any interpreter.
ANY_OF_TEAM_A = Room(openings=frozenset({("team-a", frozenset(), None)}), days=1)


@pytest.fixture
async def hearing(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    # The pass is run by the test, not by the timer.
    quiet = dataclasses.replace(definition, periodic=())
    async with running(settings, quiet, clock=DrivenClock(NOW)) as (runtime,):
        yield runtime


def queued(n: int, team: str = "team-a", **update: Any) -> HearingCase:
    fields: dict[str, Any] = {
        "case_id": f"case-{n:03d}",
        "stream": Stream.BACKLOG,
        "status": Status.WAITING_SLOT,
        "registered": True,
        "category": Category.C,  # one hearing a caseworker day
        "lodged_at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        "team": team,
        "plan": Plan(mode=Mode.ORAL, format=HearingFormat.FULL),
        "unplaced_reported": True,
    }
    return HearingCase.model_validate(fields | update)


def roster(teams: dict[str, int], interpreters: dict[str, int] | None = None) -> Roster:
    """Teams of that many caseworkers (no specialisms), full-time."""
    return Roster(
        month="2026-11",
        teams={
            name: Team(
                location="ind-x1",
                caseworkers=tuple(Caseworker(caseworker=f"{name}-{i}") for i in range(count)),
            )
            for name, count in teams.items()
        },
        interpreters=interpreters,
    )


async def save(
    runtime: ServiceRuntime,
    plan: Roster,
    cases: list[HearingCase],
    days: list[CaseworkerDay] | None = None,
) -> None:
    async def work(uow: UnitOfWork) -> None:
        await db.ROSTERS.save(uow.session, [plan])
        await db.CASES.save(uow.session, cases)
        await db.DAYS.save(uow.session, days or [])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def daily(runtime: ServiceRuntime) -> int:
    """One pass; returns how many events it wrote."""

    async def work(uow: UnitOfWork) -> int:
        await timers.daily(uow, CONFIG, metrics_for(runtime.registry))
        return len(uow.records)

    assert runtime.processor is not None
    return int(await runtime.processor.run_work(work))


async def states(runtime: ServiceRuntime) -> dict[str, HearingCase]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(select(db.cases.c.state))
        found = [HearingCase.model_validate(row.state) for row in rows]
        return {c.case_id: c for c in found}


def count_first_look(monkeypatch: pytest.MonkeyPatch, then: Any = None) -> list[int]:
    """Counts the cases each first-look page returns; `then` runs after the first page."""
    read: list[int] = []
    real = db.read_queue

    async def spy(*args: Any) -> list[HearingCase]:
        page = await real(*args)
        read.append(len(page))
        if then is not None and len(read) == 1:
            await then(page)
        return page

    monkeypatch.setattr(db, "read_queue", spy)
    return read


async def test_the_queue_is_read_in_the_fixed_order(hearing: ServiceRuntime) -> None:
    """The columns and index read the queue in queue_order: priority, Pact before backlog,
    lodging moment (none: last), case id by code point ('case-B' before 'case-a'); only the
    teams asked for, and no case on a 1F/NV hold (the allocation passes those over)."""
    same = datetime(2024, 5, 1, tzinfo=UTC)
    cases = [
        queued(1, case_id="case-a", lodged_at=same),
        queued(2, case_id="case-B", lodged_at=same),
        queued(3, priority_group=PriorityGroup.UNACCOMPANIED_MINOR),
        queued(4, stream=Stream.PACT),
        queued(5, lodged_at=None),
        queued(6, priority_group=PriorityGroup.NUISANCE),
        queued(7, team="team-b"),
        queued(8, exclusion_hold=True),
        queued(9, status=Status.PLANNED),
        queued(10),
    ]
    await save(hearing, roster({"team-a": 1}), cases)
    expected = [
        c.case_id
        for c in sorted(cases, key=queue_order)
        if c.team == "team-a" and c.status is Status.WAITING_SLOT and not c.exclusion_hold
    ]
    read: list[HearingCase] = []
    async with hearing.engine.connect() as conn, AsyncSession(conn) as session:
        after = None
        while page := await db.read_queue(session, ANY_OF_TEAM_A, after, 2):
            read.extend(page)
            after = queue_order(page[-1])
    assert [c.case_id for c in read] == expected
    assert expected[:2] == ["case-006", "case-003"]
    assert expected[-1] == "case-005"


async def test_a_pass_reads_only_as_far_as_the_teams_room_reaches(
    hearing: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Team a's caseworker has ten days of room: the first ten in the order get them and the
    rest of its queue stays unread, but one far behind that is still owed its report is told;
    team b's one case, last of all, still gets its slot."""
    cases = [queued(n) for n in range(300)]
    cases[250] = queued(250, unplaced_reported=False)
    cases[299] = queued(299, team="team-b")
    await save(hearing, roster({"team-a": 1, "team-b": 1}), cases)
    read = count_first_look(monkeypatch)
    before = await states(hearing)

    events = await daily(hearing)

    after = await states(hearing)
    planned = sorted(c for c in after if after[c].status is Status.PLANNED)
    assert planned == [*(f"case-{n:03d}" for n in range(10)), "case-299"]
    assert after["case-250"].unplaced_reported
    changed = {c for c in after if after[c] != before[c]}
    assert changed == {*planned, "case-250"}
    assert events == 12
    assert sum(read) < 100  # not the whole queue
    assert metrics_for(hearing.registry).waiting._value.get() == 289  # all still waiting


async def test_a_case_with_the_one_free_interpreter_gets_the_slot_behind_cases_without_one(
    hearing: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cases that find no interpreter do not use a caseworker's room: the first case behind
    them with a language the day has an interpreter for gets it, however far back."""
    cases = [queued(n, language="ara") for n in range(150)]
    cases[140] = queued(140, language="tir")
    await save(hearing, roster({"team-a": 1}, {"tir": 1}), cases)
    read = count_first_look(monkeypatch)

    await daily(hearing)

    after = await states(hearing)
    assert [c for c in after if after[c].status is Status.PLANNED] == ["case-140"]
    assert read == [1]  # only case-140 might fit: no ara interpreter is free


async def test_a_case_gone_between_the_first_look_and_the_lock_leaves_no_slot_unused(
    hearing: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first look is unlocked: when the case it counted on for the team's last half day is
    withdrawn before the lock, and the others it read each need a whole day, the pass serves
    the whole queue, so that the half day goes to the next case that fits it (an A hearing), as
    a pass reading everything would have given it."""
    worker = "team-a-0"
    days = window(first_day(NOW.date(), CONFIG), CONFIG)
    booked = [
        CaseworkerDay(
            caseworker=worker,
            day=d,
            bookings=(Booking(case_id=f"other-{d}", rate_class="A" if d == days[-1] else "C"),),
        )
        for d in days
    ]
    cases = [queued(n) for n in range(100)]  # C: a whole day each
    cases[0] = queued(0, category=Category.A)
    cases[71] = queued(71, category=Category.A)
    await save(hearing, roster({"team-a": 1}), cases, booked)

    async def withdraw_first(page: list[HearingCase]) -> None:
        assert page[0].case_id == "case-000"
        gone = page[0].model_copy(update={"status": Status.WITHDRAWN})
        async with hearing.engine.begin() as conn, AsyncSession(conn) as session:
            await db.CASES.save(session, [gone])
            await session.commit()

    read = count_first_look(monkeypatch, withdraw_first)
    await daily(hearing)

    after = await states(hearing)
    assert read == [timers.FIRST_LOOK]  # the look stopped: case-000 took the half day
    planned = sorted(c for c in after if after[c].status is Status.PLANNED)
    assert planned == ["case-071"]


async def test_cases_needing_a_specialism_no_caseworker_with_room_has_stay_unread(
    hearing: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The team's only caseworker has no specialisms: the cases that need one cannot get a
    slot, so the look reads past them to the one that needs none, without reading them."""
    cases = [queued(n, specialisms=(Specialism.LANGUAGE,)) for n in range(200)]
    cases[150] = queued(150)
    await save(hearing, roster({"team-a": 1}), cases)
    read = count_first_look(monkeypatch)

    await daily(hearing)

    after = await states(hearing)
    assert [c for c in after if after[c].status is Status.PLANNED] == ["case-150"]
    assert read == [1]


async def days_stored(runtime: ServiceRuntime) -> dict[str, CaseworkerDay]:
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(select(db.caseworker_days.c.state))
        found = [CaseworkerDay.model_validate(row.state) for row in rows]
        return {d.key: d for d in found}


async def test_a_day_booked_for_a_case_released_later_is_not_booked_again(
    hearing: ServiceRuntime,
) -> None:
    """A case released for a day past the usual window is booked on a caseworker day beyond
    it. The next pass (the same day) must see that day as booked: a second case released for
    the same day gets the next one, and the first keeps its slot and its booking."""
    later = add_working_days(window(first_day(NOW.date(), CONFIG), CONFIG)[-1], 5)
    await save(hearing, roster({"team-a": 1}), [queued(1, release_day=later)])
    await daily(hearing)
    first = (await states(hearing))["case-001"]
    assert first.slot is not None
    assert first.slot.day == later

    await save(hearing, roster({"team-a": 1}), [queued(2, release_day=later)])
    await daily(hearing)

    after = await states(hearing)
    assert after["case-001"] == first  # not moved, not booked again
    second = after["case-002"]
    assert second.slot is not None
    assert second.slot.day == add_working_days(later, 1)
    stored = await days_stored(hearing)
    # C: one hearing a caseworker day, so each day holds exactly its own case.
    assert [b.case_id for b in stored[f"team-a-0/{later}"].bookings] == ["case-001"]
    assert [b.case_id for b in stored[f"team-a-0/{second.slot.day}"].bookings] == ["case-002"]


async def test_a_cancelled_slot_beyond_the_window_gives_its_day_back(
    hearing: ServiceRuntime,
) -> None:
    """A case booked beyond the usual window (released for a later day) is withdrawn: the next
    pass gives that caseworker day back, though it is outside the usual window."""
    later = add_working_days(window(first_day(NOW.date(), CONFIG), CONFIG)[-1], 5)
    await save(hearing, roster({"team-a": 1}), [queued(1, release_day=later)])
    await daily(hearing)
    booked = (await states(hearing))["case-001"]
    assert booked.slot is not None
    gone = booked.model_copy(update={"status": Status.WITHDRAWN, "slot_to_free": booked.slot})
    await save(hearing, roster({"team-a": 1}), [gone])

    await daily(hearing)

    assert (await states(hearing))["case-001"].slot_to_free is None
    assert (await days_stored(hearing))[f"team-a-0/{later}"].bookings == ()


async def test_a_case_released_after_the_pass_looked_how_far_to_load_waits_for_the_next(
    hearing: ServiceRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case released for a later day between the pass's look at how far to load and its lock
    of the cases (here: the look sees none) is not booked on a day the pass did not load; the
    next pass books it."""
    later = add_working_days(window(first_day(NOW.date(), CONFIG), CONFIG)[-1], 5)
    await save(hearing, roster({"team-a": 1}), [queued(1, release_day=later)])
    real = db.furthest

    async def none_yet(session: AsyncSession) -> tuple[None, None]:
        return None, None

    monkeypatch.setattr(db, "furthest", none_yet)
    assert await daily(hearing) == 0
    assert (await states(hearing))["case-001"].status is Status.WAITING_SLOT

    monkeypatch.setattr(db, "furthest", real)
    await daily(hearing)
    planned = (await states(hearing))["case-001"]
    assert planned.slot is not None
    assert planned.slot.day == later


async def test_a_roster_is_parsed_once_and_read_again_once_its_row_changed(
    hearing: ServiceRuntime,
) -> None:
    """ADR 0035: the pass finds the roster it parsed before while the stored roster is the
    same, and reads a roster changed by anyone (here straight in the table) as it is now."""

    async def read() -> dict[str, Roster]:
        async with hearing.session_factory() as session:
            return await db.rosters_from(session, NOW.date())

    await save(hearing, roster({"team-a": 2}), [])
    first, again = await read(), await read()
    assert list(first) == ["2026-11"]
    assert again["2026-11"] is first["2026-11"]  # not parsed again

    async with hearing.session_factory() as session, session.begin():
        await session.execute(
            update(db.rosters).values(state=roster({"team-a": 3}).model_dump(mode="json"))
        )
    changed = await read()
    assert changed["2026-11"].caseworkers() == ["team-a-0", "team-a-1", "team-a-2"]

    await save(hearing, roster({"team-a": 2}), [])
    back = await read()
    assert back["2026-11"] == first["2026-11"]
