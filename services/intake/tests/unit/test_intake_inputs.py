"""The domain's inputs are the catalogue's input events: malformed input is refused before any
rule runs (schema validation)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

import intake.domain
from intake.domain import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    DeadlineExtensionGranted,
    PrephaseFindings,
    PriorityGroupReassessed,
)
from shared.contracts.events import common, prephase
from shared.contracts.events import intake as events


@pytest.mark.parametrize(
    "name",
    [
        "ApplicationRegistered",
        "ApplicationWithdrawn",
        "PriorityGroupReassessed",
        "DeadlineExtensionGranted",
        "CountryPolicyPublished",
        "CountryPolicyRule",
        "ExtensionGround",
        "DeadlineChangeReason",
        "RecategorisationReason",
    ],
)
def test_the_inputs_and_enums_are_the_catalogues_own(name: str) -> None:
    assert getattr(intake.domain, name) is getattr(events, name)


def test_sex_and_procedure_are_the_catalogues_own() -> None:
    assert intake.domain.Sex is common.Sex
    assert intake.domain.Procedure is common.Procedure


def test_the_prephase_results_are_the_catalogues_own() -> None:
    assert intake.domain.LanguageIndicationResult is prephase.LanguageIndicationResult
    assert intake.domain.OriginFinding is prephase.OriginFinding


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nationality", "ZZZ"),  # well-formed but unknown
        ("nationality", "syr"),  # lower case
        ("nationality", "SY"),  # alpha-2
        ("nationality", "Syria"),
        ("nationality", ""),
        ("v_number", "12345"),
        ("v_number", "12345678901"),
        ("v_number", "12345abcde"),
        ("v_number", ""),
        ("sex", "f"),
        ("date_of_birth", "yesterday"),
        ("lodged_at", "2026-06-12T10:00:00"),  # no time zone
        ("registered_at", "2026-06-12T10:00:00"),  # no time zone
        ("previous_case_id", "!"),
    ],
)
def test_malformed_application_fields_are_refused(
    application: Callable[..., ApplicationRegistered], field: str, value: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        application(**{field: value})
    assert field in str(error.value)


@pytest.mark.parametrize("field", ["v_number", "nationality", "lodged_at", "date_of_birth", "sex"])
def test_a_missing_required_field_is_refused(
    application: Callable[..., ApplicationRegistered], field: str
) -> None:
    fields = application().model_dump()
    del fields[field]
    with pytest.raises(ValidationError, match=f"{field}\n  Field required"):
        ApplicationRegistered.model_validate(fields)


def test_an_unknown_field_is_refused(application: Callable[..., ApplicationRegistered]) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        application(religion="x")


def test_stateless_and_unspecified_nationalities_are_accepted(
    application: Callable[..., ApplicationRegistered],
) -> None:
    assert application(nationality="XXA").nationality == "XXA"
    assert application(nationality="XXX").nationality == "XXX"


def test_a_valid_application_keeps_its_values(
    application: Callable[..., ApplicationRegistered],
) -> None:
    app = application(lodged_at="2026-06-12T00:00:00+02:00", previous_case_id="case-000")
    assert app.lodged_at.utcoffset() is not None
    assert app.previous_case_id == "case-000"


@pytest.mark.parametrize("months", [0, 13, -1])
def test_extension_months_are_1_to_12(months: int) -> None:
    with pytest.raises(ValidationError):
        DeadlineExtensionGranted.model_validate({"months": months, "ground": "complex_case"})


def test_an_unknown_extension_ground_is_refused() -> None:
    with pytest.raises(ValidationError):
        DeadlineExtensionGranted.model_validate({"months": 3, "ground": "bored"})


def test_a_naive_withdrawal_moment_is_refused() -> None:
    with pytest.raises(ValidationError):
        ApplicationWithdrawn(withdrawn_at=datetime(2026, 6, 12, 12, 0))  # noqa: DTZ001 - the point of the test


def test_a_reassessment_needs_a_reason() -> None:
    with pytest.raises(ValidationError):
        PriorityGroupReassessed.model_validate({"group": "nuisance", "member": False, "reason": ""})


def test_prephase_findings_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PrephaseFindings.model_validate({"negative_language_indication": True, "colour": "red"})
