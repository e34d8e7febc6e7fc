"""Builders for the intake domain tests: a valid application, a policy book, a registered case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from intake.domain import (
    ApplicationRegistered,
    CountryPolicy,
    CountryPolicyRule,
    IntakeCase,
    PolicyBook,
    Sex,
    register,
)
from shared.contracts.values import Category

# A fixed "now" after the cut-off; tests never read the wall clock.
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def policy() -> CountryPolicy:
    """A small test policy (not the shipped one, so tests do not depend on illustrative data)."""
    return CountryPolicy(
        policy_version="test-1",
        effective_from=date(2026, 1, 1),
        default_category=Category.OUTSIDE,
        rules=(
            CountryPolicyRule(nationality="SYR", category=Category.A),
            CountryPolicyRule(nationality="AFG", category=Category.D),
            CountryPolicyRule(nationality="AFG", sex=Sex.FEMALE, category=Category.B),
            CountryPolicyRule(nationality="IRQ", category=Category.C),
        ),
        former_safe_countries=frozenset({"GEO"}),
    )


@pytest.fixture
def book(policy: CountryPolicy) -> PolicyBook:
    return PolicyBook().publish(policy)


@pytest.fixture
def application() -> Callable[..., ApplicationRegistered]:
    def make(**changes: Any) -> ApplicationRegistered:
        fields: dict[str, Any] = {
            "v_number": "1234567890",
            "nationality": "SYR",
            "sex": "male",
            "date_of_birth": date(1990, 5, 17),
            "lodged_at": datetime(2025, 3, 3, 9, 30, tzinfo=UTC),
            "unaccompanied": False,
            "nuisance": False,
            "border_procedure": False,
            "previous_case_id": None,
        }
        fields.update(changes)
        return ApplicationRegistered.model_validate(fields)

    return make


@pytest.fixture
def registered(
    application: Callable[..., ApplicationRegistered], book: PolicyBook
) -> Callable[..., IntakeCase]:
    """Register an application and return the case (the registration must succeed)."""

    def make(
        case_id: str = "case-001",
        *,
        others: Iterable[IntakeCase] = (),
        now: datetime = NOW,
        **changes: Any,
    ) -> IntakeCase:
        decision = register(
            case_id,
            application(**changes),
            existing=None,
            applicant_cases=list(others),
            policies=book,
            now=now,
        )
        return decision.case

    return make
