"""A case's record across all stages: the timeline, the legal deadline, holds, the decision.

One pure fold, `recorded(record, event, day)`, over the events every stage publishes. The
service applies it as the events arrive (handlers.py); a rebuild applies it to the topics read
from the start (rebuild.py). The monthly figures (figures.py) are a function of the records
only, so a rebuild gives the same figures. Only ids, dates, kinds and reasons are kept: no
personal data, nothing of a 1F/NV signal but its fact, nothing of the account.

`day` is the day an event without a date of its own happened: the service's `ctx.today`, a
rebuild's event time (the same day under the driven clock).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.contracts.envelope import EventData
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionIssued, DecisionOnHold, DecisionResumed
from shared.contracts.events.hearing import (
    HearingCancelled,
    HearingHeld,
    HearingOnHold,
    HearingPlanned,
    HearingResumed,
    HearingWaived,
    ReadyForDecision,
)
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    LegalDeadlineChanged,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.planning import (
    CaseReleased,
    FileItem,
    ReleaseHeld,
    ReleaseStage,
    StageCouldNotPlace,
)
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionSignalRaised,
    GuardianNoticeCancelled,
    GuardianNoticeRequested,
    LanguageIndicationCompleted,
    OriginInvestigationCompleted,
    PrephaseCompleted,
    PrephaseInvited,
    PrephaseNoShow,
    PrephaseOnHold,
    TransportCancelled,
    TransportRequested,
    WrittenAccountReceived,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import AMSTERDAM

from . import file, notices
from .model import HoldReason
from .notices import PartnerView

RECORD_ONLY: tuple[type[EventData], ...] = (
    LegalDeadlineChanged,
    PrephaseInvited,
    PrephaseOnHold,
    TransportRequested,  # COA's transport notices (partner figures)
    TransportCancelled,
    HearingWaived,
    HearingHeld,
    DecisionIssued,
    # Nidos's and the lawyer's appointment notices (partner figures)
    GuardianNoticeRequested,
    GuardianNoticeCancelled,
)
"""Facts that change only a case's record, not the pool: the service registers them for the
record alone (handlers.py); the other types `recorded` reads have a pool function too."""


NOTICE_FACTS = (
    PriorityGroupJoined,
    PriorityGroupLeft,
    ApplicantLogisticsChanged,
    GuardianNoticeRequested,
    GuardianNoticeCancelled,
    HearingPlanned,
    HearingCancelled,
)
"""What changes Nidos's and the lawyer's notices (domain/notices.py) beside the steps."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Waiting(StrEnum):
    """What a case waits for now."""

    RELEASE = "release"  # a place in a cycle (backlog) or the day it is released
    PREPHASE_DAY = "prephase_day"
    PREPHASE = "prephase"  # the prephase to complete
    HEARING = "hearing"
    DECISION = "decision"
    FILE = "file"  # the items a decider needs (R12): the release to decision is held
    HOLD = "hold"
    NOTHING = "nothing"  # decided or withdrawn


RELEASED_WAITING = {
    ReleaseStage.PREPHASE: Waiting.PREPHASE_DAY,
    ReleaseStage.HEARING: Waiting.HEARING,
    ReleaseStage.DECISION: Waiting.DECISION,
}


class Step(Frozen):
    day: date
    stage: str
    what: str


class Hold(Frozen):
    reason: HoldReason
    since: date
    until: date | None = None


class Unplaced(Frozen):
    """A stage reported it could not place the case, and nothing has placed it since."""

    stage: str
    reason: str
    since: date


class CaseRecord(Frozen):
    """A case's record. The service keeps its steps apart (CaseStep, ADR 0035): a record as
    stored holds the steps not yet kept apart (none) and how many are; in a fold (a rebuild,
    a test) `steps` is the whole timeline."""

    case_id: str
    stream: Stream
    procedure: Procedure
    lodged_on: date
    registered_on: date
    unaccompanied: bool
    category: Category | None = None
    deadline: date
    steps: tuple[Step, ...] = ()
    steps_kept: int = 0  # the steps kept apart, before `steps`
    holds: tuple[Hold, ...] = ()
    stage: str = "planning"
    waiting: Waiting = Waiting.RELEASE
    decided_on: date | None = None
    outcome: DecisionOutcome | None = None
    deadline_met: bool | None = None
    decided_category: Category | None = None
    withdrawn_on: date | None = None
    decision_sent_on: date | None = None
    # COA transport, as chain-notify notifies it (one request a day, cancelled once): the days
    # asked for now, and the days each request and cancellation was sent (partner figures).
    transports: tuple[date, ...] = ()
    transport_requests: tuple[date, ...] = ()
    transport_cancellations: tuple[date, ...] = ()
    # Cleared by what places the case or ends the wait: a release (to another team, the next
    # stage), an invitation, a planned hearing, readiness, a decision, a withdrawal.
    unplaced: Unplaced | None = None
    # The file items a decider misses: the release to decision is held until they come (R12).
    missing_items: tuple[FileItem, ...] = ()
    # What Nidos and the lawyer were told, as chain-notify tells them (domain/notices.py).
    partners: PartnerView = PartnerView()

    @property
    def open_holds(self) -> tuple[Hold, ...]:
        return tuple(h for h in self.holds if h.until is None)

    @property
    def amv(self) -> bool:
        return self.unaccompanied


class CaseStep(Frozen):
    """A step of a case's timeline as the service keeps it: a row of its own, written once,
    so that the record every event reads and writes does not carry its whole history (ADR
    0035). `n` counts the case's steps from 0."""

    case_id: str
    n: int
    day: date
    stage: str
    what: str

    @property
    def key(self) -> str:
        return f"{self.case_id}/{self.n:05d}"


def kept_apart(record: CaseRecord) -> tuple[CaseRecord, list[CaseStep]]:
    """The record as stored, without its new steps, and those steps as kept apart."""
    if not record.steps:
        return record, []
    steps = [
        CaseStep(case_id=record.case_id, n=record.steps_kept + i, **s.model_dump())
        for i, s in enumerate(record.steps)
    ]
    stored = record.model_copy(update={"steps": (), "steps_kept": record.steps_kept + len(steps)})
    return stored, steps


def with_steps(record: CaseRecord, kept: Iterable[CaseStep]) -> CaseRecord:
    """The record with its whole timeline: the steps kept apart (in order), then its own."""
    earlier = tuple(Step(day=s.day, stage=s.stage, what=s.what) for s in kept)
    return record.model_copy(update={"steps": (*earlier, *record.steps), "steps_kept": 0})


def registered(case_id: str, event: CaseRegistered, day: date) -> CaseRecord:
    lodged = event.lodged_at.astimezone(AMSTERDAM).date()
    return CaseRecord(
        case_id=case_id,
        stream=event.stream,
        procedure=event.procedure,
        lodged_on=lodged,
        registered_on=day,
        unaccompanied=event.unaccompanied,
        category=event.category,
        deadline=event.deadline,
        partners=notices.on_registration(event),
        steps=(
            Step(day=lodged, stage="intake", what="lodged"),
            Step(day=day, stage="intake", what=f"registered ({event.procedure})"),
        ),
    )


def _step(record: CaseRecord, day: date, at: str, what: str, **update: object) -> CaseRecord:
    return record.model_copy(
        update={"steps": (*record.steps, Step(day=day, stage=at, what=what)), **update}
    )


def _hold(record: CaseRecord, reason: HoldReason, since: date) -> CaseRecord:
    if any(h.reason is reason for h in record.open_holds):
        return record
    held = _step(record, since, record.stage, f"on hold: {reason}")
    return held.model_copy(
        update={"holds": (*record.holds, Hold(reason=reason, since=since)), "waiting": Waiting.HOLD}
    )


def _unhold(record: CaseRecord, reason: HoldReason, until: date, waiting: Waiting) -> CaseRecord:
    if not any(h.reason is reason for h in record.open_holds):
        return record
    holds = tuple(
        h.model_copy(update={"until": until}) if h.reason is reason and h.until is None else h
        for h in record.holds
    )
    still = any(h.until is None for h in holds)
    lifted = _step(record, until, record.stage, f"hold ended: {reason}")
    return lifted.model_copy(update={"holds": holds, "waiting": Waiting.HOLD if still else waiting})


def recorded(record: CaseRecord | None, event: EventData, day: date) -> CaseRecord | None:
    """The record after one event; None when the event needs a registration first."""
    if record is None:
        return None  # only a registration starts a record (registered())
    if isinstance(event, NOTICE_FACTS):
        closed = record.withdrawn_on is not None or record.decided_on is not None
        partners = notices.noticed(record.partners, event, day, closed=closed)
        record = record.model_copy(update={"partners": partners})
    match event:
        case CaseWithdrawn():
            if record.withdrawn_on is not None:
                return record  # chain-notify tells the partners once
            on = event.withdrawn_at.astimezone(AMSTERDAM).date()
            # Chain-notify cancels each transport still to come (CoaTransportCancelled), on the
            # day it handles the withdrawal.
            cancelled = tuple(day for d in record.transports if d >= day)
            return _step(
                record,
                on,
                "intake",
                "withdrawn",
                withdrawn_on=on,
                waiting=Waiting.NOTHING,
                unplaced=None,
                transports=(),
                transport_cancellations=(*record.transport_cancellations, *cancelled),
                partners=notices.withdrawn(record.partners, day),
            )
        case TransportRequested():
            if event.day in record.transports or record.withdrawn_on is not None:
                return record  # chain-notify sends no second request for the day
            return record.model_copy(
                update={
                    "transports": tuple(sorted((*record.transports, event.day))),
                    "transport_requests": (*record.transport_requests, day),
                }
            )
        case TransportCancelled():
            if event.day not in record.transports:
                return record
            return record.model_copy(
                update={
                    "transports": tuple(d for d in record.transports if d != event.day),
                    "transport_cancellations": (*record.transport_cancellations, day),
                }
            )
        case CaseRecategorised():
            return _step(
                record,
                day,
                "intake",
                f"category {event.old_category or '-'} to {event.new_category or '-'}",
                category=event.new_category,
            )
        case LegalDeadlineChanged():
            return _step(
                record,
                day,
                "intake",
                f"deadline {event.old_deadline} to {event.new_deadline} ({event.reason})",
                deadline=event.new_deadline,
            )
        case CaseReleased():
            return _step(
                record,
                event.release_day,
                "planning",
                f"released to {event.stage}, team {event.team}"
                + (f", cohort {event.cohort}" if event.cohort else ""),
                stage=str(event.stage),
                waiting=RELEASED_WAITING[event.stage],
                unplaced=None,
                missing_items=(),
            )
        case ReleaseHeld():
            return _step(
                record,
                day,
                "planning",
                f"release to {event.stage} held: the file is incomplete, missing: "
                + ", ".join(event.missing_items),
                waiting=Waiting.FILE,
                missing_items=event.missing_items,
            )
        case StageCouldNotPlace():
            return _step(
                record,
                day,
                str(event.stage),
                f"could not be placed: {event.reason} (looked until {event.searched_until})",
                unplaced=Unplaced(stage=str(event.stage), reason=str(event.reason), since=day),
            )
        case PrephaseInvited():
            return _step(
                record,
                day,
                "prephase",
                f"invited for {event.day}",
                waiting=Waiting.PREPHASE,
                unplaced=None,
            )
        case (
            WrittenAccountReceived()
            | LanguageIndicationCompleted()
            | OriginInvestigationCompleted()
        ):
            item = file.item_of(event)
            if item not in record.missing_items:
                return record
            missing = tuple(i for i in record.missing_items if i is not item)
            return record.model_copy(update={"missing_items": missing})
        case PrephaseNoShow():
            return _step(record, day, "prephase", "no-show", waiting=Waiting.PREPHASE_DAY)
        case PrephaseOnHold():
            return _hold(record, HoldReason.NO_SHOWS, day)
        case ExclusionSignalRaised():
            return _hold(record, HoldReason.EXCLUSION_SIGNAL, event.signalled_on)
        case ExclusionScreeningConcluded() if event.hold_lifted:
            return _unhold(record, HoldReason.EXCLUSION_SIGNAL, day, Waiting.PREPHASE)
        case PrephaseCompleted():
            return _step(
                record,
                event.completed_on,
                "prephase",
                "prephase completed, eligible for a waiver"
                if event.waiver_eligible
                else "prephase completed",
                stage="hearing",
                waiting=Waiting.HEARING,
            )
        case HearingPlanned():
            on = event.starts_at.astimezone(AMSTERDAM).date()
            return _step(
                record, day, "hearing", f"hearing planned for {on}", stage="hearing", unplaced=None
            )
        case HearingWaived():
            return _step(record, day, "hearing", f"hearing waived ({event.reason})")
        case HearingHeld():
            return _step(record, event.held_on, "hearing", f"{event.kind} hearing held")
        case ReadyForDecision():
            return _step(
                record,
                event.ready_on,
                "hearing",
                "ready for decision",
                stage="decision",
                waiting=Waiting.DECISION,
                unplaced=None,
            )
        case HearingOnHold():
            return _hold(record, HoldReason.HEARING_OBSTACLE, event.since)
        case HearingResumed():
            return _unhold(record, HoldReason.HEARING_OBSTACLE, event.resumed_on, Waiting.HEARING)
        case DecisionOnHold():
            return _hold(record, HoldReason.DECISION_OBSTACLE, event.since)
        case DecisionResumed():
            return _unhold(record, HoldReason.DECISION_OBSTACLE, event.resumed_on, Waiting.DECISION)
        case DecisionIssued():
            sent_on = event.sent_at.astimezone(AMSTERDAM).date()
            return _step(
                record,
                event.issued_on,
                "decision",
                f"decided: {event.outcome} ({event.route}), "
                + ("within" if event.deadline_met else "after")
                + " the legal deadline",
                stage="decision",
                waiting=Waiting.NOTHING,
                decided_on=event.issued_on,
                outcome=event.outcome,
                deadline_met=event.deadline_met,
                decided_category=record.category,
                decision_sent_on=sent_on,
                unplaced=None,
                partners=notices.decided(
                    record.partners,
                    event.sent_at.astimezone(AMSTERDAM).date(),
                    refused=event.outcome is not DecisionOutcome.GRANT,
                ),
            )
    return record


def replay(events: Iterable[tuple[str, EventData, date]]) -> dict[str, CaseRecord]:
    """The records from events read back from the topics: (case id, event, day) in the order
    read. As the service does, a fact that comes before its case's registration waits for it."""
    found: dict[str, CaseRecord] = {}
    waiting: dict[str, list[tuple[EventData, date]]] = {}
    for case_id, event, day in events:
        record = found.get(case_id)
        if isinstance(event, CaseRegistered) and record is None:
            found[case_id] = registered(case_id, event, day)
            for early, early_day in waiting.pop(case_id, []):
                found[case_id] = recorded(found[case_id], early, early_day) or found[case_id]
        elif record is None:
            waiting.setdefault(case_id, []).append((event, day))
        else:
            found[case_id] = recorded(record, event, day) or record
    return found
