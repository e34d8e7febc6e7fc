"""The applicant's logistics: interpreter languages, COA location, lawyer, court district.

The registration desk sends the whole current picture; intake keeps it with the case and tells
the stages what changed (ApplicantLogisticsChanged). Each stage keeps only its part.
"""

from __future__ import annotations

from intake.domain.case import IntakeCase, _known, _open
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    ApplicantLogisticsRecorded,
    LogisticsPart,
)
from shared.contracts.values import CaseId


def record_logistics(
    case_id: CaseId, case: IntakeCase | None, recorded: ApplicantLogisticsRecorded
) -> tuple[IntakeCase, ApplicantLogisticsChanged | None]:
    """The case with the logistics kept, and the change to publish (None: nothing changed).
    Refused for a case intake does not know, or that is withdrawn or decided."""
    known = _open(_known(case_id, case, "record logistics"), "record logistics")
    before = known.logistics
    changed = tuple(
        part
        for part in LogisticsPart
        if before is None or getattr(before, part.value) != getattr(recorded, part.value)
    )
    if not changed:
        return known, None
    updated = known.model_copy(update={"logistics": recorded})
    fields = recorded.model_dump(include={p.value for p in LogisticsPart})
    return updated, ApplicantLogisticsChanged(**fields, changed=changed)
