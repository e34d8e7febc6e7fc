"""Value types that the events of several stages share.

Closed sets are enums, so a front-end that sends ``"granted"`` instead of ``"grant"``
is told at once. Generic identity types (V-number, nationality, case id) live in
shared.contracts.values; what is here only makes sense inside event payloads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.values import Stream


class Part(BaseModel):
    """A structured part of an event payload (a list item, a nested record): strict like events."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sex(StrEnum):
    """Sex as registered; country policy can depend on it (e.g. 'Afghan women' in category B)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Procedure(StrEnum):
    """The procedure a case follows; it sets the legal time limit.

    National procedures (Vw 2000 art. 42) apply to the backlog stream, the procedures
    of the Asylum Procedure Regulation (EU) 2024/1348 to the Pact stream. An extension
    of the decision term is not a procedure: it changes the deadline (LegalDeadlineChanged).
    """

    NATIONAL_REGULAR = "national_regular"
    PACT_ADMISSIBILITY = "pact_admissibility"
    PACT_ACCELERATED = "pact_accelerated"
    PACT_REGULAR = "pact_regular"
    PACT_BORDER = "pact_border"

    @property
    def stream(self) -> Stream:
        return Stream.PACT if self.value.startswith("pact_") else Stream.BACKLOG


class LegalGround(StrEnum):
    """Ground of an asylum grant, Vw 2000 art. 29(1).

    ``a``: Convention refugee (a-grond); ``b``: subsidiary protection (b-grond).
    The former c and d grounds ended in 2014 and cannot be written.
    """

    A = "a"
    B = "b"


class DecisionOutcome(StrEnum):
    """What a decision (besluit) on an asylum application says."""

    GRANT = "grant"
    REJECTION = "rejection"
    INADMISSIBLE = "inadmissible"


class RejectionKind(StrEnum):
    """How a rejection is qualified; it sets the appeal and departure periods."""

    UNFOUNDED = "unfounded"
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"


class ObstacleKind(StrEnum):
    """A long-term obstacle that puts a case on hold: tracked, not lost.

    Medical kinds reveal health data (a GDPR special category): these values never
    leave the IND, no partner message carries an obstacle.
    """

    UNFIT_TO_BE_HEARD = "unfit_to_be_heard"
    AWAITING_MEDICAL_ADVICE = "awaiting_medical_advice"
    INVESTIGATION_ABROAD = "investigation_abroad"
    DEPARTURE_MORATORIUM = "departure_moratorium"
    OTHER = "other"


def _iso_639_3(code: str) -> str:
    if pycountry.languages.get(alpha_3=code) is None:
        raise ValueError(f"{code!r} is not an ISO 639-3 language code")
    return code


LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{3}$"),
    AfterValidator(_iso_639_3),
    # Not an enum, unlike Nationality: ISO 639-3 has some 7,900 codes, too many to inline in
    # every schema that names a language; the description says what the pattern cannot.
    Field(
        description="ISO 639-3 language code; a well-formed code that ISO 639-3 lacks is refused"
    ),
]
"""ISO 639-3 language code, lower case (e.g. 'ara', 'prs' for Dari, 'tir' for Tigrinya)."""

LocationId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"), Field(description="location code")
]
"""Code of a location: an IND office, the prephase location or a COA reception location."""

TeamId = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"), Field(description="team code")
]
"""Code of an IND team of caseworkers."""

PlanId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,39}$")]
"""Id of a plan cycle or a cohort, chosen by the planner ('cycle-2026-4', 'cohort-2026-4-01')."""

# The pattern (some non-space character) tells JSON Schema what the strip before min_length does.
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=r"\S")
]
"""A short free text (reasons, notes). Never personal detail: this text travels on topics."""
