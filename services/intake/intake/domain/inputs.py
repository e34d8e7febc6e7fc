"""What intake is asked to act on, as typed, validated domain inputs.

Field names follow the input events of the catalogue (ApplicationRegistered,
ApplicationWithdrawn, PriorityGroupReassessed, DeadlineExtensionGranted), so the handler
layer maps them one to one. Malformed values (nationality, V-number, naive datetimes,
months out of range) are refused here, by pydantic, before any rule runs.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from shared.values import CaseId, Nationality, PriorityGroup, VNumber

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
"""A short free text (a reason, a note), as in the events. Never personal detail."""


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ExtensionGround(StrEnum):
    """Why a decision term is extended (Vw 2000 art. 42; Regulation (EU) 2024/1348 art. 35)."""

    COMPLEX_CASE = "complex_case"
    MANY_APPLICATIONS = "many_applications"
    APPLICANT_DELAY = "applicant_delay"
    EXCEPTIONAL = "exceptional"


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Application(_Input):
    """One asylum application as registered (input ApplicationRegistered; key = case id)."""

    v_number: VNumber
    nationality: Nationality
    sex: Sex
    date_of_birth: date
    lodged_at: AwareDatetime
    unaccompanied: bool = False
    nuisance: bool = False
    border_procedure: bool = Field(
        default=False,
        description="Pact only; ignored for an application that intake puts in the backlog",
    )
    previous_case_id: CaseId | None = Field(
        default=None, description="the withdrawn case this application re-lodges, if any"
    )


class Withdrawal(_Input):
    """Input ApplicationWithdrawn."""

    withdrawn_at: AwareDatetime
    reason: ShortText | None = None


class GroupReassessment(_Input):
    """Input PriorityGroupReassessed: a caseworker's finding that a case is or is not in a group."""

    group: PriorityGroup
    member: bool
    reason: ShortText


class ExtensionRequest(_Input):
    """Input DeadlineExtensionGranted."""

    months: int = Field(ge=1, le=12)
    ground: ExtensionGround
    note: ShortText | None = None


class PrephaseFindings(_Input):
    """The prephase results that can move a case between categories (R8)."""

    negative_language_indication: bool = False
    doubt_about_origin: bool = False
