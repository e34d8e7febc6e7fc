"""Planning: plan cycles, cohorts, capacity and triage (R2, R4, R9-R13).

Plan-level messages are about a plan object, not a case: they are keyed by the plan
cycle id, the capacity month or the constant 'triage', and travel on their own topics
(``ind.<stream>.planning.plan.v1``; capacity declarations on the stream-less
``ind.planning.input.v1``). Per-case planning events are keyed by case id on
``ind.<stream>.planning.events.v1``. The key identifies the object; payloads do not
repeat it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import (
    LanguageCode,
    LocationId,
    Part,
    PlanId,
    ShortText,
    TeamId,
)
from shared.contracts.values import Category, Nationality

PACT_ANNUAL_PLANNING_ASSUMPTION = 25_000
"""R4: planning assumes at most this many first Pact applications a year."""


class CohortSelection(Part):
    """One line of a plan cycle: a category, optionally narrowed to nationalities (R9)."""

    category: Category
    nationalities: tuple[Nationality, ...] = Field(
        default=(), description="empty: every nationality of the category"
    )
    max_cases: int = Field(ge=1, description="most cases of this selection to take up in the cycle")


class Specialism(StrEnum):
    """What a case was matched on when assigned to a team (R12, intelligent planning)."""

    NATIONALITY = "nationality"
    LANGUAGE = "language"
    CASE_TYPE = "case_type"
    UNACCOMPANIED_MINOR = "unaccompanied_minor"


StaffCode = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"), Field(description="staff code")
]
"""Staff code of an IND caseworker ('cw-1042'); the same code as hearing's CaseworkerId."""


class CaseworkerCapacity(Part):
    """One named caseworker of a team: who hears which cases (R12) and for how many hours."""

    caseworker: StaffCode
    specialisms: tuple[Specialism, ...] = Field(
        default=(), description="the caseworker hears cases matched on these (and on none)"
    )
    hours_per_week: float | None = Field(
        default=None, ge=0, le=60, description="absent: the team's hours per caseworker"
    )


class TeamCapacity(Part):
    """One team in a capacity declaration: its caseworkers, their hours and specialisms (R12)."""

    team: TeamId
    caseworkers: int = Field(ge=0)
    hours_per_week: float = Field(ge=0, le=60, description="per caseworker")
    nationalities: tuple[Nationality, ...] = Field(
        default=(), description="nationalities the team specialises in"
    )
    languages: tuple[LanguageCode, ...] = Field(
        default=(), description="languages the team's caseworkers hear in (R12)"
    )
    unaccompanied_minors: bool = Field(default=False, description="an AMV team (R7)")
    location: LocationId | None = Field(
        default=None, description="where the team hears cases; required with named caseworkers"
    )
    members: tuple[CaseworkerCapacity, ...] = Field(
        default=(),
        description="the named caseworkers (as many as `caseworkers`); hearing books slots "
        "with them. Empty: the team is counted, not rostered",
    )


class CategoryRate(Part):
    """Hearings a caseworker finishes per day in a category (A: 2 by default)."""

    category: Category
    per_day: float = Field(ge=0, description="must be above 0; a zero rate is refused")


class PlannedCohort(Part):
    """A cohort of a plan cycle as planning chose it: its id and how many cases."""

    cohort: PlanId
    category: Category
    nationality: Nationality | None = Field(
        default=None, description="absent: every nationality of the category"
    )
    priority: bool = Field(default=False, description="a priority group's cohort (R7)")
    cases: int = Field(ge=0)


class WeeklyDecisions(Part):
    """Decisions expected in a week (starting Monday) in a category: the courts' forecast."""

    week_of: date
    category: Category
    decisions: int = Field(ge=0)


class CapacityChangeReason(StrEnum):
    """Why a stream's capacity changed (R2, R13)."""

    DECLARED = "declared"
    PACT_INFLOW = "pact_inflow"
    TRIAGE = "triage"


class FileItem(StrEnum):
    """A part of a case's file a decider needs (R12: deciders get complete files)."""

    WRITTEN_ACCOUNT = "written_account"
    LANGUAGE_INDICATION = "language_indication"
    ORIGIN_INVESTIGATION = "origin_investigation"


# --- fields an input shares with its answer -------------------------------------------
# No event_type: this is not a message, so it is not registered; each message below keeps
# its own docstring, type and version.


class _PlanCycleFields(EventData):
    """What PlanCycleProposed shares with its answer PlanCycleOpened: the period and the mix."""

    starts_on: date
    ends_on: date
    selections: tuple[CohortSelection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _about_three_months(self) -> Self:
        days = (self.ends_on - self.starts_on).days
        if not 28 <= days <= 183:
            raise ValueError(f"a plan cycle lasts about three months, not {days} days")
        return self


class InterpreterPlaces(Part):
    """How many applicants an interpreter of one language can assist on a location day."""

    language: LanguageCode
    places: int = Field(ge=0)


class PrephaseLocationCapacity(Part):
    """A prephase location's daily capacity in a capacity declaration: planning plans its days."""

    location: LocationId
    places_per_day: int = Field(ge=0, description="applicants it receives on a working day")
    interpreters: tuple[InterpreterPlaces, ...] = Field(
        default=(), description="per language, applicants an interpreter can assist a day"
    )
    return_information_weekdays: tuple[int, ...] = Field(
        default=(),
        description="weekdays (0 = Monday) DT&V/IOM give voluntary-return information there",
    )


# --- input -----------------------------------------------------------------------------


class CapacityDeclared(EventData):
    """A planner declared the organisation's capacity for a month (input; key = 'YYYY-MM').

    On the stream-less ``ind.planning.input.v1``: the split over the streams is
    planning's job, Pact first (R2, R13). Answered with CapacityChanged on each
    stream's plan topic.
    """

    event_type = "nl.ind.planning.capacity-declared"

    prephase_places: int = Field(
        ge=0, description="applicants the prephase location can receive that month"
    )
    hearing_days: int = Field(ge=0, description="caseworker days available for hearings")
    decision_days: int = Field(ge=0, description="caseworker days available for decisions")
    prephase_location_operational: bool = Field(
        description="the prephase location is set up and fully operational; "
        "before that, no category B (R11)"
    )
    note: ShortText | None = None
    teams: tuple[TeamCapacity, ...] = Field(
        default=(), description="the teams and caseworkers available that month (R12, R13)"
    )
    hearing_rates: tuple[CategoryRate, ...] = Field(
        default=(), description="rates that differ from the configured ones"
    )
    prephase_locations: tuple[PrephaseLocationCapacity, ...] = Field(
        default=(),
        description="prephase locations open that month; planning plans each working day of "
        "the month from them (PrephaseLocationDayPlanned)",
    )
    hearing_interpreters: tuple[InterpreterPlaces, ...] = Field(
        default=(),
        description="per language, hearings interpreters can assist on a working day "
        "(HearingRosterPlanned)",
    )


class TeamCapacityChanged(EventData):
    """A planner changed one team's capacity from a day on (input; key = team code; R12, R13).

    On the stream-less ``ind.planning.input.v1``, beside CapacityDeclared: the team as it is
    from `effective_on`, in TeamCapacity's fields, replacing what the declarations say of it
    from that day on (a team leaving: zero caseworkers). Refused with a plain reason for a
    team not in the declaration in force on that day, a day in the past, named caseworkers
    that do not match the count or are named twice. Answered with CapacityChanged and
    HearingRosterPlanned for each month it changes.
    """

    event_type = "nl.ind.planning.team-capacity-changed"

    effective_on: date = Field(description="the first day the team has this capacity")
    caseworkers: int = Field(ge=0)
    hours_per_week: float = Field(ge=0, le=60, description="per caseworker")
    nationalities: tuple[Nationality, ...] = Field(
        default=(), description="nationalities the team specialises in"
    )
    languages: tuple[LanguageCode, ...] = Field(
        default=(), description="languages the team's caseworkers hear in (R12)"
    )
    unaccompanied_minors: bool = Field(default=False, description="an AMV team (R7)")
    location: LocationId | None = Field(
        default=None, description="where the team hears cases; required with named caseworkers"
    )
    members: tuple[CaseworkerCapacity, ...] = Field(
        default=(),
        description="the named caseworkers (as many as `caseworkers`). Empty: the team is "
        "counted, not rostered",
    )
    note: ShortText | None = None


class PlanCycleProposed(_PlanCycleFields):
    """A planner proposed the next plan cycle of about three months (input; key = cycle id; R9).

    Answered with PlanCycleOpened; refused when the mix would move the grant rate
    too far (R10) or includes category B before the prephase location is
    operational (R11).
    """

    event_type = "nl.ind.planning.plan-cycle-proposed"

    target_grant_rate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="the grant rate (inwilligingspercentage) to keep (R10)",
    )


# --- output: plan-level ----------------------------------------------------------------


class PlanCycleOpened(_PlanCycleFields):
    """A plan cycle was opened: which categories and nationalities are taken up (R9, R10)."""

    event_type = "nl.ind.planning.plan-cycle-opened"

    planned_cases: int = Field(ge=0)
    expected_grant_rate: float = Field(
        ge=0, le=1, description="share of grants the mix is expected to give"
    )
    revision: int = Field(
        default=0, ge=0, description="0 when opened; raised on each re-plan (herijking)"
    )
    reason: ShortText | None = Field(
        default=None,
        description="why this revision: drafted, proposed, capacity_changed, inflow_changed",
    )
    cohorts: tuple[PlannedCohort, ...] = Field(default=(), description="the cohorts chosen")
    expected_decisions: tuple[WeeklyDecisions, ...] = Field(
        default=(), description="decisions expected per week by category (R10, courts)"
    )
    appeal_share: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="share of refusals planning expects to be appealed: chain-notify turns the "
        "expected decisions into the courts' appeal forecast with it",
    )


class PlanCycleClosed(EventData):
    """A plan cycle ended; its figures feed the next cycle (herijking)."""

    event_type = "nl.ind.planning.plan-cycle-closed"

    closed_on: date
    cases_released: int = Field(ge=0)
    cases_decided: int = Field(ge=0)
    grant_rate: float | None = Field(
        default=None, ge=0, le=1, description="absent when nothing was decided"
    )


class CohortReleased(EventData):
    """A time cohort of a cycle was released to the prephase (key = cycle id; R9)."""

    event_type = "nl.ind.planning.cohort-released"

    cohort: PlanId
    released_on: date
    category: Category
    nationalities: tuple[Nationality, ...] = Field(
        description="empty: every nationality of the category"
    )
    cases: int = Field(ge=1)
    prephase_from: date = Field(description="first day the cohort's prephase days may be booked")


class CapacityChanged(EventData):
    """The capacity this stream gets in a month changed (key = 'YYYY-MM'; R2, R13)."""

    event_type = "nl.ind.planning.capacity-changed"

    prephase_places: int = Field(ge=0)
    hearing_days: int = Field(ge=0)
    decision_days: int = Field(ge=0)
    share: float = Field(ge=0, le=1, description="this stream's share of the declared capacity")
    reason: CapacityChangeReason


class PrephaseLocationDayPlanned(EventData):
    """Capacity of one prephase location on one day for this stream (key = 'LOCATION-YYYY-MM-DD').

    Planning's share of the location for the stream (R2, R13): places, interpreters per
    language, and whether DT&V/IOM give voluntary-return information that day. Published
    again when it changes; the latest counts. Prephase invites within it and never
    overbooks it.
    """

    event_type = "nl.ind.planning.prephase-location-day-planned"

    location: LocationId
    day: date
    places: int = Field(ge=0, description="applicants the location receives that day")
    interpreters: tuple[InterpreterPlaces, ...] = Field(
        default=(), description="per language, applicants an interpreter can assist"
    )
    return_information: bool = Field(
        default=False, description="DT&V/IOM are present to give voluntary-return information"
    )

    @model_validator(mode="after")
    def _one_line_per_language(self) -> Self:
        languages = [i.language for i in self.interpreters]
        if len(set(languages)) != len(languages):
            raise ValueError("a language is listed more than once in interpreters")
        return self


class RosterTeam(Part):
    """A team in hearing's roster: where it hears and its named caseworkers, hours resolved."""

    team: TeamId
    location: LocationId
    caseworkers: tuple[CaseworkerCapacity, ...] = Field(min_length=1)


class HearingRosterPlanned(EventData):
    """Who can hear cases in a month, at which rates, with which interpreters (key = 'YYYY-MM').

    Planning's answer to a capacity declaration that names caseworkers (R12, R13): the teams'
    named caseworkers with their specialisms and hours, the rate per category (every
    category: the declared ones over planning's configured ones) and the hearings interpreters
    can assist per language on a working day. The same roster goes to each stream's plan topic:
    hearing serves both streams from one roster, Pact first (R2). Published again when it
    changes; the latest counts, and it holds for later months until one is declared."""

    event_type = "nl.ind.planning.hearing-roster-planned"

    teams: tuple[RosterTeam, ...] = Field(description="teams with named caseworkers")
    rates: tuple[CategoryRate, ...] = Field(description="hearings per caseworker day")
    interpreters: tuple[InterpreterPlaces, ...] = Field(
        default=(), description="per language, hearings interpreters can assist a working day"
    )
    full_time_hours: float = Field(
        gt=0, le=60, description="a full-time week: a caseworker with these hours has whole days"
    )

    @model_validator(mode="after")
    def _one_line_each(self) -> Self:
        languages = [i.language for i in self.interpreters]
        if len(set(languages)) != len(languages):
            raise ValueError("a language is listed more than once in interpreters")
        teams = [t.team for t in self.teams]
        if len(set(teams)) != len(teams):
            raise ValueError("a team is listed more than once")
        return self


class BacklogForecastMade(EventData):
    """When the backlog would be cleared at the plan's capacity (R5): made with each plan cycle
    opened or re-planned (key = cycle id), for the twice-yearly report and operations."""

    event_type = "nl.ind.planning.backlog-forecast-made"

    as_of: date
    cleared_on: date | None = Field(
        description="the day the last backlog case is expected to be decided; absent when not "
        "before the forecast's horizon"
    )
    target: date = Field(description="12 June 2029 (R5)")
    open_at_target: int = Field(ge=0, description="cases still without a first decision then")
    pooled: int = Field(ge=0, description="backlog cases waiting for release")
    held: int = Field(ge=0, description="backlog cases on hold (not in the plan's work)")


class TriageTriggered(EventData):
    """Pact inflow is structurally above the planning assumption: triage applies (R4)."""

    event_type = "nl.ind.planning.triage-triggered"

    triggered_on: date
    projected_first_applications: int = Field(
        ge=0, description="first applications a year, projected"
    )
    threshold: int = Field(default=PACT_ANNUAL_PLANNING_ASSUMPTION, ge=1)
    window_months: int = Field(ge=1, le=24, description="months of inflow the projection rests on")


class TriageLifted(EventData):
    """Pact inflow is back under the planning assumption: triage no longer applies (R4)."""

    event_type = "nl.ind.planning.triage-lifted"

    lifted_on: date
    projected_first_applications: int = Field(ge=0)
    threshold: int = Field(default=PACT_ANNUAL_PLANNING_ASSUMPTION, ge=1)


# --- output: per case ------------------------------------------------------------------


class ReleaseStage(StrEnum):
    """The stage a case is released to."""

    PREPHASE = "prephase"
    HEARING = "hearing"
    DECISION = "decision"


class CaseReleased(EventData):
    """Planning released a case to a stage on a day, to a team (R2, R9, R12). The one release
    event: every stage knows its own cases by `stage`. A Pact case is released on registration
    (no cycle, no cohort); a backlog case in its plan cycle's cohort. A case a team could not
    place is released again to the same stage, to another team (the latest release counts)."""

    event_type = "nl.ind.planning.case-released"

    stage: ReleaseStage
    release_day: date = Field(description="the working day the stage may take the case up")
    team: TeamId = Field(description="the team whose specialisms match the case (R12)")
    specialisms: tuple[Specialism, ...] = Field(
        default=(), description="what the case was matched to the team on"
    )
    cycle: PlanId | None = Field(default=None, description="the plan cycle; none for Pact")
    cohort: PlanId | None = Field(default=None, description="the cohort; none for Pact")
    file_complete: bool = Field(
        default=True,
        description="administration done before a caseworker starts (R12); a case released "
        "to decision always has a complete file",
    )

    @model_validator(mode="after")
    def _complete_for_decision(self) -> Self:
        if self.stage is ReleaseStage.DECISION and not self.file_complete:
            raise ValueError("a case with an incomplete file is not released to decision (R12)")
        if (self.cycle is None) != (self.cohort is None):
            raise ValueError("cycle and cohort go together (both for backlog, neither for Pact)")
        return self


class ReleaseHeld(EventData):
    """Planning holds a case's release to a stage because its file is incomplete (R12; key =
    case id): hearing reported it ready for decision, but items a decider needs for its
    category are missing. Planning releases it (CaseReleased) once they are recorded."""

    event_type = "nl.ind.planning.release-held"

    stage: ReleaseStage = Field(description="the stage the release waits for")
    missing_items: tuple[FileItem, ...] = Field(min_length=1, description="what the file lacks")


# --- from the stages to planning ---------------------------------------------------------


class PlacementProblem(StrEnum):
    """Why a stage could not place a released case (coarse on purpose: no personal detail)."""

    NO_LOCATION_DAY = "no_location_day"
    NO_INTERPRETER = "no_interpreter"
    NO_HEARING_SLOT = "no_hearing_slot"
    NO_MATCHING_CASEWORKER = "no_matching_caseworker"
    LOGISTICS_MISSING = "logistics_missing"  # prephase lacks the languages and location to plan


class StageCouldNotPlace(EventData):
    """A stage could not place a case planning released to it within its horizon (key = case
    id): no prephase location day, no interpreter for the language, no hearing slot or
    caseworker of the team. When the team was short, planning releases the case again to
    another team whose specialisms match (CaseReleased, R12); else, or when no such team is
    left, it re-plans (herijking) and counts it, and the case stays released to that stage,
    which places it when capacity appears."""

    event_type = "nl.ind.planning.stage-could-not-place"

    stage: ReleaseStage = Field(description="the stage that could not place the case")
    reason: PlacementProblem
    searched_until: date = Field(description="the last day the stage looked for a place")
    language: LanguageCode | None = Field(
        default=None, description="the interpreter language missing (no_interpreter only)"
    )
    team: TeamId | None = Field(
        default=None, description="the team whose capacity was short, when one was"
    )
