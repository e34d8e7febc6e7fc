"""Outcomes from the caseworker front-ends: held, no-show, additional hearing, the review and
its lapse, written hearings, waivers, holds, withdrawal; and refusals of out-of-order input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hearing.domain import steps
from hearing.domain.capacity import allocate
from hearing.domain.case import HearingCase, HearingConfig, Status
from hearing.domain.steps import prephase_completed, registered, released
from hearing.testing import (
    NOW,
    SAMPLE_ROSTER,
    Arrive,
    completion,
    ctx,
    registration,
    release,
    state,
)
from shared.contracts.events import hearing as h
from shared.contracts.events.common import ObstacleKind
from shared.contracts.events.intake import CaseWithdrawn
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionScreeningOutcome,
    ExclusionSignalRaised,
)
from shared.contracts.values import Category
from shared.runtime.kit import Decision, Refusal, Wait

ROSTER = SAMPLE_ROSTER
TUESDAY = date(2026, 11, 3)


def planned(arrive: Arrive, category: Category = Category.A) -> HearingCase:
    case = state(arrive(category))
    [(case, slot)] = allocate([case], ROSTER, {}, today=NOW.date(), config=HearingConfig()).booked
    booked, event = steps.book(case, slot)
    assert event.review_on == date(2026, 11, 4)
    return booked


def held(day: date = TUESDAY, kind: h.HearingKind = h.HearingKind.FIRST) -> h.HearingHeldRecorded:
    return h.HearingHeldRecorded(
        held_on=day,
        kind=kind,
        duration_minutes=95,
        interpreter_language="apc",
        lawyer_present=True,
    )


def refused(outcome: object, reason_part: str) -> None:
    assert isinstance(outcome, Refusal), outcome
    assert reason_part in outcome.reason


def test_held_then_corrections_make_the_case_ready(arrive: Arrive) -> None:
    case = state(steps.held_recorded(planned(arrive), held(), ctx()))
    assert case.status is Status.HEARD
    assert case.review_on == date(2026, 11, 4)
    out = steps.corrections_recorded(
        case, h.CorrectionsRecorded(received_on=date(2026, 11, 4), submitted=True), ctx()
    )
    assert isinstance(out, Decision)
    received, ready = out.emit
    assert isinstance(received, h.CorrectionsAndAdditionsReceived)
    assert isinstance(ready, h.ReadyForDecision)
    assert ready.heard
    assert ready.ready_on == NOW.date()
    assert ready.category is Category.A


def test_the_review_lapses_on_the_timer_after_its_term(arrive: Arrive) -> None:
    case = state(steps.held_recorded(planned(arrive), held(), ctx()))
    config = HearingConfig()
    assert case.review_due == date(2026, 11, 5)  # review Wednesday, one working day more
    at = datetime(2026, 11, 5, 18, tzinfo=UTC)
    assert steps.lapse_review(case, date(2026, 11, 5), at, config) is None
    result = steps.lapse_review(case, date(2026, 11, 6), at + timedelta(days=1), config)
    assert result is not None
    ready, (none_came, event) = result
    assert ready.status is Status.READY
    assert isinstance(none_came, h.CorrectionsAndAdditionsReceived)
    assert none_came.submitted is False
    assert isinstance(event, h.ReadyForDecision)


def test_a_result_of_another_kind_than_planned_is_refused(arrive: Arrive) -> None:
    refused(
        steps.held_recorded(planned(arrive), held(kind=h.HearingKind.ADDITIONAL), ctx()),
        "the planned hearing is first",
    )


def test_result_for_a_hearing_never_planned_is_refused(arrive: Arrive) -> None:
    refused(steps.held_recorded(state(arrive()), held(), ctx()), "never planned")
    refused(steps.held_recorded(None, held(), ctx()), "no such case")
    refused(
        steps.no_show_recorded(state(arrive()), h.HearingNoShowRecorded(day=TUESDAY), ctx()),
        "never planned",
    )


def test_a_review_before_the_hearing_and_a_second_review_are_refused(arrive: Arrive) -> None:
    corrections = h.CorrectionsRecorded(received_on=date(2026, 11, 4), submitted=False)
    refused(steps.corrections_recorded(planned(arrive), corrections, ctx()), "before the hearing")
    case = state(steps.held_recorded(planned(arrive), held(), ctx()))
    ready = state(steps.corrections_recorded(case, corrections, ctx()))
    refused(steps.corrections_recorded(ready, corrections, ctx()), "already complete")


def test_no_show_puts_the_case_back_in_the_queue(arrive: Arrive) -> None:
    out = steps.no_show_recorded(planned(arrive), h.HearingNoShowRecorded(day=TUESDAY), ctx())
    case = state(out)
    assert case.status is Status.WAITING_SLOT
    assert case.slot is None
    assert isinstance(out, Decision)
    assert out.emit == [h.HearingNoShow(day=TUESDAY)]


def test_an_additional_hearing_is_queued_as_additional(arrive: Arrive) -> None:
    case = state(steps.held_recorded(planned(arrive), held(), ctx()))
    reason = h.AdditionalHearingReason.CONTRADICTIONS
    case = state(steps.additional_recorded(case, h.AdditionalHearingRecorded(reason=reason), ctx()))
    assert case.status is Status.WAITING_SLOT
    assert case.additional_pending
    [(_, slot)] = allocate([case], ROSTER, {}, today=NOW.date(), config=HearingConfig()).booked
    assert slot.kind is h.HearingKind.ADDITIONAL


def test_reschedule_cancels_the_slot_and_gives_it_back(arrive: Arrive) -> None:
    booked = planned(arrive)
    reason = h.RescheduleReason.LAWYER_UNAVAILABLE
    out = steps.reschedule_requested(booked, h.HearingRescheduleRequested(reason=reason), ctx())
    case = state(out)
    assert case.status is Status.WAITING_SLOT
    assert case.slot_to_free == booked.slot
    assert isinstance(out, Decision)
    [cancelled] = out.emit
    assert isinstance(cancelled, h.HearingCancelled)
    assert cancelled.reason is h.CancellationReason.RESCHEDULED


def test_a_written_hearing_from_questions_to_answers(arrive: Arrive) -> None:
    case = state(arrive(Category.C, written_categories=frozenset({"C"})))
    start = h.WrittenHearingStartRecorded(sent_on=date(2026, 11, 2), answers_due=date(2026, 11, 16))
    case = state(steps.written_start_recorded(case, start, ctx()))
    out = steps.written_answers_recorded(
        case, h.WrittenHearingAnswersRecorded(received_on=date(2026, 11, 12)), ctx()
    )
    assert isinstance(out, Decision)
    answered, ready = out.emit
    assert answered == h.WrittenHearingAnswered(received_on=date(2026, 11, 12), days_taken=10)
    assert isinstance(ready, h.ReadyForDecision)
    assert state(out).written_days == 10


def test_written_answers_without_questions_are_refused(arrive: Arrive) -> None:
    answers = h.WrittenHearingAnswersRecorded(received_on=date(2026, 11, 12))
    refused(steps.written_answers_recorded(state(arrive()), answers, ctx()), "no written")


def test_a_waiver_for_b_with_a_negative_finding_is_refused(arrive: Arrive) -> None:
    from hearing.testing import completion
    from shared.contracts.events.prephase import OriginFinding

    case = state(arrive(Category.B, prephase=completion(origin=OriginFinding.DOUBTFUL)))
    waiver = h.HearingWaiverRecorded(reason=h.WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED)
    refused(steps.waiver_recorded(case, waiver, ctx()), "R8")


def test_a_written_account_waiver_cancels_a_planned_slot(arrive: Arrive) -> None:
    waiver = h.HearingWaiverRecorded(reason=h.WaiverReason.WRITTEN_ACCOUNT_SUFFICIENT)
    out = steps.waiver_recorded(planned(arrive), waiver, ctx())
    assert isinstance(out, Decision)
    assert [type(e) for e in out.emit] == [h.HearingCancelled, h.HearingWaived, h.ReadyForDecision]
    assert state(out).slot_to_free is not None


class TestHolds:
    obstacle = h.HearingObstacleRecorded(
        obstacle=ObstacleKind.UNFIT_TO_BE_HEARD, review_on=date(2027, 1, 4)
    )

    def test_a_hold_cancels_the_slot_and_is_tracked_with_reason_and_age(
        self, arrive: Arrive
    ) -> None:
        out = steps.obstacle_recorded(planned(arrive), self.obstacle, ctx())
        case = state(out)
        assert case.status is Status.ON_HOLD
        assert case.hold is not None
        assert case.hold.obstacle is ObstacleKind.UNFIT_TO_BE_HEARD
        assert steps.hold_age_days(case, date(2026, 12, 2)) == 30
        assert isinstance(out, Decision)
        assert [type(e) for e in out.emit] == [h.HearingCancelled, h.HearingOnHold]

    def test_only_an_event_lifts_it_and_the_case_goes_back_to_the_queue(
        self, arrive: Arrive
    ) -> None:
        case = state(steps.obstacle_recorded(planned(arrive), self.obstacle, ctx()))
        assert allocate([case], ROSTER, {}, today=NOW.date(), config=HearingConfig()).booked == []
        again = steps.obstacle_recorded(case, self.obstacle, ctx())
        refused(again, "on hold already")
        out = steps.obstacle_cleared(
            case, h.HearingObstacleCleared(cleared_on=date(2026, 12, 2)), ctx()
        )
        resumed = state(out)
        assert resumed.status is Status.WAITING_SLOT
        assert isinstance(out, Decision)
        assert out.emit == [h.HearingResumed(resumed_on=date(2026, 12, 2), days_on_hold=30)]

    def test_a_hold_before_the_slot_resumes_where_it_was(self, arrive: Arrive) -> None:
        case = state(arrive(Category.C, written_categories=frozenset({"C"})))
        held_case = state(steps.obstacle_recorded(case, self.obstacle, ctx()))
        cleared = h.HearingObstacleCleared(cleared_on=date(2026, 11, 9))
        assert state(steps.obstacle_cleared(held_case, cleared, ctx())).status is (
            Status.WRITTEN_PLANNED
        )

    def test_clearing_a_case_not_on_hold_is_refused(self, arrive: Arrive) -> None:
        cleared = h.HearingObstacleCleared(cleared_on=date(2026, 11, 9))
        refused(steps.obstacle_cleared(state(arrive()), cleared, ctx()), "not on hold")


def test_withdrawal_cancels_the_slot_and_tells_the_lawyer(arrive: Arrive) -> None:
    booked = state(
        steps.lawyer_recorded(planned(arrive), h.LawyerRecorded(lawyer="lawyer-7"), ctx())
    )
    out = steps.withdrawn(booked, CaseWithdrawn(withdrawn_at=NOW), ctx())
    case = state(out)
    assert case.status is Status.WITHDRAWN
    assert isinstance(out, Decision)
    [cancelled] = out.emit
    assert cancelled == h.HearingCancelled(
        day=TUESDAY, reason=h.CancellationReason.CASE_WITHDRAWN, lawyer="lawyer-7"
    )
    refused(steps.held_recorded(case, held(), ctx()), "withdrawn")


@pytest.mark.parametrize("fact", ["registered", "prephase"])
def test_facts_after_a_withdrawal_change_nothing(arrive: Arrive, fact: str) -> None:
    from hearing.testing import completion, registration

    case = state(steps.withdrawn(None, CaseWithdrawn(withdrawn_at=NOW), ctx()))
    out = (
        steps.registered(case, registration(), ctx())
        if fact == "registered"
        else steps.prephase_completed(case, completion(), ctx())
    )
    assert out == Decision(None)


def test_a_1f_signal_before_the_completion_holds_the_plan_until_the_unit_lifts_it() -> None:
    c = ctx()
    case = state(registered(None, registration(Category.A), c))
    case = state(released(case, release(), c))
    signalled = state(
        steps.exclusion_signalled(case, ExclusionSignalRaised(signalled_on=NOW.date()), c)
    )
    assert signalled.exclusion_hold
    # The completion arrives (it carries no content of the signal): no plan while held.
    waiting = state(prephase_completed(signalled, completion(), c))
    assert waiting.status is Status.GATHERING
    assert waiting.plan is None
    kept = steps.exclusion_concluded(waiting, concluded(lifted=False), c)
    assert isinstance(kept, Decision)
    assert kept.state is None  # confirmed indications keep the hold
    lifted = state(steps.exclusion_concluded(waiting, concluded(lifted=True), c))
    assert not lifted.exclusion_hold
    assert lifted.status is Status.WAITING_SLOT


def test_a_1f_signal_cancels_a_planned_slot_and_keeps_the_case_out_of_the_queue(
    arrive: Arrive,
) -> None:
    booked = planned(arrive)
    out = steps.exclusion_signalled(booked, ExclusionSignalRaised(signalled_on=NOW.date()), ctx())
    assert isinstance(out, Decision)
    [cancelled] = out.emit
    assert isinstance(cancelled, h.HearingCancelled)
    assert cancelled.reason is h.CancellationReason.ON_HOLD
    held_case = state(out)
    assert held_case.slot is None
    assert held_case.slot_to_free == booked.slot
    assert held_case.status is Status.GATHERING
    queued = held_case.model_copy(update={"status": Status.WAITING_SLOT})  # even if it were
    result = allocate([queued], ROSTER, {}, today=NOW.date(), config=HearingConfig())
    assert result.booked == []


def test_a_screening_conclusion_before_its_signal_waits() -> None:
    out = steps.exclusion_concluded(None, concluded(lifted=True), ctx())
    assert isinstance(out, Wait)


def concluded(*, lifted: bool) -> ExclusionScreeningConcluded:
    outcome = (
        ExclusionScreeningOutcome.NO_INDICATIONS
        if lifted
        else ExclusionScreeningOutcome.INDICATIONS_CONFIRMED
    )
    return ExclusionScreeningConcluded(outcome=outcome, hold_lifted=lifted)
