"""Hearing's domain functions: one per event type, over the case state, no I/O.

Facts from intake, planning and prephase gather on the case in any order; once it is
registered, released (with the team) and, on the prephase route, through the prephase, its
plan is made: waived (and ready for decision), written, or queued for an oral slot that the
allocation run hands out. Front-end input that does not fit the case is refused with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from hearing.domain.capacity import Unplaced, roster_from
from hearing.domain.case import (
    HearingCase,
    HearingConfig,
    Hold,
    Mode,
    PrephaseResult,
    Slot,
    Status,
    route_of,
)
from hearing.domain.plan import negative_finding, plan_for
from shared.contracts.envelope import EventData
from shared.contracts.events import hearing as h
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    PriorityGroupJoined,
    PriorityGroupLeft,
)
from shared.contracts.events.planning import (
    CaseReleased,
    HearingRosterPlanned,
    ReleaseStage,
    StageCouldNotPlace,
)
from shared.contracts.events.prephase import (
    ExclusionScreeningConcluded,
    ExclusionSignalRaised,
    LanguageIndicationCompleted,
    PrephaseCompleted,
)
from shared.contracts.values import Category
from shared.runtime.calendar import add_working_days
from shared.runtime.kit import AMSTERDAM, Conflict, Context, Decision, Outcome, Refusal, Wait

Ctx = Context[HearingConfig]
Out = Outcome[HearingCase]

UNKNOWN = "hearing has no such case"
NOT_REGISTERED = "hearing has not seen this case registered yet"
CLOSED = (Status.READY, Status.WITHDRAWN)


def _new(case: HearingCase | None, ctx: Ctx) -> HearingCase:
    return case or HearingCase(case_id=ctx.case_id, stream=ctx.stream)


def _ready(
    case: HearingCase, now: datetime, config: HearingConfig, *, waived: bool
) -> tuple[HearingCase, h.ReadyForDecision]:
    ready = case.model_copy(
        update={"status": Status.READY, "ready_at": now, "waived": waived, "measured": False}
    )
    event = h.ReadyForDecision(
        ready_on=now.astimezone(AMSTERDAM).date(),
        heard=not waived,
        additional_hearing=any(kind is h.HearingKind.ADDITIONAL for kind, _ in case.oral_minutes),
        category=case.category,
        route=route_of(case, config),
    )
    return ready, event


def advance(
    case: HearingCase, now: datetime, today: date, config: HearingConfig
) -> Decision[HearingCase]:
    """Make the case's plan once everything it needs is known; else keep gathering."""
    if case.status is not Status.GATHERING:
        return Decision(case)
    through_prephase = route_of(case, config) is h.HearingRoute.VIA_PREPHASE
    if not case.registered or case.team is None or (through_prephase and case.prephase is None):
        return Decision(case)
    if case.exclusion_hold:
        return Decision(case)  # no plan while the 1F/NV screening is open
    plan = plan_for(case, config)
    case = case.model_copy(update={"plan": plan, "queued_on": today})
    if plan.mode is Mode.WAIVED:
        ready, event = _ready(case, now, config, waived=True)
        return Decision(
            ready, [h.HearingWaived(reason=h.WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED), event]
        )
    status = Status.WRITTEN_PLANNED if plan.mode is Mode.WRITTEN else Status.WAITING_SLOT
    return Decision(case.model_copy(update={"status": status}))


def _replan(case: HearingCase, ctx: Ctx) -> Decision[HearingCase]:
    """A changed category or priority group changes the plan while no hearing has begun."""
    if case.status in (Status.WAITING_SLOT, Status.WRITTEN_PLANNED) and case.hearings_held == 0:
        case = case.model_copy(update={"status": Status.GATHERING, "plan": None})
    return advance(case, ctx.now, ctx.today, ctx.config)


# --- Facts ------------------------------------------------------------------------------------


def registered(case: HearingCase | None, event: CaseRegistered, ctx: Ctx) -> Out:
    case = _new(case, ctx)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    case = case.model_copy(
        update={
            "registered": True,
            "stream": event.stream,
            "category": event.category,
            "priority_group": event.priority_group,
            "lodged_at": event.lodged_at,
        }
    )
    return advance(case, ctx.now, ctx.today, ctx.config)


def recategorised(case: HearingCase | None, event: CaseRecategorised, ctx: Ctx) -> Out:
    if case is None or not case.registered:
        return Wait(NOT_REGISTERED)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    return _replan(case.model_copy(update={"category": event.new_category}), ctx)


def priority_changed(
    case: HearingCase | None, event: PriorityGroupJoined | PriorityGroupLeft, ctx: Ctx
) -> Out:
    if case is None or not case.registered:
        return Wait(NOT_REGISTERED)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    return _replan(case.model_copy(update={"priority_group": event.priority_group}), ctx)


def released(case: HearingCase | None, event: CaseReleased, ctx: Ctx) -> Out:
    if event.stage is ReleaseStage.DECISION:
        return Decision(None)  # not hearing's
    case = _new(case, ctx)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    update: dict[str, object] = {}
    if event.stage is ReleaseStage.PREPHASE:
        # The case reaches hearing after its prephase; the team stands unless a release to
        # hearing names one.
        update["released_to"] = ReleaseStage.PREPHASE
        if case.team is None:
            update |= {"team": event.team, "specialisms": event.specialisms}
    else:
        update |= {
            "team": event.team,
            "specialisms": event.specialisms,
            "release_day": event.release_day,
            "unplaced_reported": False,  # planning re-planned it: tell again if it still fails
        }
        if case.released_to is None:
            update["released_to"] = ReleaseStage.HEARING
    return advance(case.model_copy(update=update), ctx.now, ctx.today, ctx.config)


def prephase_completed(case: HearingCase | None, event: PrephaseCompleted, ctx: Ctx) -> Out:
    case = _new(case, ctx)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    if case.prephase is not None:
        return Conflict("a second prephase completion for this case")
    result = PrephaseResult(
        completed_on=event.completed_on,
        waiver_eligible=event.waiver_eligible,
        language_indication=event.language_indication,
        origin=event.origin,
        exclusion_signal=event.exclusion_signal,
    )
    return advance(case.model_copy(update={"prephase": result}), ctx.now, ctx.today, ctx.config)


def language_indicated(
    case: HearingCase | None, event: LanguageIndicationCompleted, ctx: Ctx
) -> Out:
    case = _new(case, ctx)
    if event.language is None or case.status is Status.WITHDRAWN:
        return Decision(None if case.status is Status.WITHDRAWN else case)
    return Decision(case.model_copy(update={"language": event.language}))


def withdrawn(case: HearingCase | None, event: CaseWithdrawn, ctx: Ctx) -> Out:
    case = _new(case, ctx)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    emit: list[EventData] = []
    update: dict[str, object] = {"status": Status.WITHDRAWN}
    if case.slot is not None:
        emit.append(_cancelled(case, case.slot, h.CancellationReason.CASE_WITHDRAWN))
        update |= {"slot": None, "slot_to_free": case.slot}
    return Decision(case.model_copy(update=update), emit)


def logistics_changed(case: HearingCase | None, event: ApplicantLogisticsChanged, ctx: Ctx) -> Out:
    """Hearing keeps its part of the applicant's logistics: the interpreter languages and the
    lawyer (whose clients' reviews are grouped on one day). Not the COA location, not the
    court district."""
    case = _new(case, ctx)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    update: dict[str, object] = {"interpreter_languages": event.interpreter_languages}
    if event.lawyer is not None:
        update["lawyer"] = event.lawyer
    return Decision(case.model_copy(update=update))


def exclusion_signalled(case: HearingCase | None, event: ExclusionSignalRaised, ctx: Ctx) -> Out:
    """A 1F/NV signal holds the hearing until the specialised unit concludes: no plan, and a
    planned slot is cancelled (the case is planned anew once the hold is lifted). Only the fact
    of the signal is known here; its content never reaches this system."""
    case = _new(case, ctx)
    if case.status in CLOSED or case.exclusion_hold:
        return Decision(None)  # ready: decision's concern; a second signal: one hold
    emit: list[EventData] = []
    update: dict[str, object] = {"exclusion_hold": True, "exclusion_since": ctx.today}
    if case.status in (Status.WAITING_SLOT, Status.PLANNED, Status.WRITTEN_PLANNED):
        if case.hearings_held == 0:
            update |= {"status": Status.GATHERING, "plan": None}
        if case.slot is not None:
            emit.append(_cancelled(case, case.slot, h.CancellationReason.ON_HOLD))
            update |= {"slot": None, "slot_to_free": case.slot}
            if case.hearings_held:
                update["status"] = Status.WAITING_SLOT
    return Decision(case.model_copy(update=update), emit)


def exclusion_concluded(
    case: HearingCase | None, event: ExclusionScreeningConcluded, ctx: Ctx
) -> Out:
    """The unit concluded: no indications lifts the hold and the hearing is planned; confirmed
    indications keep it."""
    if case is None:
        return Wait("hearing has not seen the 1F/NV signal for this case yet")
    if not case.exclusion_hold or not event.hold_lifted:
        return Decision(None)  # a signal hearing did not hold for (ready), or the hold stays
    lifted = case.model_copy(update={"exclusion_hold": False, "exclusion_since": None})
    return advance(lifted, ctx.now, ctx.today, ctx.config)


def _cancelled(case: HearingCase, slot: Slot, reason: h.CancellationReason) -> h.HearingCancelled:
    return h.HearingCancelled(day=slot.day, reason=reason, lawyer=case.lawyer)


# --- Front-end input --------------------------------------------------------------------------


def _open(case: HearingCase | None) -> HearingCase | Refusal:
    if case is None:
        return Refusal(UNKNOWN, "unknown_case")
    if case.status is Status.WITHDRAWN:
        return Refusal("the case was withdrawn", "withdrawn")
    return case


def lawyer_recorded(case: HearingCase | None, event: h.LawyerRecorded, ctx: Ctx) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    return Decision(
        found.model_copy(update={"lawyer": event.lawyer}), [h.LawyerAssigned(lawyer=event.lawyer)]
    )


def waiver_recorded(case: HearingCase | None, event: h.HearingWaiverRecorded, ctx: Ctx) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status not in (Status.WAITING_SLOT, Status.WRITTEN_PLANNED, Status.PLANNED):
        return Refusal(f"a waiver for a case that is {found.status.value}", "out_of_order")
    if found.category is Category.B and negative_finding(found.prephase):
        # R8: a negative language indication, doubt about origin or a 1F/NV signal: heard.
        return Refusal("category B with a negative prephase finding is heard (R8)", "not_allowed")
    if (
        event.reason is h.WaiverReason.GROUP_MEMBERSHIP_ESTABLISHED
        and found.category is not Category.B
    ):
        return Refusal("group membership waives only category B", "not_allowed")
    emit: list[EventData] = []
    update: dict[str, object] = {}
    if found.slot is not None:
        emit.append(_cancelled(found, found.slot, h.CancellationReason.WAIVED))
        update |= {"slot": None, "slot_to_free": found.slot}
    ready, event_ready = _ready(found.model_copy(update=update), ctx.now, ctx.config, waived=True)
    return Decision(ready, [*emit, h.HearingWaived(reason=event.reason), event_ready])


def _planned(case: HearingCase | None) -> tuple[HearingCase, Slot] | Refusal:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.slot is None or found.status is not Status.PLANNED:
        return Refusal("a result for a hearing that was never planned", "out_of_order")
    return found, found.slot


def held_recorded(case: HearingCase | None, event: h.HearingHeldRecorded, ctx: Ctx) -> Out:
    found = _planned(case)
    if isinstance(found, Refusal):
        return found
    planned, slot = found
    if event.held_on < slot.day:
        return Refusal(f"held on {event.held_on} before the planned day {slot.day}", "invalid")
    if event.kind is not slot.kind:
        return Refusal(
            f"the planned hearing is {slot.kind.value}, not {event.kind.value}", "invalid"
        )
    review_on = max(slot.review_on, add_working_days(event.held_on, 1))
    heard = planned.model_copy(
        update={
            "status": Status.HEARD,
            "slot": None,
            "hearings_held": planned.hearings_held + 1,
            "oral_minutes": (*planned.oral_minutes, (event.kind, event.duration_minutes)),
            "additional_pending": False,
            "review_on": review_on,
            "review_due": add_working_days(review_on, ctx.config.review_term_working_days),
        }
    )
    held = h.HearingHeld(
        held_on=event.held_on,
        kind=event.kind,
        duration_minutes=event.duration_minutes,
        interpreter_language=event.interpreter_language,
        lawyer_present=event.lawyer_present,
    )
    return Decision(heard, [held])


def no_show_recorded(case: HearingCase | None, event: h.HearingNoShowRecorded, ctx: Ctx) -> Out:
    found = _planned(case)
    if isinstance(found, Refusal):
        return found
    planned, slot = found
    if event.day != slot.day:
        return Refusal(f"the hearing was planned on {slot.day}, not {event.day}", "invalid")
    # The day is spent: its capacity is not given back. The case takes the next free slot.
    again = planned.model_copy(update={"status": Status.WAITING_SLOT, "slot": None})
    return Decision(again, [h.HearingNoShow(day=slot.day)])


def reschedule_requested(
    case: HearingCase | None, event: h.HearingRescheduleRequested, ctx: Ctx
) -> Out:
    found = _planned(case)
    if isinstance(found, Refusal):
        return found
    planned, slot = found
    again = planned.model_copy(
        update={"status": Status.WAITING_SLOT, "slot": None, "slot_to_free": slot}
    )
    return Decision(again, [_cancelled(planned, slot, h.CancellationReason.RESCHEDULED)])


def additional_recorded(
    case: HearingCase | None, event: h.AdditionalHearingRecorded, ctx: Ctx
) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status not in (Status.HEARD, Status.WRITTEN_SENT):
        return Refusal(
            "an additional hearing follows a hearing whose review is open, or written questions",
            "out_of_order",
        )
    again = found.model_copy(
        update={
            "status": Status.WAITING_SLOT,
            "additional_pending": True,
            "review_on": None,
            "review_due": None,
        }
    )
    return Decision(again, [h.AdditionalHearingNeeded(reason=event.reason)])


def corrections_recorded(case: HearingCase | None, event: h.CorrectionsRecorded, ctx: Ctx) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status is Status.READY:
        return Refusal("the review of this hearing is already complete", "duplicate_review")
    if found.status is not Status.HEARD:
        return Refusal("a review before the hearing was held", "out_of_order")
    received = h.CorrectionsAndAdditionsReceived(
        received_on=event.received_on, submitted=event.submitted
    )
    ready, event_ready = _ready(found, ctx.now, ctx.config, waived=False)
    return Decision(ready, [received, event_ready])


def written_start_recorded(
    case: HearingCase | None, event: h.WrittenHearingStartRecorded, ctx: Ctx
) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status is not Status.WRITTEN_PLANNED:
        return Refusal("no written hearing is planned for this case", "out_of_order")
    sent = found.model_copy(
        update={"status": Status.WRITTEN_SENT, "written_sent_on": event.sent_on}
    )
    return Decision(
        sent, [h.WrittenHearingStarted(sent_on=event.sent_on, answers_due=event.answers_due)]
    )


def written_answers_recorded(
    case: HearingCase | None, event: h.WrittenHearingAnswersRecorded, ctx: Ctx
) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status is not Status.WRITTEN_SENT or found.written_sent_on is None:
        return Refusal("no written questions were sent for this case", "out_of_order")
    if event.received_on < found.written_sent_on:
        return Refusal("answers received before the questions were sent", "invalid")
    answered = h.WrittenHearingAnswered(
        received_on=event.received_on, days_taken=(event.received_on - found.written_sent_on).days
    )
    found = found.model_copy(update={"written_days": answered.days_taken})
    ready, event_ready = _ready(found, ctx.now, ctx.config, waived=False)
    return Decision(ready, [answered, event_ready])


def obstacle_recorded(case: HearingCase | None, event: h.HearingObstacleRecorded, ctx: Ctx) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status is Status.ON_HOLD:
        return Refusal("the case is on hold already", "duplicate")
    if found.status is Status.READY:
        return Refusal(
            "the case is ready for decision: decision tracks its obstacles", "out_of_order"
        )
    emit: list[EventData] = []
    update: dict[str, object] = {}
    resume_to = found.status
    if found.slot is not None:
        emit.append(_cancelled(found, found.slot, h.CancellationReason.ON_HOLD))
        update |= {"slot": None, "slot_to_free": found.slot}
        resume_to = Status.WAITING_SLOT
    hold = Hold(
        obstacle=event.obstacle, since=ctx.today, review_on=event.review_on, resume_to=resume_to
    )
    update |= {"status": Status.ON_HOLD, "hold": hold}
    on_hold = h.HearingOnHold(obstacle=event.obstacle, since=ctx.today, review_on=event.review_on)
    return Decision(found.model_copy(update=update), [*emit, on_hold])


def obstacle_cleared(case: HearingCase | None, event: h.HearingObstacleCleared, ctx: Ctx) -> Out:
    found = _open(case)
    if isinstance(found, Refusal):
        return found
    if found.status is not Status.ON_HOLD or found.hold is None:
        return Refusal("the case is not on hold", "out_of_order")
    if event.cleared_on < found.hold.since:
        return Refusal("cleared before the hold began", "invalid")
    resumed = found.model_copy(update={"status": found.hold.resume_to, "hold": None})
    days = (event.cleared_on - found.hold.since).days
    return Decision(resumed, [h.HearingResumed(resumed_on=event.cleared_on, days_on_hold=days)])


# --- Timer work (called by the allocation and lapse runs) ----------------------------------


def book(case: HearingCase, slot: Slot) -> tuple[HearingCase, h.HearingPlanned]:
    planned = case.model_copy(
        update={"status": Status.PLANNED, "slot": slot, "unplaced_reported": False}
    )
    room = case.plan.room if case.plan is not None else h.HearingRoom.STANDARD
    event = h.HearingPlanned(
        starts_at=slot.starts_at,
        location=slot.location,
        room=room,
        format=slot.format,
        interpreter_language=slot.interpreter_language,
        review_on=slot.review_on,
        team=slot.team,
        caseworker=slot.caseworker,
        lawyer=case.lawyer,
    )
    return planned, event


def could_not_place(unplaced: Unplaced) -> tuple[HearingCase, StageCouldNotPlace] | None:
    """Tell planning, once until the case is placed or released again, that no slot fits, so
    that it can re-plan (another team, more caseworker days, a later release)."""
    case = unplaced.case
    if case.unplaced_reported:
        return None
    told = StageCouldNotPlace(
        stage=ReleaseStage.HEARING,
        reason=unplaced.reason,
        searched_until=unplaced.searched[1],
        team=case.team,
        language=unplaced.language,
    )
    return case.model_copy(update={"unplaced_reported": True}), told


def lapse_review(
    case: HearingCase, today: date, now: datetime, config: HearingConfig
) -> tuple[HearingCase, Sequence[EventData]] | None:
    """The review term passed without corrections or additions: the case is ready."""
    if case.status is not Status.HEARD or case.review_due is None or today <= case.review_due:
        return None
    none_came = h.CorrectionsAndAdditionsReceived(received_on=today, submitted=False)
    ready, event = _ready(case, now, config, waived=False)
    return ready, [none_came, event]


def hold_age_days(case: HearingCase, today: date) -> int | None:
    return (today - case.hold.since).days if case.hold is not None else None


def roster_planned(case: HearingCase | None, event: HearingRosterPlanned, ctx: Ctx) -> Out:
    """Planning's roster for a month (the subject is the month, not a case): kept in the
    rosters store; the latest counts. The next daily run books within it and moves bookings
    it no longer covers (capacity.trim)."""
    kept = ctx.rows.get("rosters")
    before = kept.get(ctx.case_id) if kept is not None else None
    return Decision(None, rows=[roster_from(ctx.case_id, event, before)])
