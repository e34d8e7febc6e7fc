"""Registration: one case per application, stream, category, groups, deadline, refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intake.domain import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CaseStatus,
    CountryPolicy,
    CountryPolicyRule,
    IntakeCase,
    PolicyBook,
    Procedure,
    Refusal,
    RefusalKind,
    Registered,
    mark_decided,
    register,
    withdraw,
)
from shared.contracts.rejections import Refused, Rejection
from shared.contracts.values import Category, PriorityGroup, Stream

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
MakeApp = Callable[..., ApplicationRegistered]
MakeCase = Callable[..., IntakeCase]


def _register(app: ApplicationRegistered, book: PolicyBook) -> Registered:
    decision = register("case-001", app, existing=None, applicant_cases=[], policies=book, now=NOW)
    assert len(decision.outcomes) == 1
    outcome = decision.outcomes[0]
    assert isinstance(outcome, Registered)
    return outcome


def _withdrawn(case: IntakeCase, at: datetime) -> IntakeCase:
    now = max(NOW, at)  # withdrawals later than NOW happen at their own moment
    return withdraw(case.case_id, case, ApplicationWithdrawn(withdrawn_at=at), now=now).case


def test_a_backlog_application_is_registered_with_everything_intake_assigns(
    application: MakeApp, book: PolicyBook
) -> None:
    app = application(nationality="SYR", lodged_at=datetime(2025, 3, 3, 9, 30, tzinfo=UTC))
    decision = register("case-001", app, existing=None, applicant_cases=[], policies=book, now=NOW)
    (registered,) = decision.outcomes
    assert registered == Registered(
        case_id="case-001",
        v_number="1234567890",
        nationality="SYR",
        stream=Stream.BACKLOG,
        lodged_at=app.lodged_at,
        procedure=Procedure.NATIONAL_REGULAR,
        category=Category.A,
        priority_group=None,
        priority_groups=frozenset(),
        policy_version="test-1",
        deadline=date(2025, 9, 3),
        deadline_basis=decision.case.deadline.basis,
        minor_on_lodging=False,
        unaccompanied=False,
        relodged_from=None,
    )
    assert registered.deadline_basis == "Vw 2000 art. 42(1)"
    assert decision.case.status is CaseStatus.OPEN
    assert decision.case.category is Category.A


def test_a_pact_application_has_no_category_and_a_pact_deadline(
    application: MakeApp, book: PolicyBook
) -> None:
    registered = _register(application(lodged_at=datetime(2026, 6, 12, 8, 0, tzinfo=UTC)), book)
    assert registered.stream is Stream.PACT
    assert registered.category is None
    assert registered.procedure is Procedure.PACT_REGULAR
    assert registered.deadline == date(2026, 12, 12)


def test_the_boundary_day_at_registration(application: MakeApp, book: PolicyBook) -> None:
    before = _register(application(lodged_at=datetime(2026, 6, 11, 21, 59, 59, tzinfo=UTC)), book)
    after = _register(application(lodged_at=datetime(2026, 6, 11, 22, 0, 0, tzinfo=UTC)), book)
    assert (before.stream, after.stream) == (Stream.BACKLOG, Stream.PACT)


def test_afghan_women_category_b(application: MakeApp, book: PolicyBook) -> None:
    assert _register(application(nationality="AFG", sex="female"), book).category is Category.B
    assert _register(application(nationality="AFG", sex="male"), book).category is Category.D


def test_a_nuisance_pact_applicant_gets_the_accelerated_procedure_and_highest_priority(
    application: MakeApp, book: PolicyBook
) -> None:
    registered = _register(
        application(nuisance=True, lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)), book
    )
    assert registered.procedure is Procedure.PACT_ACCELERATED
    assert registered.deadline == date(2026, 10, 1)
    assert registered.priority_group is PriorityGroup.NUISANCE


def test_a_border_procedure_pact_application(application: MakeApp, book: PolicyBook) -> None:
    at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    decision = register(
        "case-001",
        application(border_procedure=True, lodged_at=at, registered_at=at),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
    )
    (registered,) = decision.outcomes
    assert isinstance(registered, Registered)
    assert registered.procedure is Procedure.PACT_BORDER
    # The published deadline is the end of the 12 weeks, appeal included ...
    assert registered.deadline == date(2026, 7, 1) + timedelta(weeks=12)
    # ... and the case knows the decision itself is due earlier (configured; an assumption).
    assert decision.case.deadline.decision_due == date(2026, 7, 1) + timedelta(weeks=4)


def test_a_border_procedure_application_without_a_registration_moment_is_refused(
    application: MakeApp, book: PolicyBook
) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(border_procedure=True, lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.BORDER_PROCEDURE_WITHOUT_REGISTRATION
    assert isinstance(refusal.value, Refused)
    assert refusal.value.code == "refused"
    assert "registered_at" in refusal.value.reason


def test_a_backlog_application_with_the_border_flag_needs_no_registration_moment(
    application: MakeApp, book: PolicyBook
) -> None:
    # The flag is ignored in the backlog (R3 can put a late application there), so is the rule.
    assert _register(application(border_procedure=True), book).procedure is (
        Procedure.NATIONAL_REGULAR
    )


def test_the_border_term_runs_from_the_registration_moment(
    application: MakeApp, book: PolicyBook
) -> None:
    # Registered before the cut-off, lodged after it: the stream follows lodging (R1), the
    # border term runs from registration.
    registered_at = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
    decision = register(
        "case-001",
        application(
            border_procedure=True,
            registered_at=registered_at,
            lodged_at=datetime(2026, 6, 15, 9, 0, tzinfo=UTC),
        ),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
    )
    (registered,) = decision.outcomes
    assert isinstance(registered, Registered)
    assert (registered.stream, registered.procedure) == (Stream.PACT, Procedure.PACT_BORDER)
    assert registered.deadline == date(2026, 6, 5) + timedelta(weeks=12)
    assert decision.case.deadline.starts_on == date(2026, 6, 5)
    assert decision.case.application.registered_at == registered_at


def test_the_registration_moment_does_not_move_other_terms(
    application: MakeApp, book: PolicyBook
) -> None:
    lodged = datetime(2026, 7, 10, 9, 0, tzinfo=UTC)
    registered_at = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    pact = _register(application(lodged_at=lodged, registered_at=registered_at), book)
    assert pact.deadline == date(2027, 1, 10)  # 6 months from lodging
    backlog = _register(application(registered_at=datetime(2025, 2, 20, 9, 0, tzinfo=UTC)), book)
    assert backlog.deadline == date(2025, 9, 3)  # 6 months from lodging on 3 March 2025


def test_a_registration_at_the_lodging_moment_is_accepted(
    application: MakeApp, book: PolicyBook
) -> None:
    lodged = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    registered = _register(
        application(border_procedure=True, lodged_at=lodged, registered_at=lodged), book
    )
    assert registered.deadline == date(2026, 7, 1) + timedelta(weeks=12)


def test_a_registration_after_lodging_is_refused(application: MakeApp, book: PolicyBook) -> None:
    lodged = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(lodged_at=lodged, registered_at=lodged + timedelta(seconds=1)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.REGISTERED_AFTER_LODGING
    assert "after the lodging moment" in refusal.value.reason


def test_a_registration_in_the_future_is_refused(application: MakeApp, book: PolicyBook) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(lodged_at=NOW - timedelta(hours=1), registered_at=NOW + timedelta(days=1)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.REGISTERED_IN_FUTURE
    assert "future" in refusal.value.reason


def test_an_unaccompanied_minor_on_the_lodging_date(application: MakeApp, book: PolicyBook) -> None:
    lodged = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
    minor = _register(
        application(date_of_birth=date(2007, 3, 4), unaccompanied=True, lodged_at=lodged), book
    )
    assert minor.minor_on_lodging is True
    assert minor.priority_group is PriorityGroup.UNACCOMPANIED_MINOR
    # Turned 18 on the lodging date: not a minor, so not in the group.
    adult = _register(
        application(date_of_birth=date(2007, 3, 3), unaccompanied=True, lodged_at=lodged), book
    )
    assert adult.minor_on_lodging is False
    assert adult.priority_group is None
    # A minor with a parent: not in the group.
    accompanied = _register(application(date_of_birth=date(2010, 1, 1), lodged_at=lodged), book)
    assert accompanied.minor_on_lodging is True
    assert accompanied.priority_group is None


def test_the_minor_rule_uses_the_amsterdam_lodging_date(
    application: MakeApp, book: PolicyBook
) -> None:
    # 22:30 UTC on 2 March is 23:30 on 2 March in Amsterdam: still the day before the birthday.
    late = datetime(2025, 3, 2, 22, 30, tzinfo=UTC)
    assert _register(
        application(date_of_birth=date(2007, 3, 3), lodged_at=late), book
    ).minor_on_lodging
    # 23:30 UTC on 2 March is 00:30 on 3 March in Amsterdam: the 18th birthday.
    later = datetime(2025, 3, 2, 23, 30, tzinfo=UTC)
    assert not _register(
        application(date_of_birth=date(2007, 3, 3), lodged_at=later), book
    ).minor_on_lodging


def test_a_former_safe_country_comes_from_the_policy(
    application: MakeApp, book: PolicyBook
) -> None:
    decision = register(
        "case-001",
        application(nationality="GEO"),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
    )
    (registered,) = decision.outcomes
    assert isinstance(registered, Registered)
    assert registered.priority_group is PriorityGroup.FORMER_SAFE_COUNTRY
    assert registered.category is None  # priority groups are outside the categories (R7)
    assert decision.case.policy_category is Category.OUTSIDE  # kept for when it leaves the group


def test_several_groups_the_highest_precedence_is_handled(
    application: MakeApp, book: PolicyBook
) -> None:
    registered = _register(
        application(
            nationality="GEO", nuisance=True, unaccompanied=True, date_of_birth=date(2010, 1, 1)
        ),
        book,
    )
    assert registered.priority_groups == frozenset(PriorityGroup)
    assert registered.priority_group is PriorityGroup.NUISANCE
    assert registered.unaccompanied
    assert registered.minor_on_lodging


def test_the_policy_in_effect_today_categorises(
    application: MakeApp, policy: CountryPolicy
) -> None:
    newer = CountryPolicy(
        policy_version="test-2",
        effective_from=date(2026, 8, 1),
        default_category=Category.OUTSIDE,
        rules=(CountryPolicyRule(nationality="SYR", category=Category.D),),
    )
    book = PolicyBook().publish(policy).publish(newer)
    registered = _register(application(nationality="SYR"), book)  # lodged 2025, registered 2026-09
    assert (registered.category, registered.policy_version) == (Category.D, "test-2")


def test_no_policy_in_effect_is_refused(application: MakeApp) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(),
            existing=None,
            applicant_cases=[],
            policies=PolicyBook(),
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.NO_POLICY_IN_EFFECT


# --- Once per application ---


def test_a_redelivered_registration_changes_nothing(application: MakeApp, book: PolicyBook) -> None:
    first = register(
        "case-001", application(), existing=None, applicant_cases=[], policies=book, now=NOW
    )
    again = register(
        "case-001",
        application(),
        existing=first.case,
        applicant_cases=[first.case],
        policies=book,
        now=NOW + timedelta(days=3),
    )
    assert again.outcomes == ()
    assert again.case == first.case


def test_the_same_case_id_with_other_content_is_refused(
    application: MakeApp, book: PolicyBook
) -> None:
    first = register(
        "case-001", application(), existing=None, applicant_cases=[], policies=book, now=NOW
    )
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(nationality="IRQ"),
            existing=first.case,
            applicant_cases=[first.case],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.CASE_ID_CONFLICT
    assert "case-001" in refusal.value.reason


def test_a_second_open_application_for_the_same_v_number_is_refused(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    open_case = registered("case-001")
    with pytest.raises(Refusal) as refusal:
        register(
            "case-002",
            application(),
            existing=None,
            applicant_cases=[open_case],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.SECOND_OPEN_APPLICATION
    assert "case-001" in refusal.value.reason
    assert "already has an open application" in refusal.value.reason


def test_after_a_decision_a_new_application_is_registered_under_r1(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    decided = mark_decided("case-001", registered("case-001"))
    new = register(
        "case-002",
        application(lodged_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC)),
        existing=None,
        applicant_cases=[decided],
        policies=book,
        now=NOW,
    )
    (outcome,) = new.outcomes
    assert isinstance(outcome, Registered)
    assert outcome.stream is Stream.PACT  # a decided backlog case does not pull it into the backlog
    assert outcome.relodged_from is None


# --- R3: withdrawal and re-lodging ---


def test_r3_relodging_after_withdrawing_a_backlog_application_stays_backlog(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    old = _withdrawn(registered("case-001"), datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    new = register(
        "case-002",
        application(lodged_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC), previous_case_id="case-001"),
        existing=None,
        applicant_cases=[old],
        policies=book,
        now=NOW,
    )
    (outcome,) = new.outcomes
    assert isinstance(outcome, Registered)
    assert outcome.stream is Stream.BACKLOG
    assert outcome.relodged_from == "case-001"
    assert outcome.procedure is Procedure.NATIONAL_REGULAR
    assert outcome.category is Category.A
    assert outcome.deadline == date(2027, 2, 1)  # national term from the new lodging date


def test_r3_applies_without_the_link_because_it_is_about_the_applicant(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    old = _withdrawn(registered("case-001"), datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    new = register(
        "case-002",
        application(lodged_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC)),
        existing=None,
        applicant_cases=[old],
        policies=book,
        now=NOW,
    )
    assert new.case.stream is Stream.BACKLOG
    assert new.case.relodged_from == "case-001"


def test_r3_holds_along_a_chain_of_withdrawals(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    first = _withdrawn(registered("case-001"), datetime(2026, 5, 1, 9, 0, tzinfo=UTC))
    second = register(
        "case-002",
        application(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC), previous_case_id="case-001"),
        existing=None,
        applicant_cases=[first],
        policies=book,
        now=NOW,
    ).case
    second = _withdrawn(second, datetime(2026, 7, 15, 9, 0, tzinfo=UTC))
    third = register(
        "case-003",
        application(lodged_at=datetime(2026, 8, 20, 9, 0, tzinfo=UTC), previous_case_id="case-002"),
        existing=None,
        applicant_cases=[first, second],
        policies=book,
        now=NOW,
    )
    assert third.case.stream is Stream.BACKLOG
    assert third.case.relodged_from == "case-002"


def test_relodging_after_withdrawing_a_pact_application_stays_pact(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    pact = registered("case-001", lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    assert pact.stream is Stream.PACT
    old = _withdrawn(pact, datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    new = register(
        "case-002",
        application(lodged_at=datetime(2026, 8, 1, 9, 0, tzinfo=UTC), previous_case_id="case-001"),
        existing=None,
        applicant_cases=[old],
        policies=book,
        now=NOW,
    )
    assert new.case.stream is Stream.PACT
    assert new.case.relodged_from == "case-001"


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _registered_case(
    case_id: str,
    others: list[IntakeCase],
    book: PolicyBook,
    app: ApplicationRegistered,
    now: datetime,
) -> IntakeCase:
    decision = register(case_id, app, existing=None, applicant_cases=others, policies=book, now=now)
    return decision.case


def _withdrawn_then_decided(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> tuple[IntakeCase, IntakeCase]:
    """case-1 lodged 2025 and withdrawn; case-2 re-lodged January 2026 (backlog by R1 anyway),
    then decided."""
    first = _withdrawn(registered("case-1", lodged_at=_at(2025, 3, 3)), _at(2025, 10, 1))
    second = _registered_case(
        "case-2",
        [first],
        book,
        application(lodged_at=_at(2026, 1, 15), previous_case_id="case-1"),
        now=_at(2026, 1, 15),
    )
    assert (second.stream, second.relodged_from) == (Stream.BACKLOG, "case-1")
    return first, mark_decided("case-2", second)


def test_r3_a_decided_application_after_the_withdrawn_one_leaves_a_new_one_to_r1(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    first, decided = _withdrawn_then_decided(application, registered, book)
    new = register(
        "case-3",
        application(lodged_at=_at(2028, 2, 1)),
        existing=None,
        applicant_cases=[first, decided],
        policies=book,
        now=_at(2028, 2, 1),
    )
    (outcome,) = new.outcomes
    assert isinstance(outcome, Registered)
    # A new application after a decided one: R1 decides (Pact), the older withdrawal is history.
    assert (outcome.stream, outcome.procedure) == (Stream.PACT, Procedure.PACT_REGULAR)
    assert outcome.relodged_from is None
    assert outcome.category is None


def test_r3_a_link_to_a_withdrawn_case_behind_a_decided_one_is_refused(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    first, decided = _withdrawn_then_decided(application, registered, book)
    with pytest.raises(Refusal) as refusal:
        register(
            "case-3",
            application(lodged_at=_at(2028, 2, 1), previous_case_id="case-1"),
            existing=None,
            applicant_cases=[first, decided],
            policies=book,
            now=_at(2028, 2, 1),
        )
    assert refusal.value.kind is RefusalKind.PREVIOUS_CASE_NOT_MOST_RECENT
    assert "case-2" in refusal.value.reason
    assert "most recent" in refusal.value.reason


def test_r3_the_most_recent_application_withdrawn_in_the_backlog_keeps_it_in_the_backlog(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    # An older decided application does not matter: the most recent one was a withdrawn
    # backlog application, so R3 applies, with or without the link.
    decided = mark_decided("case-1", registered("case-1", lodged_at=_at(2024, 2, 1)))
    withdrawn = _withdrawn(
        registered("case-2", others=[decided], lodged_at=_at(2025, 3, 3)), _at(2026, 5, 1)
    )
    for previous in (None, "case-2"):
        new = register(
            "case-3",
            application(lodged_at=_at(2028, 2, 1), previous_case_id=previous),
            existing=None,
            applicant_cases=[decided, withdrawn],
            policies=book,
            now=_at(2028, 2, 1),
        )
        assert (new.case.stream, new.case.relodged_from) == (Stream.BACKLOG, "case-2")
        assert new.case.procedure is Procedure.NATIONAL_REGULAR


def test_r3_the_most_recent_application_withdrawn_in_the_pact_leaves_a_new_one_to_r1(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    # A withdrawn backlog case further back (case-1) does not pull the new one into the backlog.
    first, decided = _withdrawn_then_decided(application, registered, book)
    pact = _registered_case(
        "case-3", [first, decided], book, application(lodged_at=_at(2027, 4, 1)), _at(2027, 4, 1)
    )
    assert pact.stream is Stream.PACT
    pact = _withdrawn(pact, _at(2027, 5, 1))
    cases = [first, decided, pact]
    unlinked = _registered_case(
        "case-4", cases, book, application(lodged_at=_at(2028, 2, 1)), _at(2028, 2, 1)
    )
    assert (unlinked.stream, unlinked.relodged_from) == (Stream.PACT, None)
    linked = _registered_case(
        "case-4",
        cases,
        book,
        application(lodged_at=_at(2028, 2, 1), previous_case_id="case-3"),
        _at(2028, 2, 1),
    )
    assert (linked.stream, linked.relodged_from) == (Stream.PACT, "case-3")


def test_r3_looks_only_at_applications_lodged_before_the_new_one(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    # A late registration: the decided case-2 was lodged after this application, so the
    # most recent *earlier* application is the withdrawn backlog case-1.
    first, decided = _withdrawn_then_decided(application, registered, book)
    late = _registered_case(
        "case-3", [first, decided], book, application(lodged_at=_at(2026, 1, 10)), _at(2028, 2, 1)
    )
    assert (late.stream, late.relodged_from) == (Stream.BACKLOG, "case-1")
    with pytest.raises(Refusal) as refusal:
        _registered_case(
            "case-3",
            [first, decided],
            book,
            application(lodged_at=_at(2026, 1, 10), previous_case_id="case-2"),
            _at(2028, 2, 1),
        )
    assert refusal.value.kind is RefusalKind.PREVIOUS_CASE_NOT_WITHDRAWN  # decided, in any case


def test_an_unknown_previous_case_is_refused(application: MakeApp, book: PolicyBook) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-002",
            application(previous_case_id="case-999"),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.UNKNOWN_PREVIOUS_CASE
    assert "case-999" in refusal.value.reason


def test_a_previous_case_of_another_applicant_is_refused(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    other = _withdrawn(
        registered("case-001", v_number="9999999999"), datetime(2026, 5, 1, tzinfo=UTC)
    )
    with pytest.raises(Refusal) as refusal:
        register(
            "case-002",
            application(previous_case_id="case-001"),
            existing=None,
            applicant_cases=[other],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.UNKNOWN_PREVIOUS_CASE


def test_a_previous_case_that_was_decided_is_not_a_relodging(
    application: MakeApp, registered: MakeCase, book: PolicyBook
) -> None:
    decided = mark_decided("case-001", registered("case-001"))
    with pytest.raises(Refusal) as refusal:
        register(
            "case-002",
            application(previous_case_id="case-001"),
            existing=None,
            applicant_cases=[decided],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.PREVIOUS_CASE_NOT_WITHDRAWN
    assert "decided" in refusal.value.reason


# --- Refusals of the application itself ---


def test_a_lodging_moment_in_the_future_is_refused(application: MakeApp, book: PolicyBook) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(lodged_at=NOW + timedelta(days=1)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.LODGED_IN_FUTURE
    assert "future" in refusal.value.reason


def test_a_small_clock_difference_is_tolerated(application: MakeApp, book: PolicyBook) -> None:
    app = application(lodged_at=NOW + timedelta(minutes=2))
    decision = register("case-001", app, existing=None, applicant_cases=[], policies=book, now=NOW)
    assert decision.case.application == app
    with pytest.raises(Refusal):
        register(
            "case-001",
            application(lodged_at=NOW + timedelta(minutes=6)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )


def test_a_date_of_birth_after_lodging_is_refused(application: MakeApp, book: PolicyBook) -> None:
    with pytest.raises(Refusal) as refusal:
        register(
            "case-001",
            application(date_of_birth=date(2025, 3, 4)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.kind is RefusalKind.BORN_AFTER_LODGING


def test_a_refusal_is_a_shared_refused_with_its_reason_and_kind(
    application: MakeApp, book: PolicyBook
) -> None:
    with pytest.raises(Refused) as refusal:
        register(
            "case-001",
            application(lodged_at=NOW + timedelta(days=1)),
            existing=None,
            applicant_cases=[],
            policies=book,
            now=NOW,
        )
    assert refusal.value.code == "refused"
    assert refusal.value.reason == str(refusal.value)
    # Read through the shared type, as the handler layer does to fill Rejection.refusal_kind.
    assert refusal.value.kind == "lodged_in_future"
    assert "refusal_kind" in Rejection.model_fields


def test_every_refusal_kind_is_documented() -> None:
    page = (Path(__file__).resolve().parents[4] / "docs" / "intake.md").read_text(encoding="utf-8")
    section = page[page.index("## Refusal reasons") :]
    assert "`refusal_kind`" in section
    assert [kind.value for kind in RefusalKind if f"| `{kind.value}` |" not in section] == []
