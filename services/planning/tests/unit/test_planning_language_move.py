"""A Pact case's language known after its release (R2 releases it at registration): moved to a
team that hears in it, only while its hearing is not planned (R12; ADR 0030)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from planning import persistence as db
from planning.domain.config import PlanningConfig
from planning.domain.dispatch import language_move
from planning.domain.model import MonthCapacity, PoolCase, PoolStatus, Team
from planning.handlers import hearing_planned, logistics_changed
from shared.contracts.events.hearing import (
    CancellationReason,
    HearingCancelled,
)
from shared.contracts.events.intake import ApplicantLogisticsChanged, LogisticsPart
from shared.contracts.events.planning import CaseReleased, ReleaseStage, Specialism
from shared.contracts.values import Category, Stream
from shared.runtime.kit import BatchCases, Context, Decision

GENERAL = Team(team_id="general", caseworkers=20, hours_per_week=36)
ARABIC = Team(team_id="arabic", caseworkers=5, hours_per_week=36, languages=("ara",))
ARABIC_2 = Team(team_id="arabic-2", caseworkers=5, hours_per_week=36, languages=("ara", "kmr"))
SYRIA = Team(team_id="syria", caseworkers=8, hours_per_week=36, nationalities=("SYR",))
TEAMS = (GENERAL, ARABIC, ARABIC_2, SYRIA)


def pact(**extra: Any) -> PoolCase:
    base: dict[str, Any] = {
        "case_id": "case-7",
        "stream": Stream.PACT,
        "nationality": "IRQ",
        "lodged_on": date(2026, 11, 2),
        "registered_on": date(2026, 11, 2),
        "category": Category.A,
        "status": PoolStatus.RELEASED,
        "stage": ReleaseStage.HEARING,
        "release_day": date(2026, 11, 2),
        "team": "general",
        "languages": ("ara",),
    }
    return PoolCase(**{**base, **extra})


def test_a_pact_case_moves_to_a_team_that_hears_in_its_language() -> None:
    moved = language_move(pact(), TEAMS)
    assert moved is not None
    team, specialisms = moved
    assert team in {"arabic", "arabic-2"}
    assert Specialism.LANGUAGE in specialisms
    # Reproducible: the same case goes to the same team, whatever order the teams come in.
    assert language_move(pact(), tuple(reversed(TEAMS))) == moved
    # Only one team hears Kurmanji.
    assert language_move(pact(languages=("kmr",)), TEAMS) == ("arabic-2", (Specialism.LANGUAGE,))


def test_a_case_already_with_a_team_that_hears_in_it_stays() -> None:
    assert language_move(pact(team="arabic"), TEAMS) is None


def test_no_move_once_the_hearing_is_planned_or_for_other_stages_streams_or_statuses() -> None:
    assert language_move(pact(hearing_planned=True), TEAMS) is None
    assert language_move(pact(stage=ReleaseStage.PREPHASE), TEAMS) is None
    assert language_move(pact(stage=ReleaseStage.DECISION), TEAMS) is None
    assert language_move(pact(stream=Stream.BACKLOG), TEAMS) is None
    assert language_move(pact(status=PoolStatus.WITHDRAWN), TEAMS) is None
    assert language_move(pact(status=PoolStatus.HELD), TEAMS) is None
    assert language_move(pact(languages=()), TEAMS) is None


def test_nationality_comes_before_language_and_a_language_nobody_hears_moves_nothing() -> None:
    # A Syrian's team knows the country; no Syria team hears Arabic: it stays (R12 order).
    assert language_move(pact(nationality="SYR", team="syria"), TEAMS) is None
    # A language team that also knows the nationality wins over the nationality team.
    syria_ara = Team(
        team_id="syria-ara",
        caseworkers=3,
        hours_per_week=36,
        nationalities=("SYR",),
        languages=("ara",),
    )
    moved = language_move(pact(nationality="SYR", team="syria"), (*TEAMS, syria_ara))
    assert moved == ("syria-ara", (Specialism.NATIONALITY, Specialism.LANGUAGE))
    assert language_move(pact(languages=("tir",)), TEAMS) is None
    # A team without caseworkers hears nobody; a team that could not place the case is skipped.
    empty = (GENERAL, ARABIC.model_copy(update={"caseworkers": 0}))
    assert language_move(pact(), empty) is None
    assert language_move(pact(tried_teams=("arabic", "arabic-2")), TEAMS) is None


def context() -> Context[PlanningConfig]:
    return Context(
        case_id="case-7",
        now=datetime(2026, 11, 3, 9, tzinfo=UTC),
        config=PlanningConfig(),
        actor="system:intake",
        stream=Stream.PACT,
        topic="ind.pact.intake.events.v1",
        cases=BatchCases(db.POOL),
        extras={"capacities": {"2026-11": MonthCapacity(month="2026-11", teams=TEAMS)}},
        rows={},
    )


LOGISTICS = ApplicantLogisticsChanged(
    interpreter_languages=("kmr",),
    reception_location=None,
    lawyer=None,
    court_district=None,
    changed=(LogisticsPart.INTERPRETER_LANGUAGES,),
)


def test_the_late_language_releases_the_case_again_to_the_language_team() -> None:
    outcome = logistics_changed(pact(languages=()), LOGISTICS, context())
    assert isinstance(outcome, Decision)
    [release] = outcome.emit
    assert isinstance(release, CaseReleased)
    assert (release.stage, release.team, release.cycle) == (ReleaseStage.HEARING, "arabic-2", None)
    assert release.release_day == date(2026, 11, 3)  # at once: never held back (R2)
    assert outcome.state is not None
    assert (outcome.state.team, outcome.state.languages) == ("arabic-2", ("kmr",))
    assert outcome.state.status is PoolStatus.RELEASED


def test_a_planned_hearing_keeps_the_team_and_a_cancelled_one_lets_it_move() -> None:
    planned = pact(languages=(), hearing_planned=True)
    outcome = logistics_changed(planned, LOGISTICS, context())
    assert isinstance(outcome, Decision)
    assert outcome.emit == ()
    assert outcome.state is not None
    assert (outcome.state.team, outcome.state.languages) == ("general", ("kmr",))
    cancelled = HearingCancelled(day=date(2026, 11, 20), reason=CancellationReason.RESCHEDULED)
    after = hearing_planned(planned, cancelled, context())
    assert isinstance(after, Decision)
    assert after.state is not None
    assert not after.state.hearing_planned
