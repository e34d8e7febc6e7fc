"""Value types shared by every stage. Illegal values are refused at the edge, by pydantic."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import pycountry
from pydantic import AfterValidator, Field, StringConstraints


class Stream(StrEnum):
    """The two procedure streams (R1). They never share a topic."""

    BACKLOG = "backlog"
    PACT = "pact"


class Category(StrEnum):
    """Backlog category under country policy (docs/intake.md; R7, R8)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    OUTSIDE = "outside"


class PriorityGroup(StrEnum):
    """Priority groups handled before the categories (R7)."""

    UNACCOMPANIED_MINOR = "unaccompanied_minor"
    NUISANCE = "nuisance"
    FORMER_SAFE_COUNTRY = "former_safe_country"


# Codes that travel documents use beyond ISO 3166-1 (ICAO Doc 9303): stateless and unspecified.
NON_ISO_NATIONALITIES = {"XXA": "Stateless person", "XXX": "Unspecified nationality"}


NATIONALITY_CODES: tuple[str, ...] = tuple(
    sorted({country.alpha_3 for country in pycountry.countries} | set(NON_ISO_NATIONALITIES))
)
"""Every nationality code accepted: the published JSON Schemas list exactly these (an enum),
so a front-end that validates against them is refused what intake refuses."""


def _known_alpha3(code: str) -> str:
    if code in NON_ISO_NATIONALITIES or pycountry.countries.get(alpha_3=code) is not None:
        return code
    raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 country code")


Nationality = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_known_alpha3),
    Field(
        description="ISO 3166-1 alpha-3 country code; XXA: stateless, XXX: unspecified",
        json_schema_extra={"enum": list(NATIONALITY_CODES)},
    ),
]
"""ISO 3166-1 alpha-3 code (upper case), or XXA (stateless) / XXX (unspecified)."""

# [0-9], not \d: Python's \d also matches other scripts' digits, JSON Schema's does not.
VNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{10}$"),
    Field(description="V-number (vreemdelingennummer)"),
]
"""The applicant's V-number (vreemdelingennummer): ten digits."""

CaseId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
"""A case (one application) id; the Kafka key and the CloudEvents subject."""

Actor = Annotated[
    str,
    StringConstraints(
        pattern=r"^(caseworker|decider|senior-decider|planner|policy-officer|system|partner):"
        r"[A-Za-z0-9._-]{1,64}$"
    ),
]
"""Who acted: one role and a pseudonymous id, e.g. 'caseworker:cw-1042', 'decider:dc-0007' or
'system:intake'. Deciders draft and issue decisions; senior deciders also sit in the hard-case
team (knopen-doorhak-team).

The roles that may publish each message are in shared.contracts.events.catalogue."""
