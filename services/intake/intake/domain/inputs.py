"""What intake is asked to act on.

The inputs are the catalogue's input events themselves (``shared.contracts.events.intake``): the
handler
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
``suspend_deadline``           ``DeadlineSuspensionGranted``
``apply_policy``               ``CountryPolicy.from_event(CountryPolicyPublished)``
``apply_prephase_findings``    ``prephase_findings(...)`` (below; no event of its own)
=============================  ==========================================
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.contracts.events.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyPublished,
    DeadlineExtensionGranted,
    DeadlineSuspensionGranted,
    PriorityGroupReassessed,
)
from shared.contracts.events.prephase import LanguageIndicationResult, OriginFinding

__all__ = [
    "ApplicationRegistered",
    "ApplicationWithdrawn",
    "CountryPolicyPublished",
    "DeadlineExtensionGranted",
    "DeadlineSuspensionGranted",
    "LanguageIndicationResult",
    "OriginFinding",
    "PrephaseFindings",
    "PriorityGroupReassessed",
    "prephase_findings",
]


class PrephaseFindings(BaseModel):
    """The prephase results that can move a case between categories (R8).

    Not an event of its own: the handler layer derives them from the prephase's events
    (LanguageIndicationCompleted, OriginInvestigationCompleted, PrephaseCompleted) with
    ``prephase_findings``, which holds the reading of their results.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    negative_language_indication: bool = False
    doubt_about_origin: bool = False


def prephase_findings(
    language: LanguageIndicationResult | None = None, origin: OriginFinding | None = None
) -> PrephaseFindings:
    """What the prephase's results mean for R8; None: that result is not part of this input.

    A B grant rests on *establishing* group membership, so the origin counts as doubtful unless
    the investigation found it plausible: an inconclusive investigation did not establish it.
    The language indication is only negative when it contradicts the stated origin
    (inconsistent): an inconclusive one is no finding against the applicant by itself; doubt
    it leaves about the origin is the origin investigation's to record.
    """
    return PrephaseFindings(
        negative_language_indication=language is LanguageIndicationResult.INCONSISTENT,
        doubt_about_origin=origin in (OriginFinding.DOUBTFUL, OriginFinding.INCONCLUSIVE),
    )
