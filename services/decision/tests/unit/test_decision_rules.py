"""Decision's rules without servers: routes, four eyes, the hard-case quorum, the deadline
watch and grant rates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from decision.domain import (
    DEFAULT_CONFIG,
    Decided,
    DecisionCase,
    DecisionConfig,
    RateGroup,
    Recount,
    Status,
    Tally,
    deadline_changed,
    drafted,
    grant_rates,
    intended_recorded,
    issued,
    obstacle_recorded,
    rate_reports,
    ready,
    referred,
    registered,
    release_held,
    released,
    reported_groups,
    reviewed,
    tally_changes,
    view_recorded,
    voted,
    watch,
    withdrawn,
)
from decision.domain.report import at_risk, audit_lines, stage_of
from decision.persistence import CASES
from shared.contracts.events.common import (
    DecisionOutcome,
    LegalGround,
    ObstacleKind,
    Procedure,
    RejectionKind,
)
from shared.contracts.events.decision import (
    ApplicantViewReceived,
    ApplicantViewRecorded,
    DecisionAtRisk,
    DecisionDraftRecorded,
    DecisionIssued,
    DecisionIssueRecorded,
    DecisionLate,
    DecisionObstacleRecorded,
    DecisionReviewRecorded,
    DecisionRoute,
    EscalationReason,
    HardCaseDecided,
    HardCaseReferralRecorded,
    HardCaseVoteRecorded,
    IntendedDecisionRecorded,
    IntendedDecisionSent,
)
from shared.contracts.events.hearing import HearingWaived, ReadyForDecision, WaiverReason
from shared.contracts.events.intake import (
    CaseRegistered,
    CaseWithdrawn,
    DeadlineChangeReason,
    LegalDeadlineChanged,
)
from shared.contracts.events.planning import CaseReleased, FileItem, ReleaseHeld, ReleaseStage
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.kit import BatchCases, Context, Decision, Outcome, Refusal, Wait

TODAY = date(2026, 11, 2)
DRAFTER, READER, ISSUER = "decider:dc-1", "decider:dc-2", "decider:dc-3"


def ctx(
    actor: str = "system:intake", today: date = TODAY, config: DecisionConfig = DEFAULT_CONFIG
) -> Context[DecisionConfig]:
    return Context(
        case_id="case-1",
        now=datetime(today.year, today.month, today.day, 9, tzinfo=UTC),
        config=config,
        actor=actor,
        stream=Stream.BACKLOG,
        topic="ind.backlog.decision.input.v1",
        cases=BatchCases(CASES),
        extras={},
        rows={},
    )


def state(outcome: Outcome[DecisionCase]) -> DecisionCase:
    assert isinstance(outcome, Decision), outcome
    assert outcome.state is not None
    return outcome.state


def emitted(outcome: Outcome[DecisionCase]) -> list[Any]:
    assert isinstance(outcome, Decision), outcome
    return list(outcome.emit)


def refusal_kind(outcome: Outcome[DecisionCase]) -> str | None:
    assert isinstance(outcome, Refusal), outcome
    return outcome.kind


def case(
    category: Category | None = Category.A,
    group: PriorityGroup | None = None,
    deadline: date = date(2027, 3, 1),
    stream: Stream = Stream.BACKLOG,
    lodged: date = date(2025, 9, 1),
    release: bool = True,
) -> DecisionCase:
    """A registered case hearing reported ready; released to decision by planning unless not."""
    registration = CaseRegistered(
        v_number="1000000001",
        nationality="SYR",
        stream=stream,
        lodged_at=datetime(lodged.year, lodged.month, lodged.day, 9, tzinfo=UTC),
        procedure=Procedure.NATIONAL_REGULAR
        if stream is Stream.BACKLOG
        else Procedure.PACT_REGULAR,
        category=category,
        priority_group=group,
        priority_groups=(group,) if group else (),
        policy_version="cp-2026-10",
        deadline=deadline,
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    new = state(registered(None, registration, ctx()))
    heard = state(ready(new, ReadyForDecision(ready_on=TODAY, heard=True), ctx("system:hearing")))
    return state(released(heard, TO_DECISION, ctx("system:planning"))) if release else heard


TO_DECISION = CaseReleased(stage=ReleaseStage.DECISION, release_day=TODAY, team="team-1")


def draft(
    outcome: DecisionOutcome, ground: LegalGround | None = None, standardised: bool = False
) -> DecisionDraftRecorded:
    return DecisionDraftRecorded(
        proposed_outcome=outcome, proposed_legal_ground=ground, standardised=standardised
    )


def issue(
    outcome: DecisionOutcome,
    ground: LegalGround | None = None,
    standardised: bool = False,
    **extra: Any,
) -> DecisionIssueRecorded:
    return DecisionIssueRecorded(
        outcome=outcome,
        legal_ground=ground,
        rejection_kind=RejectionKind.UNFOUNDED if outcome is DecisionOutcome.REJECTION else None,
        standardised=standardised,
        issued_on=extra.pop("issued_on", TODAY),
        sent_at=datetime(2026, 11, 2, 15, tzinfo=UTC),
        **extra,
    )


def drafted_and_approved(c: DecisionCase, d: DecisionDraftRecorded) -> DecisionCase:
    c = state(drafted(c, d, ctx(DRAFTER)))
    return state(reviewed(c, DecisionReviewRecorded(approved=True), ctx(READER)))


# --- routes ----------------------------------------------------------------------------


def test_category_a_gets_a_standardised_rejection_with_its_periods_from_configuration() -> None:
    c = drafted_and_approved(case(Category.A), draft(DecisionOutcome.REJECTION, standardised=True))
    outcome = issued(c, issue(DecisionOutcome.REJECTION, standardised=True), ctx(ISSUER))
    [event] = emitted(outcome)
    assert isinstance(event, DecisionIssued)
    assert event.route is DecisionRoute.CATEGORY_A
    assert (event.appeal_period_days, event.appeal_period_basis) == (28, "Vw 2000 art. 69(1)")
    assert (event.departure_period_days, event.departure_period_basis) == (28, "Vw 2000 art. 62(1)")
    assert event.policy_version == "cp-2026-10"
    assert state(outcome).status is Status.DECIDED


def test_category_a_still_grants_individually_where_fear_was_made_plausible() -> None:
    c = case(Category.A)
    standard_grant = draft(DecisionOutcome.GRANT, LegalGround.B, standardised=True)
    assert refusal_kind(drafted(c, standard_grant, ctx(DRAFTER))) == "route"
    c = drafted_and_approved(c, draft(DecisionOutcome.GRANT, LegalGround.B))
    [event] = emitted(issued(c, issue(DecisionOutcome.GRANT, LegalGround.B), ctx(ISSUER)))
    assert event.legal_ground is LegalGround.B
    assert event.departure_period_days is None


def test_category_b_grants_on_group_membership_on_ground_a_after_a_waiver() -> None:
    c = case(Category.B).model_copy(update={"ready_on": None})
    c = state(
        ready(
            c,
            HearingWaived(reason=WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED),
            ctx("system:hearing"),
        )
    )
    assert c.waived
    on_b = draft(DecisionOutcome.GRANT, LegalGround.B, standardised=True)
    assert refusal_kind(drafted(c, on_b, ctx(DRAFTER))) == "route"
    c = drafted_and_approved(c, draft(DecisionOutcome.GRANT, LegalGround.A, standardised=True))
    [event] = emitted(
        issued(c, issue(DecisionOutcome.GRANT, LegalGround.A, standardised=True), ctx(ISSUER))
    )
    assert (event.route, event.legal_ground) == (DecisionRoute.CATEGORY_B, LegalGround.A)


@pytest.mark.parametrize("category", [Category.C, Category.D, Category.OUTSIDE, None])
def test_c_d_and_the_rest_are_decided_individually(category: Category | None) -> None:
    c = case(category)
    assert (
        refusal_kind(drafted(c, draft(DecisionOutcome.REJECTION, standardised=True), ctx(DRAFTER)))
        == "route"
    )
    c = drafted_and_approved(c, draft(DecisionOutcome.REJECTION))
    [event] = emitted(
        issued(c, issue(DecisionOutcome.REJECTION, departure_period_days=0), ctx(ISSUER))
    )
    assert event.route is DecisionRoute.INDIVIDUAL
    assert (event.departure_period_days, event.departure_period_basis) == (0, "set by the decider")


def test_a_priority_group_follows_its_configured_route() -> None:
    config = DEFAULT_CONFIG.model_copy(
        update={"priority_routes": {PriorityGroup.FORMER_SAFE_COUNTRY: DecisionRoute.CATEGORY_A}}
    )
    c = case(None, PriorityGroup.FORMER_SAFE_COUNTRY)
    ok = drafted(
        c, draft(DecisionOutcome.REJECTION, standardised=True), ctx(DRAFTER, config=config)
    )
    assert isinstance(ok, Decision)
    refused = drafted(c, draft(DecisionOutcome.REJECTION, standardised=True), ctx(DRAFTER))
    assert refusal_kind(refused) == "route"


def test_nothing_is_drafted_before_the_case_is_ready_or_while_on_hold() -> None:
    c = case().model_copy(update={"ready_on": None})
    assert refusal_kind(drafted(c, draft(DecisionOutcome.REJECTION), ctx(DRAFTER))) == "not_ready"
    held = state(
        obstacle_recorded(
            case(),
            DecisionObstacleRecorded(
                obstacle=ObstacleKind.INVESTIGATION_ABROAD, review_on=date(2027, 1, 4)
            ),
            ctx(DRAFTER),
        )
    )
    assert held.deadline == case().deadline  # a hold does not move the deadline
    assert refusal_kind(drafted(held, draft(DecisionOutcome.REJECTION), ctx(DRAFTER))) == "on_hold"


# --- planning's release to decision (R12: deciders get complete files) ------------------

HELD = ReleaseHeld(
    stage=ReleaseStage.DECISION,
    missing_items=(FileItem.LANGUAGE_INDICATION, FileItem.ORIGIN_INVESTIGATION),
)


def test_nothing_is_drafted_before_planning_releases_the_case_to_decision() -> None:
    heard = case(Category.D, release=False)
    refused = drafted(heard, draft(DecisionOutcome.REJECTION), ctx(DRAFTER))
    assert refusal_kind(refused) == "not_released"
    assert isinstance(refused, Refusal)
    assert refused.reason == (
        "planning has not released the case to decision yet: cannot record a draft"
    )
    referral = HardCaseReferralRecorded(reason=EscalationReason.COMPLEX_LEGAL_QUESTION)
    assert refusal_kind(referred(heard, referral, ctx(DRAFTER))) == "not_released"
    # The release is what lets the work start; no trace of the refusal stays in the case.
    out = released(heard, TO_DECISION, ctx("system:planning"))
    assert state(out).team == "team-1"
    assert emitted(drafted(state(out), draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))


def test_a_draft_for_a_held_release_says_what_the_file_lacks() -> None:
    heard = case(Category.D, release=False)
    held = state(release_held(heard, HELD, ctx("system:planning")))
    refused = drafted(held, draft(DecisionOutcome.REJECTION), ctx(DRAFTER))
    assert isinstance(refused, Refusal)
    assert refused.kind == "not_released"
    assert "the file lacks language indication, origin investigation" in refused.reason
    now_released = state(released(held, TO_DECISION, ctx("system:planning")))
    assert now_released.release_held == ()
    assert emitted(drafted(now_released, draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))


def test_the_release_and_readiness_count_in_either_order() -> None:
    registered_only = case(Category.C, release=False).model_copy(update={"ready_on": None})
    first_release = state(released(registered_only, TO_DECISION, ctx("system:planning")))
    assert refusal_kind(drafted(first_release, draft(DecisionOutcome.REJECTION), ctx(DRAFTER))) == (
        "not_ready"
    )
    ready_event = ReadyForDecision(ready_on=TODAY, heard=True)
    both = state(ready(first_release, ready_event, ctx("system:hearing")))
    assert emitted(drafted(both, draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))
    # A hold that arrives after the release (a redelivery) does not take the release back.
    assert release_held(both, HELD, ctx("system:planning")) == Decision(None)


def test_a_hold_before_decision_knows_the_case_waits_for_it() -> None:
    assert isinstance(release_held(None, HELD, ctx("system:planning")), Wait)


# --- four eyes -------------------------------------------------------------------------


def test_four_eyes_the_drafter_may_not_approve_their_own_draft() -> None:
    c = state(drafted(case(Category.C), draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))
    assert (
        refusal_kind(reviewed(c, DecisionReviewRecorded(approved=True), ctx(DRAFTER)))
        == "own_draft"
    )
    assert refusal_kind(issued(c, issue(DecisionOutcome.REJECTION), ctx(DRAFTER))) == "not_reviewed"
    approved = state(reviewed(c, DecisionReviewRecorded(approved=True), ctx(READER)))
    assert (
        refusal_kind(reviewed(approved, DecisionReviewRecorded(approved=True), ctx(ISSUER)))
        == "already_reviewed"
    )
    decided = state(issued(approved, issue(DecisionOutcome.REJECTION), ctx(ISSUER)))
    assert (
        refusal_kind(issued(decided, issue(DecisionOutcome.REJECTION), ctx(ISSUER)))
        == "already_issued"
    )
    lines = "\n".join(audit_lines(decided))
    assert f"drafted by {DRAFTER}, approved by {READER}" in lines
    assert "policy cp-2026-10" in lines


def test_an_issue_without_a_draft_or_unlike_the_draft_is_refused() -> None:
    c = case(Category.C)
    assert refusal_kind(issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER))) == "no_draft"
    assert (
        refusal_kind(reviewed(c, DecisionReviewRecorded(approved=True), ctx(READER))) == "no_draft"
    )
    c = drafted_and_approved(c, draft(DecisionOutcome.REJECTION))
    assert (
        refusal_kind(issued(c, issue(DecisionOutcome.GRANT, LegalGround.A), ctx(ISSUER)))
        == "differs_from_draft"
    )


def test_a_returned_draft_is_gone_and_without_four_eyes_no_review_is_needed() -> None:
    c = state(drafted(case(Category.C), draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))
    returned = state(reviewed(c, DecisionReviewRecorded(approved=False), ctx(READER)))
    assert returned.draft is None
    config = DEFAULT_CONFIG.model_copy(update={"four_eyes": frozenset()})
    outcome = issued(c, issue(DecisionOutcome.REJECTION), ctx(DRAFTER, config=config))
    assert isinstance(emitted(outcome)[0], DecisionIssued)


# --- the hard-case team ----------------------------------------------------------------


def test_the_team_decides_with_a_quorum_of_equal_votes_and_records_who_took_part() -> None:
    c = state(
        referred(
            case(Category.D),
            HardCaseReferralRecorded(reason=EscalationReason.PRECEDENT_VALUE),
            ctx(DRAFTER),
        )
    )
    grant = HardCaseVoteRecorded(outcome=DecisionOutcome.GRANT, legal_ground=LegalGround.B)
    reject = HardCaseVoteRecorded(outcome=DecisionOutcome.REJECTION)
    c = state(voted(c, grant, ctx("senior-decider:sd-1")))
    assert refusal_kind(voted(c, grant, ctx("senior-decider:sd-1"))) == "voted_already"
    c = state(voted(c, reject, ctx("senior-decider:sd-2")))
    outcome = voted(c, grant, ctx("senior-decider:sd-3"))
    assert emitted(outcome) == []  # two of three alike: no quorum of 3 yet
    outcome = voted(state(outcome), grant, ctx("senior-decider:sd-4"))
    [decided] = emitted(outcome)
    assert isinstance(decided, HardCaseDecided)
    assert (decided.votes, decided.quorum, decided.outcome) == (4, 3, DecisionOutcome.GRANT)
    c = state(outcome)
    assert refusal_kind(voted(c, grant, ctx("senior-decider:sd-5"))) == "team_decided"
    # The team's decision is the draft: a decider issues it without another review.
    [event] = emitted(issued(c, issue(DecisionOutcome.GRANT, LegalGround.B), ctx(ISSUER)))
    assert event.hard_case_team
    trail = "\n".join(
        audit_lines(state(issued(c, issue(DecisionOutcome.GRANT, LegalGround.B), ctx(ISSUER))))
    )
    voters = ", ".join(f"senior-decider:sd-{n}" for n in range(1, 5))
    assert f"took part: {voters}" in trail


def test_votes_need_a_referral() -> None:
    vote = HardCaseVoteRecorded(outcome=DecisionOutcome.REJECTION)
    assert refusal_kind(voted(case(), vote, ctx("senior-decider:sd-1"))) == "not_referred"


ON = DEFAULT_CONFIG.model_copy(update={"intended_decision": True})


def test_the_intended_decision_step_is_abolished_by_default_also_for_the_backlog() -> None:
    c = drafted_and_approved(case(Category.C), draft(DecisionOutcome.REJECTION))
    assert isinstance(issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER)), Decision)
    sent = IntendedDecisionRecorded(sent_on=TODAY)
    assert refusal_kind(intended_recorded(c, sent, ctx(DRAFTER))) == "no_intended_step"


def test_intended_decision_then_the_view_within_its_period_then_the_decision() -> None:
    c = state(drafted(case(Category.C), draft(DecisionOutcome.REJECTION), ctx(DRAFTER, config=ON)))
    sent = IntendedDecisionRecorded(sent_on=TODAY)
    # Four eyes first; no decision before the intended decision went out.
    assert refusal_kind(intended_recorded(c, sent, ctx(DRAFTER, config=ON))) == "not_reviewed"
    c = state(reviewed(c, DecisionReviewRecorded(approved=True), ctx(READER, config=ON)))
    early = issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER, config=ON))
    assert refusal_kind(early) == "intended_decision_missing"
    out = intended_recorded(c, sent, ctx(DRAFTER, config=ON))
    [answer] = emitted(out)
    assert isinstance(answer, IntendedDecisionSent)
    assert (answer.sent_on, answer.response_due) == (TODAY, date(2026, 11, 30))
    c = state(out)
    assert refusal_kind(intended_recorded(c, sent, ctx(DRAFTER, config=ON))) == "intended_sent"
    assert stage_of(c) == "decision: awaiting the applicant's view"
    # While the period runs, no decision.
    pending = issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER, config=ON))
    assert refusal_kind(pending) == "intended_decision_pending"
    late_view = ApplicantViewRecorded(received_on=date(2026, 12, 1))
    assert refusal_kind(view_recorded(c, late_view, ctx(DRAFTER, config=ON))) == (
        "response_period_ended"
    )
    view = ApplicantViewRecorded(received_on=date(2026, 11, 20))
    [received] = emitted(view_recorded(c, view, ctx(DRAFTER, config=ON)))
    assert isinstance(received, ApplicantViewReceived)
    viewed = state(view_recorded(c, view, ctx(DRAFTER, config=ON)))
    assert refusal_kind(view_recorded(viewed, view, ctx(config=ON))) == "view_recorded"
    after_view = issue(DecisionOutcome.REJECTION, issued_on=date(2026, 11, 23))
    assert isinstance(issued(viewed, after_view, ctx(ISSUER, config=ON)), Decision)
    # No view: the decision after the period ends.
    after_period = issue(DecisionOutcome.REJECTION, issued_on=date(2026, 12, 1))
    done = state(issued(c, after_period, ctx(ISSUER, config=ON)))
    assert [e.action for e in done.audit] == [
        "ready for decision",
        "drafted",
        "approved",
        "intended decision sent",
        "issued",
    ]


def test_a_new_draft_needs_its_own_intended_decision_and_grants_and_pact_cases_none() -> None:
    c = drafted_and_approved(case(Category.C), draft(DecisionOutcome.REJECTION))
    c = state(intended_recorded(c, IntendedDecisionRecorded(sent_on=TODAY), ctx(config=ON)))
    other = draft(DecisionOutcome.REJECTION).model_copy(
        update={"rejection_kind": RejectionKind.MANIFESTLY_UNFOUNDED}
    )
    c = state(drafted(c, other, ctx(DRAFTER, config=ON)))
    c = state(reviewed(c, DecisionReviewRecorded(approved=True), ctx(READER, config=ON)))
    manifest = issue(DecisionOutcome.REJECTION, issued_on=date(2026, 12, 1)).model_copy(
        update={"rejection_kind": RejectionKind.MANIFESTLY_UNFOUNDED}
    )
    assert refusal_kind(issued(c, manifest, ctx(ISSUER, config=ON))) == (
        "intended_decision_missing"
    )
    grant = drafted_and_approved(case(Category.D), draft(DecisionOutcome.GRANT, LegalGround.B))
    granted = issue(DecisionOutcome.GRANT, LegalGround.B)
    assert isinstance(issued(grant, granted, ctx(ISSUER, config=ON)), Decision)
    pact = case(None, stream=Stream.PACT, lodged=date(2026, 7, 1))
    pact = drafted_and_approved(pact, draft(DecisionOutcome.REJECTION))
    assert isinstance(
        issued(pact, issue(DecisionOutcome.REJECTION), ctx(ISSUER, config=ON)), Decision
    )
    no_intended = ApplicantViewRecorded(received_on=TODAY)
    assert refusal_kind(view_recorded(pact, no_intended, ctx(config=ON))) == (
        "no_intended_decision"
    )


# --- the deadline watch ----------------------------------------------------------------


def days_of(events: list[Any]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_at_risk_and_breach_fire_once_each_and_rearm_when_the_deadline_moves() -> None:
    # Deadline Monday 1 March 2027; 15 working days ahead for the national procedure.
    c = case(deadline=date(2027, 3, 1))
    assert c.watch_on == date(2027, 2, 8)
    c, events = watch(c, date(2027, 2, 5), DEFAULT_CONFIG)
    assert events == []
    c, events = watch(c, date(2027, 2, 8), DEFAULT_CONFIG)
    [alert] = events
    assert isinstance(alert, DecisionAtRisk)
    assert alert.working_days_left == 15
    assert c.watch_on == date(2027, 3, 2)
    c, events = watch(c, date(2027, 2, 9), DEFAULT_CONFIG)
    assert events == []  # once
    c, events = watch(c, date(2027, 3, 2), DEFAULT_CONFIG)
    [late] = events
    assert isinstance(late, DecisionLate)
    assert late.days_late == 1
    assert c.watch_on is None
    c, events = watch(c, date(2027, 3, 3), DEFAULT_CONFIG)
    assert events == []
    # A suspension moves the deadline: both alerts are armed again for the new one.
    moved = LegalDeadlineChanged(
        old_deadline=date(2027, 3, 1),
        new_deadline=date(2027, 3, 31),
        reason=DeadlineChangeReason.SUSPENSION,
        basis="Vw 2000 art. 42(1) + Awb art. 4:15(1)(a)",
    )
    c = state(deadline_changed(c, moved, ctx()))
    # 15 working days before 31 March 2027, over Easter Monday (Good Friday counts).
    assert c.watch_on == date(2027, 3, 9)
    c, events = watch(c, date(2027, 3, 9), DEFAULT_CONFIG)
    assert days_of(events) == ["DecisionAtRisk"]
    c, events = watch(c, date(2027, 4, 1), DEFAULT_CONFIG)
    assert days_of(events) == ["DecisionLate"]


def test_a_late_first_look_sends_the_breach_only() -> None:
    _, events = watch(case(deadline=date(2027, 3, 1)), date(2027, 3, 5), DEFAULT_CONFIG)
    assert days_of(events) == ["DecisionLate"]
    assert events[0].days_late == 4


def test_a_withdrawn_or_decided_case_is_not_watched() -> None:
    c = state(
        withdrawn(case(), CaseWithdrawn(withdrawn_at=datetime(2026, 11, 3, tzinfo=UTC)), ctx())
    )
    assert c.watch_on is None
    c, events = watch(c, date(2027, 3, 5), DEFAULT_CONFIG)
    assert events == []


def test_a_decision_records_how_it_stands_to_the_deadline() -> None:
    c = drafted_and_approved(
        case(Category.C, deadline=date(2026, 10, 30)), draft(DecisionOutcome.REJECTION)
    )
    [late] = emitted(issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER)))
    assert (late.days_relative_to_deadline, late.deadline_met) == (3, False)
    c = drafted_and_approved(
        case(Category.C, deadline=date(2026, 11, 12)), draft(DecisionOutcome.REJECTION)
    )
    [early] = emitted(issued(c, issue(DecisionOutcome.REJECTION), ctx(ISSUER)))
    assert (early.days_relative_to_deadline, early.deadline_met) == (-10, True)


def test_the_at_risk_list_groups_by_stream_and_stage() -> None:
    near = case(deadline=date(2026, 11, 9))
    far = case(deadline=date(2027, 3, 1)).model_copy(update={"case_id": "case-2"})
    table = at_risk([near, far], TODAY, 10)
    assert table == {("backlog", "decision: to draft"): [("case-1", date(2026, 11, 9), 5)]}


def test_the_at_risk_list_names_the_stage_each_case_is_at() -> None:
    registration = case(release=False).model_copy(update={"ready_on": None, "audit": ()})
    assert stage_of(registration) == "planning"
    release = CaseReleased(
        stage=ReleaseStage.PREPHASE, release_day=TODAY, team="team-1", file_complete=True
    )
    at_prephase = state(released(registration, release, ctx("system:planning")))
    assert stage_of(at_prephase) == "prephase"
    to_hearing = release.model_copy(update={"stage": ReleaseStage.HEARING})
    assert stage_of(state(released(at_prephase, to_hearing, ctx()))) == "hearing"
    to_decision = release.model_copy(update={"stage": ReleaseStage.DECISION})
    assert stage_of(state(released(at_prephase, to_decision, ctx()))) == "hearing"
    heard = state(ready(at_prephase, ReadyForDecision(ready_on=TODAY, heard=True), ctx()))
    assert stage_of(heard) == "planning: to release"
    held = state(release_held(heard, HELD, ctx("system:planning")))
    assert stage_of(held) == "planning: file incomplete"
    ready_case = state(released(held, to_decision, ctx("system:planning")))
    assert stage_of(ready_case) == "decision: to draft"
    # A late release to an earlier stage does not move a case that is at decision back.
    assert released(ready_case, to_hearing, ctx()) == Decision(None)
    drafted_case = state(drafted(ready_case, draft(DecisionOutcome.REJECTION), ctx(DRAFTER)))
    assert stage_of(drafted_case) == "decision: draft awaiting review"
    table = at_risk([registration, drafted_case.model_copy(update={"case_id": "c2"})], TODAY, 200)
    assert sorted(table) == [
        ("backlog", "decision: draft awaiting review"),
        ("backlog", "planning"),
    ]


# --- grant rates -----------------------------------------------------------------------


def test_grant_rates_per_stream_cycle_and_category() -> None:
    a = RateGroup(Stream.BACKLOG, "cycle-2026-4", Category.A)
    b = RateGroup(Stream.BACKLOG, "cycle-2026-4", Category.B)
    pact = RateGroup(Stream.PACT, None, None)
    decided = [
        *(Decided(a, DecisionOutcome.REJECTION) for _ in range(7)),
        *(Decided(a, DecisionOutcome.GRANT) for _ in range(1)),
        *(Decided(b, DecisionOutcome.GRANT) for _ in range(3)),
        Decided(pact, DecisionOutcome.GRANT),
        Decided(pact, DecisionOutcome.INADMISSIBLE),
    ]
    rates = grant_rates(decided, TODAY)
    assert (rates[a].decided, rates[a].grants, rates[a].grant_rate) == (8, 1, 0.125)
    assert rates[b].grant_rate == 1.0
    assert (rates[pact].decided, rates[pact].grant_rate, rates[pact].cycle) == (2, 0.5, None)
    assert list(rates) == [a, b, pact]


def test_running_tallies_move_a_recounted_case_and_report_every_group_it_is_in_now() -> None:
    old = RateGroup(Stream.BACKLOG, "2027-03", Category.C)
    new = RateGroup(Stream.BACKLOG, "2027-04", Category.C)
    pact = RateGroup(Stream.PACT, None, None)
    grant, rejection = DecisionOutcome.GRANT, DecisionOutcome.REJECTION
    recounts = [
        Recount("case-1", new, grant, was=Decided(old, grant)),  # released again elsewhere
        Recount("case-2", pact, rejection, was=None),  # decided since the last pass
        Recount("case-3", pact, grant, was=Decided(pact, grant)),  # saved again, same group
    ]
    assert tally_changes(recounts) == {old: Tally(-1, -1), new: Tally(1, 1), pact: Tally(1, 0)}
    assert reported_groups(recounts) == {new, pact}  # not the group the case left


def test_reports_from_tallies_are_the_grant_rates_of_the_same_decisions() -> None:
    a = RateGroup(Stream.BACKLOG, "2027-03", Category.A)
    none = RateGroup(Stream.BACKLOG, None, Category.A)
    pact = RateGroup(Stream.PACT, None, None)
    empty = RateGroup(Stream.BACKLOG, "2027-04", Category.D)
    decided = [
        *(Decided(a, DecisionOutcome.REJECTION) for _ in range(5)),
        Decided(a, DecisionOutcome.GRANT),
        Decided(none, DecisionOutcome.GRANT),
        Decided(pact, DecisionOutcome.INADMISSIBLE),
    ]
    tallies = {pact: Tally(1, 0), empty: Tally(0, 0), a: Tally(6, 1), none: Tally(1, 1)}
    reports = rate_reports(tallies, TODAY)
    assert reports == grant_rates(decided, TODAY)
    assert list(reports) == [none, a, pact]  # the fixed order; a group left empty is not sent
