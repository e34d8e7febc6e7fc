"""The applicant's logistics: kept with the case, a change is an event, only for open cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from intake.domain import IntakeCase
from intake.domain.logistics import record_logistics
from intake.domain.refusals import Refusal
from shared.contracts.events.intake import (
    ApplicantLogisticsRecorded,
    CourtDistrict,
    LogisticsPart,
)


@pytest.fixture
def registered_case(registered: Callable[..., IntakeCase]) -> IntakeCase:
    return registered()


LOGISTICS: dict[str, Any] = {
    "interpreter_languages": ("prs", "fas"),
    "reception_location": "coa-budel",
    "lawyer": None,
    "court_district": CourtDistrict.OOST_BRABANT,
}


def test_the_first_logistics_change_every_part(registered_case: IntakeCase) -> None:
    case, changed = record_logistics(
        registered_case.case_id, registered_case, ApplicantLogisticsRecorded(**LOGISTICS)
    )
    assert changed is not None
    assert changed.changed == tuple(LogisticsPart)
    assert changed.interpreter_languages == ("prs", "fas")
    assert case.logistics == ApplicantLogisticsRecorded(**LOGISTICS)


def test_a_change_names_its_parts_and_the_same_picture_again_is_no_event(
    registered_case: IntakeCase,
) -> None:
    first, _ = record_logistics(
        registered_case.case_id, registered_case, ApplicantLogisticsRecorded(**LOGISTICS)
    )
    moved = ApplicantLogisticsRecorded(**(LOGISTICS | {"reception_location": "coa-ter-apel"}))
    after, changed = record_logistics(first.case_id, first, moved)
    assert changed is not None
    assert changed.changed == (LogisticsPart.RECEPTION_LOCATION,)
    assert record_logistics(after.case_id, after, moved) == (after, None)


def test_logistics_for_an_unknown_case_are_refused() -> None:
    with pytest.raises(Refusal, match="no case case-x is known"):
        record_logistics("case-x", None, ApplicantLogisticsRecorded(**LOGISTICS))
