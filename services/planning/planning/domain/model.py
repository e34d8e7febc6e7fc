"""Planning's state: the pool of cases, the teams and their capacity, plan cycles, triage.

Plain frozen models, no I/O. Dates are Dutch calendar days.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.events.planning import (
    CaseworkerCapacity,
    FileItem,
    InterpreterPlaces,
    ReleaseStage,
)
from shared.contracts.values import Category, PriorityGroup, Stream

# R7: nuisance first, then unaccompanied minors (AMV), then former safe countries; then the rest.
PRIORITY_ORDER: tuple[PriorityGroup, ...] = (
    PriorityGroup.NUISANCE,
    PriorityGroup.UNACCOMPANIED_MINOR,
    PriorityGroup.FORMER_SAFE_COUNTRY,
)
NO_PRIORITY = len(PRIORITY_ORDER)


def priority_rank(group: PriorityGroup | None) -> int:
    """0 for the most urgent priority group (R7); NO_PRIORITY for a case without one."""
    return PRIORITY_ORDER.index(group) if group is not None else NO_PRIORITY


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PoolStatus(StrEnum):
    POOLED = "pooled"  # waiting to be released
    RELEASED = "released"
    HELD = "held"  # 1F/NV, a long-term obstacle, repeated no-shows: counted apart, kept
    WITHDRAWN = "withdrawn"


class HoldReason(StrEnum):
    EXCLUSION_SIGNAL = "exclusion_signal"  # 1F/NV: only the fact, never its content
    HEARING_OBSTACLE = "hearing_obstacle"
    DECISION_OBSTACLE = "decision_obstacle"
    NO_SHOWS = "no_shows"


class PoolCase(Frozen):
    """What planning knows of a case: enough to choose, order and dispatch it, nothing more."""

    case_id: str
    stream: Stream
    nationality: str
    lodged_on: date
    registered_on: date
    category: Category | None = None
    priority_group: PriorityGroup | None = None
    unaccompanied: bool = False
    # The interpreter languages from intake's logistics, most preferred first (R12 dispatch).
    languages: tuple[str, ...] = ()
    status: PoolStatus = PoolStatus.POOLED
    holds: tuple[HoldReason, ...] = ()
    no_shows: int = 0
    # The release, once made.
    stage: ReleaseStage | None = None
    release_day: date | None = None
    team: str | None = None
    cycle: str | None = None
    cohort: str | None = None
    # Teams that reported they could not place the case at its stage (R12: the next goes
    # elsewhere); cleared by a release to the next stage.
    tried_teams: tuple[str, ...] = ()
    # The file (R12, domain/file.py): the items recorded, whether the prephase completed (before
    # that planning does not judge the file), and the day a release to decision was held back
    # for a missing item (released when the last one comes).
    file_items: tuple[FileItem, ...] = ()
    file_known: bool = False
    decision_held_on: date | None = None
    # Hearing planned the case's hearing (HearingPlanned, until a HearingCancelled): from then
    # on a late language no longer moves the case to another team (domain/dispatch.py).
    hearing_planned: bool = False

    @property
    def rank(self) -> int:
        return priority_rank(self.priority_group)

    @property
    def cohort_category(self) -> Category:
        """The category a case is planned in; a case without one counts as outside."""
        return self.category or Category.OUTSIDE


def order_key(case: PoolCase) -> tuple[int, date, str]:
    """The fixed order in which a day's capacity is handed out: priority group (R7), lodging
    date, case id. Never arrival order: a simulated run gives the same releases every time."""
    return (case.rank, case.lodged_on, case.case_id)


class Team(Frozen):
    """A team and its caseworkers' capacity; its specialisms route cases to it (R12)."""

    team_id: str
    caseworkers: int = Field(ge=0)
    hours_per_week: float = Field(ge=0, description="per caseworker")
    nationalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    unaccompanied_minors: bool = False
    # Hearing's roster (domain/roster.py): where the team hears and its named caseworkers.
    location: str | None = None
    members: tuple[CaseworkerCapacity, ...] = ()


class TeamChange(Frozen):
    """A team as it is from a day within a month on (TeamCapacityChanged, R13)."""

    effective_on: date
    team: Team


class MonthCapacity(Frozen):
    """What planners declared for a month (key 'YYYY-MM'): the teams as at the month's first
    day, and the changes to single teams from a later day of the month on."""

    month: str
    teams: tuple[Team, ...] = ()
    prephase_places: int = 0
    prephase_location_operational: bool = False
    hearing_rates: dict[Category, float] = Field(default_factory=dict)  # overrides the config
    hearing_interpreters: tuple[InterpreterPlaces, ...] = ()
    decision_days: int | None = None  # None: a row kept before planning stored it
    changes: tuple[TeamChange, ...] = ()  # in order of their day

    def teams_on(self, day: date) -> tuple[Team, ...]:
        """The teams on a day: the month's teams with the changes in force by then."""
        teams = {t.team_id: t for t in self.teams}
        for change in self.changes:
            if change.effective_on <= day:
                teams[change.team.team_id] = change.team
        return tuple(teams.values())

    def on(self, day: date) -> MonthCapacity:
        """This month as it stands on a day (its changes up to then applied)."""
        if not self.changes:
            return self
        return self.model_copy(update={"teams": self.teams_on(day), "changes": ()})


class CohortPlan(Frozen):
    """One cohort of a cycle: a category and nationality (or a priority group), how many."""

    cohort_id: str
    rank: int  # priority rank (R7); NO_PRIORITY for category cohorts
    category: Category
    nationality: str
    planned: int = Field(ge=0)
    released: int = Field(default=0, ge=0)
    oldest: date | None = None


class CycleOrigin(StrEnum):
    DRAFTED = "drafted"
    PROPOSED = "proposed"
    CAPACITY_CHANGED = "capacity_changed"
    INFLOW_CHANGED = "inflow_changed"
    UNPLACEABLE = "unplaceable"


class ForecastMade(Frozen):
    """A clearance forecast as planning published it (BacklogForecastMade, R5)."""

    as_of: date
    cleared_on: date | None
    open_at_target: int


class Cycle(Frozen):
    """A plan cycle of about three months (R9): its cohorts and how far releases got."""

    cycle_id: str
    starts_on: date
    ends_on: date
    cohorts: tuple[CohortPlan, ...]
    expected_grant_rate: float
    backlog_days: float = Field(description="caseworker days the backlog got when planned")
    revision: int = 0
    origin: CycleOrigin = CycleOrigin.DRAFTED
    pact_per_day: float | None = None  # the observed Pact inflow the plan was made with
    forecasts: tuple[ForecastMade, ...] = ()  # made with each revision (the monthly figures)
    closed_on: date | None = None  # PlanCycleClosed was published

    @property
    def planned(self) -> int:
        return sum(c.planned for c in self.cohorts)

    @property
    def released(self) -> int:
        return sum(c.released for c in self.cohorts)

    def nationalities(self) -> set[str]:
        return {c.nationality for c in self.cohorts if c.rank == NO_PRIORITY and c.planned}


class TriageState(Frozen):
    """Whether triage applies (R4), and the figures it was last judged on."""

    name: str = "triage"
    active: bool = False
    projected: int = 0
    judged_on: date | None = None
