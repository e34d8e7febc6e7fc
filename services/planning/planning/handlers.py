"""Planning on the service kit: registrations over planning's domain functions.

Facts from intake fill the pool (a Pact case is released at once, R2); facts from the stages
hold cases apart or let them go; planners' capacity and cycle proposals are inputs, refused
with a plain reason when planning will not adopt them. The daily pass (daily.py) drafts and
re-plans cycles and releases the backlog.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from planning import persistence as db
from planning.domain import cases as pool
from planning.domain import file, placement, records
from planning.domain.capacity import (
    backlog_days_between,
    in_force,
    month_key,
    months_between,
    split_month,
)
from planning.domain.config import PlanningConfig
from planning.domain.cycles import adopt_proposal, proposal_problem
from planning.domain.dispatch import decision_gate, dispatch, language_move
from planning.domain.inputs import capacity_problem, month_capacity
from planning.domain.locations import location_days
from planning.domain.model import HoldReason, MonthCapacity, PoolCase, PoolStatus
from planning.domain.placement import PlacementState
from planning.domain.rates import observed_grant_rates
from planning.domain.roster import roster_changed, roster_of
from planning.domain.team_change import adopt_team_change, team_change_problem
from planning.domain.triage import observed_pact_per_day
from planning.events import cycle_opened
from shared.contracts.envelope import Envelope
from shared.contracts.events.catalogue import location_day_key
from shared.contracts.events.decision import DecisionOnHold, DecisionResumed
from shared.contracts.events.hearing import (
    HearingCancelled,
    HearingOnHold,
    HearingPlanned,
    HearingResumed,
    ReadyForDecision,
)
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.planning import (
    CapacityChanged,
    CapacityChangeReason,
    CapacityDeclared,
    CaseReleased,
    PlanCycleProposed,
    ReleaseHeld,
    ReleaseStage,
    StageCouldNotPlace,
    TeamCapacityChanged,
)
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionSignalRaised,
    LanguageIndicationCompleted,
    OriginInvestigationCompleted,
    PrephaseCompleted,
    PrephaseNoShow,
    WrittenAccountReceived,
)
from shared.contracts.topics import Stage, plan_events, stage_events
from shared.contracts.values import Stream
from shared.runtime.kit import (
    AMSTERDAM,
    Context,
    Decision,
    Emit,
    KitBatch,
    Outcome,
    Refusal,
    Rules,
    Wait,
)

Ctx = Context[PlanningConfig]
NOT_YET = "planning has not seen this case registered yet"


def registered(case: PoolCase | None, event: CaseRegistered, ctx: Ctx) -> Outcome[PoolCase]:
    if case is not None:
        return Decision(None)  # a redelivered registration: nothing new
    lodged = event.lodged_at.astimezone(AMSTERDAM).date()
    new = pool.pooled(ctx.case_id, event, ctx.today, lodged)
    if not pool.is_pact(new):
        return Decision(new)  # the backlog waits for its cycle (daily.py)
    # R2: a Pact case is released at once, whatever the backlog is doing.
    capacity = in_force(ctx.extras["capacities"], ctx.today)
    team, specialisms = dispatch(new, capacity.teams if capacity else ())
    released, release = pool.release(new, pool.pact_stage(ctx.config), ctx.today, team, specialisms)
    return Decision(released, [release])


def withdrawn(case: PoolCase | None, event: CaseWithdrawn, ctx: Ctx) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    return Decision(pool.withdrawn(case))


def recategorised(case: PoolCase | None, event: CaseRecategorised, ctx: Ctx) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    # A decider of the new category may need less (or more) of the file.
    return _file_changed(pool.recategorised(case, event.new_category), ctx, before=case)


def regrouped(
    case: PoolCase | None, event: PriorityGroupJoined | PriorityGroupLeft, ctx: Ctx
) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    return Decision(pool.regrouped(case, event.priority_group))


def hold(reason: HoldReason, *, ends: bool = False) -> Any:
    def apply(case: PoolCase | None, event: Any, ctx: Ctx) -> Outcome[PoolCase]:
        if case is None:
            return Wait(NOT_YET)
        return Decision(pool.hold_ended(case, reason) if ends else pool.held(case, reason))

    return apply


def exclusion_signal(
    case: PoolCase | None, event: ExclusionSignalRaised, ctx: Ctx
) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    # Every signal holds the case (version 2 carries only the fact of the signal).
    return Decision(pool.held(case, HoldReason.EXCLUSION_SIGNAL))


def exclusion_screened(
    case: PoolCase | None, event: ExclusionScreeningConcluded, ctx: Ctx
) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    if not event.hold_lifted:
        return Decision(None)
    return Decision(pool.hold_ended(case, HoldReason.EXCLUSION_SIGNAL))


def no_show(case: PoolCase | None, event: PrephaseNoShow, ctx: Ctx) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    return Decision(pool.no_show(case))


def could_not_place(
    case: PoolCase | None, event: StageCouldNotPlace, ctx: Ctx
) -> Outcome[PoolCase]:
    """A stage could not place a case: released again to another matching team when the team
    was short (R12), else counted for the daily pass, which re-plans the cycle."""
    if case is None or case.stage is None:
        return Wait("planning has not released this case yet")
    state = ctx.rows["placement"].get("placement") or PlacementState()
    capacity = in_force(ctx.extras["capacities"], ctx.today)
    moved = placement.moved(case, event, capacity.teams if capacity else (), ctx.today)
    if moved is not None:
        released, release = moved
        counted = placement.counted_as_moved(state, event, ctx.today)
        return Decision(released, [release], rows=[counted])
    return Decision(
        None, rows=[placement.could_not_place(state, case, event, ctx.today, ctx.config)]
    )


def ready_for_decision(
    case: PoolCase | None, event: ReadyForDecision, ctx: Ctx
) -> Outcome[PoolCase]:
    """Hearing is done: planning releases the case to decision, to the team it chose at the
    first release (R12), with its cycle and cohort, so that decision knows its deciders' team
    and counts the grant rate per cycle (R10); or, when the file lacks an item a decider needs,
    holds the release and says what is missing (ReleaseHeld)."""
    if case is None:
        return Wait(NOT_YET)
    if case.stage is ReleaseStage.DECISION or case.status is PoolStatus.WITHDRAWN:
        return Decision(None)  # released to decision already (a redelivery), or gone
    case = file.after_hearing(case, heard=event.heard)
    missing = file.missing_items(case)
    if decision_gate(ReleaseStage.DECISION, missing):
        if case.decision_held_on is not None:
            return Decision(None)  # held already (a redelivery)
        held = case.model_copy(update={"decision_held_on": ctx.today})
        return Decision(held, [ReleaseHeld(stage=ReleaseStage.DECISION, missing_items=missing)])
    return _to_decision(case, ctx)


def _to_decision(case: PoolCase, ctx: Ctx) -> Decision[PoolCase]:
    capacity = in_force(ctx.extras["capacities"], ctx.today)
    teams = capacity.teams if capacity else ()
    own = [t for t in teams if t.team_id == case.team]
    team, specialisms = dispatch(case, own or teams)
    released, release = pool.release(
        case, ReleaseStage.DECISION, ctx.today, team, specialisms, case.cycle, case.cohort
    )
    released = released.model_copy(update={"decision_held_on": None})
    if case.status is PoolStatus.HELD:  # a hold stays a hold (counted apart, R12 holds)
        released = released.model_copy(update={"status": case.status})
    return Decision(released, [release])


def _file_changed(case: PoolCase, ctx: Ctx, *, before: PoolCase) -> Outcome[PoolCase]:
    """The file changed: a held release to decision goes once nothing is missing; while it
    stays held, a changed list of missing items is said again (a category change may need
    more), so that decision's refusals and the caseworkers see the list as it is."""
    held = case.decision_held_on is not None and case.status is not PoolStatus.WITHDRAWN
    if not held:
        return Decision(case)
    missing = file.missing_items(case)
    if not missing:
        return _to_decision(case, ctx)
    if missing != file.missing_items(before):
        return Decision(case, [ReleaseHeld(stage=ReleaseStage.DECISION, missing_items=missing)])
    return Decision(case)


def prephase_completed(
    case: PoolCase | None, event: PrephaseCompleted, ctx: Ctx
) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    items = file.recorded_in_prephase(event)
    return _file_changed(file.with_items(case, items, prephase_done=True), ctx, before=case)


def file_item_recorded(
    case: PoolCase | None, event: file.ItemRecorded, ctx: Ctx
) -> Outcome[PoolCase]:
    if case is None:
        return Wait(NOT_YET)
    item = file.item_of(event)
    if item in case.file_items:
        return Decision(None)
    return _file_changed(file.with_items(case, (item,), prephase_done=False), ctx, before=case)


def logistics_changed(
    case: PoolCase | None, event: ApplicantLogisticsChanged, ctx: Ctx
) -> Outcome[PoolCase]:
    """Keep the case's interpreter languages: dispatch prefers a team that hears in one (R12)."""
    if case is None:
        return Wait(NOT_YET)
    languages = tuple(event.interpreter_languages)
    if languages == case.languages:
        return Decision(None)
    case = case.model_copy(update={"languages": languages})
    # A Pact case released before its language was known goes to a team that hears in it.
    capacity = in_force(ctx.extras["capacities"], ctx.today)
    move = language_move(case, capacity.teams if capacity else ())
    if move is None:
        return Decision(case)
    team, specialisms = move
    released, release = pool.release(case, ReleaseStage.HEARING, ctx.today, team, specialisms)
    return Decision(released.model_copy(update={"status": case.status}), [release])


def hearing_planned(
    case: PoolCase | None, event: HearingPlanned | HearingCancelled, ctx: Ctx
) -> Outcome[PoolCase]:
    """Whether hearing has planned the case's hearing: a late language moves it only before."""
    if case is None:
        return Wait(NOT_YET)
    planned = isinstance(event, HearingPlanned)
    if case.hearing_planned == planned:
        return Decision(None)
    return Decision(case.model_copy(update={"hearing_planned": planned}))


def stage_fact(case: PoolCase | None, event: Any, ctx: Ctx) -> Outcome[PoolCase]:
    """A stage's fact that changes only the case's record (tracked() keeps it)."""
    if case is None:
        return Wait(NOT_YET)
    return Decision(None)


def tracked(function: Callable[[PoolCase | None, Any, Ctx], Outcome[PoolCase]]) -> Any:
    """The function, and the case's record kept from the same event (domain/records.py): the
    record changes exactly when the function decides, so a parked fact is recorded once."""

    @functools.wraps(function)
    def apply(case: PoolCase | None, event: Any, ctx: Ctx) -> Outcome[PoolCase]:
        outcome = function(case, event, ctx)
        if not isinstance(outcome, Decision):
            return outcome
        before = ctx.rows["records"].get(ctx.case_id)
        record = before
        if isinstance(event, CaseRegistered) and record is None:
            record = records.registered(ctx.case_id, event, ctx.today)
        else:
            record = records.recorded(record, event, ctx.today)
        for item in outcome.emit:  # a release (a Pact case's at registration), a held one
            data = item.data if isinstance(item, Emit) else item
            if isinstance(data, CaseReleased | ReleaseHeld):
                record = records.recorded(record, data, ctx.today)
        if record is None or record == before:
            return outcome
        record, steps = records.kept_apart(record)  # ADR 0035: the record stays small
        return Decision(outcome.state, outcome.emit, [*outcome.rows, record, *steps])

    return apply


# --- planners' inputs: plan-level, keyed by month or cycle id ------------------------------------


def capacity_declared(
    case: PoolCase | None, event: CapacityDeclared, ctx: Ctx
) -> Outcome[PoolCase]:
    month = ctx.case_id
    problem = capacity_problem(month, event, ctx.today)
    if problem:
        return Refusal(problem)
    declared = month_capacity(month, event)
    emit = _capacity_changed(month, declared, ctx)
    observed = observed_pact_per_day(ctx.extras["pact_in_window"], ctx.config.triage_window_days)
    split = split_month(declared, month, observed, ctx.config)
    pact_share = split.pact_share if ctx.config.pact_via_prephase else None
    for stream, day in location_days(month, event, ctx.today, pact_share):
        key = location_day_key(day.location, day.day)
        emit.append(Emit(day, topic=plan_events(stream), subject=key, stream=stream))
    emit.extend(_roster(month, declared, ctx))
    # A cycle running in that month is re-planned by the daily pass (it sees the change).
    return Decision(None, emit, rows=[declared])


def _capacity_changed(month: str, capacity: MonthCapacity, ctx: Ctx) -> list[Emit]:
    """What each stream gets of a month's capacity, Pact first (R2, R13)."""
    if capacity.decision_days is None:
        return []  # a row kept before planning stored the decision days: not re-told
    observed = observed_pact_per_day(ctx.extras["pact_in_window"], ctx.config.triage_window_days)
    split = split_month(capacity, month, observed, ctx.config)
    emit = []
    for stream, share in ((Stream.PACT, split.pact_share), (Stream.BACKLOG, 1 - split.pact_share)):
        changed = CapacityChanged(
            prephase_places=round(capacity.prephase_places * share),
            hearing_days=round(split.total_days * share),
            decision_days=round(capacity.decision_days * share),
            share=round(share, 4),
            reason=CapacityChangeReason.DECLARED,
        )
        emit.append(Emit(changed, topic=plan_events(stream), subject=month, stream=stream))
    return emit


def _roster(month: str, capacity: MonthCapacity, ctx: Ctx) -> list[Emit]:
    roster = roster_of(capacity, ctx.config, month)
    if roster is None:
        return []
    # One roster for both streams: hearing serves them from it, Pact first (R2; ADR 0027).
    return [
        Emit(roster, topic=plan_events(stream), subject=month, stream=stream)
        for stream in (Stream.PACT, Stream.BACKLOG)
    ]


def team_capacity_changed(
    case: PoolCase | None, event: TeamCapacityChanged, ctx: Ctx
) -> Outcome[PoolCase]:
    """One team's capacity from a day on (ADR 0030): checked against the declaration in force
    that day, kept in the months it reaches, told to the stages month by month; the daily pass
    re-plans the running cycle on the changed caseworker days (herijking)."""
    # The rows as locked, and as this batch left them (an earlier input may have changed one).
    rows: list[MonthCapacity] = ctx.rows["capacity"].values()
    capacities = {**ctx.extras["capacities"], **{row.month: row for row in rows}}
    problem = team_change_problem(ctx.case_id, event, capacities, ctx.today)
    if problem:
        return Refusal(problem)
    adopted = adopt_team_change(ctx.case_id, event, capacities)
    emit: list[Emit] = []
    for row in adopted.rows:
        # A row changed only from a later month on (a change kept in the row in force) keeps
        # its own month's capacity: nothing to tell for it.
        if split_month(row, row.month, None, ctx.config) != split_month(
            capacities[row.month], row.month, None, ctx.config
        ):
            emit.extend(_capacity_changed(row.month, row, ctx))
    for month, before, after in adopted.roster_months:
        if roster_changed(month, before, after, ctx.case_id):
            emit.extend(_roster(month, after, ctx))
    return Decision(None, emit, rows=list(adopted.rows))


def cycle_proposed(case: PoolCase | None, event: PlanCycleProposed, ctx: Ctx) -> Outcome[PoolCase]:
    capacities: dict[str, MonthCapacity] = ctx.extras["capacities"]
    observed = observed_pact_per_day(ctx.extras["pact_in_window"], ctx.config.triage_window_days)
    start_month = capacities.get(month_key(event.starts_on))
    operational = bool(start_month and start_month.prephase_location_operational)
    days = backlog_days_between(capacities, event.starts_on, event.ends_on, observed, ctx.config)
    rates = ctx.extras["observed_grant_rates"]
    problem = proposal_problem(
        event,
        ctx.today,
        ctx.config,
        prephase_operational=operational,
        backlog_days=days,
        observed_grant_rates=rates,
    )
    if problem:
        return Refusal(problem)
    existing = ctx.rows["cycles"].get(ctx.case_id)
    cycle = adopt_proposal(event, ctx.case_id, existing, ctx.config, days, rates)
    cycle = cycle.model_copy(update={"pact_per_day": observed})
    opened = cycle_opened(cycle, ctx.config)  # a proposal has at least one cohort
    topic = plan_events(Stream.BACKLOG)
    emit = (
        []
        if opened is None
        else [Emit(opened, topic=topic, subject=cycle.cycle_id, stream=Stream.BACKLOG)]
    )
    return Decision(None, emit, rows=[cycle])


async def load_plan(batch: KitBatch[PoolCase], events: Sequence[Envelope[Any]]) -> None:
    """What every function may read, once per batch: the declared capacity and the Pact inflow.
    A case's event reads only the teams in force today; all declared months and the Pact inflow
    are read for the plan-level inputs that use them (a batch is mostly case events, and
    reading every month's teams for each took a fifth of planning's batch time; issue 16)."""
    config: PlanningConfig = batch.rules.config
    today = batch.uow.clock.now().astimezone(AMSTERDAM).date()
    since = today - timedelta(days=config.triage_window_days)
    whole_plan = any(isinstance(e.data, TeamCapacityChanged | PlanCycleProposed) for e in events)
    batch.extras["capacities"] = (
        await db.capacities(batch.session)
        if whole_plan
        else await db.capacities(batch.session, today, today)
    )
    if whole_plan or any(isinstance(e.data, CapacityDeclared) for e in events):
        batch.extras["pact_in_window"] = await db.pact_registered_since(batch.session, since)
    proposals = any(isinstance(e.data, PlanCycleProposed) for e in events)
    counts = await db.decision_counts(batch.session) if proposals else {}
    batch.extras["observed_grant_rates"] = observed_grant_rates(counts, config)


def keys_of(event_type: type) -> Any:
    return lambda e: [e.subject] if isinstance(e.data, event_type) else []


def case_keys(e: Any) -> list[str]:
    plan_level = CapacityDeclared | PlanCycleProposed | TeamCapacityChanged
    return [] if isinstance(e.data, plan_level) else [e.subject]


def team_change_months(e: Any) -> list[str]:
    """The month rows a team change may alter, locked against a declaration meanwhile: from its
    month on, five years ahead (the programme's horizon; a row further out is still changed)."""
    if not isinstance(e.data, TeamCapacityChanged):
        return []
    day = e.data.effective_on
    return months_between(day, day.replace(year=day.year + 5, day=1))


def rules(config: PlanningConfig) -> Rules[PoolCase, PlanningConfig]:
    planning = Rules(
        "planning",
        store=db.POOL,
        config=config,
        events_topic=lambda case: stage_events(case.stream, Stage.PLANNING),
        stream_of=lambda case: case.stream,
        prepare=load_plan,
    )
    planning.rows(
        "capacity",
        db.CAPACITY,
        lambda e: keys_of(CapacityDeclared)(e) + team_change_months(e),
    )
    planning.rows("cycles", db.CYCLES, keys_of(PlanCycleProposed))
    planning.rows("records", db.RECORDS, case_keys)
    # A case's steps are only written (new keys), never read by a batch: nothing to lock.
    planning.rows("steps", db.STEPS, lambda e: [])
    planning.rows(
        "placement",
        db.PLACEMENT,
        lambda e: ["placement"] if isinstance(e.data, StageCouldNotPlace) else [],
    )
    planning.on(CaseRegistered)(tracked(registered))
    planning.on(CaseWithdrawn)(tracked(withdrawn))
    planning.on(CaseRecategorised)(tracked(recategorised))
    planning.on(PriorityGroupJoined)(tracked(regrouped))
    planning.on(PriorityGroupLeft)(tracked(regrouped))
    planning.on(ExclusionSignalRaised)(tracked(exclusion_signal))
    planning.on(ExclusionScreeningConcluded)(tracked(exclusion_screened))
    planning.on(PrephaseNoShow)(tracked(no_show))
    planning.on(HearingOnHold)(tracked(hold(HoldReason.HEARING_OBSTACLE)))
    planning.on(HearingResumed)(tracked(hold(HoldReason.HEARING_OBSTACLE, ends=True)))
    planning.on(DecisionOnHold)(tracked(hold(HoldReason.DECISION_OBSTACLE)))
    planning.on(DecisionResumed)(tracked(hold(HoldReason.DECISION_OBSTACLE, ends=True)))
    # Facts that only the record keeps: the timeline and the monthly figures (R14).
    for fact in records.RECORD_ONLY:
        planning.on(fact)(tracked(stage_fact))
    planning.on(ApplicantLogisticsChanged)(tracked(logistics_changed))
    planning.on(HearingPlanned)(tracked(hearing_planned))
    planning.on(HearingCancelled)(tracked(hearing_planned))
    planning.on(StageCouldNotPlace)(tracked(could_not_place))
    planning.on(ReadyForDecision)(tracked(ready_for_decision))
    planning.on(PrephaseCompleted)(tracked(prephase_completed))
    for item in (WrittenAccountReceived, LanguageIndicationCompleted, OriginInvestigationCompleted):
        planning.on(item)(tracked(file_item_recorded))
    planning.on(CapacityDeclared)(capacity_declared)
    planning.on(TeamCapacityChanged)(team_capacity_changed)
    planning.on(PlanCycleProposed)(cycle_proposed)
    return planning
