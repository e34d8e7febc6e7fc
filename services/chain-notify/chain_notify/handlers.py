"""Chain-notify on the service kit: one registration per event type, over the domain functions.

It reads intake's, planning's, prephase's, hearing's and decision's events, and publishes only
on partner topics (docs/chain-notify.md); it has no input topic of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chain_notify import persistence as db
from chain_notify.domain import cases as c
from chain_notify.domain.hearing import hearing_cancelled, hearing_planned
from chain_notify.domain.plans import (
    DISTRICT_SHARES,
    location_day_planned,
    plan_cycle_opened,
    return_day_key,
)
from chain_notify.domain.state import NotifyCase, NotifyConfig
from shared.contracts.envelope import Envelope
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.hearing import HearingCancelled, HearingPlanned
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CaseWithdrawn,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.planning import PlanCycleOpened, PrephaseLocationDayPlanned
from shared.contracts.events.prephase import (
    GuardianNoticeCancelled,
    GuardianNoticeRequested,
    TransportCancelled,
    TransportRequested,
)
from shared.contracts.topics import Partner, partner_topic
from shared.runtime.kit import KitBatch, Rules


async def load_district_shares(batch: KitBatch[Any], events: Sequence[Envelope[Any]]) -> None:
    """For a batch with a plan cycle: the stream's cases per court district, read once."""
    streams = {e.stream for e in events if isinstance(e.data, PlanCycleOpened)}
    if streams:
        stream = next(iter(streams))  # one topic per stream, one stream per batch of a topic
        batch.extras[DISTRICT_SHARES] = await db.district_shares(batch.session, str(stream))


def _return_day_keys(event: Envelope[Any]) -> list[str]:
    if isinstance(event.data, PrephaseLocationDayPlanned):
        return [return_day_key(event.stream, event.subject)]
    return []


def rules(config: NotifyConfig) -> Rules[NotifyCase, NotifyConfig]:
    notify = Rules(
        "chain-notify",
        store=db.CASES,
        config=config,
        # Every message names its partner's topic; this default is never used.
        events_topic=lambda case: partner_topic(case.stream, Partner.COA),
        stream_of=lambda case: case.stream,
        prepare=load_district_shares,
    )
    notify.rows("return_days", db.RETURN_DAYS, _return_day_keys)
    notify.on(CaseRegistered)(c.registered)
    notify.on(ApplicantLogisticsChanged)(c.logistics_changed)
    notify.on(PriorityGroupJoined)(c.group_joined)
    notify.on(PriorityGroupLeft)(c.group_left)
    notify.on(CaseWithdrawn)(c.withdrawn)
    notify.on(TransportRequested)(c.transport_requested)
    notify.on(TransportCancelled)(c.transport_cancelled)
    notify.on(GuardianNoticeRequested)(c.guardian_notice_requested)
    notify.on(GuardianNoticeCancelled)(c.guardian_notice_cancelled)
    notify.on(HearingPlanned)(hearing_planned)
    notify.on(HearingCancelled)(hearing_cancelled)
    notify.on(DecisionIssued)(c.decision_issued)
    notify.on(PrephaseLocationDayPlanned)(location_day_planned)
    notify.on(PlanCycleOpened)(plan_cycle_opened)
    return notify
