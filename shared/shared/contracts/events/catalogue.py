"""The event catalogue, as data: every message, where it travels, who may send it, what answers it.

Front-ends and partners integrate against this (through the generated docs/asyncapi.json,
docs/catalogue.md and docs/schemas/), services use it to check topics and actors, and the
docs and compatibility tests walk it. A message is one of:

- **input**: published by a caseworker, planner or policy-officer front-end on an input
  topic; the service answers with output events on success, or with a Rejection on the
  rejection topic (``refusals``) when it refuses;
- **output**: published by a service;
- **partner**: published by chain-notify for one or more chain partners;
- **control**: simulated time only (docs/adr/0008-simulated-time.md): the simulation driver's
  clock ticks and every service's acknowledgements; never in production.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.contracts.envelope import EventData
from shared.contracts.events import (
    clock,
    decision,
    hearing,
    intake,
    partners,
    planning,
    prephase,
)
from shared.contracts.rejections import Rejection
from shared.contracts.topics import (
    CLOCK,
    CLOCK_ACKS,
    PLANNING_INPUT,
    POLICY_EVENTS,
    POLICY_INPUT,
    REGISTRATION_INPUT,
    Partner,
    Stage,
    partner_topic,
    plan_events,
    rejections,
    stage_events,
    stage_input,
)
from shared.contracts.values import Stream


class Direction(StrEnum):
    INPUT = "input"
    OUTPUT = "output"
    PARTNER = "partner"
    CONTROL = "control"


# Participants: who sends and who reads. Services by name; the rest by kind.
INTAKE = "intake"
PLANNING = "planning"
PREPHASE = "prephase"
HEARING = "hearing"
DECISION = "decision"
CHAIN_NOTIFY = "chain-notify"
SERVICES = (INTAKE, PLANNING, PREPHASE, HEARING, DECISION, CHAIN_NOTIFY)

CASEWORKER = "caseworker"
DECIDER = "decider"
SENIOR_DECIDER = "senior-decider"
PLANNER = "planner"
POLICY_OFFICER = "policy-officer"
ROLES = (CASEWORKER, DECIDER, SENIOR_DECIDER, PLANNER, POLICY_OFFICER)
"""Human roles, as in the ce_actor header ('caseworker:cw-1042'); services act as system:<name>.
An actor carries one role. Deciders draft, review and issue decisions; senior deciders review
and sit in the hard-case team. The header is written by the sender: in production the topic
ACLs per front-end (deploy/) are what stop a forged role (docs/decision.md)."""

SIMULATOR = "simulator"
"""The simulation driver (shared.tools.simulation): it alone moves simulated time."""

OPERATIONS = "operations"
"""Dashboards and people watching the system (rejections, lateness, triage)."""


def frontend(role: str) -> str:
    return f"frontend:{role}"


def partner(p: Partner) -> str:
    return f"partner:{p}"


def system(service: str) -> str:
    return f"system:{service}"


@dataclass(frozen=True, slots=True)
class Key:
    """What the Kafka key (and the CloudEvents subject) of a message is."""

    name: str
    pattern: str
    example: str
    note: str = ""

    @property
    def display(self) -> str:
        return f"{self.name} ({self.note})" if self.note else self.name


CASE_KEY = Key("case id", r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$", "case-2026-000123")
POLICY_KEY = Key("policy version", r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$", "cp-2026-10")
CYCLE_KEY = Key("plan cycle id", r"^[a-z0-9][a-z0-9-]{2,39}$", "cycle-2026-4")
MONTH_KEY = Key("capacity month", r"^20\d\d-(0[1-9]|1[0-2])$", "2026-11", note="YYYY-MM")
TEAM_KEY = Key("team code", r"^[a-z0-9][a-z0-9-]{1,39}$", "team-zwolle-1")
TRIAGE_KEY = Key("triage", r"^triage$", "triage", note="the constant 'triage'")
LOCATION_DAY_KEY = Key(
    "location day",
    r"^[a-z0-9][a-z0-9-]{1,39}-20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
    "prephase-zwolle-2026-10-14",
    note="LOCATION-YYYY-MM-DD",
)
"""For DT&V's return-information notices: the prephase location and day, never the case, so
that the subject cannot link a prephase day to a person on a topic that also carries
refusals with V-number and case id."""


def location_day_key(location: str, day: date) -> str:
    """The LOCATION_DAY_KEY of a location on a day: 'prephase-zwolle-2026-10-14'."""
    return f"{location}-{day.isoformat()}"


GRANT_RATE_KEY = Key(
    "grant-rate group",
    r"^rates-[a-z0-9-]+-[a-z0-9]+$",
    "rates-cycle-2026-4-a",
    note="rates-<plan cycle or none>-<category or none>, lower case",
)


def grant_rate_key(cycle: str | None, category: str | None) -> str:
    """The GRANT_RATE_KEY of a stream's figures for a plan cycle and category."""
    return f"rates-{cycle or 'none'}-{(category or 'none').lower()}"


SIMULATION_KEY = Key("simulation", r"^simulation$", "simulation", note="the constant 'simulation'")
SERVICE_KEY = Key("service name", r"^[a-z][a-z0-9-]{1,39}$", "intake")

Topics = Mapping[Stream | None, tuple[str, ...]]
"""Topic names by stream; the key None stands for stream-less topics (before intake knows it)."""

BOTH: tuple[Stream, ...] = (Stream.BACKLOG, Stream.PACT)


_TOPIC_NAMES: dict[type[EventData], tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class MessageSpec:
    model: type[EventData]
    direction: Direction
    topics: Topics
    key: Key
    publishers: tuple[
        str, ...
    ]  # roles ('caseworker') or system actors ('system:intake') allowed in ce_actor
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    answers: tuple[type[EventData], ...] = ()
    refusals: Mapping[Stream | None, str] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    derived_from: tuple[type[EventData], ...] = ()

    @property
    def ce_type(self) -> str:
        return self.model.ce_type()

    @property
    def name(self) -> str:
        return self.model.__name__

    @property
    def streams(self) -> tuple[Stream | None, ...]:
        return tuple(self.topics)

    @property
    def module(self) -> str:
        """The catalogue module (intake, planning, ..., partners, rejections)."""
        return self.model.__module__.rsplit(".", 1)[-1]

    def topic_names(self) -> tuple[str, ...]:
        # Asked for every record a service admits: worked out once per message.
        names = _TOPIC_NAMES.get(self.model)
        if names is None:
            names = tuple(name for names in self.topics.values() for name in names)
            _TOPIC_NAMES[self.model] = names
        return names

    def may_publish(self, actor: str) -> bool:
        """Whether an actor ('caseworker:cw-1042', 'system:intake') may publish this message."""
        role = actor.split(":", 1)[0]
        return actor in self.publishers or role in self.publishers


def _input(
    model: type[EventData],
    topics: Topics,
    *,
    by: str | tuple[str, ...],
    to: str,
    answers: tuple[type[EventData], ...],
    key: Key = CASE_KEY,
    rules: tuple[str, ...] = (),
) -> MessageSpec:
    return MessageSpec(
        model=model,
        direction=Direction.INPUT,
        topics=topics,
        key=key,
        publishers=(by,) if isinstance(by, str) else by,
        producers=tuple(frontend(r) for r in ((by,) if isinstance(by, str) else by)),
        consumers=(to,),
        answers=answers,
        # Refusals go to the rejection topic of the input topic's stream (stream-less: intake's).
        refusals={stream: rejections(stream) for stream in topics},
        rules=rules,
    )


def _output(
    model: type[EventData],
    topics: Topics,
    *,
    by: str,
    to: tuple[str, ...],
    key: Key = CASE_KEY,
    rules: tuple[str, ...] = (),
) -> MessageSpec:
    return MessageSpec(
        model=model,
        direction=Direction.OUTPUT,
        topics=topics,
        key=key,
        publishers=(system(by),),
        producers=(by,),
        consumers=to,
        rules=rules,
    )


def _partner(
    model: type[EventData],
    to: tuple[Partner, ...],
    *,
    derived_from: tuple[type[EventData], ...],
    streams: tuple[Stream, ...] = BOTH,
    key: Key = CASE_KEY,
    rules: tuple[str, ...] = (),
) -> MessageSpec:
    return MessageSpec(
        model=model,
        direction=Direction.PARTNER,
        topics={s: tuple(partner_topic(s, p) for p in to) for s in streams},
        key=key,
        publishers=(system(CHAIN_NOTIFY),),
        producers=(CHAIN_NOTIFY,),
        consumers=tuple(partner(p) for p in to),
        derived_from=derived_from,
        rules=rules,
    )


def _stage_in(stage: Stage, streams: tuple[Stream, ...] = BOTH) -> Topics:
    return {s: (stage_input(s, stage),) for s in streams}


def _stage_out(stage: Stage, streams: tuple[Stream, ...] = BOTH) -> Topics:
    return {s: (stage_events(s, stage),) for s in streams}


def _plan(streams: tuple[Stream, ...]) -> Topics:
    return {s: (plan_events(s),) for s in streams}


BACKLOG: tuple[Stream, ...] = (Stream.BACKLOG,)
PACT: tuple[Stream, ...] = (Stream.PACT,)
ALL_STAGES = (PLANNING, PREPHASE, HEARING, DECISION)

_i, _pl, _pp, _h, _d, _p = intake, planning, prephase, hearing, decision, partners
_INTAKE_IN: Topics = {None: (REGISTRATION_INPUT,)}
_INTAKE_OUT = _stage_out(Stage.INTAKE)
_PREPHASE_IN, _PREPHASE_OUT = _stage_in(Stage.PREPHASE), _stage_out(Stage.PREPHASE)
_HEARING_IN, _HEARING_OUT = _stage_in(Stage.HEARING), _stage_out(Stage.HEARING)
_DECISION_IN, _DECISION_OUT = _stage_in(Stage.DECISION), _stage_out(Stage.DECISION)

CATALOGUE: tuple[MessageSpec, ...] = (
    # --- intake ---------------------------------------------------------------------
    _input(
        _i.ApplicationRegistered,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        # CaseRegistered carries the priority groups (priority_group, priority_groups).
        answers=(_i.CaseRegistered,),
        rules=("R1", "R3", "R7"),
    ),
    _input(
        _i.ApplicationWithdrawn,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        answers=(_i.CaseWithdrawn,),
        rules=("R3",),
    ),
    _input(
        _i.PriorityGroupReassessed,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        # Leaving the nuisance group in the Pact accelerated procedure lengthens the term.
        answers=(
            _i.PriorityGroupJoined,
            _i.PriorityGroupLeft,
            _i.CaseRecategorised,
            _i.LegalDeadlineChanged,
        ),
        rules=("R7",),
    ),
    _input(
        _i.DeadlineExtensionGranted,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        answers=(_i.LegalDeadlineChanged,),
    ),
    _input(
        _i.DeadlineSuspensionGranted,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        answers=(_i.LegalDeadlineChanged,),
    ),
    _input(
        _i.CountryPolicyPublished,
        {None: (POLICY_INPUT,)},
        by=POLICY_OFFICER,
        to=INTAKE,
        # Per affected case (keyed by case id): former-safe-country membership, category.
        answers=(
            _i.CountryPolicyAdopted,
            _i.CaseRecategorised,
            _i.PriorityGroupJoined,
            _i.PriorityGroupLeft,
        ),
        key=POLICY_KEY,
        rules=("R7",),
    ),
    _output(
        _i.CaseRegistered,
        _INTAKE_OUT,
        by=INTAKE,
        to=(*ALL_STAGES, CHAIN_NOTIFY),
        rules=("R1", "R3", "R7"),
    ),
    _output(
        _i.CaseRecategorised,
        _INTAKE_OUT,
        by=INTAKE,
        to=(PLANNING, HEARING, DECISION),
        rules=("R8",),
    ),
    _output(
        _i.PriorityGroupJoined,
        _INTAKE_OUT,
        by=INTAKE,
        to=(PLANNING, HEARING, CHAIN_NOTIFY),
        rules=("R7",),
    ),
    _output(
        _i.PriorityGroupLeft,
        _INTAKE_OUT,
        by=INTAKE,
        to=(PLANNING, HEARING, CHAIN_NOTIFY),
        rules=("R7",),
    ),
    _output(_i.LegalDeadlineChanged, _INTAKE_OUT, by=INTAKE, to=(PLANNING, DECISION)),
    _output(_i.CaseWithdrawn, _INTAKE_OUT, by=INTAKE, to=(*ALL_STAGES, CHAIN_NOTIFY)),
    _input(
        _i.ApplicantLogisticsRecorded,
        _INTAKE_IN,
        by=CASEWORKER,
        to=INTAKE,
        answers=(_i.ApplicantLogisticsChanged,),
    ),
    # Each stage keeps its part: prephase the languages and the COA location, hearing the
    # languages and the lawyer, planning the languages; chain-notify gives each partner its own.
    _output(
        _i.ApplicantLogisticsChanged,
        _INTAKE_OUT,
        by=INTAKE,
        to=(PLANNING, PREPHASE, HEARING, CHAIN_NOTIFY),
    ),
    _output(
        _i.CountryPolicyAdopted,
        {None: (POLICY_EVENTS,)},
        by=INTAKE,
        to=(PLANNING, frontend(POLICY_OFFICER)),
        key=POLICY_KEY,
    ),
    # --- planning -------------------------------------------------------------------
    _input(
        _pl.CapacityDeclared,
        {None: (PLANNING_INPUT,)},
        by=PLANNER,
        to=PLANNING,
        answers=(_pl.CapacityChanged, _pl.PrephaseLocationDayPlanned, _pl.HearingRosterPlanned),
        key=MONTH_KEY,
        rules=("R2", "R11", "R13"),
    ),
    _input(
        _pl.TeamCapacityChanged,
        {None: (PLANNING_INPUT,)},
        by=PLANNER,
        to=PLANNING,
        answers=(_pl.CapacityChanged, _pl.HearingRosterPlanned),
        key=TEAM_KEY,
        rules=("R12", "R13"),
    ),
    _input(
        _pl.PlanCycleProposed,
        _stage_in(Stage.PLANNING, BACKLOG),
        by=PLANNER,
        to=PLANNING,
        answers=(_pl.PlanCycleOpened,),
        key=CYCLE_KEY,
        rules=("R9", "R10", "R11"),
    ),
    _output(
        _pl.PlanCycleOpened,
        _plan(BACKLOG),
        by=PLANNING,
        to=(CHAIN_NOTIFY, OPERATIONS),
        key=CYCLE_KEY,
        rules=("R9", "R10"),
    ),
    _output(
        _pl.PlanCycleClosed,
        _plan(BACKLOG),
        by=PLANNING,
        to=(OPERATIONS,),
        key=CYCLE_KEY,
        rules=("R9", "R14"),
    ),
    _output(
        _pl.CohortReleased,
        _plan(BACKLOG),
        by=PLANNING,
        to=(PREPHASE, OPERATIONS),
        key=CYCLE_KEY,
        rules=("R9", "R11"),
    ),
    _output(
        _pl.CapacityChanged,
        _plan(BOTH),
        by=PLANNING,
        to=(PREPHASE, HEARING, DECISION),
        key=MONTH_KEY,
        rules=("R2", "R13"),
    ),
    _output(
        _pl.HearingRosterPlanned,
        _plan(BOTH),
        by=PLANNING,
        to=(HEARING,),
        key=MONTH_KEY,
        rules=("R2", "R12", "R13"),
    ),
    _output(
        _pl.PrephaseLocationDayPlanned,
        _plan(BOTH),
        by=PLANNING,
        # chain-notify: DT&V's return-information days, one notice per location day.
        to=(PREPHASE, CHAIN_NOTIFY),
        key=LOCATION_DAY_KEY,
        rules=("R2", "R13"),
    ),
    _output(
        _pl.BacklogForecastMade,
        _plan(BACKLOG),
        by=PLANNING,
        to=(OPERATIONS,),
        key=CYCLE_KEY,
        rules=("R5", "R14"),
    ),
    _output(
        _pl.TriageTriggered,
        _plan(PACT),
        by=PLANNING,
        to=(INTAKE, DECISION, OPERATIONS),
        key=TRIAGE_KEY,
        rules=("R4",),
    ),
    _output(
        _pl.TriageLifted,
        _plan(PACT),
        by=PLANNING,
        to=(INTAKE, DECISION, OPERATIONS),
        key=TRIAGE_KEY,
        rules=("R4",),
    ),
    _output(
        _pl.CaseReleased,
        _stage_out(Stage.PLANNING),
        by=PLANNING,
        to=(PREPHASE, HEARING, DECISION, frontend(PLANNER)),
        rules=("R2", "R9", "R12"),
    ),
    # A release to decision waits for a complete file: the planners see what is missing, and
    # decision says it when a decider tries to draft before the release.
    _output(
        _pl.ReleaseHeld,
        _stage_out(Stage.PLANNING),
        by=PLANNING,
        to=(DECISION, frontend(PLANNER)),
        rules=("R12",),
    ),
    # Prephase and hearing say so when they cannot place a released case: planning re-plans.
    MessageSpec(
        model=_pl.StageCouldNotPlace,
        direction=Direction.OUTPUT,
        topics={s: (stage_events(s, Stage.PREPHASE), stage_events(s, Stage.HEARING)) for s in BOTH},
        key=CASE_KEY,
        publishers=(system(PREPHASE), system(HEARING)),
        producers=(PREPHASE, HEARING),
        consumers=(PLANNING, OPERATIONS),
        rules=("R9", "R12"),
    ),
    # --- prephase -------------------------------------------------------------------
    _input(
        _pp.PrephaseDayCancelled,
        _PREPHASE_IN,
        by=PLANNER,
        to=PREPHASE,
        answers=(
            _pp.PrephaseInvitationCancelled,
            _pp.TransportCancelled,
            _pp.GuardianNoticeCancelled,
        ),
    ),
    _input(
        _pp.PrephaseAttendanceRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.PrephaseAttended, _pp.PrephaseNoShow, _pp.PrephaseOnHold),
    ),
    _input(
        _pp.DocumentsRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.DocumentsHandedIn,),
    ),
    _input(
        _pp.LanguageIndicationRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.LanguageIndicationCompleted,),
        rules=("R8",),
    ),
    _input(
        _pp.OriginInvestigationRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.OriginInvestigationCompleted,),
        rules=("R8",),
    ),
    _input(
        _pp.WrittenAccountRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.WrittenAccountReceived,),
    ),
    _input(
        _pp.ReturnInformationRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.ReturnInformationGiven,),
    ),
    _input(
        _pp.ExclusionSignalRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.ExclusionSignalRaised,),
    ),
    _input(
        _pp.ExclusionScreeningRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.ExclusionScreeningConcluded,),
    ),
    _input(
        _pp.PrephaseCompletionRecorded,
        _PREPHASE_IN,
        by=CASEWORKER,
        to=PREPHASE,
        answers=(_pp.PrephaseCompleted,),
        rules=("R8",),
    ),
    # Decision listens to hearing only: what prephase found reaches it through hearing.
    _output(_pp.PrephaseInvited, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, CHAIN_NOTIFY)),
    _output(
        _pp.PrephaseInvitationCancelled, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, CHAIN_NOTIFY)
    ),
    # Planning counts COA's transport notices for the monthly figures (R14).
    _output(_pp.TransportRequested, _PREPHASE_OUT, by=PREPHASE, to=(CHAIN_NOTIFY, PLANNING)),
    _output(_pp.TransportCancelled, _PREPHASE_OUT, by=PREPHASE, to=(CHAIN_NOTIFY, PLANNING)),
    # And Nidos's notices of an AMV's prephase days (chain-notify sends them).
    _output(_pp.GuardianNoticeRequested, _PREPHASE_OUT, by=PREPHASE, to=(CHAIN_NOTIFY, PLANNING)),
    _output(_pp.GuardianNoticeCancelled, _PREPHASE_OUT, by=PREPHASE, to=(CHAIN_NOTIFY, PLANNING)),
    _output(_pp.PrephaseOnHold, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, OPERATIONS)),
    _output(_pp.PrephaseAttended, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING,)),
    _output(_pp.PrephaseNoShow, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, frontend(PLANNER))),
    _output(_pp.DocumentsHandedIn, _PREPHASE_OUT, by=PREPHASE, to=(HEARING,)),
    _output(
        _pp.LanguageIndicationCompleted,
        _PREPHASE_OUT,
        by=PREPHASE,
        to=(INTAKE, HEARING, PLANNING),  # intake: R8; planning: the file (R12)
        rules=("R8",),
    ),
    _output(
        _pp.OriginInvestigationCompleted,
        _PREPHASE_OUT,
        by=PREPHASE,
        to=(INTAKE, HEARING, PLANNING),  # intake: R8; planning: the file (R12)
        rules=("R8",),
    ),
    # Planning keeps which file items are recorded: a release to decision waits for them (R12).
    _output(_pp.WrittenAccountReceived, _PREPHASE_OUT, by=PREPHASE, to=(HEARING, PLANNING)),
    _output(_pp.ReturnInformationGiven, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING,)),
    _output(_pp.ExclusionSignalRaised, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, HEARING)),
    _output(_pp.ExclusionScreeningConcluded, _PREPHASE_OUT, by=PREPHASE, to=(PLANNING, HEARING)),
    _output(
        _pp.PrephaseCompleted,
        _PREPHASE_OUT,
        by=PREPHASE,
        to=(PLANNING, HEARING),
        rules=("R8",),
    ),
    # --- hearing --------------------------------------------------------------------
    _input(_h.LawyerRecorded, _HEARING_IN, by=CASEWORKER, to=HEARING, answers=(_h.LawyerAssigned,)),
    _input(
        _h.HearingRescheduleRequested,
        _HEARING_IN,
        by=PLANNER,
        to=HEARING,
        answers=(_h.HearingCancelled,),
    ),
    _input(
        _h.HearingNoShowRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.HearingNoShow,),
    ),
    _input(
        _h.HearingWaiverRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.HearingWaived,),
        rules=("R8",),
    ),
    _input(
        _h.HearingHeldRecorded, _HEARING_IN, by=CASEWORKER, to=HEARING, answers=(_h.HearingHeld,)
    ),
    _input(
        _h.WrittenHearingStartRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.WrittenHearingStarted,),
    ),
    _input(
        _h.WrittenHearingAnswersRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.WrittenHearingAnswered,),
    ),
    _input(
        _h.AdditionalHearingRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.AdditionalHearingNeeded,),
    ),
    _input(
        _h.CorrectionsRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.CorrectionsAndAdditionsReceived,),
    ),
    _input(
        _h.HearingObstacleRecorded,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.HearingOnHold,),
    ),
    _input(
        _h.HearingObstacleCleared,
        _HEARING_IN,
        by=CASEWORKER,
        to=HEARING,
        answers=(_h.HearingResumed,),
    ),
    # Hearing hands out the slots itself (R12: the team planning chose, by specialism and rate).
    _output(
        _h.HearingPlanned, _HEARING_OUT, by=HEARING, to=(PLANNING, CHAIN_NOTIFY), rules=("R12",)
    ),
    _output(_h.HearingCancelled, _HEARING_OUT, by=HEARING, to=(PLANNING, CHAIN_NOTIFY)),
    _output(_h.HearingNoShow, _HEARING_OUT, by=HEARING, to=(PLANNING, frontend(PLANNER))),
    _output(_h.LawyerAssigned, _HEARING_OUT, by=HEARING, to=(CHAIN_NOTIFY,)),
    _output(_h.ReadyForDecision, _HEARING_OUT, by=HEARING, to=(PLANNING, DECISION)),
    # Intake reads these: a heard case is no longer re-categorised by a new policy.
    _output(_h.HearingWaived, _HEARING_OUT, by=HEARING, to=(INTAKE, PLANNING, DECISION)),
    _output(_h.HearingHeld, _HEARING_OUT, by=HEARING, to=(INTAKE, PLANNING, DECISION)),
    _output(_h.WrittenHearingStarted, _HEARING_OUT, by=HEARING, to=(PLANNING,)),
    _output(_h.WrittenHearingAnswered, _HEARING_OUT, by=HEARING, to=(PLANNING, DECISION)),
    _output(_h.AdditionalHearingNeeded, _HEARING_OUT, by=HEARING, to=(PLANNING, frontend(PLANNER))),
    _output(_h.CorrectionsAndAdditionsReceived, _HEARING_OUT, by=HEARING, to=(DECISION,)),
    _output(_h.HearingOnHold, _HEARING_OUT, by=HEARING, to=(PLANNING, DECISION, OPERATIONS)),
    _output(_h.HearingResumed, _HEARING_OUT, by=HEARING, to=(PLANNING, DECISION, OPERATIONS)),
    # --- decision -------------------------------------------------------------------
    _input(
        _d.DecisionDraftRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.DecisionDrafted,),
    ),
    _input(
        _d.DecisionReviewRecorded,
        _DECISION_IN,
        by=(DECIDER, SENIOR_DECIDER),
        to=DECISION,
        answers=(_d.DecisionReviewed,),
    ),
    _input(
        _d.HardCaseReferralRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.DecisionEscalated,),
    ),
    _input(
        _d.HardCaseVoteRecorded,
        _DECISION_IN,
        by=SENIOR_DECIDER,
        to=DECISION,
        answers=(_d.HardCaseDecided,),
    ),
    _input(
        _d.DecisionIssueRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.DecisionIssued,),
        rules=("R10", "R14"),
    ),
    _input(
        _d.DecisionObstacleRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.DecisionOnHold,),
    ),
    _input(
        _d.DecisionObstacleCleared,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.DecisionResumed,),
    ),
    # The intended-decision step, for old-rules cases where it is switched on (issue 14).
    _input(
        _d.IntendedDecisionRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.IntendedDecisionSent,),
    ),
    _input(
        _d.ApplicantViewRecorded,
        _DECISION_IN,
        by=DECIDER,
        to=DECISION,
        answers=(_d.ApplicantViewReceived,),
    ),
    _output(_d.DecisionDrafted, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(_d.IntendedDecisionSent, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(_d.ApplicantViewReceived, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(_d.DecisionReviewed, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(_d.DecisionEscalated, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(_d.HardCaseDecided, _DECISION_OUT, by=DECISION, to=(PLANNING,)),
    _output(
        _d.DecisionIssued,
        _DECISION_OUT,
        by=DECISION,
        to=(INTAKE, PLANNING, CHAIN_NOTIFY),
        rules=("R10", "R14"),
    ),
    _output(
        _d.DecisionAtRisk, _DECISION_OUT, by=DECISION, to=(PLANNING, OPERATIONS), rules=("R14",)
    ),
    _output(_d.DecisionLate, _DECISION_OUT, by=DECISION, to=(PLANNING, OPERATIONS), rules=("R14",)),
    _output(
        _d.GrantRateReported,
        _DECISION_OUT,
        by=DECISION,
        to=(PLANNING, OPERATIONS),
        key=GRANT_RATE_KEY,
        rules=("R10", "R14"),
    ),
    _output(_d.DecisionOnHold, _DECISION_OUT, by=DECISION, to=(PLANNING, OPERATIONS)),
    _output(_d.DecisionResumed, _DECISION_OUT, by=DECISION, to=(PLANNING, OPERATIONS)),
    # --- partners -------------------------------------------------------------------
    _partner(_p.CoaTransportRequested, (Partner.COA,), derived_from=(_pp.TransportRequested,)),
    _partner(
        _p.CoaTransportCancelled,
        (Partner.COA,),
        derived_from=(_pp.TransportCancelled, _i.CaseWithdrawn),
    ),
    _partner(_p.CoaHousingRequested, (Partner.COA,), derived_from=(_d.DecisionIssued,)),
    _partner(_p.CoaReceptionEnds, (Partner.COA,), derived_from=(_d.DecisionIssued,)),
    _partner(_p.DtvRefusalNotified, (Partner.DTV,), derived_from=(_d.DecisionIssued,)),
    _partner(
        _p.DtvReturnInformationPlanned,
        (Partner.DTV,),
        key=LOCATION_DAY_KEY,
        derived_from=(_pl.PrephaseLocationDayPlanned,),
    ),
    _partner(
        _p.CourtsDecisionSent,
        (Partner.COURTS,),
        derived_from=(_d.DecisionIssued, _i.ApplicantLogisticsChanged),
    ),
    _partner(
        _p.CourtsAppealForecast,
        (Partner.COURTS,),
        streams=BACKLOG,
        key=CYCLE_KEY,
        derived_from=(_pl.PlanCycleOpened,),
        rules=("R10",),
    ),
    _partner(
        _p.NidosAppointmentPlanned,
        (Partner.NIDOS,),
        derived_from=(_pp.GuardianNoticeRequested, _h.HearingPlanned),
    ),
    _partner(
        _p.NidosAppointmentCancelled,
        (Partner.NIDOS,),
        derived_from=(
            _pp.GuardianNoticeCancelled,
            _h.HearingPlanned,
            _h.HearingCancelled,
            _i.CaseWithdrawn,
        ),
    ),
    _partner(_p.NidosDecisionSent, (Partner.NIDOS,), derived_from=(_d.DecisionIssued,)),
    _partner(
        _p.LawyerAppointmentPlanned,
        (Partner.LAWYER,),
        derived_from=(_h.HearingPlanned, _i.ApplicantLogisticsChanged),
    ),
    _partner(
        _p.LawyerAppointmentCancelled,
        (Partner.LAWYER,),
        derived_from=(
            _h.HearingPlanned,
            _h.HearingCancelled,
            _i.ApplicantLogisticsChanged,
            _i.CaseWithdrawn,
        ),
    ),
    _partner(
        _p.VolumeForecast,
        (Partner.COA, Partner.DTV, Partner.COURTS),
        streams=BACKLOG,
        key=CYCLE_KEY,
        derived_from=(_pl.PlanCycleOpened,),
        rules=("R10",),
    ),
    # --- rejections -----------------------------------------------------------------
    MessageSpec(
        model=Rejection,
        direction=Direction.OUTPUT,
        topics={**{s: (rejections(s),) for s in BOTH}, None: (rejections(None),)},
        key=CASE_KEY,
        publishers=tuple(system(s) for s in SERVICES),
        producers=SERVICES,
        # Decision reads its own back, to keep refused input in the case's trail (issue 14).
        consumers=(*(frontend(r) for r in ROLES), OPERATIONS, DECISION),
    ),
    # --- simulated time (control) ---------------------------------------------------
    MessageSpec(
        model=clock.ClockTicked,
        direction=Direction.CONTROL,
        topics={None: (CLOCK,)},
        key=SIMULATION_KEY,
        publishers=(system(SIMULATOR),),
        producers=(SIMULATOR,),
        consumers=SERVICES,
    ),
    MessageSpec(
        model=clock.ClockAcknowledged,
        direction=Direction.CONTROL,
        topics={None: (CLOCK_ACKS,)},
        key=SERVICE_KEY,
        publishers=tuple(system(s) for s in SERVICES),
        producers=SERVICES,
        consumers=(SIMULATOR,),
    ),
)


_BY_TYPE: dict[str, MessageSpec] = {spec.ce_type: spec for spec in CATALOGUE}
if len(_BY_TYPE) != len(CATALOGUE):
    raise RuntimeError("a message appears twice in the catalogue")


def spec(message: str | type[EventData]) -> MessageSpec:
    """The catalogue entry of a message, by CloudEvents type or model class."""
    ce_type = message if isinstance(message, str) else message.ce_type()
    try:
        return _BY_TYPE[ce_type]
    except KeyError:
        raise KeyError(f"{ce_type} is not in the event catalogue") from None


def messages_on(topic: str) -> tuple[MessageSpec, ...]:
    """The messages that may appear on a topic (name without prefix)."""
    return tuple(s for s in CATALOGUE if topic in s.topic_names())


def all_catalogue_topics() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for s in CATALOGUE:
        for name in s.topic_names():
            seen.setdefault(name)
    return tuple(seen)
