"""The hearing plan per category, and when a case is taken up (issue 13, seeds 002-004)."""

from __future__ import annotations

import pytest

from hearing.domain.case import Mode, Status
from hearing.domain.steps import prephase_completed, registered, released
from hearing.testing import Arrive, completion, ctx, registration, release, state
from shared.contracts.events.hearing import (
    HearingFormat,
    HearingRoom,
    HearingRoute,
    HearingWaived,
    ReadyForDecision,
)
from shared.contracts.events.planning import ReleaseStage
from shared.contracts.events.prephase import (
    LanguageIndicationResult,
    OriginFinding,
    WaiverCondition,
)
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.kit import Decision


@pytest.mark.parametrize(
    ("category", "fmt"),
    [
        (Category.A, HearingFormat.SHORT_TARGETED),
        (Category.C, HearingFormat.TARGETED_PER_MOTIVE),
        (Category.D, HearingFormat.TARGETED_PER_MOTIVE),
        (Category.OUTSIDE, HearingFormat.FULL),
    ],
)
def test_categories_get_their_oral_hearing_and_wait_for_a_slot(
    arrive: Arrive, category: Category, fmt: HearingFormat
) -> None:
    case = state(arrive(category))
    assert case.status is Status.WAITING_SLOT
    assert case.plan is not None
    assert (case.plan.mode, case.plan.format) == (Mode.ORAL, fmt)


def test_b_with_group_membership_established_is_waived_and_ready(arrive: Arrive) -> None:
    out = arrive(Category.B)
    assert isinstance(out, Decision)
    case = state(out)
    assert case.status is Status.READY
    assert case.waived
    waived, ready = out.emit
    assert isinstance(waived, HearingWaived)
    assert isinstance(ready, ReadyForDecision)
    assert not ready.heard
    assert ready.category is Category.B
    assert ready.route is HearingRoute.VIA_PREPHASE


@pytest.mark.parametrize(
    "finding",
    [
        completion(language=LanguageIndicationResult.INCONSISTENT),
        completion(origin=OriginFinding.DOUBTFUL),
        completion(exclusion_signal=True),
        completion(language=LanguageIndicationResult.INCONCLUSIVE),
        completion(origin=OriginFinding.INCONCLUSIVE),
    ],
)
def test_b_that_prephase_did_not_mark_eligible_is_heard(arrive: Arrive, finding: object) -> None:
    case = state(arrive(Category.B, prephase=finding))
    assert case.status is Status.WAITING_SLOT
    assert case.plan is not None
    assert case.plan.mode is Mode.ORAL


def test_written_hearing_where_configured(arrive: Arrive) -> None:
    case = state(arrive(Category.C, written_categories=frozenset({"C"})))
    assert case.status is Status.WRITTEN_PLANNED
    assert case.plan is not None
    assert case.plan.mode is Mode.WRITTEN


def test_unaccompanied_minors_get_the_configured_format_in_a_child_friendly_room() -> None:
    c = ctx()
    event = registration(None, priority_group=PriorityGroup.UNACCOMPANIED_MINOR)
    case = state(registered(None, event, c))
    case = state(released(case, release(team="team-amv-1"), c))
    case = state(prephase_completed(case, completion(), c))
    assert case.plan is not None
    assert case.plan.format is HearingFormat.FULL
    assert case.plan.room is HearingRoom.CHILD_FRIENDLY


def test_a_backlog_case_waits_for_its_prephase_completion() -> None:
    c = ctx()
    case = state(registered(None, registration(Category.A), c))
    case = state(released(case, release(), c))
    assert case.status is Status.GATHERING


def test_facts_in_any_order_give_the_same_plan() -> None:
    c = ctx()
    case = state(prephase_completed(None, completion(), c))
    case = state(released(case, release(), c))
    assert case.status is Status.GATHERING  # not registered: no category yet
    case = state(registered(case, registration(Category.A), c))
    assert case.status is Status.WAITING_SLOT


def test_a_pact_case_goes_straight_to_hearing_by_default() -> None:
    c = ctx(stream=Stream.PACT)
    case = state(registered(None, registration(None, Stream.PACT), c))
    case = state(released(case, release(), c))
    assert case.status is Status.WAITING_SLOT
    assert case.plan is not None
    assert case.plan.format is HearingFormat.FULL


def test_a_setting_routes_pact_cases_through_the_prephase() -> None:
    c = ctx(stream=Stream.PACT, pact_via_prephase=True)
    case = state(registered(None, registration(None, Stream.PACT), c))
    case = state(released(case, release(), c))
    assert case.status is Status.GATHERING
    case = state(prephase_completed(case, completion(), c))
    assert case.status is Status.WAITING_SLOT


def test_a_pact_release_to_the_prephase_routes_it_there() -> None:
    c = ctx(stream=Stream.PACT)
    case = state(registered(None, registration(None, Stream.PACT), c))
    case = state(released(case, release(ReleaseStage.PREPHASE, team="team-general-1"), c))
    assert case.status is Status.GATHERING
    assert case.team == "team-general-1"  # planning's team stands until a hearing release
    case = state(prephase_completed(case, completion(), c))
    assert case.status is Status.WAITING_SLOT


def test_hearing_follows_prephase_eligibility_and_does_not_judge_the_findings_again(
    arrive: Arrive,
) -> None:
    # Findings that look clean, but prephase did not mark the case eligible (say, no original
    # identity document beside an inconclusive origin): prephase owns that rule, so it is heard.
    not_eligible = completion().model_copy(
        update={"waiver_eligible": False, "waiver_missing": (WaiverCondition.ORIGIN_NOT_IN_DOUBT,)}
    )
    case = state(arrive(Category.B, prephase=not_eligible))
    assert case.status is Status.WAITING_SLOT
    # Eligible is a fact about a category-B case: a case hearing knows as C is heard anyway.
    heard = state(arrive(Category.C, prephase=completion()))
    assert heard.plan is not None
    assert heard.plan.mode is Mode.ORAL
