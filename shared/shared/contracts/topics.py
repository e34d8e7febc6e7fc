"""Topic names and the topic registry that make demo, the tests and deploy/ all use.

Names carry the stream, so backlog and Pact events never share a topic (R1):
``ind.<stream>.<stage>.<kind>.v<version>``. Topics are keyed by case id, except the
few that carry plan-level or policy messages (``TopicSpec.key`` says which key);
shared.contracts.events.catalogue says which message goes where.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

from shared.contracts.values import Stream


class Stage(StrEnum):
    INTAKE = "intake"
    PLANNING = "planning"
    PREPHASE = "prephase"
    HEARING = "hearing"
    DECISION = "decision"


class Partner(StrEnum):
    COA = "coa"
    DTV = "dtv"
    COURTS = "courts"
    NIDOS = "nidos"
    LAWYER = "lawyer"  # the applicant's lawyer, through legal aid (Raad voor Rechtsbijstand)


class Kind(StrEnum):
    INPUT = "input"  # published by caseworker front-ends
    EVENTS = "events"  # published by a service
    PARTNER = "partner"  # published by chain-notify for one partner
    REJECTIONS = "rejections"  # refused and undecodable input, with the reason
    CONTROL = "control"  # simulated time: a driver's clock and the services' answers; no case data


DAY_MS = 24 * 3600 * 1000
# Case events are the record and are kept (compaction is not safe for events). Input topics
# hold what front-ends sent, personal data included; its effect lives on in the services'
# state and events, so input is kept 30 days (docs/architecture.md, 'Personal data').
INPUT_RETENTION_MS = 30 * DAY_MS


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    kind: Kind
    stream: Stream | None
    owner: str
    description: str
    partitions: int = 12
    retention_ms: int = -1  # -1: kept; see INPUT_RETENTION_MS
    key: str = "case id"


# Registrations arrive before intake decides the stream (R1, R3): they have a topic of their own.
REGISTRATION_INPUT = "ind.intake.input.v1"
REGISTRATION_REJECTIONS = "ind.intake.rejections.v1"

# Country policy is not about one case or one stream: its own topics, keyed by policy version.
POLICY_INPUT = "ind.intake.policy.input.v1"
POLICY_EVENTS = "ind.intake.policy.events.v1"

# Simulated time (docs/adr/0008-simulated-time.md): unused in production. Each round's tick
# and answers take the next partition (shared.runtime.simulation.clock_partition), so that
# none grows long; the cap on partitions for simulated runs does not apply to them.
CLOCK_PARTITIONS = 8  # ticks: every follower fetches them all, so few
CLOCK_ACK_PARTITIONS = 32  # answers: read by the driver one partition at a time
CLOCK = "caseflow.clock.v1"
CLOCK_ACKS = "caseflow.clock-acks.v1"

# Capacity is declared for the whole organisation; planning splits it over the streams (R2, R13).
PLANNING_INPUT = "ind.planning.input.v1"


def stage_input(stream: Stream, stage: Stage) -> str:
    return f"ind.{stream}.{stage}.input.v1"


def stage_events(stream: Stream, stage: Stage) -> str:
    return f"ind.{stream}.{stage}.events.v1"


def rejections(stream: Stream | None) -> str:
    return REGISTRATION_REJECTIONS if stream is None else f"ind.{stream}.rejections.v1"


def plan_events(stream: Stream) -> str:
    """Plan-level planning output (cycles, cohorts, capacity, triage), keyed by the plan object."""
    return f"ind.{stream}.planning.plan.v1"


def partner_topic(stream: Stream, partner: Partner) -> str:
    return f"ind.{stream}.partner.{partner}.v1"


def all_topics() -> list[TopicSpec]:
    specs = [
        TopicSpec(
            REGISTRATION_INPUT,
            Kind.INPUT,
            None,
            "front-ends",
            "Registrations and withdrawals, before intake assigns a stream",
        ),
        TopicSpec(
            REGISTRATION_REJECTIONS,
            Kind.REJECTIONS,
            None,
            "intake",
            "Refused or undecodable input of the stream-less topics (intake, country policy, "
            "capacity), with the reason and the original bytes",
            retention_ms=90 * DAY_MS,
        ),
        TopicSpec(
            POLICY_INPUT,
            Kind.INPUT,
            None,
            "front-ends",
            "Country policy (landenbeleid) from policy officers",
            key="policy version",
        ),
        TopicSpec(
            POLICY_EVENTS,
            Kind.EVENTS,
            None,
            "intake",
            "Country policy adopted by intake",
            key="policy version",
        ),
        TopicSpec(
            PLANNING_INPUT,
            Kind.INPUT,
            None,
            "front-ends",
            "Capacity declared for the whole organisation, before the split over the streams, "
            "and changes to one team from a day on",
            key="capacity month (a declaration) or team code (a team change)",
        ),
        TopicSpec(
            CLOCK,
            Kind.CONTROL,
            None,
            "simulator",
            "Simulated days, from the simulation driver to every service (simulations only)",
            partitions=CLOCK_PARTITIONS,
            retention_ms=7 * DAY_MS,
            key="simulation",
        ),
        TopicSpec(
            CLOCK_ACKS,
            Kind.CONTROL,
            None,
            "every service",
            "Each service's acknowledgement that it is idle at a simulated day and round "
            "(simulations only)",
            partitions=CLOCK_ACK_PARTITIONS,
            retention_ms=7 * DAY_MS,
            key="service name",
        ),
    ]
    for stream in Stream:
        for stage in Stage:
            # Intake's input has no stream yet; plan cycles are backlog work (R9), and Pact
            # capacity arrives on the stream-less planning input.
            pact_planning = stream is Stream.PACT and stage is Stage.PLANNING
            if stage is not Stage.INTAKE and not pact_planning:
                key = "plan cycle id" if stage is Stage.PLANNING else "case id"
                specs.append(
                    TopicSpec(
                        stage_input(stream, stage),
                        Kind.INPUT,
                        stream,
                        "front-ends",
                        f"Caseworker and planner input for {stage}, {stream} stream",
                        key=key,
                    )
                )
            specs.append(
                TopicSpec(
                    stage_events(stream, stage),
                    Kind.EVENTS,
                    stream,
                    str(stage),
                    f"Case events emitted by {stage}, {stream} stream",
                    # Grant-rate figures are about a plan cycle and category, not one case.
                    key="case id; grant-rate group for grant rates"
                    if stage is Stage.DECISION
                    else "case id",
                )
            )
        specs.append(
            TopicSpec(
                plan_events(stream),
                Kind.EVENTS,
                stream,
                "planning",
                f"Plan cycles, cohorts, capacity and triage, {stream} stream",
                key="plan cycle id, capacity month, location day or triage",
            )
        )
        specs.append(
            TopicSpec(
                rejections(stream),
                Kind.REJECTIONS,
                stream,
                "every service",
                f"Refused or undecodable input of the {stream} stream, with the reason",
                retention_ms=90 * DAY_MS,
            )
        )
        for partner in Partner:
            # Plan-cycle volume forecasts (backlog) go to the partners that balance the chain (R10).
            forecasts = stream is Stream.BACKLOG and partner in (
                Partner.COA,
                Partner.DTV,
                Partner.COURTS,
            )
            key = "case id; plan cycle id for forecasts" if forecasts else "case id"
            if partner is Partner.DTV:
                # Return-information days carry no applicant, so not a case id either.
                key += "; location day for return-information days"
            specs.append(
                TopicSpec(
                    partner_topic(stream, partner),
                    Kind.PARTNER,
                    stream,
                    "chain-notify",
                    f"Minimal notifications for {partner.name}, {stream} stream",
                    retention_ms=30 * DAY_MS,
                    key=key,
                )
            )
    return [
        replace(spec, retention_ms=INPUT_RETENTION_MS)
        if spec.kind is Kind.INPUT and spec.retention_ms < 0
        else spec
        for spec in specs
    ]


@dataclass(frozen=True, slots=True)
class TopicNames:
    """Applies the configured prefix (tests use one per test to stay isolated)."""

    prefix: str = ""

    def __call__(self, name: str) -> str:
        return f"{self.prefix}{name}"


@cache  # asked for every record a service consumes; there are few topic names
def stream_of(name: str) -> Stream | None:
    """The stream a topic belongs to, from its name (without prefix); None for pre-intake topics."""
    parts = name.split(".")
    if len(parts) > 1:
        for stream in Stream:
            if parts[1] == stream.value:
                return stream
    return None


def rejection_topic_for(name: str) -> str:
    """Where refused input of a topic goes (names without prefix)."""
    return rejections(stream_of(name))


def kind_of(name: str) -> Kind | None:
    """The kind of a registered topic (name without prefix); None for a topic not registered."""
    return _KINDS.get(name)


_KINDS = {spec.name: spec.kind for spec in all_topics()}
