"""Planning's daily pass against the real database, state written straight into its tables: the
shortcuts of issue 16 (the months of today's cycle only, all cohorts' queues in one query, the
open cycles only) give the events the full reads gave."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from planning import daily
from planning import persistence as db
from planning.app import SETTINGS, definition
from planning.domain.capacity import backlog_days_between, months_between
from planning.domain.cohorts import cohort_id
from planning.domain.cycles import ALL, quotas_for
from planning.domain.model import (
    NO_PRIORITY,
    CohortPlan,
    Cycle,
    MonthCapacity,
    PoolCase,
    PoolStatus,
    Team,
)
from planning.domain.records import CaseRecord, Step, Unplaced
from planning.metrics import metrics_for
from shared.contracts.envelope import Envelope, EventData, decode
from shared.contracts.events.common import Procedure
from shared.contracts.events.planning import CaseReleased, CohortReleased, PlanCycleClosed
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.runtimes import isolated_settings
from shared.tools.testing.servers import Servers

pytestmark = pytest.mark.integration

CONFIG = SETTINGS.config()
TODAY = date(2027, 11, 2)  # a Tuesday, the second working day of the cycle below
START, END = date(2027, 11, 1), date(2028, 1, 31)


async def migrated(settings: Settings) -> ServiceRuntime:
    clock = DrivenClock(datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=UTC))
    runtime = ServiceRuntime(definition, settings, clock=clock)
    await runtime.migrate()  # not started: the passes run here, as the timer runs them
    return runtime


@pytest.fixture
async def planning(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    runtime = await migrated(settings)
    yield runtime
    await runtime.engine.dispose()


def month(key: str, team: str) -> MonthCapacity:
    teams = (Team(team_id=team, caseworkers=40, hours_per_week=36),)
    return MonthCapacity(month=key, teams=teams, prephase_places=5000)


def pooled(n: int, category: Category, nationality: str) -> PoolCase:
    return PoolCase(
        case_id=f"case-{n:04d}",
        stream=Stream.BACKLOG,
        nationality=nationality,
        lodged_on=date(2023, 1, 1) + timedelta(days=(n * 37) % 900),
        registered_on=date(2026, 5, 1),
        category=category,
    )


def cohort(category: Category, nationality: str, planned: int) -> CohortPlan:
    return CohortPlan(  # named as a planner's proposal names them (domain/cycles.py)
        cohort_id=f"{category.value.lower()}-all"
        if nationality == ALL
        else cohort_id(NO_PRIORITY, category, nationality),
        rank=NO_PRIORITY,
        category=category,
        nationality=nationality,
        planned=planned,
    )


def running_cycle(cohorts: tuple[CohortPlan, ...], capacities: list[MonthCapacity]) -> Cycle:
    # Planned with the capacity as declared: the pass does not re-plan it.
    days = backlog_days_between({c.month: c for c in capacities}, START, END, None, CONFIG)
    return Cycle(
        cycle_id="cycle-2027-11-01",
        starts_on=START,
        ends_on=END,
        cohorts=cohorts,
        expected_grant_rate=0.4,
        backlog_days=round(days, 2),
    )


async def write(runtime: ServiceRuntime, *rows: PoolCase | MonthCapacity | Cycle) -> None:
    async def work(uow: UnitOfWork) -> None:
        await db.POOL.save(uow.session, [r for r in rows if isinstance(r, PoolCase)])
        await db.CAPACITY.save(uow.session, [r for r in rows if isinstance(r, MonthCapacity)])
        await db.CYCLES.save(uow.session, [r for r in rows if isinstance(r, Cycle)])

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def plan_day(runtime: ServiceRuntime) -> list[Envelope[EventData]]:
    async def work(uow: UnitOfWork) -> list[Envelope[EventData]]:
        await daily.plan_day(uow, CONFIG)
        return [decode(r.headers, r.value) for r in uow.records]

    assert runtime.processor is not None
    return await runtime.processor.run_work(work)


def comparable(events: list[Envelope[EventData]]) -> list[tuple[str, str, str]]:
    return [(e.type, e.subject, e.data.model_dump_json()) for e in events]


async def test_the_pass_reads_the_months_of_todays_cycle_and_the_teams_in_force(
    planning: ServiceRuntime,
) -> None:
    declared = [
        month("2027-06", "june"),
        month("2027-09", "september"),
        month("2027-12", "december"),
        month("2028-06", "june-2028"),
    ]
    await write(planning, *declared)
    async with planning.session_factory() as session:
        every = await db.capacities(session)
        cycle = await db.capacities(session, START, END)
        september = await db.capacities(session, date(2027, 9, 15), date(2027, 9, 15))
        october = await db.capacities(session, date(2027, 10, 15), date(2027, 10, 15))
        before = await db.capacities(session, date(2027, 5, 1), date(2027, 5, 31))
    assert sorted(every) == ["2027-06", "2027-09", "2027-12", "2028-06"]
    # November is not declared: September's teams are in force until December's.
    assert sorted(cycle) == ["2027-09", "2027-12"]
    assert sorted(september) == sorted(october) == ["2027-09"]
    assert before == {}

    # The pass dispatches to the teams in force: September's, not a later month's.
    cases = [pooled(n, Category.D, "NGA") for n in range(10)]
    chosen = (cohort(Category.D, "NGA", 128),)
    await write(planning, *cases, running_cycle(chosen, declared))
    events = await plan_day(planning)
    teams = {e.data.team for e in events if isinstance(e.data, CaseReleased)}
    assert teams == {"september"}


async def test_a_month_is_parsed_once_and_read_again_once_its_row_changed(
    planning: ServiceRuntime,
) -> None:
    """ADR 0035: a month read again is the one parsed before while its stored state is the
    same; a row changed by anyone (here straight in the table, as another instance would)
    is read as it is now, and so is a row changed back to what it was."""
    await write(planning, month("2027-09", "september"), month("2027-12", "december"))
    async with planning.session_factory() as session:
        first = await db.capacities(session, START, END)
        again = await db.capacities(session, START, END)
        every = await db.capacities(session)
    assert sorted(first) == ["2027-09", "2027-12"]
    assert all(again[m] is first[m] for m in first)  # not parsed again
    assert every["2027-12"] is first["2027-12"]

    async with planning.session_factory() as session, session.begin():
        await session.execute(
            text(
                "UPDATE capacity SET state = jsonb_set(state, '{prephase_places}', '7') "
                "WHERE month = '2027-12'"
            )
        )
    async with planning.session_factory() as session:
        changed = await db.capacities(session, START, END)
    assert changed["2027-12"].prephase_places == 7
    assert changed["2027-09"] is first["2027-09"]

    await write(planning, month("2027-12", "december"))
    async with planning.session_factory() as session:
        back = await db.capacities(session, START, END)
    assert back["2027-12"].prephase_places == 5000
    assert back["2027-12"] == first["2027-12"]


async def test_all_cohorts_read_at_once_release_what_one_by_one_released(
    planning: ServiceRuntime, servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same state in two schemas: the pass as it runs now, and with every cohort read after
    the one before was released (as before issue 16). The same events, in the same order."""
    months = [month(m, f"team-{m}") for m in months_between(START, END)]
    nationalities = ("SYR", "YEM", "ERI", "AFG")
    categories = (Category.A, Category.B, Category.D)
    cases = [
        pooled(n, categories[n % 3], nationalities[(n // 3) % 4])
        for n in range(240)  # 20 per cohort
    ]
    chosen = tuple(
        cohort(c, nat, 64 * (1 + (i % 5)))
        for i, (c, nat) in enumerate((c, nat) for c in categories for nat in nationalities)
    )
    cycle = running_cycle(chosen, months)
    one_by_one = await migrated(isolated_settings(servers, log_level="WARNING"))
    try:
        await write(planning, *cases, *months, cycle)
        await write(one_by_one, *cases, *months, cycle)
        now = await plan_day(planning)
        monkeypatch.setattr(daily, "separate", lambda cohorts: False)
        before = await plan_day(one_by_one)
    finally:
        await one_by_one.engine.dispose()
    released = [e for e in now if isinstance(e.data, CaseReleased)]
    assert len(released) == sum(quotas_for(cycle, TODAY).values()) >= 12
    assert comparable(now) == comparable(before)


async def test_a_cohort_of_every_nationality_beside_one_of_its_category_never_doubles_a_case(
    planning: ServiceRuntime,
) -> None:
    """The cohorts share cases: each is read after the one before is released. Read at once,
    both would take the oldest Syrian cases and release them twice."""
    months = [month(m, f"team-{m}") for m in months_between(START, END)]
    cases = [pooled(n, Category.A, "SYR") for n in range(30)]
    chosen = (cohort(Category.A, ALL, 256), cohort(Category.A, "SYR", 192))
    cycle = running_cycle(chosen, months)
    due = quotas_for(cycle, TODAY)
    assert due["a-all"] > 0
    assert due["a-syr"] > 0
    await write(planning, *cases, *months, cycle)
    events = await plan_day(planning)
    released = [e.subject for e in events if isinstance(e.data, CaseReleased)]
    total = due["a-all"] + due["a-syr"]
    assert len(released) == len(set(released)) == total
    per_cohort = [
        (e.data.cohort, e.data.cases) for e in events if isinstance(e.data, CohortReleased)
    ]
    assert per_cohort == [("a-all", due["a-all"]), ("a-syr", due["a-syr"])]
    async with planning.session_factory() as session:
        counts = await db.pool_counts(session)
    assert counts == {PoolStatus.RELEASED.value: total, PoolStatus.POOLED.value: 30 - total}


async def test_only_a_cycle_that_ended_and_is_not_closed_is_closed(
    planning: ServiceRuntime,
) -> None:
    months = [month(m, f"team-{m}") for m in months_between(START, END)]
    ended = [
        Cycle(
            cycle_id=f"cycle-{starts}",
            starts_on=starts,
            ends_on=ends,
            cohorts=(),
            expected_grant_rate=0.4,
            backlog_days=100.0,
            closed_on=ends if closed else None,
        )
        for starts, ends, closed in (
            (date(2027, 2, 1), date(2027, 4, 30), True),
            (date(2027, 5, 1), date(2027, 7, 31), True),
            (date(2027, 8, 1), date(2027, 10, 31), False),
        )
    ]
    await write(planning, *months, *ended, running_cycle((), months))
    events = await plan_day(planning)
    closed = [e for e in events if isinstance(e.data, PlanCycleClosed)]
    assert [(e.subject, e.data.closed_on) for e in closed] == [
        ("cycle-2027-08-01", date(2027, 10, 31))
    ]
    assert [e for e in await plan_day(planning) if isinstance(e.data, PlanCycleClosed)] == []


async def test_the_migration_fills_the_unplaced_columns_from_the_records_there(
    settings: Settings,
) -> None:
    """A database from before the unplaced columns (revision 0005 as it first ran, without
    them): migrated, the gauge counts the unplaced records from their JSON."""
    runtime = ServiceRuntime(
        definition, settings, clock=DrivenClock(datetime(2027, 11, 2, tzinfo=UTC))
    )

    def to_0005(connection: Any, /) -> None:
        config = Config()
        config.set_main_option("script_location", "planning:migrations")
        config.attributes["connection"] = connection
        config.attributes["schema"] = runtime.schema
        command.upgrade(config, "0005")

    def record(n: int, unplaced: Unplaced | None) -> CaseRecord:
        return CaseRecord(
            case_id=f"case-{n:04d}",
            stream=Stream.BACKLOG,
            procedure=Procedure.NATIONAL_REGULAR,
            lodged_on=date(2023, 3, 1),
            registered_on=date(2026, 5, 1),
            unaccompanied=False,
            deadline=date(2029, 6, 12),
            unplaced=unplaced,
        )

    columns = "case_id, state, stream"  # the table at 0005, as it first ran
    short = Unplaced(stage="hearing", reason="no_hearing_slot", since=date(2027, 10, 1))
    rows = [record(1, short), record(2, short), record(3, None)]
    try:
        async with runtime.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{runtime.schema}"'))
            await conn.execute(text(f'SET LOCAL search_path TO "{runtime.schema}"'))
            await conn.run_sync(to_0005)
            await conn.execute(text("DROP INDEX records_unplaced"))
            await conn.execute(text("ALTER TABLE case_records DROP COLUMN unplaced_stage"))
            await conn.execute(text("ALTER TABLE case_records DROP COLUMN unplaced_reason"))
            await conn.execute(
                text(f"INSERT INTO case_records ({columns}) VALUES (:case_id, :state, :stream)"),
                [
                    {"case_id": r.case_id, "state": r.model_dump_json(), "stream": r.stream.value}
                    for r in rows
                ],
            )
        await runtime.migrate()

        async def work(uow: UnitOfWork) -> None:
            await daily.report_unplaced(uow, metrics_for(runtime.registry))

        assert runtime.processor is not None
        await runtime.processor.run_work(work)
        labels = {"stream": "backlog", "stage": "hearing", "reason": "no_hearing_slot"}
        assert runtime.registry.get_sample_value("caseflow_planning_cases_unplaced", labels) == 2
    finally:
        await runtime.engine.dispose()


async def test_the_migration_keeps_the_records_steps_apart(settings: Settings) -> None:
    """A database from before the steps were kept apart (revision 0006): migrated, each
    record's steps are rows of their own, numbered in order, and the record read with them is
    the record as it was (ADR 0035)."""
    runtime = ServiceRuntime(
        definition, settings, clock=DrivenClock(datetime(2027, 11, 2, tzinfo=UTC))
    )

    def to_0006(connection: Any, /) -> None:
        config = Config()
        config.set_main_option("script_location", "planning:migrations")
        config.attributes["connection"] = connection
        config.attributes["schema"] = runtime.schema
        command.upgrade(config, "0006")

    def record(n: int, steps: int) -> CaseRecord:
        return CaseRecord(
            case_id=f"case-{n:04d}",
            stream=Stream.BACKLOG,
            procedure=Procedure.NATIONAL_REGULAR,
            lodged_on=date(2023, 3, 1),
            registered_on=date(2026, 5, 1),
            unaccompanied=False,
            deadline=date(2029, 6, 12),
            steps=tuple(
                Step(day=date(2026, 5, 1) + timedelta(days=i), stage="planning", what=f"step {i}")
                for i in range(steps)
            ),
        )

    rows = [record(1, 3), record(2, 12), record(3, 0)]
    try:
        async with runtime.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{runtime.schema}"'))
            await conn.execute(text(f'SET LOCAL search_path TO "{runtime.schema}"'))
            await conn.run_sync(to_0006)
            await conn.execute(
                text("INSERT INTO case_records (case_id, state, stream) VALUES (:id, :state, :s)"),
                [{"id": r.case_id, "state": r.model_dump_json(), "s": "backlog"} for r in rows],
            )
        await runtime.migrate()
        async with runtime.session_factory() as session:
            stored = {r.case_id: r for r in await db.all_records(session)}
            read = [await db.load_record(session, r.case_id) for r in rows]
        assert [stored[r.case_id].steps for r in rows] == [(), (), ()]
        assert [stored[r.case_id].steps_kept for r in rows] == [3, 12, 0]
        assert read == rows
    finally:
        await runtime.engine.dispose()
