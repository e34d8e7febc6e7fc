"""Changes to a registered case: withdrawal, group reassessment, extension, policy, prephase."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from intake.domain import (
    ApplicationWithdrawn,
    CaseStatus,
    CountryPolicy,
    CountryPolicyRule,
    DeadlineChanged,
    DeadlineChangeReason,
    DeadlineExtensionGranted,
    ExtensionGround,
    GroupJoined,
    GroupLeft,
    IntakeCase,
    LanguageIndicationResult,
    OriginFinding,
    PrephaseFindings,
    PriorityGroupReassessed,
    Procedure,
    RecategorisationReason,
    Recategorised,
    Refusal,
    RefusalKind,
    Withdrawn,
    apply_policy,
    apply_prephase_findings,
    extend_deadline,
    mark_decided,
    mark_heard,
    prephase_findings,
    reassess_group,
    withdraw,
)
from shared.contracts.values import Category, PriorityGroup, Stream

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
MakeCase = Callable[..., IntakeCase]
AMV = PriorityGroup.UNACCOMPANIED_MINOR
NUISANCE = PriorityGroup.NUISANCE
FORMER_SAFE = PriorityGroup.FORMER_SAFE_COUNTRY


def _reassess(
    case: IntakeCase, group: PriorityGroup, member: bool
) -> tuple[IntakeCase, tuple[object, ...]]:
    decision = reassess_group(
        case.case_id,
        case,
        PriorityGroupReassessed(group=group, member=member, reason="age assessment"),
    )
    return decision.case, decision.outcomes


# --- Withdrawal ---


def test_withdrawing_an_open_case(registered: MakeCase) -> None:
    case = registered()
    at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    decision = withdraw(
        case.case_id, case, ApplicationWithdrawn(withdrawn_at=at, reason="moved abroad"), now=NOW
    )
    assert decision.outcomes == (Withdrawn(case_id=case.case_id, withdrawn_at=at),)
    assert decision.case.status is CaseStatus.WITHDRAWN
    assert decision.case.withdrawn_at == at


def test_a_withdrawal_of_an_unknown_case_is_refused() -> None:
    with pytest.raises(Refusal) as refusal:
        withdraw("case-404", None, ApplicationWithdrawn(withdrawn_at=NOW), now=NOW)
    assert refusal.value.kind is RefusalKind.UNKNOWN_CASE
    assert "case-404" in refusal.value.reason


def test_a_withdrawal_of_a_decided_case_is_refused(registered: MakeCase) -> None:
    decided = mark_decided("case-001", registered())
    with pytest.raises(Refusal) as refusal:
        withdraw("case-001", decided, ApplicationWithdrawn(withdrawn_at=NOW), now=NOW)
    assert refusal.value.kind is RefusalKind.CASE_DECIDED
    assert "already decided" in refusal.value.reason


def test_a_second_withdrawal_is_refused_and_a_redelivery_changes_nothing(
    registered: MakeCase,
) -> None:
    at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    withdrawn = withdraw(
        "case-001", registered(), ApplicationWithdrawn(withdrawn_at=at), now=NOW
    ).case
    again = withdraw("case-001", withdrawn, ApplicationWithdrawn(withdrawn_at=at), now=NOW)
    assert again.outcomes == ()
    assert again.case == withdrawn
    with pytest.raises(Refusal) as refusal:
        withdraw(
            "case-001",
            withdrawn,
            ApplicationWithdrawn(withdrawn_at=at + timedelta(days=1)),
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.CASE_WITHDRAWN


def test_a_withdrawal_in_the_future_or_before_lodging_is_refused(registered: MakeCase) -> None:
    case = registered()
    with pytest.raises(Refusal) as refusal:
        withdraw(
            "case-001", case, ApplicationWithdrawn(withdrawn_at=NOW + timedelta(days=1)), now=NOW
        )
    assert refusal.value.kind is RefusalKind.WITHDRAWN_IN_FUTURE
    before = case.application.lodged_at - timedelta(seconds=1)
    with pytest.raises(Refusal) as refusal:
        withdraw("case-001", case, ApplicationWithdrawn(withdrawn_at=before), now=NOW)
    assert refusal.value.kind is RefusalKind.WITHDRAWN_BEFORE_LODGING


def test_a_decision_on_a_withdrawn_case_is_refused(registered: MakeCase) -> None:
    withdrawn = withdraw(
        "case-001", registered(), ApplicationWithdrawn(withdrawn_at=NOW), now=NOW
    ).case
    with pytest.raises(Refusal) as refusal:
        mark_decided("case-001", withdrawn)
    assert refusal.value.kind is RefusalKind.CASE_WITHDRAWN


# --- Priority groups (R7) ---


def test_a_case_leaves_the_minor_group_when_it_turns_out_not_to_be_a_minor(
    registered: MakeCase,
) -> None:
    case = registered(unaccompanied=True, date_of_birth=date(2010, 1, 1))
    assert case.priority_group is AMV
    assert case.category is None  # in a priority group: outside the categories
    updated, outcomes = _reassess(case, AMV, member=False)
    assert outcomes == (
        GroupLeft(case_id="case-001", group=AMV, reason="age assessment", priority_group=None),
        Recategorised(
            case_id="case-001",
            old_category=None,
            new_category=Category.A,
            reason=RecategorisationReason.PRIORITY_GROUP_CHANGE,
            policy_version="test-1",
        ),
    )
    assert updated.priority_group is None
    assert updated.category is Category.A  # back to its category


def test_leaving_one_of_several_groups_reports_where_the_case_is_handled_now(
    registered: MakeCase,
) -> None:
    case = registered(nuisance=True, unaccompanied=True, date_of_birth=date(2010, 1, 1))
    assert case.priority_group is NUISANCE
    updated, outcomes = _reassess(case, AMV, member=False)
    assert outcomes == (
        GroupLeft(case_id="case-001", group=AMV, reason="age assessment", priority_group=NUISANCE),
    )
    assert updated.category is None  # still in a group
    updated, outcomes = _reassess(updated, NUISANCE, member=False)
    assert isinstance(outcomes[0], GroupLeft)
    assert outcomes[0].priority_group is None
    assert isinstance(outcomes[1], Recategorised)
    assert outcomes[1].new_category is Category.A
    assert updated.groups == frozenset()


def test_leaving_a_group_the_case_is_not_in_is_refused(registered: MakeCase) -> None:
    with pytest.raises(Refusal) as refusal:
        _reassess(registered(), NUISANCE, member=False)
    assert refusal.value.kind is RefusalKind.NOT_IN_GROUP
    assert "nuisance" in refusal.value.reason


def test_joining_a_group_and_confirming_a_membership(registered: MakeCase) -> None:
    case = registered()
    joined, outcomes = _reassess(case, NUISANCE, member=True)
    assert outcomes == (
        GroupJoined(
            case_id="case-001", group=NUISANCE, reason="age assessment", priority_group=NUISANCE
        ),
        Recategorised(
            case_id="case-001",
            old_category=Category.A,
            new_category=None,
            reason=RecategorisationReason.PRIORITY_GROUP_CHANGE,
            policy_version="test-1",
        ),
    )
    confirmed, outcomes = _reassess(joined, NUISANCE, member=True)
    assert outcomes == ()
    assert confirmed == joined


def test_joining_the_nuisance_group_later_does_not_shorten_the_term(registered: MakeCase) -> None:
    pact = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    joined, _ = _reassess(pact, NUISANCE, member=True)
    assert joined.procedure is Procedure.PACT_REGULAR
    assert joined.deadline == pact.deadline


def test_leaving_the_nuisance_group_ends_the_accelerated_procedure(registered: MakeCase) -> None:
    case = registered(nuisance=True, lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    assert case.procedure is Procedure.PACT_ACCELERATED
    updated, outcomes = _reassess(case, NUISANCE, member=False)
    assert updated.procedure is Procedure.PACT_REGULAR
    assert outcomes[1] == DeadlineChanged(
        case_id="case-001",
        old_deadline=date(2026, 10, 1),
        new_deadline=date(2027, 1, 1),
        reason=DeadlineChangeReason.PROCEDURE_CHANGE,
        basis=updated.deadline.basis,
    )


def test_a_closed_case_cannot_be_reassessed(registered: MakeCase) -> None:
    decided = mark_decided("case-001", registered(nuisance=True))
    with pytest.raises(Refusal) as refusal:
        _reassess(decided, NUISANCE, member=False)
    assert refusal.value.kind is RefusalKind.CASE_DECIDED
    with pytest.raises(Refusal) as refusal:
        reassess_group(
            "case-404", None, PriorityGroupReassessed(group=NUISANCE, member=True, reason="x")
        )
    assert refusal.value.kind is RefusalKind.UNKNOWN_CASE


# --- Deadline extensions ---


def test_an_extension_is_a_deadline_change_with_its_basis(registered: MakeCase) -> None:
    case = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    request = DeadlineExtensionGranted(
        months=3, ground=ExtensionGround.COMPLEX_CASE, note="three interpreters needed"
    )
    decision = extend_deadline("case-001", case, request, now=NOW)
    (changed,) = decision.outcomes
    assert isinstance(changed, DeadlineChanged)
    assert (changed.old_deadline, changed.new_deadline) == (date(2027, 1, 1), date(2027, 4, 1))
    assert changed.reason is DeadlineChangeReason.COMPLEX_CASE
    assert changed.basis == "Reg. (EU) 2024/1348 art. 35(4) + Reg. (EU) 2024/1348 art. 35(5)"
    assert "interpreters" not in changed.model_dump_json()  # the free-text note stays behind
    assert decision.case.deadline.due == date(2027, 4, 1)


def test_an_extension_beyond_the_legal_maximum_is_refused(registered: MakeCase) -> None:
    case = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    with pytest.raises(Refusal) as refusal:
        extend_deadline(
            "case-001",
            case,
            DeadlineExtensionGranted(months=7, ground=ExtensionGround.COMPLEX_CASE),
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.EXTENSION_BEYOND_MAXIMUM


def test_an_expired_backlog_deadline_cannot_be_extended(registered: MakeCase) -> None:
    case = registered()  # lodged March 2025: the national term ended in September 2025
    with pytest.raises(Refusal) as refusal:
        extend_deadline(
            "case-001",
            case,
            DeadlineExtensionGranted(months=3, ground=ExtensionGround.COMPLEX_CASE),
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.DEADLINE_ALREADY_PASSED


def test_a_withdrawn_case_cannot_be_extended(registered: MakeCase) -> None:
    withdrawn = withdraw(
        "case-001", registered(), ApplicationWithdrawn(withdrawn_at=NOW), now=NOW
    ).case
    with pytest.raises(Refusal) as refusal:
        extend_deadline(
            "case-001",
            withdrawn,
            DeadlineExtensionGranted(months=1, ground=ExtensionGround.COMPLEX_CASE),
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.CASE_WITHDRAWN


# --- A new country-policy version ---


def _new_policy(
    *rules: CountryPolicyRule, former_safe: frozenset[str] = frozenset({"GEO"})
) -> CountryPolicy:
    return CountryPolicy(
        policy_version="test-2",
        effective_from=date(2026, 10, 1),
        default_category=Category.OUTSIDE,
        rules=rules,
        former_safe_countries=former_safe,
    )


def test_a_new_policy_recategorises_open_unheard_backlog_cases(registered: MakeCase) -> None:
    syrian = registered("case-001", nationality="SYR")
    iraqi = registered("case-002", nationality="IRQ", v_number="2222222222")
    policy = _new_policy(
        CountryPolicyRule(nationality="SYR", category=Category.D),
        CountryPolicyRule(nationality="IRQ", category=Category.C),
    )
    (decision,) = apply_policy([syrian, iraqi], policy)
    assert decision.outcomes == (
        Recategorised(
            case_id="case-001",
            old_category=Category.A,
            new_category=Category.D,
            reason=RecategorisationReason.POLICY_CHANGE,
            policy_version="test-2",
        ),
    )
    assert decision.case.category is Category.D
    assert decision.case.policy_version == "test-2"
    # Applying the same version again changes nothing.
    assert apply_policy([decision.case, iraqi], policy) == ()


def test_a_new_policy_leaves_heard_closed_and_pact_cases_alone(registered: MakeCase) -> None:
    heard = mark_heard("case-001", registered("case-001"))
    withdrawn = withdraw(
        "case-002",
        registered("case-002", v_number="2222222222"),
        ApplicationWithdrawn(withdrawn_at=NOW),
        now=NOW,
    ).case
    decided = mark_decided("case-003", registered("case-003", v_number="3333333333"))
    pact = registered("case-004", v_number="4444444444", lodged_at=datetime(2026, 7, 1, tzinfo=UTC))
    assert pact.stream is Stream.PACT
    policy = _new_policy(CountryPolicyRule(nationality="SYR", category=Category.D))
    assert apply_policy([heard, withdrawn, decided, pact], policy) == ()


def test_a_new_policy_updates_the_hidden_category_of_a_case_in_a_priority_group(
    registered: MakeCase,
) -> None:
    amv = registered(unaccompanied=True, date_of_birth=date(2010, 1, 1))
    policy = _new_policy(CountryPolicyRule(nationality="SYR", category=Category.D))
    (decision,) = apply_policy([amv], policy)
    assert decision.outcomes == ()  # nothing published: the case shows no category
    assert decision.case.category is None
    assert decision.case.policy_category is Category.D
    assert decision.case.priority_group is AMV
    # When it leaves the group it shows the category of the new policy.
    _, outcomes = _reassess(decision.case, AMV, member=False)
    assert isinstance(outcomes[1], Recategorised)
    assert outcomes[1].new_category is Category.D


def test_a_new_policy_does_not_undo_a_prephase_move(registered: MakeCase) -> None:
    afghan = registered(nationality="AFG", sex="female")
    moved = apply_prephase_findings(
        "case-001", afghan, PrephaseFindings(negative_language_indication=True)
    ).case
    assert moved.category is Category.D
    policy = _new_policy(CountryPolicyRule(nationality="AFG", sex="female", category=Category.B))
    assert apply_policy([moved], policy) == ()


def test_a_new_policy_changes_former_safe_country_membership(registered: MakeCase) -> None:
    georgian = registered("case-001", nationality="GEO")
    iraqi = registered("case-002", nationality="IRQ", v_number="2222222222")
    policy = _new_policy(
        CountryPolicyRule(nationality="IRQ", category=Category.C), former_safe=frozenset({"IRQ"})
    )
    left, joined = apply_policy([georgian, iraqi], policy)
    reason = "country policy test-2"
    assert left.outcomes == (
        GroupLeft(case_id="case-001", group=FORMER_SAFE, reason=reason, priority_group=None),
        Recategorised(
            case_id="case-001",
            old_category=None,
            new_category=Category.OUTSIDE,
            reason=RecategorisationReason.PRIORITY_GROUP_CHANGE,
            policy_version="test-2",
        ),
    )
    assert joined.outcomes == (
        GroupJoined(
            case_id="case-002", group=FORMER_SAFE, reason=reason, priority_group=FORMER_SAFE
        ),
        Recategorised(
            case_id="case-002",
            old_category=Category.C,
            new_category=None,
            reason=RecategorisationReason.PRIORITY_GROUP_CHANGE,
            policy_version="test-2",
        ),
    )
    assert joined.case.policy_version == "test-2"


# --- Prephase outcome (R8) ---


@pytest.mark.parametrize(
    "findings",
    [
        PrephaseFindings(negative_language_indication=True),
        PrephaseFindings(doubt_about_origin=True),
    ],
)
def test_r8_category_b_with_a_negative_prephase_finding_moves_to_d(
    registered: MakeCase, findings: PrephaseFindings
) -> None:
    case = registered(nationality="AFG", sex="female")
    decision = apply_prephase_findings("case-001", case, findings)
    assert decision.outcomes == (
        Recategorised(
            case_id="case-001",
            old_category=Category.B,
            new_category=Category.D,
            reason=RecategorisationReason.PREPHASE_OUTCOME,
            policy_version="test-1",
        ),
    )


def test_r8_other_categories_or_clean_findings_change_nothing(registered: MakeCase) -> None:
    syrian = registered(nationality="SYR")
    assert (
        apply_prephase_findings(
            "case-001", syrian, PrephaseFindings(doubt_about_origin=True)
        ).outcomes
        == ()
    )
    afghan = registered(nationality="AFG", sex="female")
    assert apply_prephase_findings("case-001", afghan, PrephaseFindings()).outcomes == ()


Language = LanguageIndicationResult


@pytest.mark.parametrize(
    ("language", "origin", "findings"),
    [
        (None, None, PrephaseFindings()),
        (Language.CONSISTENT, None, PrephaseFindings()),
        (Language.INCONSISTENT, None, PrephaseFindings(negative_language_indication=True)),
        # Inconclusive is no finding against the applicant by itself.
        (Language.INCONCLUSIVE, None, PrephaseFindings()),
        (None, OriginFinding.PLAUSIBLE, PrephaseFindings()),
        (None, OriginFinding.DOUBTFUL, PrephaseFindings(doubt_about_origin=True)),
        # Membership not established: a B grant cannot rest on it, so it counts as doubt.
        (None, OriginFinding.INCONCLUSIVE, PrephaseFindings(doubt_about_origin=True)),
        (
            Language.INCONSISTENT,
            OriginFinding.INCONCLUSIVE,
            PrephaseFindings(negative_language_indication=True, doubt_about_origin=True),
        ),
        (Language.INCONCLUSIVE, OriginFinding.PLAUSIBLE, PrephaseFindings()),
    ],
)
def test_prephase_findings_read_the_prephase_results(
    language: LanguageIndicationResult | None,
    origin: OriginFinding | None,
    findings: PrephaseFindings,
) -> None:
    assert prephase_findings(language=language, origin=origin) == findings


def test_r8_an_inconclusive_origin_investigation_moves_b_to_d(registered: MakeCase) -> None:
    afghan = registered(nationality="AFG", sex="female")
    findings = prephase_findings(origin=OriginFinding.INCONCLUSIVE)
    decision = apply_prephase_findings("case-001", afghan, findings)
    assert decision.case.category is Category.D
    assert decision.case.category_set_by_prephase


def test_r8_an_inconclusive_language_indication_alone_keeps_b(registered: MakeCase) -> None:
    afghan = registered(nationality="AFG", sex="female")
    findings = prephase_findings(language=LanguageIndicationResult.INCONCLUSIVE)
    assert apply_prephase_findings("case-001", afghan, findings).outcomes == ()


# --- State survives storage ---


def test_a_case_survives_a_json_round_trip(registered: MakeCase) -> None:
    case = extend_deadline(
        "case-001",
        registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
        DeadlineExtensionGranted(months=2, ground=ExtensionGround.APPLICANT_DELAY),
        now=NOW,
    ).case
    assert IntakeCase.model_validate_json(case.model_dump_json()) == case
    grouped = registered(nuisance=True, unaccompanied=True, date_of_birth=date(2010, 1, 1))
    assert IntakeCase.model_validate_json(grouped.model_dump_json()) == grouped
    border_at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    border = registered(border_procedure=True, lodged_at=border_at, registered_at=border_at)
    assert border.deadline.decision_due is not None
    assert IntakeCase.model_validate_json(border.model_dump_json()) == border


def test_a_case_stored_before_the_decision_term_existed_still_loads(registered: MakeCase) -> None:
    case = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    stored = case.model_dump(mode="json")
    for field in ("decision_due", "decision_basis"):
        del stored["deadline"][field]
    assert IntakeCase.model_validate(stored) == case
