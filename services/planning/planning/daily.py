"""The daily planning pass (a Periodic: once per simulated day under the driven clock).

1. Triage (R4): judge the Pact inflow of the rolling window; emit when triage starts or ends.
2. Before the programme start (R6): release backlog cases oldest first, within the day's
   share of what Pact leaves over.
3. From the start: make sure a cycle covers today (draft one), re-plan it when capacity or
   the inflow changed (herijking), then release today's quota of each cohort, in the fixed
   order (priority, lodging date, case id), each to a matching team (R12).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from planning import persistence as db
from planning.domain import cases as pool
from planning.domain.capacity import (
    backlog_days_between,
    in_force,
    month_bounds,
    month_key,
    split_month,
)
from planning.domain.cohorts import oldest_first, rotated_out
from planning.domain.config import PlanningConfig
from planning.domain.cycles import (
    ALL,
    cycle_bounds,
    draft_cycle,
    quotas_for,
    replan,
    separate,
)
from planning.domain.dispatch import dispatch
from planning.domain.forecast import forecast
from planning.domain.model import Cycle, CycleOrigin, ForecastMade, MonthCapacity, PoolCase
from planning.domain.placement import PlacementState, taken_into_replan
from planning.domain.rates import observed_grant_rates
from planning.domain.triage import judge_triage, observed_pact_per_day
from planning.events import cycle_opened
from planning.forecasting import forecast_inputs
from planning.metrics import PlanningMetrics
from shared.contracts.envelope import EventData, encode, new_event
from shared.contracts.events.planning import (
    BacklogForecastMade,
    CohortReleased,
    PlanCycleClosed,
    ReleaseStage,
    TriageLifted,
    TriageTriggered,
)
from shared.contracts.topics import Stage, plan_events, stage_events
from shared.contracts.values import Category, Stream
from shared.runtime.calendar import is_working_day, working_days_in
from shared.runtime.kit import AMSTERDAM
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)

REPLAN_TOLERANCE = 0.01
"""A change of the cycle's backlog days by more than this share re-plans it."""


def emit(uow: UnitOfWork, data: EventData, *, topic: str, subject: str, stream: Stream) -> None:
    """Queue an event the pass causes (no consumed event to follow)."""
    envelope = new_event(
        data,
        subject=subject,
        stream=stream,
        source=uow.source,
        actor=f"system:{uow.service}",
        time=uow.clock.now(),
    )
    uow.records.append(encode(envelope, uow.topics(topic)))


async def plan_day(uow: UnitOfWork, config: PlanningConfig) -> dict[str, Any]:
    """One day's pass; returns its figures (counts only) for the log."""
    session = uow.session
    today = uow.clock.now().astimezone(AMSTERDAM).date()
    await db.lock_plan(session)
    since = today - timedelta(days=config.triage_window_days)
    in_window = await db.pact_registered_since(session, since)
    triage_changed = await judge(uow, today, in_window, config)
    observed = observed_pact_per_day(in_window, config.triage_window_days)
    figures: dict[str, Any] = {"day": today.isoformat(), "released": 0}
    if not is_working_day(today):
        return figures
    if today < config.programme_start:
        capacities = await db.capacities(session, today, today)
        figures["released"] = await before_programme(uow, today, capacities, observed, config)
        return figures
    figures["closed"] = await close_cycles(uow, today)
    cycle = await db.cycle_on(session, today)
    # The months the pass can read: today's cycle (or the one it would draft today), and the
    # teams in force today. Not every month ever declared (issue 16).
    first = min(today, cycle.starts_on) if cycle else today
    last = max(cycle.ends_on if cycle else today, cycle_bounds(today, config)[1])
    capacities = await db.capacities(session, first, last)
    # Read without a lock (a batch locks a case, then this row): what is taken is subtracted
    # at the end, after the pass's own case locks, so that reports arriving meanwhile stay.
    unplaced = await db.placement_unlocked(session)
    cycle, replanned = await ensure_cycle(
        uow, today, cycle, capacities, observed, triage_changed, config, unplaced
    )
    if cycle is None:
        return figures
    released, cycle = await release_quotas(uow, today, cycle, capacities, config)
    await db.CYCLES.save(session, [cycle])
    if replanned and unplaced.pending_cases:
        now = await db.placement_state(session)
        await db.PLACEMENT.save(session, [taken_into_replan(now, unplaced)])
    figures.update(released=released, cycle=cycle.cycle_id, revision=cycle.revision)
    return figures


async def report_unplaced(uow: UnitOfWork, metrics: PlanningMetrics) -> None:
    """The unplaced cases per stream, stage and reason, set once the pass has committed."""
    counts = await db.unplaced_counts(uow.session)
    uow.after_commit(lambda: metrics.report_unplaced(counts))


async def close_cycles(uow: UnitOfWork, today: date) -> int:
    """PlanCycleClosed for each cycle that ended before today (R9, R14): what it released and
    what of that is decided so far, and the grant rate among them."""
    closed = []
    for cycle in await db.cycles_ended_open(uow.session, today):
        decided, granted = await db.cycle_decisions(uow.session, cycle.cycle_id)
        event = PlanCycleClosed(
            closed_on=cycle.ends_on,
            cases_released=cycle.released,
            cases_decided=decided,
            grant_rate=round(granted / decided, 4) if decided else None,
        )
        topic = plan_events(Stream.BACKLOG)
        emit(uow, event, topic=topic, subject=cycle.cycle_id, stream=Stream.BACKLOG)
        closed.append(cycle.model_copy(update={"closed_on": cycle.ends_on}))
        log.info("plan cycle closed", released=cycle.released, decided=decided)
    await db.CYCLES.save(uow.session, closed)
    return len(closed)


async def judge(uow: UnitOfWork, today: date, in_window: int, config: PlanningConfig) -> bool:
    state = await db.triage_state(uow.session)
    new, change = judge_triage(state, in_window, today, config)
    await db.TRIAGE.save(uow.session, [new])
    if change is None:
        return False
    data: EventData
    if change.active:
        data = TriageTriggered(
            triggered_on=today,
            projected_first_applications=change.projected,
            threshold=config.triage_threshold,
            window_months=max(1, min(24, round(config.triage_window_days / 30))),
        )
    else:
        data = TriageLifted(
            lifted_on=today,
            projected_first_applications=change.projected,
            threshold=config.triage_threshold,
        )
    emit(uow, data, topic=plan_events(Stream.PACT), subject="triage", stream=Stream.PACT)
    log.info("triage", active=change.active, projected=change.projected)
    return True


def dispatch_all(
    uow: UnitOfWork,
    today: date,
    cases: list[PoolCase],
    capacity: MonthCapacity | None,
    load: dict[str, int],
    cycle: str | None = None,
    cohort_of: dict[str, str] | None = None,
) -> list[PoolCase]:
    """Release the cases in the order given, each to a team (R12), and queue their events;
    returns them released (not saved yet)."""
    teams = capacity.teams if capacity else ()
    released = []
    for case in cases:
        team, specialisms = dispatch(case, teams, load)
        load[team] = load.get(team, 0) + 1
        cohort = (cohort_of or {}).get(case.case_id)
        new, event = pool.release(
            case, ReleaseStage.PREPHASE, today, team, specialisms, cycle, cohort
        )
        released.append(new)
        emit(
            uow,
            event,
            topic=stage_events(Stream.BACKLOG, Stage.PLANNING),
            subject=case.case_id,
            stream=Stream.BACKLOG,
        )
    return released


async def release(
    uow: UnitOfWork,
    today: date,
    cases: list[PoolCase],
    capacity: MonthCapacity | None,
    load: dict[str, int],
    cycle: str | None = None,
    cohort_of: dict[str, str] | None = None,
) -> list[PoolCase]:
    released = dispatch_all(uow, today, cases, capacity, load, cycle, cohort_of)
    await db.POOL.save(uow.session, released)
    return released


async def before_programme(
    uow: UnitOfWork,
    today: date,
    capacities: dict[str, MonthCapacity],
    observed: float | None,
    config: PlanningConfig,
) -> int:
    """R6: until the programme starts, oldest first within the day's leftover capacity."""
    month = month_key(today)
    split = split_month(capacities.get(month), month, observed, config, from_day=today)
    days_left = len(working_days_in(today, month_bounds(month)[1]))
    today_days = split.backlog_days / days_left if days_left else 0.0
    most = int(today_days * max(config.hearing_rates.values())) + 1
    candidates = await db.queue(uow.session, None, most)
    this_month = capacities.get(month)
    operational = bool(this_month and this_month.prephase_location_operational)
    chosen = oldest_first(candidates, today_days, config, prephase_operational=operational)
    await release(uow, today, chosen, in_force(capacities, today), {})
    return len(chosen)


async def ensure_cycle(
    uow: UnitOfWork,
    today: date,
    cycle: Cycle | None,
    capacities: dict[str, MonthCapacity],
    observed: float | None,
    triage_changed: bool,
    config: PlanningConfig,
    unplaced: PlacementState | None = None,
) -> tuple[Cycle | None, bool]:
    """Today's cycle, drafted or re-planned (herijking) when capacity, the inflow or a stage's
    report that it could not place cases call for it; True when it was (re)planned."""
    session = uow.session
    # Cases a stage could not place will take that many caseworker days of the cycle's rest.
    owed = unplaced.pending_days if unplaced else 0.0
    month = capacities.get(month_key(today))
    operational = bool(month and month.prephase_location_operational)
    origin: CycleOrigin | None = None
    if cycle is None:
        rotated, rates = await plan_history(session, today, config)
        start = today
        end = draft_cycle(start, [], 0, config, prephase_operational=operational).ends_on
        days = max(0.0, backlog_days_between(capacities, start, end, observed, config) - owed)
        summary = await db.pool_summary(session)
        cycle = draft_cycle(
            start,
            summary,
            days,
            config,
            prephase_operational=operational,
            rotated=rotated,
            observed_grant_rates=rates,
        ).model_copy(update={"pact_per_day": observed})
        origin = CycleOrigin.DRAFTED
    else:
        full = backlog_days_between(
            capacities, cycle.starts_on, cycle.ends_on, cycle.pact_per_day, config
        )
        moved = abs(full - cycle.backlog_days) > REPLAN_TOLERANCE * max(1.0, cycle.backlog_days)
        placing = bool(unplaced and unplaced.pending_cases)
        if moved or triage_changed or placing:
            origin = (
                CycleOrigin.INFLOW_CHANGED
                if triage_changed
                else CycleOrigin.CAPACITY_CHANGED
                if moved
                else CycleOrigin.UNPLACEABLE
            )
            rotated, rates = await plan_history(session, cycle.starts_on, config)
            pact = observed if triage_changed else cycle.pact_per_day
            rest = backlog_days_between(capacities, today, cycle.ends_on, pact, config)
            rest = max(0.0, rest - owed)
            summary = await db.pool_summary(session)
            cycle = replan(
                cycle,
                today,
                summary,
                rest,
                config,
                origin,
                prephase_operational=operational,
                rotated=rotated,
                observed_grant_rates=rates,
            )
            full = backlog_days_between(capacities, cycle.starts_on, cycle.ends_on, pact, config)
            cycle = cycle.model_copy(update={"backlog_days": round(full, 2), "pact_per_day": pact})
    if origin is not None:
        await db.CYCLES.save(session, [cycle])
        opened = cycle_opened(cycle, config)
        if opened is not None:
            emit(
                uow,
                opened,
                topic=plan_events(Stream.BACKLOG),
                subject=cycle.cycle_id,
                stream=Stream.BACKLOG,
            )
        log.info("plan cycle", revision=cycle.revision, reason=origin.value, cases=cycle.planned)
        cycle = await emit_forecast(uow, today, cycle, config)
        await db.CYCLES.save(session, [cycle])
    return cycle, origin is not None


async def plan_history(
    session: AsyncSession, before: date, config: PlanningConfig
) -> tuple[set[str], dict[Category, float]]:
    """What a (re)plan weighs besides the pool: the nationalities rotated out by the cycles
    before `before` (R9) and the observed grant rates (R10). Read only when a cycle is drafted
    or re-planned: both read all history, and most days plan nothing (issue 16)."""
    earlier = await db.cycles_before(session, before)
    history = [(config.cycle_months, c.nationalities()) for c in earlier]
    rotated = rotated_out(history, config.rotation_months)
    rates = observed_grant_rates(await db.decision_counts(session), config)
    return rotated, rates


async def emit_forecast(
    uow: UnitOfWork, today: date, cycle: Cycle, config: PlanningConfig
) -> Cycle:
    """R5: with each cycle opened or re-planned, when the backlog would be cleared; the cycle
    keeps it for the monthly figures."""
    result = forecast(await forecast_inputs(uow.session, today, config), config)
    made = BacklogForecastMade(
        as_of=today,
        cleared_on=result.cleared_on,
        target=result.target,
        open_at_target=result.open_at_target,
        pooled=result.pool,
        held=result.held,
    )
    topic = plan_events(Stream.BACKLOG)
    emit(uow, made, topic=topic, subject=cycle.cycle_id, stream=Stream.BACKLOG)
    log.info("forecast", cleared_on=str(result.cleared_on), open_at_target=result.open_at_target)
    kept = ForecastMade(
        as_of=today, cleared_on=result.cleared_on, open_at_target=result.open_at_target
    )
    return cycle.model_copy(update={"forecasts": (*cycle.forecasts, kept)})


async def release_quotas(
    uow: UnitOfWork,
    today: date,
    cycle: Cycle,
    capacities: dict[str, MonthCapacity],
    config: PlanningConfig,
) -> tuple[int, Cycle]:
    quotas = quotas_for(cycle, today)
    due = [(c, quotas[c.cohort_id]) for c in cycle.cohorts if quotas.get(c.cohort_id)]
    # One query, one lock and one save for all cohorts (issue 16), unless a cohort of every
    # nationality shares its rank and category with another: then one cohort's releases
    # change what the next one finds, and each is read after the one before is saved.
    found = iter(await db.queues(uow.session, due)) if separate([c for c, _ in due]) else None
    capacity = in_force(capacities, today)
    load: dict[str, int] = {}
    total = 0
    cohorts = []
    released: list[PoolCase] = []
    for cohort in cycle.cohorts:
        quota = quotas.get(cohort.cohort_id, 0)
        if quota:
            if found is None:
                cases = await db.queue(uow.session, cohort, quota)
            else:
                cases = next(found)
            cohort_of = {c.case_id: cohort.cohort_id for c in cases}
            done = dispatch_all(uow, today, cases, capacity, load, cycle.cycle_id, cohort_of)
            if found is None:
                await db.POOL.save(uow.session, done)
            else:
                released += done
            cohort = cohort.model_copy(update={"released": cohort.released + len(done)})
            total += len(done)
            if done:  # the day's part of the cohort, for prephase and operations (R9)
                released_today = CohortReleased(
                    cohort=cohort.cohort_id,
                    released_on=today,
                    category=cohort.category,
                    nationalities=() if cohort.nationality == ALL else (cohort.nationality,),
                    cases=len(done),
                    prephase_from=today,
                )
                topic = plan_events(Stream.BACKLOG)
                emit(
                    uow, released_today, topic=topic, subject=cycle.cycle_id, stream=Stream.BACKLOG
                )
        cohorts.append(cohort)
    await db.POOL.save(uow.session, released)
    return total, cycle.model_copy(update={"cohorts": tuple(cohorts)})
