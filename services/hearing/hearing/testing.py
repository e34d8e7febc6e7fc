"""Builders for hearing's tests: a context, the facts other services publish, a case that
reached a given point. Test support only: the service never imports it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from hearing.domain.capacity import Caseworker, Roster, Team
from hearing.domain.case import HearingCase, HearingConfig
from hearing.domain.steps import prephase_completed, registered, released
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.events.planning import (
    CaseReleased,
    CaseworkerCapacity,
    CategoryRate,
    HearingRosterPlanned,
    InterpreterPlaces,
    ReleaseStage,
    RosterTeam,
    Specialism,
)
from shared.contracts.events.prephase import (
    LanguageIndicationResult,
    OriginFinding,
    PrephaseCompleted,
    WaiverCondition,
)
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.kit import BatchCases, Context, Decision, Outcome

# Monday 2 November 2026, 10:00 in Amsterdam; tests never read the wall clock.
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)


def ctx(case_id: str = "case-1", stream: Stream = Stream.BACKLOG, **config: Any) -> Context[Any]:
    return Context(
        case_id=case_id,
        now=NOW,
        config=HearingConfig(**config),
        actor="caseworker:cw-1001",
        stream=stream,
        topic="ind.backlog.hearing.input.v1",
        cases=BatchCases.__new__(BatchCases),
        extras={},
        rows={},
    )


def state(outcome: Outcome[HearingCase]) -> HearingCase:
    assert isinstance(outcome, Decision), outcome
    assert outcome.state is not None
    return outcome.state


def registration(
    category: Category | None = Category.A,
    stream: Stream = Stream.BACKLOG,
    priority_group: PriorityGroup | None = None,
    lodged: datetime = datetime(2025, 3, 1, 9, tzinfo=UTC),
) -> CaseRegistered:
    pact = stream is Stream.PACT
    return CaseRegistered(
        v_number="1000000001",
        nationality="SYR",
        stream=stream,
        lodged_at=lodged,
        procedure="pact_regular" if pact else "national_regular",
        category=category,
        priority_group=priority_group,
        priority_groups=(priority_group,) if priority_group else (),
        policy_version="cp-2026-10",
        deadline=date(2027, 3, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=priority_group is PriorityGroup.UNACCOMPANIED_MINOR,
    )


def release(
    stage: ReleaseStage = ReleaseStage.HEARING, team: str = "team-syria-1", **extra: Any
) -> CaseReleased:
    return CaseReleased(stage=stage, release_day=TODAY, team=team, **extra)


def completion(
    language: LanguageIndicationResult | None = LanguageIndicationResult.CONSISTENT,
    origin: OriginFinding | None = OriginFinding.PLAUSIBLE,
    exclusion_signal: bool = False,
    *,
    category_b: bool = True,
) -> PrephaseCompleted:
    """A prephase completion as prephase makes it: eligible for a waiver only for category B
    with all three conditions met (prephase owns that rule; hearing only reads the flag)."""
    missing = tuple(
        condition
        for condition, met in (
            (WaiverCondition.LANGUAGE_CONSISTENT, language is LanguageIndicationResult.CONSISTENT),
            (WaiverCondition.ORIGIN_NOT_IN_DOUBT, origin is OriginFinding.PLAUSIBLE),
            (WaiverCondition.NO_EXCLUSION_INDICATION, not exclusion_signal),
        )
        if not met and category_b
    )
    return PrephaseCompleted(
        completed_on=date(2026, 10, 28),
        waiver_eligible=category_b and not missing,
        waiver_missing=missing,
        language_indication=language,
        origin=origin,
        original_identity_document=True,
        written_account=True,
        exclusion_signal=exclusion_signal,
    )


Arrive = Callable[..., Outcome[HearingCase]]


def arrive() -> Arrive:
    """The facts of a backlog case (registration, release, prephase completion), applied in
    order; the last outcome."""

    def run(
        category: Category | None = Category.A,
        case_id: str = "case-1",
        stream: Stream = Stream.BACKLOG,
        prephase: PrephaseCompleted | None = None,
        **config: Any,
    ) -> Outcome[HearingCase]:
        c = ctx(case_id, stream, **config)
        case = state(registered(None, registration(category, stream), c))
        out = released(case, release(), c)
        if stream is Stream.BACKLOG or prephase is not None:
            out = prephase_completed(state(out), prephase or completion(), c)
        return out

    return run


def _worker(code: str, *specialisms: Specialism) -> Caseworker:
    return Caseworker(caseworker=code, specialisms=frozenset(specialisms))


# The roster hearing's tests book against, as planning would publish it (HearingRosterPlanned):
# a caseworker hears a case when their specialisms include every specialism planning matched
# the case to the team on (CaseReleased.specialisms).
SAMPLE_ROSTER = Roster(
    teams={
        "team-syria-1": Team(
            location="ind-den-bosch",
            caseworkers=(
                _worker("cw-1001", Specialism.NATIONALITY, Specialism.LANGUAGE),
                _worker("cw-1002", Specialism.NATIONALITY),
            ),
        ),
        "team-amv-1": Team(
            location="ind-zevenaar",
            caseworkers=(_worker("cw-2001", Specialism.UNACCOMPANIED_MINOR, Specialism.LANGUAGE),),
        ),
        "team-general-1": Team(
            location="ind-rijsbergen",
            caseworkers=(_worker("cw-3001"), _worker("cw-3002", Specialism.CASE_TYPE)),
        ),
    }
)


def roster_event(
    roster: Roster = SAMPLE_ROSTER,
    *,
    interpreters: dict[str, int] | None = None,
    rates: dict[Category, float] | None = None,
    full_time_hours: float = 36,
) -> HearingRosterPlanned:
    """The HearingRosterPlanned planning publishes for a roster (full-time caseworkers unless
    their share says otherwise)."""
    default_rates = {Category.A: 2.0, Category.B: 1.0, Category.C: 1.0, Category.D: 1.0}
    return HearingRosterPlanned(
        teams=tuple(
            RosterTeam(
                team=team_id,
                location=team.location,
                caseworkers=tuple(
                    CaseworkerCapacity(
                        caseworker=c.caseworker,
                        specialisms=tuple(sorted(c.specialisms)),
                        hours_per_week=c.share * full_time_hours,
                    )
                    for c in team.caseworkers
                ),
            )
            for team_id, team in sorted(roster.teams.items())
        ),
        rates=tuple(
            CategoryRate(category=c, per_day=r)
            for c, r in sorted({**default_rates, **(rates or {})}.items())
        ),
        interpreters=tuple(
            InterpreterPlaces(language=lang, places=n)
            for lang, n in sorted((interpreters or {}).items())
        ),
        full_time_hours=full_time_hours,
    )
