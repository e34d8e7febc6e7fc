"""The pure rules of prephase: invitations within planning's capacity, the day's outcomes,
no-shows and holds, 1F/NV signals and completion (docs/prephase.md). No I/O here."""

from prephase.domain.invitation import (
    Invited,
    cancellation_events,
    invitation_events,
    invite,
    window,
)
from prephase.domain.model import (
    DEFAULT_CONFIG,
    DEFAULT_REQUIREMENTS,
    NO_CATEGORY,
    DayLoad,
    Exclusion,
    Findings,
    Invitation,
    LocationDay,
    Logistics,
    PrephaseCase,
    PrephaseConfig,
    Requirement,
    Status,
    day_row_key,
)
from prephase.domain.rules import RefusalKind, missing, waiver_missing

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_REQUIREMENTS",
    "NO_CATEGORY",
    "DayLoad",
    "Exclusion",
    "Findings",
    "Invitation",
    "Invited",
    "LocationDay",
    "Logistics",
    "PrephaseCase",
    "PrephaseConfig",
    "RefusalKind",
    "Requirement",
    "Status",
    "cancellation_events",
    "day_row_key",
    "invitation_events",
    "invite",
    "missing",
    "waiver_missing",
    "window",
]
