"""Hearing on the service kit: one registration per event type, over hearing's domain functions."""

from __future__ import annotations

from typing import Any

from hearing import persistence as db
from hearing.domain import steps
from hearing.domain.case import HearingCase, HearingConfig
from shared.contracts.envelope import Envelope
from shared.contracts.events import hearing as h
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.planning import CaseReleased, HearingRosterPlanned
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionSignalRaised,
    LanguageIndicationCompleted,
    PrephaseCompleted,
)
from shared.contracts.topics import Stage, stage_events
from shared.contracts.values import Stream
from shared.runtime.kit import Rules


def events_topic(case: HearingCase) -> str:
    return stage_events(case.stream or Stream.BACKLOG, Stage.HEARING)


def _roster_keys(event: Envelope[Any]) -> list[str]:
    return [event.subject] if isinstance(event.data, HearingRosterPlanned) else []


def rules(config: HearingConfig) -> Rules[HearingCase, HearingConfig]:
    hearing = Rules(
        "hearing",
        store=db.CASES,
        config=config,
        events_topic=events_topic,
        stream_of=lambda case: case.stream,
    )
    hearing.rows("rosters", db.ROSTERS, _roster_keys)
    # Facts from intake, planning and prephase.
    hearing.on(CaseRegistered)(steps.registered)
    hearing.on(CaseRecategorised)(steps.recategorised)
    hearing.on(PriorityGroupJoined)(steps.priority_changed)
    hearing.on(PriorityGroupLeft)(steps.priority_changed)
    hearing.on(CaseWithdrawn)(steps.withdrawn)
    hearing.on(ApplicantLogisticsChanged)(steps.logistics_changed)
    hearing.on(CaseReleased)(steps.released)
    hearing.on(HearingRosterPlanned)(steps.roster_planned)
    hearing.on(PrephaseCompleted)(steps.prephase_completed)
    hearing.on(LanguageIndicationCompleted)(steps.language_indicated)
    hearing.on(ExclusionSignalRaised)(steps.exclusion_signalled)
    hearing.on(ExclusionScreeningConcluded)(steps.exclusion_concluded)
    # Front-end input.
    hearing.on(h.LawyerRecorded)(steps.lawyer_recorded)
    hearing.on(h.HearingWaiverRecorded)(steps.waiver_recorded)
    hearing.on(h.HearingHeldRecorded)(steps.held_recorded)
    hearing.on(h.HearingNoShowRecorded)(steps.no_show_recorded)
    hearing.on(h.HearingRescheduleRequested)(steps.reschedule_requested)
    hearing.on(h.AdditionalHearingRecorded)(steps.additional_recorded)
    hearing.on(h.CorrectionsRecorded)(steps.corrections_recorded)
    hearing.on(h.WrittenHearingStartRecorded)(steps.written_start_recorded)
    hearing.on(h.WrittenHearingAnswersRecorded)(steps.written_answers_recorded)
    hearing.on(h.HearingObstacleRecorded)(steps.obstacle_recorded)
    hearing.on(h.HearingObstacleCleared)(steps.obstacle_cleared)
    return hearing
