"""Plain values for chain-notify's domain functions: a context, a case, upstream events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chain_notify import persistence as db
from chain_notify.domain.state import DEFAULT_CONFIG, NotifyCase, NotifyConfig, ReturnDay
from shared.contracts.events.common import DecisionOutcome, LegalGround, RejectionKind
from shared.contracts.events.decision import DecisionIssued, DecisionRoute
from shared.contracts.events.intake import CourtDistrict
from shared.contracts.values import Stream
from shared.runtime.kit import BatchCases, Context

NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)  # a Monday


def ctx(
    case_id: str = "case-2026-000123",
    *,
    stream: Stream = Stream.BACKLOG,
    config: NotifyConfig = DEFAULT_CONFIG,
    extras: dict[str, Any] | None = None,
    return_days: list[ReturnDay] | None = None,
    now: datetime = NOW,
) -> Context[NotifyConfig]:
    return Context(
        case_id=case_id,
        now=now,
        config=config,
        actor="system:test",
        stream=stream,
        topic="ind.backlog.intake.events.v1",
        cases=BatchCases(db.CASES),
        extras=extras or {},
        rows={"return_days": BatchCases(db.RETURN_DAYS, return_days or [])},
    )


def case(**changes: Any) -> NotifyCase:
    base = NotifyCase(
        case_id="case-2026-000123",
        stream=Stream.BACKLOG,
        v_number="1234567890",
        unaccompanied=False,
        reception_location="coa-budel",
        lawyer="rvr-40211",
        court_district=CourtDistrict.OOST_BRABANT,
    )
    return base.model_copy(update=changes)


def decision(
    outcome: DecisionOutcome = DecisionOutcome.REJECTION, **changes: Any
) -> DecisionIssued:
    grant = outcome is DecisionOutcome.GRANT
    fields: dict[str, Any] = {
        "outcome": outcome,
        "legal_ground": LegalGround.A if grant else None,
        "rejection_kind": RejectionKind.UNFOUNDED if outcome is DecisionOutcome.REJECTION else None,
        "standardised": True,
        "hard_case_team": False,
        "issued_on": date(2026, 11, 2),
        "sent_at": datetime(2026, 11, 2, 23, 30, tzinfo=UTC),  # 3 November in Amsterdam
        "appeal_period_days": 28,
        "departure_period_days": None if grant else 28,
        "enforceable_from": None if grant else date(2026, 12, 1),
        "family_reunification_expected": True if grant else None,
        "deadline": date(2027, 1, 1),
        "days_relative_to_deadline": -60,
        "deadline_met": True,
        "route": DecisionRoute.CATEGORY_A,
        "policy_version": "cp-2026-10",
        "appeal_period_basis": "Vw 2000 art. 69(1)",
        "departure_period_basis": None if grant else "Vw 2000 art. 62(1)",
    }
    fields.update(changes)
    return DecisionIssued(**fields)


@pytest.fixture
def make_ctx() -> Callable[..., Context[NotifyConfig]]:
    return ctx


@pytest.fixture
def make_case() -> Callable[..., NotifyCase]:
    return case


@pytest.fixture
def make_decision() -> Callable[..., DecisionIssued]:
    return decision
