"""Prephase's rules, one plain function per event type (the kit calls them; no I/O here).

Inputs (caseworkers and planners) that prephase will not act on are refused with a reason.
Facts from intake and planning about a case prephase has not seen registered yet wait for it;
a fact that contradicts the case is a recorded conflict (the kit's parking rules).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from prephase.domain.invitation import cancellation_events
from prephase.domain.model import (
    Exclusion,
    LocationDay,
    Logistics,
    PrephaseCase,
    PrephaseConfig,
    Requirement,
    Status,
    day_row_key,
)
from shared.contracts.envelope import EventData
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
    PrephaseLocationDayPlanned,
    ReleaseStage,
)
from shared.contracts.events.prephase import (
    IDENTITY_DOCUMENTS,
    DocumentsHandedIn,
    DocumentsRecorded,
    ExclusionScreeningConcluded,
    ExclusionScreeningOutcome,
    ExclusionScreeningRecorded,
    ExclusionSignalRaised,
    ExclusionSignalRecorded,
    LanguageIndicationCompleted,
    LanguageIndicationRecorded,
    LanguageIndicationResult,
    NoShowReason,
    OriginFinding,
    OriginInvestigationCompleted,
    OriginInvestigationRecorded,
    PrephaseAttendanceRecorded,
    PrephaseAttended,
    PrephaseCancellationReason,
    PrephaseCompleted,
    PrephaseCompletionRecorded,
    PrephaseDayCancelled,
    PrephaseHoldReason,
    PrephaseNoShow,
    PrephaseOnHold,
    ReturnInformationGiven,
    ReturnInformationRecorded,
    TransportCancelled,
    TransportRequested,
    WaiverCondition,
    WrittenAccountReceived,
    WrittenAccountRecorded,
)
from shared.contracts.values import Category
from shared.runtime.kit import Conflict, Context, Decision, Outcome, Refusal, Wait

Ctx = Context[PrephaseConfig]
Result = Outcome[PrephaseCase]
NOT_YET = "prephase has not seen this case registered yet"


class RefusalKind(StrEnum):
    """Stable names of prephase's refusals (the rejection's refusal_kind)."""

    UNKNOWN_CASE = "unknown_case"
    NOT_INVITED = "not_invited"
    DAY_CANCELLED = "day_cancelled"
    NOT_THE_INVITED_DAY = "not_the_invited_day"
    DAY_NOT_YET = "day_not_yet"
    NOT_ATTENDED = "not_attended"
    ALREADY_COMPLETED = "already_completed"
    WITHDRAWN = "withdrawn"
    ON_HOLD = "on_hold"
    MISSING_OUTCOMES = "missing_outcomes"
    NO_DAY_BOOKED = "no_day_booked"
    NO_SIGNAL = "no_signal"
    IN_FUTURE = "in_future"


def refuse(kind: RefusalKind, reason: str) -> Refusal:
    return Refusal(reason, kind.value)


def _handled(ctx: Ctx) -> bool:
    return ctx.stream in ctx.config.streams


# --- Facts from intake ----------------------------------------------------------------------


def registered(case: PrephaseCase | None, event: CaseRegistered, ctx: Ctx) -> Result:
    if event.stream not in ctx.config.streams or case is not None:
        return Decision(None)  # not a prephase stream, or the same registration again
    return Decision(
        PrephaseCase(
            case_id=ctx.case_id,
            stream=event.stream,
            category=event.category,
            priority_group=event.priority_group,
            groups=frozenset(event.priority_groups),
            lodged_at=event.lodged_at,
        )
    )


def recategorised(case: PrephaseCase | None, event: CaseRecategorised, ctx: Ctx) -> Result:
    if not _handled(ctx):
        return Decision(None)
    if case is None:
        return Wait(NOT_YET)
    return Decision(case.model_copy(update={"category": event.new_category}))


def group_changed(
    case: PrephaseCase | None, event: PriorityGroupJoined | PriorityGroupLeft, ctx: Ctx
) -> Result:
    if not _handled(ctx):
        return Decision(None)
    if case is None:
        return Wait(NOT_YET)
    groups = set(case.groups)
    if isinstance(event, PriorityGroupJoined):
        groups.add(event.group)
    else:
        groups.discard(event.group)
    return Decision(
        case.model_copy(
            update={"groups": frozenset(groups), "priority_group": event.priority_group}
        )
    )


def withdrawn(case: PrephaseCase | None, event: CaseWithdrawn, ctx: Ctx) -> Result:
    """A withdrawn case's invitation, transport and guardian notice are cancelled."""
    if not _handled(ctx):
        return Decision(None)
    if case is None:
        return Wait(NOT_YET)
    if case.status is Status.WITHDRAWN:
        return Decision(None)
    emit: tuple[EventData, ...] = ()
    if case.status is Status.INVITED and case.invitation is not None:
        emit = cancellation_events(case.invitation, PrephaseCancellationReason.CASE_WITHDRAWN)
    return Decision(case.model_copy(update={"status": Status.WITHDRAWN}), emit)


def logistics_changed(
    case: PrephaseCase | None, event: ApplicantLogisticsChanged, ctx: Ctx
) -> Result:
    """Keep the languages and the COA location. An invited applicant who moved to another COA
    location gets the transport moved: the old request cancelled, a new one made."""
    if not _handled(ctx):
        return Decision(None)
    if case is None:
        return Wait(NOT_YET)
    logistics = Logistics(
        interpreter_languages=event.interpreter_languages,
        reception_location=event.reception_location,
    )
    updated = case.model_copy(update={"logistics": logistics})
    invitation = case.invitation
    moved = (
        case.status is Status.INVITED
        and invitation is not None
        and invitation.transport_from != logistics.reception_location
    )
    if not moved or invitation is None:
        return Decision(updated)
    emit: list[EventData] = []
    if invitation.transport_from is not None:
        emit.append(TransportCancelled(day=invitation.day))
    if logistics.reception_location is not None:
        emit.append(
            TransportRequested(
                day=invitation.day,
                from_location=logistics.reception_location,
                to_location=invitation.location,
            )
        )
    new_invitation = invitation.model_copy(update={"transport_from": logistics.reception_location})
    return Decision(updated.model_copy(update={"invitation": new_invitation}), emit)


# --- Facts from planning --------------------------------------------------------------------


def released(case: PrephaseCase | None, event: CaseReleased, ctx: Ctx) -> Result:
    """A case released to prephase waits for a location day (the daily invitation pass). A
    case held after no-shows that planning releases again waits anew, its no-shows forgiven."""
    if event.stage is not ReleaseStage.PREPHASE or not _handled(ctx):
        return Decision(None)
    if case is None:
        return Wait(NOT_YET)
    match case.status:
        case Status.REGISTERED | Status.ON_HOLD:
            return Decision(
                case.model_copy(
                    update={
                        "status": Status.WAITING,
                        "release_day": event.release_day,
                        "no_shows": 0,
                        "not_scheduled_reported": False,
                        "logistics_missing_reported": False,
                    }
                )
            )
        case Status.WITHDRAWN:
            return Conflict("planning released a case that was withdrawn")
        case Status.COMPLETED:
            return Conflict("planning released a case whose prephase is complete")
        case _:
            return Decision(None)  # released again while waiting or invited: nothing new


def day_planned(case: PrephaseCase | None, event: PrephaseLocationDayPlanned, ctx: Ctx) -> Result:
    """Planning's capacity of a location day (the subject is the location day, not a case).

    The latest capacity counts. When planning cuts it below what the day has booked, the next
    invitation pass moves the invitations last in planning's order to another day (`trim`),
    with cancellation events: the day is rescheduled, not overbooked, before it takes place."""
    if ctx.stream is None or ctx.stream not in ctx.config.streams:
        return Decision(None)
    key = day_row_key(ctx.stream, ctx.case_id)
    day = LocationDay(
        key=key,
        stream=ctx.stream,
        location=event.location,
        day=event.day,
        places=event.places,
        interpreters={i.language: i.places for i in event.interpreters},
        return_information=event.return_information,
    )
    return Decision(None, rows=[day])


# --- Inputs from planners and caseworkers ------------------------------------------------------


def _known(case: PrephaseCase | None, ctx: Ctx) -> PrephaseCase | Refusal:
    if case is None:
        return refuse(RefusalKind.UNKNOWN_CASE, f"prephase does not know case {ctx.case_id}")
    if case.status is Status.WITHDRAWN:
        return refuse(RefusalKind.WITHDRAWN, f"case {ctx.case_id} was withdrawn")
    if case.status is Status.COMPLETED:
        return refuse(
            RefusalKind.ALREADY_COMPLETED, f"the prephase of case {ctx.case_id} is complete"
        )
    return case


def day_cancelled(case: PrephaseCase | None, event: PrephaseDayCancelled, ctx: Ctx) -> Result:
    """A planner cancels the booked day: the case is invited again (rescheduled)."""
    known = _known(case, ctx)
    if isinstance(known, Refusal):
        return known
    if known.status is not Status.INVITED or known.invitation is None:
        return refuse(RefusalKind.NO_DAY_BOOKED, f"case {ctx.case_id} has no prephase day booked")
    day = known.invitation.day
    updated = known.model_copy(
        update={"status": Status.WAITING, "cancelled_days": (*known.cancelled_days, day)}
    )
    return Decision(updated, cancellation_events(known.invitation, event.reason))


def _invited(case: PrephaseCase | None, ctx: Ctx) -> PrephaseCase | Refusal:
    known = _known(case, ctx)
    if isinstance(known, Refusal):
        return known
    if known.invitations == 0 or known.invitation is None:
        return refuse(
            RefusalKind.NOT_INVITED, f"case {ctx.case_id} was never invited for a prephase day"
        )
    return known


def attendance(case: PrephaseCase | None, event: PrephaseAttendanceRecorded, ctx: Ctx) -> Result:
    known = _invited(case, ctx)
    if isinstance(known, Refusal):
        return known
    invitation = known.invitation
    assert invitation is not None  # checked by _invited
    day = event.day or invitation.day
    current = known.status is Status.INVITED and day == invitation.day
    if day in known.cancelled_days and not current:
        return refuse(RefusalKind.DAY_CANCELLED, f"the prephase day {day} was cancelled")
    if known.status is not Status.INVITED:
        return refuse(
            RefusalKind.NOT_INVITED,
            f"case {ctx.case_id} has no prephase day booked (it is {known.status.value})",
        )
    if day != invitation.day:
        return refuse(
            RefusalKind.NOT_THE_INVITED_DAY,
            f"case {ctx.case_id} was invited for {invitation.day}, not {day}",
        )
    if day > ctx.today:
        return refuse(RefusalKind.DAY_NOT_YET, f"the prephase day {day} has not come yet")
    if event.attended:
        return Decision(
            known.model_copy(update={"status": Status.ATTENDED}), [PrephaseAttended(day=day)]
        )
    reason = event.no_show_reason or NoShowReason.UNEXCUSED
    # A failed transport is not the applicant's doing: it does not count towards the hold.
    counts = reason is not NoShowReason.TRANSPORT_FAILURE
    no_shows = known.no_shows + (1 if counts else 0)
    no_show = PrephaseNoShow(day=day, reason=reason)
    if no_shows > ctx.config.max_reinvitations:
        held = known.model_copy(update={"status": Status.ON_HOLD, "no_shows": no_shows})
        return Decision(
            held, [no_show, PrephaseOnHold(reason=PrephaseHoldReason.NO_SHOWS, no_shows=no_shows)]
        )
    again = known.model_copy(update={"status": Status.WAITING, "no_shows": no_shows})
    return Decision(again, [no_show])


def _attended(case: PrephaseCase | None, ctx: Ctx, what: str) -> PrephaseCase | Refusal:
    known = _invited(case, ctx)
    if isinstance(known, Refusal):
        return known
    if known.status is not Status.ATTENDED:
        return refuse(
            RefusalKind.NOT_ATTENDED,
            f"{what} for case {ctx.case_id}, whose attendance on a prephase day is not recorded",
        )
    return known


def _file_open(case: PrephaseCase | None, ctx: Ctx, what: str) -> PrephaseCase | Refusal:
    """The case, when a finding for its file may be recorded now: after attendance, or after
    completion as a late addition to the file (not a reopening: the case stays completed). A
    category changed after the prephase may need a finding its old category did not (R8, R12),
    and planning holds the release to decision until it is recorded (docs/adr/0029)."""
    if case is not None and case.status is Status.COMPLETED:
        return case
    return _attended(case, ctx, what)


def _finding(case: PrephaseCase, **update: Any) -> PrephaseCase:
    return case.model_copy(update={"findings": case.findings.model_copy(update=update)})


def documents(case: PrephaseCase | None, event: DocumentsRecorded, ctx: Ctx) -> Result:
    known = _file_open(case, ctx, "documents")
    if isinstance(known, Refusal):
        return known
    original_id = any(d.original and d.kind in IDENTITY_DOCUMENTS for d in event.documents)
    updated = _finding(known, documents=event.documents, original_identity_document=original_id)
    return Decision(
        updated,
        [DocumentsHandedIn(documents=event.documents, original_identity_document=original_id)],
    )


def language_indication(
    case: PrephaseCase | None, event: LanguageIndicationRecorded, ctx: Ctx
) -> Result:
    known = _file_open(case, ctx, "a language indication")
    if isinstance(known, Refusal):
        return known
    return Decision(
        _finding(known, language=event.result),
        [LanguageIndicationCompleted(result=event.result, language=event.language)],
    )


def origin_investigation(
    case: PrephaseCase | None, event: OriginInvestigationRecorded, ctx: Ctx
) -> Result:
    known = _file_open(case, ctx, "an origin investigation")
    if isinstance(known, Refusal):
        return known
    return Decision(
        _finding(known, origin=event.result), [OriginInvestigationCompleted(result=event.result)]
    )


def written_account(case: PrephaseCase | None, event: WrittenAccountRecorded, ctx: Ctx) -> Result:
    known = _file_open(case, ctx, "a written account")
    if isinstance(known, Refusal):
        return known
    received = WrittenAccountReceived(
        received_on=event.received_on,
        language=event.language,
        pages=event.pages,
        translation_needed=event.translation_needed,
    )
    return Decision(_finding(known, written_account=True), [received])


def return_information(
    case: PrephaseCase | None, event: ReturnInformationRecorded, ctx: Ctx
) -> Result:
    known = _attended(case, ctx, "return information")
    if isinstance(known, Refusal):
        return known
    given = ReturnInformationGiven(given_on=event.given_on, given_by=event.given_by)
    return Decision(_finding(known, return_information=True), [given])


def exclusion_signal(case: PrephaseCase | None, event: ExclusionSignalRecorded, ctx: Ctx) -> Result:
    """A 1F/NV signal holds the case until the specialised unit concludes."""
    known = _attended(case, ctx, "a 1F/NV signal")
    if isinstance(known, Refusal):
        return known
    if known.exclusion is Exclusion.PENDING:
        return Decision(None)  # signalled already: one hold
    return Decision(
        known.model_copy(update={"exclusion": Exclusion.PENDING}),
        [ExclusionSignalRaised(signalled_on=event.signalled_on)],
    )


def exclusion_screening(
    case: PrephaseCase | None, event: ExclusionScreeningRecorded, ctx: Ctx
) -> Result:
    """No indications lifts the hold; confirmed indications keep it."""
    known = _known(case, ctx)
    if isinstance(known, Refusal):
        return known
    if known.exclusion is not Exclusion.PENDING:
        return refuse(
            RefusalKind.NO_SIGNAL, f"case {ctx.case_id} has no 1F/NV signal awaiting screening"
        )
    lifted = event.outcome is ExclusionScreeningOutcome.NO_INDICATIONS
    exclusion = Exclusion.CLEARED if lifted else Exclusion.CONFIRMED
    return Decision(
        known.model_copy(update={"exclusion": exclusion}),
        [ExclusionScreeningConcluded(outcome=event.outcome, hold_lifted=lifted)],
    )


# --- Completion -------------------------------------------------------------------------------


def missing(case: PrephaseCase, config: PrephaseConfig) -> list[Requirement]:
    """The outcomes the case's category requires that are not recorded, in a fixed order."""
    have = {
        Requirement.ATTENDANCE: case.status is Status.ATTENDED,
        Requirement.DOCUMENTS: case.findings.documents is not None,
        Requirement.LANGUAGE_INDICATION: case.findings.language is not None,
        Requirement.ORIGIN_INVESTIGATION: case.findings.origin is not None,
        Requirement.WRITTEN_ACCOUNT: case.findings.written_account,
        Requirement.RETURN_INFORMATION: case.findings.return_information,
    }
    return [r for r in Requirement if r in config.required(case.category) and not have[r]]


def waiver_missing(case: PrephaseCase) -> list[WaiverCondition]:
    """What keeps a category-B case from a waiver: its group membership is established by a
    consistent language indication, an origin not in doubt (found plausible, or an original
    identity document and no doubt found), and no 1F/NV indication."""
    findings = case.findings
    gaps = []
    if findings.language is not LanguageIndicationResult.CONSISTENT:
        gaps.append(WaiverCondition.LANGUAGE_CONSISTENT)
    origin_clear = findings.origin is OriginFinding.PLAUSIBLE or (
        findings.original_identity_document and findings.origin is not OriginFinding.DOUBTFUL
    )
    if not origin_clear:
        gaps.append(WaiverCondition.ORIGIN_NOT_IN_DOUBT)
    if case.exclusion is not Exclusion.NONE and case.exclusion is not Exclusion.CLEARED:
        gaps.append(WaiverCondition.NO_EXCLUSION_INDICATION)
    return gaps


def completion(case: PrephaseCase | None, event: PrephaseCompletionRecorded, ctx: Ctx) -> Result:
    known = _invited(case, ctx)
    if isinstance(known, Refusal):
        return known
    if event.completed_on > ctx.today:
        return refuse(
            RefusalKind.IN_FUTURE, f"completion date {event.completed_on} is in the future"
        )
    if known.hold is not None:
        return refuse(RefusalKind.ON_HOLD, f"case {ctx.case_id} is on hold ({known.hold})")
    gaps = missing(known, ctx.config)
    if gaps:
        listed = ", ".join(g.value.replace("_", " ") for g in gaps)
        category = known.category.value if known.category else "a priority group"
        return refuse(
            RefusalKind.MISSING_OUTCOMES,
            f"cannot complete case {ctx.case_id} (category {category}): missing {listed}",
        )
    # The eligibility is a fact prephase records; hearing decides whether to waive (one owner).
    waiver_gaps = waiver_missing(known) if known.category is Category.B else []
    findings = known.findings
    completed = PrephaseCompleted(
        completed_on=event.completed_on,
        waiver_eligible=known.category is Category.B and not waiver_gaps,
        waiver_missing=tuple(waiver_gaps),
        language_indication=findings.language,
        origin=findings.origin,
        original_identity_document=findings.original_identity_document,
        written_account=findings.written_account,
        exclusion_signal=known.exclusion is not Exclusion.NONE,
    )
    return Decision(known.model_copy(update={"status": Status.COMPLETED}), [completed])
