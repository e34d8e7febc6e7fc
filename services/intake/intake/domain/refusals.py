"""Refusals: input that intake will not act on, with a plain-English reason.

``Refusal`` is a ``shared.contracts.rejections.Refused``, so the handler layer can let it
propagate and
the record lands on the rejection topic with its reason (nothing lost). ``kind`` is a stable,
machine-readable name for tests, metrics and the sender: it reaches the sender as the
rejection message's ``refusal_kind``, so a value, once published, is never renamed.
"""

from __future__ import annotations

from enum import StrEnum

from shared.contracts.rejections import Refused


class RefusalKind(StrEnum):
    LODGED_IN_FUTURE = "lodged_in_future"
    REGISTERED_IN_FUTURE = "registered_in_future"
    REGISTERED_AFTER_LODGING = "registered_after_lodging"
    BORN_AFTER_LODGING = "born_after_lodging"
    CASE_ID_CONFLICT = "case_id_conflict"
    SECOND_OPEN_APPLICATION = "second_open_application"
    UNKNOWN_PREVIOUS_CASE = "unknown_previous_case"
    PREVIOUS_CASE_NOT_WITHDRAWN = "previous_case_not_withdrawn"
    PREVIOUS_CASE_NOT_MOST_RECENT = "previous_case_not_most_recent"
    BORDER_PROCEDURE_WITHOUT_REGISTRATION = "border_procedure_without_registration"
    NO_POLICY_IN_EFFECT = "no_policy_in_effect"
    POLICY_VERSION_CONFLICT = "policy_version_conflict"
    UNKNOWN_CASE = "unknown_case"
    CASE_DECIDED = "case_decided"
    CASE_WITHDRAWN = "case_withdrawn"
    WITHDRAWN_BEFORE_LODGING = "withdrawn_before_lodging"
    WITHDRAWN_IN_FUTURE = "withdrawn_in_future"
    NOT_IN_GROUP = "not_in_group"
    NO_EXTENSION_FOR_PROCEDURE = "no_extension_for_procedure"
    GROUND_NOT_ALLOWED = "ground_not_allowed"
    EXTENSION_BEYOND_MAXIMUM = "extension_beyond_maximum"
    DEADLINE_ALREADY_PASSED = "deadline_already_passed"
    BASIS_TOO_LONG = "basis_too_long"


class Refusal(Refused):
    """A business refusal of one input, with the reason in plain English."""

    def __init__(self, kind: RefusalKind, reason: str) -> None:
        super().__init__(reason, kind=kind.value)
        self.kind: RefusalKind = kind

    def __repr__(self) -> str:
        return f"Refusal({self.kind.value!r}, {self.reason!r})"
