"""Every outcome becomes its catalogue event with ``to_event()``, and that event validates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import BaseModel

from intake.domain import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    DeadlineChanged,
    DeadlineChangeReason,
    DeadlineExtensionGranted,
    ExtensionGround,
    GroupJoined,
    GroupLeft,
    IntakeCase,
    IntakeConfig,
    PolicyBook,
    PriorityGroupReassessed,
    RecategorisationReason,
    Recategorised,
    Registered,
    Withdrawn,
    extend_deadline,
    reassess_group,
    register,
    withdraw,
)
from intake.domain.deadlines import BORDER_DECISION_TERM, DEFAULT_TERMS
from shared.contracts.envelope import EventData
from shared.contracts.events import intake as events
from shared.contracts.events.common import Procedure
from shared.contracts.values import Category, PriorityGroup

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
MakeCase = Callable[..., IntakeCase]

PAIRS: list[tuple[type[BaseModel], type[EventData]]] = [
    (Registered, events.CaseRegistered),
    (Recategorised, events.CaseRecategorised),
    (GroupJoined, events.PriorityGroupJoined),
    (GroupLeft, events.PriorityGroupLeft),
    (DeadlineChanged, events.LegalDeadlineChanged),
    (Withdrawn, events.CaseWithdrawn),
]


@pytest.mark.parametrize(("outcome", "event"), PAIRS)
def test_an_outcome_carries_every_field_of_its_event_and_the_case_id(
    outcome: type[BaseModel], event: type[EventData]
) -> None:
    assert set(outcome.model_fields) == {*event.model_fields, "case_id"}


def test_a_registration_becomes_case_registered_with_its_groups_sorted(
    application: Callable[..., ApplicationRegistered], book: PolicyBook
) -> None:
    decision = register(
        "case-001",
        application(
            nationality="GEO", nuisance=True, unaccompanied=True, date_of_birth=date(2010, 1, 1)
        ),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
    )
    (registered,) = decision.outcomes
    event = registered.to_event()
    assert isinstance(event, events.CaseRegistered)
    assert event.priority_group is PriorityGroup.NUISANCE
    assert event.priority_groups == (
        PriorityGroup.FORMER_SAFE_COUNTRY,
        PriorityGroup.NUISANCE,
        PriorityGroup.UNACCOMPANIED_MINOR,
    )
    assert event.category is None
    assert event.deadline == decision.case.deadline.due
    assert events.CaseRegistered.model_validate_json(event.model_dump_json()) == event


@pytest.mark.parametrize(
    ("config", "weeks", "basis"),
    [
        (IntakeConfig(), BORDER_DECISION_TERM.length, BORDER_DECISION_TERM.source),
        (
            IntakeConfig(
                terms=DEFAULT_TERMS.with_overrides(
                    {
                        "procedures": {
                            "pact_border": {
                                "decision_term": {"length": 6, "source": "Implementing act art. Y"}
                            }
                        }
                    }
                )
            ),
            6,
            "Implementing act art. Y",
        ),
    ],
)
def test_a_border_registration_publishes_when_the_decision_itself_is_due(
    application: Callable[..., ApplicationRegistered],
    book: PolicyBook,
    config: IntakeConfig,
    weeks: int,
    basis: str,
) -> None:
    registered_at = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    decision = register(
        "case-001",
        application(
            border_procedure=True,
            registered_at=registered_at,
            lodged_at=datetime(2026, 7, 3, 9, 0, tzinfo=UTC),
        ),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
        config=config,
    )
    (registered,) = decision.outcomes
    event = registered.to_event()
    assert isinstance(event, events.CaseRegistered)
    assert event.procedure is Procedure.PACT_BORDER
    assert event.deadline == date(2026, 7, 1) + timedelta(weeks=12)
    assert event.decision_due == date(2026, 7, 1) + timedelta(weeks=weeks)
    assert event.decision_due_basis == basis
    assert event.decision_due == decision.case.deadline.decision_due
    assert events.CaseRegistered.model_validate_json(event.model_dump_json()) == event


def test_a_national_registration_publishes_no_separate_decision_due(
    application: Callable[..., ApplicationRegistered], book: PolicyBook
) -> None:
    decision = register(
        "case-001",
        application(lodged_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC)),
        existing=None,
        applicant_cases=[],
        policies=book,
        now=NOW,
    )
    (registered,) = decision.outcomes
    event = registered.to_event()
    assert isinstance(event, events.CaseRegistered)
    assert event.procedure is Procedure.NATIONAL_REGULAR
    assert event.decision_due is None
    assert event.decision_due_basis is None
    assert "decision_due" not in event.model_dump(exclude_none=True)


def test_group_changes_and_a_procedure_change_become_their_events(registered: MakeCase) -> None:
    case = registered(nuisance=True, lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    reassessment = PriorityGroupReassessed(
        group=PriorityGroup.NUISANCE, member=False, reason="no longer causing nuisance"
    )
    left, deadline = (o.to_event() for o in reassess_group("case-001", case, reassessment).outcomes)
    assert left == events.PriorityGroupLeft(
        group=PriorityGroup.NUISANCE, reason="no longer causing nuisance", priority_group=None
    )
    assert isinstance(deadline, events.LegalDeadlineChanged)
    assert deadline.reason is events.DeadlineChangeReason.PROCEDURE_CHANGE
    assert deadline.basis == "Reg. (EU) 2024/1348 art. 35(4)"

    joined = reassess_group(
        "case-001",
        registered(),
        PriorityGroupReassessed(group=PriorityGroup.NUISANCE, member=True, reason="reported"),
    ).outcomes
    assert [o.to_event() for o in joined] == [
        events.PriorityGroupJoined(
            group=PriorityGroup.NUISANCE, reason="reported", priority_group=PriorityGroup.NUISANCE
        ),
        events.CaseRecategorised(
            old_category=Category.A,
            new_category=None,
            reason=RecategorisationReason.PRIORITY_GROUP_CHANGE,
            policy_version="test-1",
        ),
    ]


@pytest.mark.parametrize("ground", list(ExtensionGround))
def test_an_extension_becomes_legal_deadline_changed_with_its_ground_as_reason(
    registered: MakeCase, ground: ExtensionGround
) -> None:
    case = registered(lodged_at=datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    request = DeadlineExtensionGranted(months=1, ground=ground)
    (changed,) = extend_deadline("case-001", case, request, now=NOW).outcomes
    event = changed.to_event()
    assert isinstance(event, events.LegalDeadlineChanged)
    assert event.reason == DeadlineChangeReason.of_ground(ground) == ground.value
    assert (event.old_deadline, event.new_deadline) == (date(2027, 1, 1), date(2027, 2, 1))
    assert (event.decision_due, event.decision_due_basis) == (None, None)


def test_a_withdrawal_becomes_case_withdrawn(registered: MakeCase) -> None:
    at = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    (withdrawn,) = withdraw(
        "case-001", registered(), ApplicationWithdrawn(withdrawn_at=at), now=NOW
    ).outcomes
    assert withdrawn.to_event() == events.CaseWithdrawn(withdrawn_at=at)


@pytest.mark.parametrize(
    "fields",
    [
        {"decision_due": date(2026, 7, 29)},  # without its basis
        {"decision_due_basis": "assumption: 4 weeks"},  # a basis without a date
        {"decision_due": date(2026, 9, 24), "decision_due_basis": "assumption: 4 weeks"},
    ],
)
def test_a_decision_due_needs_its_basis_and_lies_on_or_before_the_deadline(
    fields: dict[str, object],
) -> None:
    deadline = date(2026, 9, 23)
    with pytest.raises(ValueError, match="decision_due"):
        events.LegalDeadlineChanged.model_validate(
            {
                "old_deadline": date(2026, 9, 1),
                "new_deadline": deadline,
                "reason": "procedure_change",
                "basis": "Reg. (EU) 2024/1348 art. 51(2)",
                **fields,
            }
        )
    on_deadline = events.LegalDeadlineChanged(
        old_deadline=date(2026, 9, 1),
        new_deadline=deadline,
        reason=events.DeadlineChangeReason.PROCEDURE_CHANGE,
        basis="Reg. (EU) 2024/1348 art. 51(2)",
        decision_due=deadline,
        decision_due_basis="assumption: 4 weeks",
    )
    assert on_deadline.decision_due == deadline
