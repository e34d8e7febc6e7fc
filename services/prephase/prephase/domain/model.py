"""What prephase knows about a case and a location day, and what it is configured with.

Frozen models, stored as JSON by the kit. Personal data kept to what the stage plans with: no
V-number (chain-notify has it from intake), no nationality, nothing of a 1F/NV signal beyond
its existence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.contracts.events.catalogue import location_day_key
from shared.contracts.events.prephase import (
    HandedInDocument,
    LanguageIndicationResult,
    OriginFinding,
)
from shared.contracts.values import CaseId, Category, PriorityGroup, Stream


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Requirement(StrEnum):
    """An outcome of the prephase day that completion may require."""

    ATTENDANCE = "attendance"
    DOCUMENTS = "documents"
    LANGUAGE_INDICATION = "language_indication"
    ORIGIN_INVESTIGATION = "origin_investigation"
    WRITTEN_ACCOUNT = "written_account"
    RETURN_INFORMATION = "return_information"


NO_CATEGORY = "none"
"""The requirements key of a case handled in a priority group (no category, R7)."""

_BASE = frozenset({Requirement.ATTENDANCE, Requirement.DOCUMENTS})
DEFAULT_REQUIREMENTS: Mapping[str, frozenset[Requirement]] = {
    # A: a short targeted hearing follows; it needs the account and the nationality confirmed.
    Category.A.value: _BASE | {Requirement.LANGUAGE_INDICATION, Requirement.WRITTEN_ACCOUNT},
    # B: group membership (language, documents or origin, no 1F/NV) may make a hearing needless.
    Category.B.value: _BASE | {Requirement.LANGUAGE_INDICATION, Requirement.ORIGIN_INVESTIGATION},
    # C: usually a rejection: the account, and return information given on the day.
    Category.C.value: _BASE | {Requirement.WRITTEN_ACCOUNT, Requirement.RETURN_INFORMATION},
    # D and small nationalities: individual assessment, everything the day yields.
    Category.D.value: _BASE
    | {
        Requirement.LANGUAGE_INDICATION,
        Requirement.ORIGIN_INVESTIGATION,
        Requirement.WRITTEN_ACCOUNT,
    },
    Category.OUTSIDE.value: _BASE | {Requirement.LANGUAGE_INDICATION, Requirement.WRITTEN_ACCOUNT},
    NO_CATEGORY: _BASE | {Requirement.WRITTEN_ACCOUNT},
}


class PrephaseConfig(_Frozen):
    streams: frozenset[Stream] = Field(
        default=frozenset({Stream.BACKLOG}),
        description="streams whose cases go through prephase (Pact: only when routed here)",
    )
    lead_working_days: int = Field(
        default=5, ge=1, description="working days between the invitation and the earliest day"
    )
    horizon_working_days: int = Field(
        default=20, ge=1, description="working days ahead within which a day is searched"
    )
    max_reinvitations: int = Field(
        default=2, ge=0, description="re-invitations after counted no-shows before a hold"
    )
    requirements: Mapping[str, frozenset[Requirement]] = Field(
        default_factory=lambda: dict(DEFAULT_REQUIREMENTS)
    )

    def required(self, category: Category | None) -> frozenset[Requirement]:
        key = category.value if category is not None else NO_CATEGORY
        return self.requirements.get(key, _BASE)


DEFAULT_CONFIG = PrephaseConfig()


class Status(StrEnum):
    REGISTERED = "registered"  # known from intake, not released to prephase
    WAITING = "waiting"  # released: waiting for a location day
    INVITED = "invited"
    ATTENDED = "attended"
    ON_HOLD = "on_hold"  # too many no-shows: not invited until released anew
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Exclusion(StrEnum):
    """Where a 1F/NV signal stands; its content is never here."""

    NONE = "none"
    PENDING = "pending"  # signalled, the specialised unit has not concluded: on hold
    CLEARED = "cleared"  # no indications: hold lifted
    CONFIRMED = "confirmed"  # indications confirmed: the hold stays


class Logistics(_Frozen):
    """The parts of the applicant's logistics prephase plans with."""

    interpreter_languages: tuple[str, ...] = ()
    reception_location: str | None = None


class Invitation(_Frozen):
    location: str
    day: date
    interpreter_language: str | None
    return_information: bool
    transport_from: str | None  # the COA location; None: no transport requested
    guardian: bool  # an AMV case: the guardian was told

    @property
    def location_day(self) -> str:
        return location_day_key(self.location, self.day)


class Findings(_Frozen):
    """What the day yielded, classified; the content stays in the case file."""

    documents: tuple[HandedInDocument, ...] | None = None  # None: not recorded; (): none
    original_identity_document: bool = False
    language: LanguageIndicationResult | None = None
    origin: OriginFinding | None = None
    written_account: bool = False
    return_information: bool = False


PRIORITY_RANK: Mapping[PriorityGroup | None, int] = {
    PriorityGroup.NUISANCE: 0,
    PriorityGroup.UNACCOMPANIED_MINOR: 1,
    PriorityGroup.FORMER_SAFE_COUNTRY: 2,
    None: 3,
}


class PrephaseCase(_Frozen):
    case_id: CaseId
    stream: Stream
    category: Category | None
    priority_group: PriorityGroup | None
    groups: frozenset[PriorityGroup] = frozenset()
    lodged_at: AwareDatetime
    status: Status = Status.REGISTERED
    release_day: date | None = None
    logistics: Logistics | None = None
    invitation: Invitation | None = None  # the current or last one
    invitations: int = 0
    no_shows: int = 0  # those that count towards the hold
    cancelled_days: tuple[date, ...] = ()
    not_scheduled_reported: bool = False  # planning was told no day fits (StageCouldNotPlace)
    logistics_missing_reported: bool = False  # planning was told the logistics are missing
    findings: Findings = Findings()
    exclusion: Exclusion = Exclusion.NONE

    @property
    def unaccompanied(self) -> bool:
        return PriorityGroup.UNACCOMPANIED_MINOR in self.groups

    @property
    def hold(self) -> str | None:
        """Why the case is on hold (visible and counted), or None."""
        if self.status is Status.ON_HOLD:
            return "no_shows"
        if self.exclusion in (Exclusion.PENDING, Exclusion.CONFIRMED):
            return "exclusion_screening"
        return None

    @property
    def placement_report_due(self) -> bool:
        """Whether a pass that finds no day for this case still owes planning its one-time
        StageCouldNotPlace (logistics missing, or no day fits); stored as a column, so that a
        pass with no free place anywhere loads only these cases, not every waiting one."""
        if self.logistics is None:
            return not self.logistics_missing_reported
        return not self.not_scheduled_reported

    @property
    def booked_day(self) -> str | None:
        """The location day this case holds a place on, for counting a day's load."""
        if self.status is Status.INVITED and self.invitation is not None:
            return self.invitation.location_day
        return None

    @property
    def booked_language(self) -> str | None:
        if self.booked_day is None or self.invitation is None:
            return None
        return self.invitation.interpreter_language

    def queue_order(self) -> tuple[date, int, datetime, str]:
        """The fixed order in which waiting cases get days: planning's release order (release
        day, priority group, lodging moment, case id), never arrival order."""
        return (
            self.release_day or date.max,
            PRIORITY_RANK[self.priority_group],
            self.lodged_at,
            self.case_id,
        )


def day_row_key(stream: Stream, location_day: str) -> str:
    """A location day's capacity is per stream (planning splits it, R2)."""
    return f"{stream.value}/{location_day}"


class LocationDay(_Frozen):
    """Planning's capacity of one location on one day for one stream."""

    key: str
    stream: Stream
    location: str
    day: date
    places: int
    interpreters: Mapping[str, int] = Field(default_factory=dict)
    return_information: bool = False

    @property
    def location_day(self) -> str:
        return location_day_key(self.location, self.day)


class DayLoad(_Frozen):
    """How much of a location day is booked: places, and interpreter places per language."""

    places: int = 0
    interpreters: Mapping[str, int] = Field(default_factory=dict)

    def add(self, language: str | None) -> DayLoad:
        interpreters = dict(self.interpreters)
        if language is not None:
            interpreters[language] = interpreters.get(language, 0) + 1
        return DayLoad(places=self.places + 1, interpreters=interpreters)
