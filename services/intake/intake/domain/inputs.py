"""What intake is asked to act on.

The inputs are the catalogue's input events themselves (``shared.events.intake``): the handler
layer decodes a record and passes its data to a decision function, with no mapping in between.
Malformed values (nationality, V-number, naive datetimes, months out of range, unknown fields)
are refused there, by pydantic, before any rule runs.

=============================  ==========================================
decision function              input (event data)
=============================  ==========================================
``register``                   ``ApplicationRegistered``
``withdraw``                   ``ApplicationWithdrawn``
``reassess_group``             ``PriorityGroupReassessed``
``extend_deadline``            ``DeadlineExtensionGranted``
``apply_policy``               ``CountryPolicy.from_event(CountryPolicyPublished)``
``apply_prephase_findings``    ``PrephaseFindings`` (below; no event of its own)
=============================  ==========================================
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.events.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyPublished,
    DeadlineExtensionGranted,
    PriorityGroupReassessed,
)

__all__ = [
    "ApplicationRegistered",
    "ApplicationWithdrawn",
    "CountryPolicyPublished",
    "DeadlineExtensionGranted",
    "PrephaseFindings",
    "PriorityGroupReassessed",
]


class PrephaseFindings(BaseModel):
    """The prephase results that can move a case between categories (R8).

    Not an event of its own: the handler layer derives them from the prephase's events
    (LanguageIndicationCompleted, OriginInvestigationCompleted) for the case.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    negative_language_indication: bool = False
    doubt_about_origin: bool = False
