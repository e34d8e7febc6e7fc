"""The file (R12): deciders get complete files. A release to decision waits for the items a
decider of the case's category needs, names them, and goes once they are recorded."""

from __future__ import annotations

from datetime import date

from planning.domain import file, records
from planning.domain.explain import explain_case, timeline
from planning.domain.model import PoolCase
from planning.handlers import file_item_recorded, prephase_completed, ready_for_decision
from planning.handlers import recategorised as recategorised_handler
from shared.contracts.events.common import Procedure
from shared.contracts.events.hearing import ReadyForDecision
from shared.contracts.events.intake import CaseRecategorised, RecategorisationReason
from shared.contracts.events.planning import CaseReleased, FileItem, ReleaseHeld, ReleaseStage
from shared.contracts.events.prephase import (
    LanguageIndicationCompleted,
    LanguageIndicationResult,
    OriginFinding,
    OriginInvestigationCompleted,
    PrephaseCompleted,
    WaiverCondition,
    WrittenAccountReceived,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import Decision, Outcome

from .test_planning_handlers import READY, TODAY, case, ctx


def completed(
    *,
    account: bool = True,
    language: LanguageIndicationResult | None = LanguageIndicationResult.CONSISTENT,
    origin: OriginFinding | None = None,
) -> PrephaseCompleted:
    return PrephaseCompleted(
        completed_on=TODAY,
        waiver_eligible=False,
        waiver_missing=(WaiverCondition.ORIGIN_NOT_IN_DOUBT,),
        language_indication=language,
        origin=origin,
        original_identity_document=False,
        written_account=account,
        exclusion_signal=False,
    )


WAIVED = ReadyForDecision(ready_on=TODAY, heard=False, category=Category.A)
"""Ready without a hearing held (a waiver): the hearing gave the decider no account."""

ACCOUNT = WrittenAccountReceived(
    received_on=TODAY, language="ara", pages=3, translation_needed=True
)


def decided(outcome: Outcome[PoolCase]) -> Decision[PoolCase]:
    assert isinstance(outcome, Decision)
    return outcome


def state(outcome: Outcome[PoolCase]) -> PoolCase:
    new = decided(outcome).state
    assert new is not None
    return new


def after_prephase(event: PrephaseCompleted, **extra: object) -> PoolCase:
    return state(prephase_completed(case(**extra), event, ctx()))


# --- domain ---------------------------------------------------------------------------------


def test_the_prephase_tells_which_items_are_in_the_file() -> None:
    assert file.recorded_in_prephase(completed()) == (
        FileItem.WRITTEN_ACCOUNT,
        FileItem.LANGUAGE_INDICATION,
    )
    inconclusive = completed(account=False, language=None, origin=OriginFinding.INCONCLUSIVE)
    assert file.recorded_in_prephase(inconclusive) == (FileItem.ORIGIN_INVESTIGATION,)


def test_what_a_decider_misses_depends_on_the_category() -> None:
    known = case(file_known=True, file_items=(FileItem.WRITTEN_ACCOUNT,))
    assert file.missing_items(known.model_copy(update={"category": Category.C})) == ()
    assert file.missing_items(known) == (FileItem.LANGUAGE_INDICATION,)  # category A
    assert file.missing_items(known.model_copy(update={"category": Category.D})) == (
        FileItem.LANGUAGE_INDICATION,
        FileItem.ORIGIN_INVESTIGATION,
    )
    assert file.missing_items(known.model_copy(update={"category": None})) == ()


def test_a_file_planning_has_not_seen_misses_nothing() -> None:
    # A Pact case straight to the hearing: the hearing put its file together.
    assert file.missing_items(case(category=Category.D)) == ()


# --- the functions over events ----------------------------------------------------------------


def test_an_incomplete_file_holds_the_release_to_decision_and_names_what_is_missing() -> None:
    pooled = after_prephase(completed(account=False))
    assert file.missing_items(pooled) == (FileItem.WRITTEN_ACCOUNT,)
    outcome = decided(ready_for_decision(pooled, WAIVED, ctx()))
    [held] = outcome.emit
    assert held == ReleaseHeld(
        stage=ReleaseStage.DECISION, missing_items=(FileItem.WRITTEN_ACCOUNT,)
    )
    held_case = state(outcome)
    assert held_case.stage is ReleaseStage.PREPHASE  # not released to decision
    assert held_case.decision_held_on == TODAY
    again = decided(ready_for_decision(held_case, WAIVED, ctx()))
    assert again.emit == ()
    assert again.state is None


def test_the_held_release_goes_once_the_last_item_is_recorded() -> None:
    pooled = after_prephase(completed(account=False, language=None), category=Category.A)
    held = state(ready_for_decision(pooled, WAIVED, ctx()))
    one = decided(file_item_recorded(held, ACCOUNT, ctx()))
    still = state(one)
    assert file.missing_items(still) == (FileItem.LANGUAGE_INDICATION,)
    # Still held: the shorter list is said again, for decision's refusals and the caseworkers.
    assert list(one.emit) == [
        ReleaseHeld(stage=ReleaseStage.DECISION, missing_items=(FileItem.LANGUAGE_INDICATION,))
    ]
    language = LanguageIndicationCompleted(
        result=LanguageIndicationResult.INCONCLUSIVE, language=None
    )
    done = decided(file_item_recorded(still, language, ctx()))
    [release] = done.emit
    assert isinstance(release, CaseReleased)
    assert release.stage is ReleaseStage.DECISION
    assert (release.team, release.cohort) == ("syria", "a-syr")
    assert state(done).stage is ReleaseStage.DECISION
    assert state(done).decision_held_on is None


def test_a_hearing_held_gives_the_decider_the_account() -> None:
    pooled = after_prephase(completed(account=False))
    outcome = decided(ready_for_decision(pooled, READY, ctx()))
    [release] = outcome.emit
    assert isinstance(release, CaseReleased)
    assert release.stage is ReleaseStage.DECISION


def test_an_item_before_hearing_is_done_releases_nothing_yet() -> None:
    pooled = after_prephase(completed(account=False))
    outcome = decided(file_item_recorded(pooled, ACCOUNT, ctx()))
    assert outcome.emit == ()
    assert file.missing_items(state(outcome)) == ()
    ready = decided(ready_for_decision(state(outcome), READY, ctx()))
    [release] = ready.emit
    assert isinstance(release, CaseReleased)


def test_a_new_category_that_needs_less_releases_the_held_case() -> None:
    pooled = after_prephase(completed(language=None), category=Category.A)
    held = state(ready_for_decision(pooled, READY, ctx()))
    change = CaseRecategorised(
        old_category=Category.A,
        new_category=Category.C,
        reason=RecategorisationReason.POLICY_CHANGE,
    )
    outcome = decided(recategorised_handler(held, change, ctx()))
    [release] = outcome.emit
    assert isinstance(release, CaseReleased)
    assert release.stage is ReleaseStage.DECISION


def test_a_new_category_that_needs_more_says_the_longer_list_again() -> None:
    pooled = after_prephase(completed(account=False), category=Category.A)
    held = state(ready_for_decision(pooled, WAIVED, ctx()))
    assert file.missing_items(held) == (FileItem.WRITTEN_ACCOUNT,)
    change = CaseRecategorised(
        old_category=Category.A,
        new_category=Category.D,
        reason=RecategorisationReason.POLICY_CHANGE,
    )
    outcome = decided(recategorised_handler(held, change, ctx()))
    missing = file.missing_items(state(outcome))
    assert FileItem.ORIGIN_INVESTIGATION in missing
    assert list(outcome.emit) == [ReleaseHeld(stage=ReleaseStage.DECISION, missing_items=missing)]
    # The same list again (a redelivered change) says nothing.
    assert list(decided(recategorised_handler(state(outcome), change, ctx())).emit) == []


def test_the_origin_investigation_counts_for_the_file() -> None:
    pooled = after_prephase(completed(), category=Category.D)
    assert file.missing_items(pooled) == (FileItem.ORIGIN_INVESTIGATION,)
    found = OriginInvestigationCompleted(result=OriginFinding.PLAUSIBLE)
    assert file.missing_items(state(file_item_recorded(pooled, found, ctx()))) == ()


# --- what explain and where say -----------------------------------------------------------------


def test_explain_and_where_list_the_missing_items() -> None:
    pooled = after_prephase(completed(account=False), status="released")
    outcome = decided(ready_for_decision(pooled, WAIVED, ctx()))
    lines = explain_case(state(outcome), None, TODAY)
    assert any(
        "release to decision held since 2026-11-02" in line and "missing: written_account" in line
        for line in lines
    )
    record = records.CaseRecord(
        case_id="case-1",
        stream=Stream.BACKLOG,
        procedure=Procedure.NATIONAL_REGULAR,
        lodged_on=date(2020, 1, 1),
        registered_on=date(2026, 10, 1),
        unaccompanied=False,
        deadline=date(2027, 1, 1),
    )
    ready = records.recorded(record, WAIVED, TODAY)
    assert ready is not None
    [held] = outcome.emit
    assert isinstance(held, ReleaseHeld)
    record_held = records.recorded(ready, held, TODAY)
    assert record_held is not None
    record = record_held
    assert record.waiting is records.Waiting.FILE
    assert "missing: written_account" in timeline(record, TODAY)[-2]
    complete = records.recorded(record, ACCOUNT, TODAY)
    assert complete is not None
    assert complete.missing_items == ()
