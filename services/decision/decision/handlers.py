"""Decision on the service kit: one registration per event type, over decision's domain
functions (decision/domain/). Input from deciders is refused with a reason; facts from intake,
planning and hearing about a case decision has not seen registered wait for it (parked)."""

from __future__ import annotations

from decision import persistence as db
from decision.domain import (
    DecisionCase,
    DecisionConfig,
    deadline_changed,
    drafted,
    intended_recorded,
    issued,
    obstacle_cleared,
    obstacle_recorded,
    ready,
    recategorised,
    referred,
    refusal_recorded,
    registered,
    release_held,
    released,
    reviewed,
    view_recorded,
    voted,
    withdrawn,
)
from shared.contracts.events.decision import (
    ApplicantViewRecorded,
    DecisionDraftRecorded,
    DecisionIssueRecorded,
    DecisionObstacleCleared,
    DecisionObstacleRecorded,
    DecisionReviewRecorded,
    HardCaseReferralRecorded,
    HardCaseVoteRecorded,
    IntendedDecisionRecorded,
)
from shared.contracts.events.hearing import HearingWaived, ReadyForDecision
from shared.contracts.events.intake import (
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    LegalDeadlineChanged,
)
from shared.contracts.events.planning import CaseReleased, ReleaseHeld
from shared.contracts.rejections import Rejection
from shared.contracts.topics import Stage, stage_events
from shared.runtime.kit import Rules


def rules(config: DecisionConfig) -> Rules[DecisionCase, DecisionConfig]:
    decision = Rules(
        "decision",
        store=db.CASES,
        config=config,
        events_topic=lambda case: stage_events(case.stream, Stage.DECISION),
        stream_of=lambda case: case.stream,
    )
    # Facts
    decision.on(CaseRegistered)(registered)
    decision.on(LegalDeadlineChanged)(deadline_changed)
    decision.on(CaseRecategorised)(recategorised)
    decision.on(CaseWithdrawn)(withdrawn)
    decision.on(CaseReleased)(released)
    decision.on(ReleaseHeld)(release_held)
    decision.on(ReadyForDecision)(ready)
    decision.on(HearingWaived)(ready)
    # Input from deciders and senior deciders
    decision.on(DecisionDraftRecorded)(drafted)
    decision.on(DecisionReviewRecorded)(reviewed)
    decision.on(HardCaseReferralRecorded)(referred)
    decision.on(HardCaseVoteRecorded)(voted)
    decision.on(IntendedDecisionRecorded)(intended_recorded)
    decision.on(ApplicantViewRecorded)(view_recorded)
    decision.on(DecisionIssueRecorded)(issued)
    decision.on(DecisionObstacleRecorded)(obstacle_recorded)
    decision.on(DecisionObstacleCleared)(obstacle_cleared)
    # Its own rejections, read back from the rejection topics: a refused input (a sender
    # without the role, an approval by the drafter) is recorded in the case's trail too.
    decision.on(Rejection)(refusal_recorded)
    return decision
