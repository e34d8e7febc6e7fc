"""Hearing's state of one case, and the settings its rules read (a frozen config)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.common import LanguageCode, LocationId, ObstacleKind, TeamId
from shared.contracts.events.hearing import (
    CaseworkerId,
    HearingFormat,
    HearingKind,
    HearingRoom,
    HearingRoute,
    LawyerId,
)
from shared.contracts.events.planning import ReleaseStage, Specialism
from shared.contracts.events.prephase import LanguageIndicationResult, OriginFinding
from shared.contracts.values import Category, PriorityGroup, Stream


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Status(StrEnum):
    """Where a case is in the hearing stage."""

    GATHERING = "gathering"  # registration, release or prephase completion still to come
    WAITING_SLOT = "waiting_slot"  # queued for the next allocation run
    WRITTEN_PLANNED = "written_planned"  # a written hearing, questions not sent yet
    WRITTEN_SENT = "written_sent"
    PLANNED = "planned"  # an oral slot is booked
    HEARD = "heard"  # held; the review (corrections and additions) is open
    ON_HOLD = "on_hold"
    READY = "ready"  # ready for decision
    WITHDRAWN = "withdrawn"


class Mode(StrEnum):
    """How the case is heard, from its plan."""

    WAIVED = "waived"
    ORAL = "oral"
    WRITTEN = "written"


class PrephaseResult(Frozen):
    """What hearing keeps of a prephase completion: classified findings only."""

    completed_on: date
    waiver_eligible: bool = False  # prephase's fact: category B, group membership established
    language_indication: LanguageIndicationResult | None  # not every category requires one
    origin: OriginFinding | None
    exclusion_signal: bool


class Plan(Frozen):
    """The hearing a case gets, from its category, priority group and prephase results."""

    mode: Mode
    format: HearingFormat | None  # None: waived or written
    room: HearingRoom = HearingRoom.STANDARD


class Slot(Frozen):
    """A booked oral hearing: who hears the case, when, and the review day after it."""

    day: date
    starts_at: datetime
    caseworker: CaseworkerId
    team: TeamId
    location: LocationId
    review_on: date
    kind: HearingKind
    format: HearingFormat
    interpreter_language: LanguageCode | None
    rate_class: str  # what the slot counts against in the caseworker's daily rate


class Hold(Frozen):
    """A long-term obstacle: tracked with its reason and age, lifted only by an event."""

    obstacle: ObstacleKind
    since: date
    review_on: date
    resume_to: Status  # where the case goes when the obstacle clears


class HearingCase(Frozen):
    case_id: str
    stream: Stream | None = None
    status: Status = Status.GATHERING
    # From intake.
    registered: bool = False
    category: Category | None = None
    priority_group: PriorityGroup | None = None
    lodged_at: datetime | None = None
    # From planning's release(s).
    team: TeamId | None = None
    specialisms: tuple[Specialism, ...] = ()
    release_day: date | None = None
    released_to: ReleaseStage | None = None
    # From prephase.
    prephase: PrephaseResult | None = None
    language: LanguageCode | None = None
    # From intake's logistics: the interpreter languages (most preferred first), used while no
    # language indication names one (a Pact case on the direct route has none).
    interpreter_languages: tuple[LanguageCode, ...] = ()
    # A 1F/NV signal awaits the specialised unit's screening: the fact only, never its content.
    exclusion_hold: bool = False
    exclusion_since: date | None = None  # when the hold began (the hold gauges' age)
    # Hearing's own.
    lawyer: LawyerId | None = None
    plan: Plan | None = None
    slot: Slot | None = None
    slot_to_free: Slot | None = None  # a cancelled slot whose capacity the next run gives back
    unplaced_reported: bool = False  # planning was told no slot fits (StageCouldNotPlace)
    written_sent_on: date | None = None
    additional_pending: bool = False  # the next oral slot is an additional hearing
    hearings_held: int = 0
    review_on: date | None = None
    review_due: date | None = None  # the review lapses after this day
    hold: Hold | None = None
    queued_on: date | None = None  # the day the case entered hearing's queue (prephase done)
    ready_at: datetime | None = None
    waived: bool = False
    # Measures, observed once by the timer after the case is ready (then `measured`).
    oral_minutes: tuple[tuple[HearingKind, int], ...] = ()
    written_days: int | None = None
    measured: bool = True


class HearingConfig(Frozen):
    """Hearing's rules as settings (docs/configuration.md, CASEFLOW_HEARING_*)."""

    pact_via_prephase: bool = Field(
        default=False, description="Pact cases wait for a prephase completion too"
    )
    daily_rates: dict[str, int] = Field(
        default_factory=lambda: {
            "A": 2,
            "B": 1,
            "C": 1,
            "D": 1,
            "outside": 1,
            "pact": 1,
            "priority": 1,
        },
        description="hearings a caseworker holds a day, per category ('pact', 'priority' too)",
    )
    written_categories: frozenset[str] = Field(
        default=frozenset(), description="categories heard in writing where accepted"
    )
    priority_formats: dict[PriorityGroup, HearingFormat] = Field(
        default_factory=lambda: {g: HearingFormat.FULL for g in PriorityGroup}
    )
    pact_format: HearingFormat = HearingFormat.FULL
    lead_working_days: int = Field(default=1, ge=0, description="first slot this many days on")
    horizon_working_days: int = Field(default=10, ge=1, description="days an allocation looks")
    lawyer_grouping_days: int = Field(
        default=2,
        ge=0,
        description="how many working days later a slot may be to group a "
        "lawyer's reviews on one day",
    )
    review_term_working_days: int = Field(
        default=1, ge=0, description="working days after the review day before it lapses"
    )
    day_starts: time = time(9, 0)
    day_hours: int = Field(default=8, ge=1)


def route_of(case: HearingCase, config: HearingConfig) -> HearingRoute:
    """Backlog cases always come through the prephase; Pact cases when the release says so or
    the setting routes them there."""
    if (
        case.stream is Stream.BACKLOG
        or config.pact_via_prephase
        or case.released_to is ReleaseStage.PREPHASE
    ):
        return HearingRoute.VIA_PREPHASE
    return HearingRoute.DIRECT


def rate_class(case: HearingCase) -> str:
    """What a case's hearing counts against in a caseworker's daily rate."""
    if case.priority_group is not None:
        return "priority"
    if case.category is not None:
        return case.category.value
    return "pact"


NEVER = datetime(9999, 1, 1, tzinfo=UTC)

PRIORITY_RANK = {
    PriorityGroup.NUISANCE: 0,
    PriorityGroup.UNACCOMPANIED_MINOR: 1,
    PriorityGroup.FORMER_SAFE_COUNTRY: 2,
}


def queue_order(case: HearingCase) -> tuple[int, datetime, str]:
    """The fixed order capacity is handed out in: priority (R7; Pact before backlog, R2),
    lodging date, case id. Never arrival order."""
    if case.priority_group is not None:
        rank = PRIORITY_RANK[case.priority_group]
    elif case.stream is Stream.PACT:
        rank = 3
    else:
        rank = 4
    return (rank, case.lodged_at or NEVER, case.case_id)
