"""Planning against the real broker and database, with the clock driven day by day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from planning import daily
from planning.app import SETTINGS, definition
from planning.metrics import metrics_for
from shared.contracts.envelope import decode
from shared.contracts.events.common import Procedure
from shared.contracts.events.hearing import (
    HearingFormat,
    HearingPlanned,
    HearingRoom,
    ReadyForDecision,
)
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    LogisticsPart,
)
from shared.contracts.events.planning import (
    CapacityDeclared,
    CaseworkerCapacity,
    CohortReleased,
    CohortSelection,
    PlacementProblem,
    PlanCycleClosed,
    PlanCycleProposed,
    ReleaseStage,
    StageCouldNotPlace,
    TeamCapacity,
    TeamCapacityChanged,
    TriageLifted,
    TriageTriggered,
)
from shared.contracts.events.prephase import PrephaseCompleted, WrittenAccountReceived
from shared.contracts.topics import (
    PLANNING_INPUT,
    REGISTRATION_REJECTIONS,
    Stage,
    plan_events,
    rejections,
    stage_events,
    stage_input,
)
from shared.contracts.values import Category, Stream
from shared.runtime.calendar import working_days_in
from shared.runtime.clock import DrivenClock
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing.kafka import front_end_event, publish, read_topic

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday, after the programme start (R6)
CONFIG = SETTINGS.config()


@pytest.fixture
async def planning(settings: Settings) -> AsyncIterator[tuple[ServiceRuntime, DrivenClock]]:
    clock = DrivenClock(START)
    runtime = ServiceRuntime(definition, settings, clock=clock)
    await runtime.migrate()
    await runtime.start()
    yield runtime, clock
    await runtime.stop()


def registered(
    case_id: str, stream: Stream, lodged: date, category: Category | None, **extra: Any
) -> Any:
    data = CaseRegistered(
        v_number="1000000001",
        nationality=extra.pop("nationality", "SYR"),
        stream=stream,
        lodged_at=datetime(lodged.year, lodged.month, lodged.day, 10, tzinfo=UTC),
        procedure=Procedure.PACT_REGULAR if stream is Stream.PACT else Procedure.NATIONAL_REGULAR,
        category=category,
        policy_version="cp-2026-10",
        deadline=lodged + timedelta(days=180),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    return front_end_event(data, subject=case_id, stream=stream, actor="system:intake")


def capacity(month: str, caseworkers: int, *, operational: bool = True) -> Any:
    data = CapacityDeclared(
        prephase_places=500,
        hearing_days=0,
        decision_days=0,
        prephase_location_operational=operational,
        teams=(
            TeamCapacity(team="general", caseworkers=caseworkers, hours_per_week=36),
            TeamCapacity(
                team="syria", caseworkers=caseworkers, hours_per_week=36, nationalities=("SYR",)
            ),
        ),
    )
    return front_end_event(data, subject=month, stream=None, actor="planner:pl-1")


async def until(runtime: ServiceRuntime, query: str, expected: Any) -> None:
    import asyncio
    import time

    from sqlalchemy import text

    deadline = time.monotonic() + 20
    value = None
    while time.monotonic() < deadline:
        async with runtime.engine.connect() as conn:
            value = (await conn.execute(text(query))).scalar()
        if value == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{query} gave {value}, not {expected}")


def schema(runtime: ServiceRuntime) -> str:
    return runtime.schema


async def run_day(
    runtime: ServiceRuntime, clock: DrivenClock, day: date, config: Any = CONFIG
) -> dict[str, Any]:
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
    figures: dict[str, Any] = {}

    async def work(uow: Any) -> None:
        figures.update(await daily.plan_day(uow, config))

    assert runtime.processor is not None
    await runtime.processor.run_work(work)
    return figures


def data_of(records: list[Any]) -> list[Any]:
    return [decode(r.headers, r.value) for r in records]


async def cycles_opened(settings: Settings, expect: int) -> list[Any]:
    """The cycle events on the backlog plan topic (beside the capacity changes: 3 months)."""
    records = await read_topic(settings, plan_events(Stream.BACKLOG), expect=3 + expect, settle=0.3)
    return [e for e in data_of(records) if e.type.startswith("nl.ind.planning.plan-cycle-opened")]


async def test_pact_cases_are_released_at_once_while_backlog_cases_queue(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    await publish(settings, PLANNING_INPUT, capacity("2026-11", 10))
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    await publish(
        settings,
        stage_events(Stream.PACT, Stage.INTAKE),
        registered("case-p-1", Stream.PACT, date(2026, 10, 30), None),
    )
    await publish(
        settings,
        stage_events(Stream.BACKLOG, Stage.INTAKE),
        registered("case-b-1", Stream.BACKLOG, date(2024, 3, 1), Category.A),
    )

    [pact] = data_of(
        await read_topic(settings, stage_events(Stream.PACT, Stage.PLANNING), expect=1, settle=0.5)
    )
    assert pact.subject == "case-p-1"
    assert pact.data.stage == "hearing"  # R2: straight to hearing by default
    assert pact.data.release_day == date(2026, 11, 2)
    assert pact.data.team == "syria"
    assert pact.data.specialisms == ("nationality",)
    assert pact.data.cycle is None
    assert pact.data.cohort is None
    await until(
        runtime,
        f"select status from {schema(runtime)}.pool_cases where case_id = 'case-b-1'",
        "pooled",
    )
    backlog = await read_topic(
        settings, stage_events(Stream.BACKLOG, Stage.PLANNING), expect=0, timeout=0.5
    )
    assert backlog == []


async def test_a_pool_and_capacity_give_the_expected_releases_over_a_cycle_and_replan(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, clock = planning
    months = ("2026-11", "2026-12", "2027-01")
    # Pact takes 25,000 a year (about 69 a day) plus the margin: 60 + 60 caseworkers leave a
    # little for the backlog (about 46 caseworker days a working day).
    await publish(settings, PLANNING_INPUT, *(capacity(m, 60) for m in months))
    pool = [
        registered(
            f"case-d-{i:03d}",
            Stream.BACKLOG,
            date(2023, 1, 1) + timedelta(days=i),
            Category.D,
            nationality="NGA",
        )
        for i in range(40)
    ]
    await publish(settings, stage_events(Stream.BACKLOG, Stage.INTAKE), *pool)
    await until(runtime, f"select count(*) from {schema(runtime)}.pool_cases", 40)
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 3)

    first = await run_day(runtime, clock, date(2026, 11, 2))
    second = await run_day(runtime, clock, date(2026, 11, 3))
    [opened] = await cycles_opened(settings, 1)
    assert opened.subject == "cycle-2026-11-02"
    assert opened.data.planned_cases == 40  # the whole pool fits
    assert opened.data.reason == "drafted"
    days = working_days_in(date(2026, 11, 2), date(2027, 2, 1))
    # 40 cases over the cycle's working days: none on some days, never more than one a day.
    assert first["released"] + second["released"] == (40 * 2) // len(days)

    # Capacity for January falls: the cycle is re-planned in the middle (herijking).
    await publish(settings, PLANNING_INPUT, capacity("2027-01", 40))
    await until(
        runtime,
        f"select state->'teams'->0->>'caseworkers' from {schema(runtime)}.capacity "
        "where month = '2027-01'",
        "40",
    )
    await run_day(runtime, clock, date(2026, 11, 4))
    opened = await cycles_opened(settings, 2)
    assert [e.data.revision for e in opened] == [0, 1]
    assert opened[1].data.reason == "capacity_changed"

    for day in days[3:]:
        await run_day(runtime, clock, day)
    released = data_of(
        await read_topic(
            settings, stage_events(Stream.BACKLOG, Stage.PLANNING), expect=40, settle=0.5
        )
    )
    assert len(released) == 40
    # Fixed order: the oldest first, spread over the cycle's working days (the topic's
    # partitions interleave, so read them by release day).
    by_day = sorted(released, key=lambda e: e.data.release_day)
    assert [e.subject for e in by_day] == [f"case-d-{i:03d}" for i in range(40)]
    assert all(e.data.stage == "prephase" and e.data.cycle == "cycle-2026-11-02" for e in released)
    assert all(e.data.cohort == "d-nga" and e.data.team in ("general", "syria") for e in released)
    assert len({e.data.release_day for e in released}) == 40


async def test_a_planners_invalid_proposal_is_refused_with_a_reason(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    await publish(settings, PLANNING_INPUT, capacity("2027-01", 200, operational=False))
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    with_b = PlanCycleProposed(
        starts_on=date(2027, 1, 4),
        ends_on=date(2027, 3, 31),
        selections=(
            CohortSelection(category=Category.B, max_cases=10),
            CohortSelection(category=Category.C, max_cases=30),
        ),
    )
    past = capacity("2026-09", 10)
    await publish(
        settings,
        stage_input(Stream.BACKLOG, Stage.PLANNING),
        front_end_event(
            with_b, subject="cycle-2027-1", stream=Stream.BACKLOG, actor="planner:pl-1"
        ),
    )
    await publish(settings, PLANNING_INPUT, past)

    [refused] = data_of(await read_topic(settings, rejections(Stream.BACKLOG), expect=1))
    assert "R11" in refused.data.reason
    [refused_past] = data_of(await read_topic(settings, REGISTRATION_REJECTIONS, expect=1))
    assert "in the past" in refused_past.data.reason
    await until(runtime, f"select count(*) from {schema(runtime)}.cycles", 0)


def could_not_place(case_id: str) -> Any:
    data = StageCouldNotPlace(
        stage=ReleaseStage.PREPHASE,
        reason=PlacementProblem.NO_LOCATION_DAY,
        searched_until=date(2026, 12, 4),
    )
    return front_end_event(data, subject=case_id, stream=Stream.BACKLOG, actor="system:prephase")


async def test_cohorts_released_a_stage_that_cannot_place_re_plans_and_the_cycle_closes(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, clock = planning
    months = ("2026-11", "2026-12", "2027-01")
    await publish(settings, PLANNING_INPUT, *(capacity(m, 60) for m in months))
    pool = [
        registered(
            f"case-d-{i:03d}", Stream.BACKLOG, date(2023, 1, 1), Category.D, nationality="NGA"
        )
        for i in range(200)
    ]
    await publish(settings, stage_events(Stream.BACKLOG, Stage.INTAKE), *pool)
    await until(runtime, f"select count(*) from {schema(runtime)}.pool_cases", 200)
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 3)

    first = await run_day(runtime, clock, date(2026, 11, 2))
    assert first["released"] > 0
    released = data_of(
        await read_topic(
            settings,
            stage_events(Stream.BACKLOG, Stage.PLANNING),
            expect=first["released"],
            settle=0.5,
        )
    )
    plan = data_of(await read_topic(settings, plan_events(Stream.BACKLOG), expect=5, settle=0.5))
    [cohort] = [e for e in plan if isinstance(e.data, CohortReleased)]
    assert cohort.subject == "cycle-2026-11-02"
    assert (cohort.data.cohort, cohort.data.category, cohort.data.nationalities) == (
        "d-nga",
        Category.D,
        ("NGA",),
    )
    assert cohort.data.cases == first["released"] == len(released)
    assert cohort.data.released_on == date(2026, 11, 2)

    # Prephase finds no location day for one released case: the next pass re-plans.
    unplaced = released[0].subject
    await publish(settings, stage_events(Stream.BACKLOG, Stage.PREPHASE), could_not_place(unplaced))
    await until(
        runtime,
        f"select state->>'pending_cases' from {schema(runtime)}.plan_state "
        "where name = 'placement'",
        "1",
    )
    await run_day(runtime, clock, date(2026, 11, 3))
    opened = await cycles_opened(settings, 2)
    assert [(e.data.revision, e.data.reason) for e in opened] == [
        (0, "drafted"),
        (1, "unplaceable"),
    ]
    await until(
        runtime,
        f"select state->>'pending_cases' from {schema(runtime)}.plan_state "
        "where name = 'placement'",
        "0",
    )
    await until(
        runtime,
        f"select count(*) from {schema(runtime)}.case_steps "  # the timeline, kept apart
        f"where case_id = '{unplaced}' and state->>'what' like '%could not be placed%'",
        1,
    )

    # The first pass after the cycle's end closes it with what it released.
    cycle = await until_cycle(runtime)
    await run_day(runtime, clock, date(2027, 2, 2))
    plan = data_of(await read_topic(settings, plan_events(Stream.BACKLOG), expect=12, settle=0.5))
    [closed] = [e for e in plan if isinstance(e.data, PlanCycleClosed)]
    assert closed.subject == "cycle-2026-11-02"
    assert closed.data.closed_on == date(2027, 2, 1)
    assert closed.data.cases_released == cycle["released"]
    assert closed.data.cases_decided == 0
    assert closed.data.grant_rate is None


def hearing_short(case_id: str, team: str) -> Any:
    data = StageCouldNotPlace(
        stage=ReleaseStage.HEARING,
        reason=PlacementProblem.NO_HEARING_SLOT,
        searched_until=date(2026, 12, 4),
        team=team,
    )
    return front_end_event(data, subject=case_id, stream=Stream.PACT, actor="system:hearing")


async def test_a_case_a_hearing_team_cannot_place_moves_to_another_matching_team(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    teams = tuple(
        TeamCapacity(team=t, caseworkers=5, hours_per_week=36, nationalities=("SYR",))
        for t in ("syria-1", "syria-2")
    )
    declared = CapacityDeclared(
        prephase_places=0,
        hearing_days=0,
        decision_days=0,
        prephase_location_operational=True,
        teams=(TeamCapacity(team="general", caseworkers=50, hours_per_week=36), *teams),
    )
    await publish(
        settings,
        PLANNING_INPUT,
        front_end_event(declared, subject="2026-11", stream=None, actor="planner:pl-1"),
    )
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    await publish(
        settings,
        stage_events(Stream.PACT, Stage.INTAKE),
        registered("case-p-9", Stream.PACT, date(2026, 10, 30), None),
    )
    released = stage_events(Stream.PACT, Stage.PLANNING)
    [first] = data_of(await read_topic(settings, released, expect=1, settle=0.3))
    assert first.data.team in ("syria-1", "syria-2")  # R12: a team that knows Syria
    other = "syria-2" if first.data.team == "syria-1" else "syria-1"

    # Hearing has no slot in that team: the case goes to the other Syria team, same stage.
    hearing = stage_events(Stream.PACT, Stage.HEARING)
    await publish(settings, hearing, hearing_short("case-p-9", first.data.team))
    [_, moved] = data_of(await read_topic(settings, released, expect=2, settle=0.3))
    assert moved.subject == "case-p-9"
    assert (moved.data.stage, moved.data.team, moved.data.specialisms) == (
        "hearing",
        other,
        ("nationality",),
    )
    await until(
        runtime,
        f"select state->>'team' from {schema(runtime)}.pool_cases where case_id = 'case-p-9'",
        other,
    )
    gauge = ("caseflow_planning_cases_unplaced", {"stream": "pact", "stage": "hearing"})

    async def unplaced() -> float:
        async def work(uow: Any) -> None:
            await daily.report_unplaced(uow, metrics_for(runtime.registry))

        assert runtime.processor is not None
        await runtime.processor.run_work(work)
        labels = {**gauge[1], "reason": "no_hearing_slot"}
        value = runtime.registry.get_sample_value(gauge[0], labels)
        assert value is not None
        return value

    assert await unplaced() == 0  # moved, not waiting

    # The other team is short too, and no third team knows Syria: no move (not to "general"),
    # the case waits for the re-plan and shows in the gauge until hearing plans it.
    await publish(settings, hearing, hearing_short("case-p-9", other))
    await until(
        runtime,
        f"select state->>'pending_cases' from {schema(runtime)}.plan_state "
        "where name = 'placement'",
        "1",
    )
    assert await unplaced() == 1
    assert len(await read_topic(settings, released, expect=2, settle=0.3)) == 2
    await until(
        runtime,
        f"select state->'unplaced'->>'reason' from {schema(runtime)}.case_records "
        "where case_id = 'case-p-9'",
        "no_hearing_slot",
    )


async def until_cycle(runtime: ServiceRuntime) -> dict[str, Any]:
    from sqlalchemy import text

    async with runtime.engine.connect() as conn:
        state = (
            await conn.execute(
                text(
                    f"select state from {schema(runtime)}.cycles "
                    "where cycle_id = 'cycle-2026-11-02'"
                )
            )
        ).scalar_one()
    return {"released": sum(c["released"] for c in state["cohorts"])}


async def test_pact_inflow_above_the_threshold_triggers_triage_and_re_plans_until_it_falls(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    """R4 on a small scale: a threshold of 100 a year over a 30-day window. Twelve Pact
    registrations in the window project to 146 a year: triage, and the running cycle is
    re-planned; once they fall out of the window, triage is lifted and it is re-planned again."""
    runtime, clock = planning
    config = CONFIG.model_copy(update={"triage_threshold": 100, "triage_window_days": 30})
    months = ("2026-11", "2026-12", "2027-01")
    await publish(settings, PLANNING_INPUT, *(capacity(m, 60) for m in months))
    backlog = [
        registered(f"case-b-{i}", Stream.BACKLOG, date(2023, 1, 1), Category.D, nationality="NGA")
        for i in range(5)
    ]
    await publish(settings, stage_events(Stream.BACKLOG, Stage.INTAKE), *backlog)
    await until(runtime, f"select count(*) from {schema(runtime)}.pool_cases", 5)
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 3)
    await run_day(runtime, clock, date(2026, 11, 2), config)

    pact = [registered(f"case-p-{i:02d}", Stream.PACT, date(2026, 11, 1), None) for i in range(12)]
    await publish(settings, stage_events(Stream.PACT, Stage.INTAKE), *pact)
    await until(runtime, f"select count(*) from {schema(runtime)}.pool_cases", 17)
    await run_day(runtime, clock, date(2026, 11, 3), config)
    pact_plan = data_of(await read_topic(settings, plan_events(Stream.PACT), expect=4, settle=0.5))
    [triggered] = [e for e in pact_plan if isinstance(e.data, TriageTriggered)]
    assert triggered.subject == "triage"
    assert triggered.data.projected_first_applications == 12 * 365 // 30
    assert triggered.data.threshold == 100
    assert triggered.data.triggered_on == date(2026, 11, 3)

    # A quiet day within the window: nothing changes.
    await run_day(runtime, clock, date(2026, 11, 4), config)
    # 5 December: the registrations of 2 November are out of the 30-day window.
    await run_day(runtime, clock, date(2026, 12, 7), config)
    pact_plan = data_of(await read_topic(settings, plan_events(Stream.PACT), expect=5, settle=0.5))
    triage = [e for e in pact_plan if isinstance(e.data, TriageTriggered | TriageLifted)]
    assert [type(e.data) for e in triage] == [TriageTriggered, TriageLifted]
    assert triage[1].data.lifted_on == date(2026, 12, 7)
    assert triage[1].data.projected_first_applications == 0
    opened = await cycles_opened(settings, 3)
    assert [(e.data.revision, e.data.reason) for e in opened] == [
        (0, "drafted"),
        (1, "inflow_changed"),
        (2, "inflow_changed"),
    ]


def from_stage(data: Any, stage: Stage, case_id: str) -> tuple[str, Any]:
    event = front_end_event(data, subject=case_id, stream=Stream.PACT, actor=f"system:{stage}")
    return stage_events(Stream.PACT, stage), event


async def test_an_incomplete_file_holds_the_release_to_decision_until_the_item_comes(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    await publish(settings, PLANNING_INPUT, capacity("2026-11", 10))
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    await publish(
        settings,
        stage_events(Stream.PACT, Stage.INTAKE),
        registered("case-p-5", Stream.PACT, date(2026, 10, 30), None),
    )
    released = stage_events(Stream.PACT, Stage.PLANNING)
    [first] = data_of(await read_topic(settings, released, expect=1, settle=0.3))
    assert first.data.stage == "hearing"

    # The prephase completed without the written account; hearing then reports the case ready
    # without a hearing held (a waiver), so nothing gave the decider the account.
    completed = PrephaseCompleted(
        completed_on=date(2026, 11, 2),
        waiver_eligible=False,
        waiver_missing=(),
        language_indication=None,
        origin=None,
        original_identity_document=False,
        written_account=False,
        exclusion_signal=False,
    )
    await publish(settings, *from_stage(completed, Stage.PREPHASE, "case-p-5"))
    await until(  # hearing reports days later: the prephase's topic is read by then
        runtime,
        f"select state->>'file_known' from {schema(runtime)}.pool_cases where case_id = 'case-p-5'",
        "true",
    )
    ready = ReadyForDecision(ready_on=date(2026, 11, 2), heard=False)
    await publish(settings, *from_stage(ready, Stage.HEARING, "case-p-5"))
    [_, held] = data_of(await read_topic(settings, released, expect=2, settle=0.3))
    assert held.subject == "case-p-5"
    assert held.type.startswith("nl.ind.planning.release-held")
    assert (held.data.stage, held.data.missing_items) == ("decision", ("written_account",))
    await until(
        runtime,
        f"select state->>'waiting' from {schema(runtime)}.case_records where case_id = 'case-p-5'",
        "file",
    )
    await until(
        runtime,
        f"select state->>'stage' from {schema(runtime)}.pool_cases where case_id = 'case-p-5'",
        "hearing",
    )

    # The account arrives: the case is released to decision, to its team.
    account = WrittenAccountReceived(
        received_on=date(2026, 11, 2), language="ara", pages=2, translation_needed=True
    )
    await publish(settings, *from_stage(account, Stage.PREPHASE, "case-p-5"))
    [*_, release] = data_of(await read_topic(settings, released, expect=3, settle=0.3))
    assert release.type.startswith("nl.ind.planning.case-released")
    assert (release.data.stage, release.data.team) == ("decision", first.data.team)
    await until(
        runtime,
        f"select state->>'waiting' from {schema(runtime)}.case_records where case_id = 'case-p-5'",
        "decision",
    )


async def test_a_moved_case_goes_to_a_team_that_hears_in_its_language(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    declared = CapacityDeclared(
        prephase_places=0,
        hearing_days=0,
        decision_days=0,
        prephase_location_operational=True,
        teams=(
            TeamCapacity(team="general-1", caseworkers=50, hours_per_week=36),
            TeamCapacity(team="general-2", caseworkers=50, hours_per_week=36),
            TeamCapacity(team="kurdish", caseworkers=5, hours_per_week=36, languages=("kmr",)),
        ),
    )
    await publish(
        settings,
        PLANNING_INPUT,
        front_end_event(declared, subject="2026-11", stream=None, actor="planner:pl-1"),
    )
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    await publish(
        settings,
        stage_events(Stream.PACT, Stage.INTAKE),
        registered("case-p-8", Stream.PACT, date(2026, 10, 30), None, nationality="IRQ"),
    )
    released = stage_events(Stream.PACT, Stage.PLANNING)
    [first] = data_of(await read_topic(settings, released, expect=1, settle=0.3))
    # Hearing planned it before the language came: the language alone moves it no more.
    hearing = stage_events(Stream.PACT, Stage.HEARING)
    await publish(settings, hearing, hearing_planned("case-p-8", first.data.team))
    await until(
        runtime,
        f"select state->>'hearing_planned' from {schema(runtime)}.pool_cases "
        "where case_id = 'case-p-8'",
        "true",
    )

    # Intake learns the interpreter language after the release at registration.
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=("kmr", "ara"),
        reception_location=None,
        lawyer=None,
        court_district=None,
        changed=(LogisticsPart.INTERPRETER_LANGUAGES,),
    )
    await publish(
        settings,
        stage_events(Stream.PACT, Stage.INTAKE),
        front_end_event(logistics, subject="case-p-8", stream=Stream.PACT, actor="system:intake"),
    )
    await until(
        runtime,
        f"select state->'languages'->>0 from {schema(runtime)}.pool_cases "
        "where case_id = 'case-p-8'",
        "kmr",
    )
    # A general team is short: the case moves to the team that hears in Kurmanji (R12), not to
    # the other general team.
    assert first.data.team != "kurdish"  # the release at registration knew no language
    assert len(await read_topic(settings, released, expect=1, settle=0.3)) == 1
    await publish(settings, hearing, hearing_short("case-p-8", first.data.team))
    [_, moved] = data_of(await read_topic(settings, released, expect=2, settle=0.3))
    assert (moved.data.stage, moved.data.team, moved.data.specialisms) == (
        "hearing",
        "kurdish",
        ("language",),
    )


def hearing_planned(case_id: str, team: str) -> Any:
    data = HearingPlanned(
        starts_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        location="ind-zwolle",
        room=HearingRoom.STANDARD,
        format=HearingFormat.FULL,
        interpreter_language=None,
        review_on=None,
        team=team,
    )
    return front_end_event(data, subject=case_id, stream=Stream.PACT, actor="system:hearing")


def logistics(case_id: str, *languages: str) -> Any:
    data = ApplicantLogisticsChanged(
        interpreter_languages=languages,
        reception_location=None,
        lawyer=None,
        court_district=None,
        changed=(LogisticsPart.INTERPRETER_LANGUAGES,),
    )
    return front_end_event(data, subject=case_id, stream=Stream.PACT, actor="system:intake")


async def test_a_pact_case_whose_language_comes_later_moves_to_the_team_that_hears_it(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    declared = CapacityDeclared(
        prephase_places=0,
        hearing_days=0,
        decision_days=0,
        prephase_location_operational=True,
        teams=(
            TeamCapacity(team="general-1", caseworkers=50, hours_per_week=36),
            TeamCapacity(team="general-2", caseworkers=50, hours_per_week=36),
            TeamCapacity(team="kurdish", caseworkers=5, hours_per_week=36, languages=("kmr",)),
        ),
    )
    await publish(
        settings,
        PLANNING_INPUT,
        front_end_event(declared, subject="2026-11", stream=None, actor="planner:pl-1"),
    )
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    intake = stage_events(Stream.PACT, Stage.INTAKE)
    await publish(
        settings,
        intake,
        registered("case-p-10", Stream.PACT, date(2026, 10, 30), None, nationality="IRQ"),
    )
    released = stage_events(Stream.PACT, Stage.PLANNING)
    [first] = data_of(await read_topic(settings, released, expect=1, settle=0.3))
    assert first.data.team in ("general-1", "general-2")  # R2: at once, no language known yet

    await publish(settings, intake, logistics("case-p-10", "kmr", "ara"))
    [_, moved] = data_of(await read_topic(settings, released, expect=2, settle=0.3))
    assert moved.subject == "case-p-10"
    assert (moved.data.stage, moved.data.team, moved.data.specialisms) == (
        "hearing",
        "kurdish",
        ("language",),
    )
    assert moved.data.release_day == date(2026, 11, 2)  # never held back (R2)
    await until(
        runtime,
        f"select state->>'team' from {schema(runtime)}.pool_cases where case_id = 'case-p-10'",
        "kurdish",
    )


async def cycle_days(runtime: ServiceRuntime) -> float:
    from sqlalchemy import text

    query = f"select (state->>'backlog_days')::float from {schema(runtime)}.cycles"
    async with runtime.engine.connect() as conn:
        return float((await conn.execute(text(query))).scalar_one())


def team_change(team: str, effective_on: date, caseworkers: int, **extra: Any) -> Any:
    data = TeamCapacityChanged(
        effective_on=effective_on, caseworkers=caseworkers, hours_per_week=36, **extra
    )
    return front_end_event(data, subject=team, stream=None, actor="planner:pl-1")


def members(count: int) -> tuple[CaseworkerCapacity, ...]:
    return tuple(CaseworkerCapacity(caseworker=f"cw-{i}") for i in range(1, count + 1))


async def test_a_change_to_an_unknown_team_or_from_a_past_day_is_refused_with_a_reason(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, _ = planning
    await publish(settings, PLANNING_INPUT, capacity("2026-11", 10))
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 1)
    await publish(settings, PLANNING_INPUT, team_change("eritrea", date(2026, 11, 16), 4))
    [unknown] = data_of(await read_topic(settings, REGISTRATION_REJECTIONS, expect=1))
    assert unknown.data.reason == (
        "unknown team eritrea: not in the capacity in force on 2026-11-16"
    )
    await publish(settings, PLANNING_INPUT, team_change("syria", date(2026, 10, 30), 4))
    [_, past] = data_of(await read_topic(settings, REGISTRATION_REJECTIONS, expect=2))
    assert "a day in the past" in past.data.reason
    # Nothing was kept: the month is as declared.
    await until(
        runtime,
        f"select jsonb_array_length(state->'changes') from {schema(runtime)}.capacity",
        0,
    )


async def test_an_adopted_team_change_re_plans_the_cycle_and_republishes_the_roster(
    planning: tuple[ServiceRuntime, DrivenClock], settings: Settings
) -> None:
    runtime, clock = planning
    months = ("2026-11", "2026-12", "2027-01")
    syria = {"nationalities": ("SYR",), "location": "ind-zwolle"}
    for month in months:
        declared = CapacityDeclared(
            prephase_places=500,
            hearing_days=0,
            decision_days=100,
            prephase_location_operational=True,
            teams=(
                TeamCapacity(team="general", caseworkers=150, hours_per_week=36),
                TeamCapacity(
                    team="syria", caseworkers=2, hours_per_week=36, members=members(2), **syria
                ),
            ),
        )
        event = front_end_event(declared, subject=month, stream=None, actor="planner:pl-1")
        await publish(settings, PLANNING_INPUT, event)
    pool = [
        registered(
            f"case-d-{i:03d}",
            Stream.BACKLOG,
            date(2023, 1, 1) + timedelta(days=i),
            Category.D,
            nationality="NGA",
        )
        for i in range(40)
    ]
    await publish(settings, stage_events(Stream.BACKLOG, Stage.INTAKE), *pool)
    await until(runtime, f"select count(*) from {schema(runtime)}.pool_cases", 40)
    await until(runtime, f"select count(*) from {schema(runtime)}.capacity", 3)
    await run_day(runtime, clock, date(2026, 11, 2))
    [opened] = await cycles_opened(settings, 1)
    assert opened.data.revision == 0
    before = await cycle_days(runtime)

    # From 16 November: general loses 20 caseworkers, syria names two more.
    await publish(
        settings,
        PLANNING_INPUT,
        team_change("general", date(2026, 11, 16), 130),
        team_change("syria", date(2026, 11, 16), 4, members=members(4), **syria),
    )
    await until(
        runtime,
        f"select jsonb_array_length(state->'changes') from {schema(runtime)}.capacity "
        "where month = '2026-11'",
        2,
    )
    await until(
        runtime,
        f"select state->'teams'->0->>'caseworkers' from {schema(runtime)}.capacity "
        "where month = '2027-01'",
        "130",
    )
    # The roster hearing reads, for every month the change reaches (both streams' topics).
    plan = data_of(await read_topic(settings, plan_events(Stream.PACT), expect=15, settle=0.5))
    rosters = [e for e in plan if e.type.startswith("nl.ind.planning.hearing-roster-planned")]
    latest = {e.subject: e.data for e in rosters}
    # Three declared, three again for syria's change; general's names nobody: no new roster.
    assert len(rosters) == 6
    assert sorted(latest) == list(months)
    for roster in latest.values():
        [team] = roster.teams
        assert (team.team, [c.caseworker for c in team.caseworkers]) == (
            "syria",
            ["cw-1", "cw-2", "cw-3", "cw-4"],
        )
    changed = [e for e in plan if e.type.startswith("nl.ind.planning.capacity-changed")]
    # Each month's share told again for each change (the partitions interleave the months).
    assert sorted(e.subject for e in changed) == sorted(months * 3)

    # The running cycle is re-planned on the fewer caseworker days (herijking).
    await run_day(runtime, clock, date(2026, 11, 3))
    opened_again = await cycles_opened(settings, 2)
    assert [e.data.revision for e in opened_again] == [0, 1]
    assert opened_again[1].data.reason == "capacity_changed"
    # Planned on the caseworker days the change left (the whole pool still fits).
    after = await cycle_days(runtime)
    assert 0 < after < before
