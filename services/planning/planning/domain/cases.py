"""The pool: cases come in from intake, leave by release or withdrawal, and are held apart."""

from __future__ import annotations

from datetime import date

from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import CaseReleased, ReleaseStage, Specialism
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.calendar import next_working_day

from .config import PlanningConfig
from .model import HoldReason, PoolCase, PoolStatus

NO_SHOWS_BEFORE_HOLD = 2
"""Repeated no-shows put a case on hold (prephase re-invites after the first)."""


def pooled(case_id: str, event: CaseRegistered, today: date, local_lodging: date) -> PoolCase:
    """A registered case as planning keeps it: ids, stream, cohort fields; no personal data
    beyond what choosing and dispatching needs."""
    return PoolCase(
        case_id=case_id,
        stream=event.stream,
        nationality=event.nationality,
        lodged_on=local_lodging,
        registered_on=today,
        category=event.category,
        priority_group=event.priority_group,
        unaccompanied=event.unaccompanied,
    )


def pact_stage(config: PlanningConfig) -> ReleaseStage:
    """R2: a Pact case goes straight to hearing, unless configured through prephase."""
    return ReleaseStage.PREPHASE if config.pact_via_prephase else ReleaseStage.HEARING


def release(
    case: PoolCase,
    stage: ReleaseStage,
    today: date,
    team: str,
    specialisms: tuple[Specialism, ...],
    cycle: str | None = None,
    cohort: str | None = None,
) -> tuple[PoolCase, CaseReleased]:
    """Release a pooled case to a stage on the first working day from today, to a team."""
    day = next_working_day(today)
    released = case.model_copy(
        update={
            "status": PoolStatus.RELEASED,
            "stage": stage,
            "release_day": day,
            "team": team,
            "cycle": cycle,
            "cohort": cohort,
            "tried_teams": (),
        }
    )
    event = CaseReleased(
        stage=stage,
        release_day=day,
        team=team,
        specialisms=specialisms,
        cycle=cycle,
        cohort=cohort,
    )
    return released, event


def withdrawn(case: PoolCase) -> PoolCase:
    """A withdrawn case leaves the pool; a released one frees its cohort's place (the cycle
    counts releases of cases still in it)."""
    return case.model_copy(update={"status": PoolStatus.WITHDRAWN})


def recategorised(case: PoolCase, category: Category | None) -> PoolCase:
    return case.model_copy(update={"category": category})


def regrouped(case: PoolCase, group: PriorityGroup | None) -> PoolCase:
    return case.model_copy(update={"priority_group": group})


def held(case: PoolCase, reason: HoldReason) -> PoolCase:
    """On hold: counted apart, never lost. A pooled case leaves the queue until the hold ends;
    a released one stays released (its stage keeps it)."""
    if reason in case.holds:
        return case
    holds = (*case.holds, reason)
    status = PoolStatus.HELD if case.status is PoolStatus.POOLED else case.status
    return case.model_copy(update={"holds": holds, "status": status})


def hold_ended(case: PoolCase, reason: HoldReason) -> PoolCase:
    holds = tuple(h for h in case.holds if h is not reason)
    status = case.status
    if status is PoolStatus.HELD and not holds:
        status = PoolStatus.RELEASED if case.release_day else PoolStatus.POOLED
    return case.model_copy(update={"holds": holds, "status": status})


def no_show(case: PoolCase) -> PoolCase:
    case = case.model_copy(update={"no_shows": case.no_shows + 1})
    return held(case, HoldReason.NO_SHOWS) if case.no_shows >= NO_SHOWS_BEFORE_HOLD else case


def is_pact(case: PoolCase) -> bool:
    return case.stream is Stream.PACT
