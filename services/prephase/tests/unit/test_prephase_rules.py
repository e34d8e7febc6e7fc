"""Prephase's rules per event: outcomes, no-shows and holds, 1F/NV, completion, refusals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from prephase.domain import DayLoad, Exclusion, Findings, PrephaseConfig, Requirement, Status
from prephase.domain import rules as r
from shared.contracts.events.intake import CaseWithdrawn
from shared.contracts.events.planning import (
    InterpreterPlaces,
    PrephaseLocationDayPlanned,
)
from shared.contracts.events.prephase import (
    DocumentKind,
    DocumentsRecorded,
    ExclusionScreeningOutcome,
    ExclusionScreeningRecorded,
    ExclusionSignalRecorded,
    GuardianNoticeCancelled,
    HandedInDocument,
    LanguageIndicationCompleted,
    LanguageIndicationRecorded,
    LanguageIndicationResult,
    NoShowReason,
    OriginFinding,
    OriginInvestigationCompleted,
    OriginInvestigationRecorded,
    PrephaseAttendanceRecorded,
    PrephaseCancellationReason,
    PrephaseCompleted,
    PrephaseCompletionRecorded,
    PrephaseDayCancelled,
    PrephaseHoldReason,
    PrephaseInvitationCancelled,
    PrephaseNoShow,
    PrephaseOnHold,
    ReturnInformant,
    ReturnInformationRecorded,
    TransportCancelled,
    WaiverCondition,
    WrittenAccountReceived,
    WrittenAccountRecorded,
)
from shared.contracts.values import Category
from shared.runtime.kit import Decision, Refusal

from .conftest import DAY, NOW, invited_case, make_case, make_ctx

COMPLETE = PrephaseCompletionRecorded(completed_on=DAY)
ON_THE_DAY = NOW.replace(month=DAY.month, day=DAY.day)
PASSPORT = HandedInDocument(kind=DocumentKind.PASSPORT, original=True, issuing_country="MMR")


def decided(outcome: Any) -> Decision[Any]:
    assert isinstance(outcome, Decision), outcome
    return outcome


def refused(outcome: Any, kind: r.RefusalKind) -> str:
    assert isinstance(outcome, Refusal), outcome
    assert outcome.kind == kind.value
    return outcome.reason


def attended(category: Category | None = Category.B, **findings: Any) -> Any:
    return invited_case(status=Status.ATTENDED, category=category, findings=Findings(**findings))


# --- no-shows and holds ---------------------------------------------------------------------


def no_show(case: Any, reason: NoShowReason = NoShowReason.UNEXCUSED) -> Decision[Any]:
    event = PrephaseAttendanceRecorded(attended=False, no_show_reason=reason)
    return decided(r.attendance(case, event, make_ctx(now=ON_THE_DAY)))


def test_a_no_show_is_invited_again_then_held_with_its_reason() -> None:
    config = PrephaseConfig(max_reinvitations=1)
    first = no_show(invited_case())
    assert (first.state.status, first.state.no_shows) == (Status.WAITING, 1)
    assert first.emit == [PrephaseNoShow(day=DAY, reason=NoShowReason.UNEXCUSED)]

    again = first.state.model_copy(update={"status": Status.INVITED})
    event = PrephaseAttendanceRecorded(attended=False, no_show_reason=NoShowReason.EXCUSED)
    second = decided(r.attendance(again, event, make_ctx(now=ON_THE_DAY, config=config)))
    assert second.state.status is Status.ON_HOLD
    assert second.state.hold == "no_shows"
    assert second.emit[1] == PrephaseOnHold(reason=PrephaseHoldReason.NO_SHOWS, no_shows=2)


def test_a_failed_transport_does_not_count_towards_the_hold() -> None:
    result = no_show(invited_case(no_shows=2), NoShowReason.TRANSPORT_FAILURE)
    assert result.state.status is Status.WAITING
    assert result.state.no_shows == 2


def test_default_policy_holds_after_the_third_counted_no_show() -> None:
    assert no_show(invited_case(no_shows=1)).state.status is Status.WAITING
    assert no_show(invited_case(no_shows=2)).state.status is Status.ON_HOLD


def test_a_held_case_released_again_waits_with_its_no_shows_forgiven() -> None:
    from shared.contracts.events.planning import CaseReleased, ReleaseStage

    held = invited_case(status=Status.ON_HOLD, no_shows=3)
    release = CaseReleased(
        stage=ReleaseStage.PREPHASE,
        release_day=DAY,
        team="team-1",
        cycle="cycle-2026-4",
        cohort="cohort-2026-4-02",
    )
    result = decided(r.released(held, release, make_ctx()))
    assert (result.state.status, result.state.no_shows) == (Status.WAITING, 0)


# --- attendance refusals ----------------------------------------------------------------------


def test_attendance_for_a_cancelled_day_is_refused() -> None:
    cancelled = decided(
        r.day_cancelled(
            invited_case(),
            PrephaseDayCancelled(reason=PrephaseCancellationReason.LOCATION_UNAVAILABLE),
            make_ctx(),
        )
    )
    assert cancelled.state.status is Status.WAITING
    assert [type(e) for e in cancelled.emit] == [PrephaseInvitationCancelled, TransportCancelled]

    event = PrephaseAttendanceRecorded(day=DAY, attended=True)
    reason = refused(
        r.attendance(cancelled.state, event, make_ctx(now=ON_THE_DAY)), r.RefusalKind.DAY_CANCELLED
    )
    assert str(DAY) in reason


def test_attendance_before_the_day_or_for_another_day_is_refused() -> None:
    event = PrephaseAttendanceRecorded(attended=True)
    refused(r.attendance(invited_case(), event, make_ctx()), r.RefusalKind.DAY_NOT_YET)
    other = PrephaseAttendanceRecorded(day=date(2026, 10, 20), attended=True)
    refused(
        r.attendance(invited_case(), other, make_ctx(now=ON_THE_DAY)),
        r.RefusalKind.NOT_THE_INVITED_DAY,
    )


def test_an_outcome_for_a_case_never_invited_is_refused() -> None:
    event = DocumentsRecorded(documents=())
    waiting = make_case(status=Status.WAITING)
    refused(r.documents(waiting, event, make_ctx()), r.RefusalKind.NOT_INVITED)


def test_a_language_indication_for_an_unknown_case_is_refused() -> None:
    event = LanguageIndicationRecorded(result=LanguageIndicationResult.CONSISTENT, language="ara")
    reason = refused(
        r.language_indication(None, event, make_ctx("case-x")), r.RefusalKind.UNKNOWN_CASE
    )
    assert "case-x" in reason


def test_an_outcome_before_attendance_is_refused() -> None:
    event = LanguageIndicationRecorded(result=LanguageIndicationResult.CONSISTENT, language="ara")
    refused(r.language_indication(invited_case(), event, make_ctx()), r.RefusalKind.NOT_ATTENDED)


# --- 1F/NV ----------------------------------------------------------------------------------


def test_a_1f_signal_holds_the_case_until_the_unit_concludes() -> None:
    signalled = decided(
        r.exclusion_signal(attended(), ExclusionSignalRecorded(signalled_on=DAY), make_ctx())
    )
    assert signalled.state.hold == "exclusion_screening"
    refused(
        r.completion(signalled.state, COMPLETE, make_ctx(now=ON_THE_DAY)), r.RefusalKind.ON_HOLD
    )

    clear = ExclusionScreeningRecorded(outcome=ExclusionScreeningOutcome.NO_INDICATIONS)
    lifted = decided(r.exclusion_screening(signalled.state, clear, make_ctx()))
    assert lifted.state.hold is None
    assert lifted.emit[0].hold_lifted  # type: ignore[attr-defined]

    confirm = ExclusionScreeningRecorded(outcome=ExclusionScreeningOutcome.INDICATIONS_CONFIRMED)
    kept = decided(r.exclusion_screening(signalled.state, confirm, make_ctx()))
    assert kept.state.hold == "exclusion_screening"
    assert not kept.emit[0].hold_lifted  # type: ignore[attr-defined]


def test_a_conclusion_without_a_signal_is_refused() -> None:
    event = ExclusionScreeningRecorded(outcome=ExclusionScreeningOutcome.NO_INDICATIONS)
    refused(r.exclusion_screening(attended(), event, make_ctx()), r.RefusalKind.NO_SIGNAL)


# --- completion -------------------------------------------------------------------------------

B_COMPLETE: dict[str, Any] = {
    "documents": (PASSPORT,),
    "original_identity_document": True,
    "language": LanguageIndicationResult.CONSISTENT,
    "origin": OriginFinding.PLAUSIBLE,
}


def complete(case: Any) -> Any:
    return r.completion(case, COMPLETE, make_ctx(now=ON_THE_DAY))


@pytest.mark.parametrize(
    ("category", "needs"),
    [
        (Category.A, ["documents", "language indication", "written account"]),
        (Category.B, ["documents", "language indication", "origin investigation"]),
        (Category.C, ["documents", "written account", "return information"]),
        (
            Category.D,
            ["documents", "language indication", "origin investigation", "written account"],
        ),
        (None, ["documents", "written account"]),
    ],
)
def test_completion_is_refused_listing_what_the_category_requires(
    category: Category | None, needs: list[str]
) -> None:
    reason = refused(complete(attended(category)), r.RefusalKind.MISSING_OUTCOMES)
    assert reason.endswith("missing " + ", ".join(needs))


def test_completion_before_attendance_lists_attendance() -> None:
    reason = refused(complete(invited_case()), r.RefusalKind.MISSING_OUTCOMES)
    assert "missing attendance" in reason


def test_requirements_are_configuration() -> None:
    config = PrephaseConfig(requirements={"A": frozenset({Requirement.ATTENDANCE})})
    result = decided(
        r.completion(attended(Category.A), COMPLETE, make_ctx(now=ON_THE_DAY, config=config))
    )
    assert result.state.status is Status.COMPLETED


def test_a_b_case_with_group_membership_established_is_eligible_for_a_waiver() -> None:
    result = decided(complete(attended(**B_COMPLETE)))
    [completed] = result.emit
    assert isinstance(completed, PrephaseCompleted)
    assert completed.waiver_eligible
    assert completed.waiver_missing == ()


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"language": LanguageIndicationResult.INCONSISTENT}, WaiverCondition.LANGUAGE_CONSISTENT),
        ({"language": LanguageIndicationResult.INCONCLUSIVE}, WaiverCondition.LANGUAGE_CONSISTENT),
        ({"origin": OriginFinding.DOUBTFUL}, WaiverCondition.ORIGIN_NOT_IN_DOUBT),
        (
            {"origin": OriginFinding.INCONCLUSIVE, "original_identity_document": False},
            WaiverCondition.ORIGIN_NOT_IN_DOUBT,
        ),
    ],
)
def test_each_waiver_condition_is_needed(change: dict[str, Any], missing: WaiverCondition) -> None:
    [completed] = decided(complete(attended(**(B_COMPLETE | change)))).emit
    assert not completed.waiver_eligible  # type: ignore[attr-defined]
    assert completed.waiver_missing == (missing,)  # type: ignore[attr-defined]


def test_documents_stand_in_for_an_inconclusive_origin_investigation() -> None:
    case = attended(**(B_COMPLETE | {"origin": OriginFinding.INCONCLUSIVE}))
    [completed] = decided(complete(case)).emit
    assert completed.waiver_eligible  # type: ignore[attr-defined]


def test_a_1f_indication_rules_out_the_waiver_even_when_cleared_late() -> None:
    cleared = attended(**B_COMPLETE).model_copy(update={"exclusion": Exclusion.CLEARED})
    [completed] = decided(complete(cleared)).emit
    assert completed.waiver_eligible  # type: ignore[attr-defined]
    assert completed.exclusion_signal  # type: ignore[attr-defined]
    confirmed = attended(**B_COMPLETE).model_copy(update={"exclusion": Exclusion.CONFIRMED})
    refused(complete(confirmed), r.RefusalKind.ON_HOLD)
    assert r.waiver_missing(confirmed) == [WaiverCondition.NO_EXCLUSION_INDICATION]


def test_only_category_b_is_eligible_for_a_waiver() -> None:
    d_case = attended(Category.D, **B_COMPLETE, written_account=True)
    [completed] = decided(complete(d_case)).emit
    assert not completed.waiver_eligible  # type: ignore[attr-defined]
    assert completed.waiver_missing == ()  # type: ignore[attr-defined]


def test_a_second_completion_is_refused() -> None:
    done = decided(complete(attended(**B_COMPLETE))).state
    refused(complete(done), r.RefusalKind.ALREADY_COMPLETED)


# --- late additions to the file of a completed case (docs/adr/0029) --------------------------


def test_a_completed_case_takes_a_late_finding_for_its_file_and_stays_completed() -> None:
    # A B case completes without a written account; moved to D later, its decider needs one.
    done = decided(complete(attended(**B_COMPLETE))).state
    assert not done.findings.written_account
    account = WrittenAccountRecorded(
        received_on=date(2026, 11, 20), language="ara", pages=4, translation_needed=True
    )
    result = decided(r.written_account(done, account, make_ctx()))
    assert result.state.status is Status.COMPLETED
    assert result.state.findings.written_account
    assert result.emit == [
        WrittenAccountReceived(
            received_on=date(2026, 11, 20), language="ara", pages=4, translation_needed=True
        )
    ]
    assert not any(isinstance(e, PrephaseCompleted) for e in result.emit)  # not reopened


def test_each_file_finding_is_taken_late() -> None:
    done = decided(complete(attended(**B_COMPLETE))).state
    language = LanguageIndicationRecorded(
        result=LanguageIndicationResult.INCONCLUSIVE, language="ara"
    )
    origin = OriginInvestigationRecorded(result=OriginFinding.DOUBTFUL)
    documents = DocumentsRecorded(documents=())
    assert decided(r.language_indication(done, language, make_ctx())).emit == [
        LanguageIndicationCompleted(result=LanguageIndicationResult.INCONCLUSIVE, language="ara")
    ]
    assert decided(r.origin_investigation(done, origin, make_ctx())).emit == [
        OriginInvestigationCompleted(result=OriginFinding.DOUBTFUL)
    ]
    later = decided(r.documents(done, documents, make_ctx())).state
    assert later.findings.documents == ()
    assert not later.findings.original_identity_document


def test_what_is_not_part_of_the_file_stays_refused_after_completion() -> None:
    done = decided(complete(attended(**B_COMPLETE))).state
    info = ReturnInformationRecorded(given_on=DAY, given_by=ReturnInformant.IND)
    refused(r.return_information(done, info, make_ctx()), r.RefusalKind.ALREADY_COMPLETED)
    signal = ExclusionSignalRecorded(signalled_on=DAY)
    refused(r.exclusion_signal(done, signal, make_ctx()), r.RefusalKind.ALREADY_COMPLETED)


def test_a_late_finding_for_a_withdrawn_or_never_attended_case_is_refused() -> None:
    account = WrittenAccountRecorded(
        received_on=DAY, language="ara", pages=2, translation_needed=False
    )
    done = decided(complete(attended(**B_COMPLETE))).state
    gone = done.model_copy(update={"status": Status.WITHDRAWN})
    refused(r.written_account(gone, account, make_ctx()), r.RefusalKind.WITHDRAWN)
    registered = make_case(status=Status.REGISTERED)  # never released to prephase
    refused(r.written_account(registered, account, make_ctx()), r.RefusalKind.NOT_INVITED)
    refused(r.written_account(None, account, make_ctx()), r.RefusalKind.UNKNOWN_CASE)


# --- withdrawal and capacity ------------------------------------------------------------------


def test_a_withdrawal_cancels_invitation_transport_and_guardian_notice() -> None:
    amv = invited_case().model_copy(
        update={"invitation": invited_case().invitation.model_copy(update={"guardian": True})}  # type: ignore[union-attr]
    )
    result = decided(r.withdrawn(amv, CaseWithdrawn(withdrawn_at=NOW), make_ctx()))
    assert result.state.status is Status.WITHDRAWN
    assert result.state.booked_day is None
    assert result.emit == (
        PrephaseInvitationCancelled(day=DAY, reason=PrephaseCancellationReason.CASE_WITHDRAWN),
        TransportCancelled(day=DAY),
        GuardianNoticeCancelled(day=DAY),
    )


def test_a_capacity_cut_below_what_is_booked_is_kept_for_the_pass_to_reschedule() -> None:
    planned = PrephaseLocationDayPlanned(
        location="prephase-zwolle",
        day=DAY,
        places=3,
        interpreters=(InterpreterPlaces(language="ara", places=1),),
    )
    key = "backlog/prephase-zwolle-2026-10-19"
    ctx = make_ctx("prephase-zwolle-2026-10-19", extras={"loads": {key: DayLoad(places=4)}})
    [day] = decided(r.day_planned(None, planned, ctx)).rows
    assert (day.key, day.places) == (key, 3)  # type: ignore[attr-defined]
    assert day.interpreters == {"ara": 1}  # type: ignore[attr-defined]
