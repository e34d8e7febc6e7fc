"""The pure rules of intake: stream (R1, R3), category, priority groups (R7), legal deadlines.

No I/O here: plain functions over typed, frozen models. The inputs are the catalogue's input
events (``shared.events.intake``; re-exported here): the handler layer passes an event's data
to a decision function, stores ``Decision.case`` and publishes each of ``Decision.outcomes`` as
``outcome.to_event()`` keyed by ``outcome.case_id``; a ``Refusal`` goes to the rejection topic
with its reason. A ``CountryPolicyPublished`` becomes a ``CountryPolicy`` with
``CountryPolicy.from_event``. The enums (``Sex``, ``Procedure``, ``ExtensionGround``,
``DeadlineChangeReason``, ``RecategorisationReason``) are the catalogue's too. See docs/intake.md.
"""

from intake.domain.case import (
    DEFAULT_CONFIG,
    CaseStatus,
    DeadlineChanged,
    Decision,
    GroupJoined,
    GroupLeft,
    IntakeCase,
    IntakeConfig,
    Outcome,
    Recategorised,
    Registered,
    Withdrawn,
    apply_policy,
    apply_prephase_findings,
    extend_deadline,
    mark_decided,
    mark_heard,
    reassess_group,
    register,
    withdraw,
)
from intake.domain.dates import AMSTERDAM, NaiveDateTimeError, add_months, local_date
from intake.domain.deadlines import (
    DEFAULT_TERMS,
    DeadlineTerms,
    LegalDeadline,
    ProcedureTerms,
    TermStart,
    TermUnit,
    choose_procedure,
    extend,
    legal_deadline,
    load_terms,
)
from intake.domain.inputs import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyPublished,
    DeadlineExtensionGranted,
    PrephaseFindings,
    PriorityGroupReassessed,
)
from intake.domain.policy import (
    CountryPolicy,
    NationalityMix,
    PolicyBook,
    PolicyFileError,
    categorise,
    category_shares,
    default_backlog_mix,
    default_policy,
    load_policy,
    parse_policy,
)
from intake.domain.priority import PRECEDENCE, handling_group, is_minor_on
from intake.domain.refusals import Refusal, RefusalKind
from intake.domain.streams import DEFAULT_CUTOFF, CutOff, PriorApplication, assign_stream
from shared.events.common import Procedure, Sex
from shared.events.intake import (
    CountryPolicyRule,
    DeadlineChangeReason,
    ExtensionGround,
    RecategorisationReason,
)

__all__ = [
    "AMSTERDAM",
    "DEFAULT_CONFIG",
    "DEFAULT_CUTOFF",
    "DEFAULT_TERMS",
    "PRECEDENCE",
    "ApplicationRegistered",
    "ApplicationWithdrawn",
    "CaseStatus",
    "CountryPolicy",
    "CountryPolicyPublished",
    "CountryPolicyRule",
    "CutOff",
    "DeadlineChangeReason",
    "DeadlineChanged",
    "DeadlineExtensionGranted",
    "DeadlineTerms",
    "Decision",
    "ExtensionGround",
    "GroupJoined",
    "GroupLeft",
    "IntakeCase",
    "IntakeConfig",
    "LegalDeadline",
    "NaiveDateTimeError",
    "NationalityMix",
    "Outcome",
    "PolicyBook",
    "PolicyFileError",
    "PrephaseFindings",
    "PriorApplication",
    "PriorityGroupReassessed",
    "Procedure",
    "ProcedureTerms",
    "RecategorisationReason",
    "Recategorised",
    "Refusal",
    "RefusalKind",
    "Registered",
    "Sex",
    "TermStart",
    "TermUnit",
    "Withdrawn",
    "add_months",
    "apply_policy",
    "apply_prephase_findings",
    "assign_stream",
    "categorise",
    "category_shares",
    "choose_procedure",
    "default_backlog_mix",
    "default_policy",
    "extend",
    "extend_deadline",
    "handling_group",
    "is_minor_on",
    "legal_deadline",
    "load_policy",
    "load_terms",
    "local_date",
    "mark_decided",
    "mark_heard",
    "parse_policy",
    "reassess_group",
    "register",
    "withdraw",
]
