"""What decision knows of a case, and the rules for drafting, four eyes, the hard-case team,
issuing and holds. Plain functions over frozen models: each takes the case (or None), the
event's data and the kit's context, and returns the kit's outcome (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from decision.domain.config import DecisionConfig
from decision.domain.watch import rearm
from shared.contracts.events.common import (
    DecisionOutcome,
    LegalGround,
    ObstacleKind,
    Procedure,
    RejectionKind,
)
from shared.contracts.events.decision import (
    ApplicantViewReceived,
    ApplicantViewRecorded,
    DecisionDrafted,
    DecisionDraftRecorded,
    DecisionEscalated,
    DecisionIssued,
    DecisionIssueRecorded,
    DecisionObstacleCleared,
    DecisionObstacleRecorded,
    DecisionOnHold,
    DecisionResumed,
    DecisionReviewed,
    DecisionReviewRecorded,
    DecisionRoute,
    EscalationReason,
    HardCaseDecided,
    HardCaseReferralRecorded,
    HardCaseVoteRecorded,
    IntendedDecisionRecorded,
    IntendedDecisionSent,
)
from shared.contracts.events.hearing import HearingWaived, ReadyForDecision
from shared.contracts.events.intake import (
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    LegalDeadlineChanged,
)
from shared.contracts.events.planning import CaseReleased, FileItem, ReleaseHeld, ReleaseStage
from shared.contracts.rejections import Rejection
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.runtime.kit import Conflict, Context, Decision, Outcome, Refusal, Wait

Ctx = Context[DecisionConfig]
NOT_YET = "decision has not seen this case registered yet"


class Status(StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Proposal(_Frozen):
    """An outcome with its ground or kind: what a draft, a vote or a decision says."""

    outcome: DecisionOutcome
    legal_ground: LegalGround | None = None
    rejection_kind: RejectionKind | None = None

    def describe(self) -> str:
        extra = self.legal_ground or self.rejection_kind
        return f"{self.outcome}" + (f" ({extra})" if extra else "")


class Draft(_Frozen):
    proposal: Proposal
    standardised: bool
    by: str
    on: date
    hard_case_team: bool = False
    reviewed_by: str | None = None
    reviewed_on: date | None = None


class Vote(_Frozen):
    by: str
    on: date
    proposal: Proposal


class Referral(_Frozen):
    reason: EscalationReason
    by: str
    on: date
    votes: tuple[Vote, ...] = ()
    decided: Proposal | None = None


class Hold(_Frozen):
    obstacle: ObstacleKind
    since: date
    review_on: date


class Intended(_Frozen):
    """The intended decision (voornemen) sent for a draft, and the applicant's view on it."""

    proposal: Proposal
    by: str
    sent_on: date
    response_due: date
    view_on: date | None = None


class AuditEntry(_Frozen):
    """One line of the trail a court or the Inspectorate follows: who did what, when."""

    on: date
    actor: str
    action: str
    detail: str = ""


class Issued(_Frozen):
    proposal: Proposal
    route: DecisionRoute
    standardised: bool
    hard_case_team: bool
    issued_on: date
    by: str
    policy_version: str
    deadline: date
    days_relative_to_deadline: int


class DecisionCase(_Frozen):
    case_id: str
    stream: Stream
    procedure: Procedure
    lodged_on: date
    category: Category | None = None
    priority_group: PriorityGroup | None = None
    policy_version: str
    deadline: date  # when the decision is due (the border procedure: its decision term)
    deadline_basis: str
    status: Status = Status.OPEN
    ready_on: date | None = None
    waived: bool = False
    team: str | None = None
    cycle: str | None = None
    released_to: ReleaseStage | None = None  # planning's latest release of the case
    release_held: tuple[FileItem, ...] = ()  # what planning holds the release to decision for
    draft: Draft | None = None
    referral: Referral | None = None
    intended: Intended | None = None  # the intended-decision step, where it applies
    hold: Hold | None = None
    days_on_hold: int = 0
    issued: Issued | None = None
    at_risk_sent_for: date | None = None  # the deadline an at-risk alert went out for
    late_sent_for: date | None = None  # the deadline a breach went out for
    watch_on: date | None = None  # the next day the deadline watch looks at this case
    audit: tuple[AuditEntry, ...] = ()

    def logged(self, on: date, actor: str, action: str, detail: str = "") -> DecisionCase:
        entry = AuditEntry(on=on, actor=actor, action=action, detail=detail)
        return self.model_copy(update={"audit": (*self.audit, entry)})


def route_of(case: DecisionCase, config: DecisionConfig) -> DecisionRoute:
    """Priority groups as configured (R7); then category A, B; the rest individually."""
    if case.priority_group is not None:
        return config.priority_routes.get(case.priority_group, DecisionRoute.INDIVIDUAL)
    if case.category is Category.A:
        return DecisionRoute.CATEGORY_A
    if case.category is Category.B:
        return DecisionRoute.CATEGORY_B
    return DecisionRoute.INDIVIDUAL


def standardised_problem(route: DecisionRoute, proposal: Proposal) -> str | None:
    """Why a standardised decision does not fit the route, or None when it does."""
    if route is DecisionRoute.CATEGORY_A and proposal.outcome is DecisionOutcome.REJECTION:
        return None
    if (
        route is DecisionRoute.CATEGORY_B
        and proposal.outcome is DecisionOutcome.GRANT
        and proposal.legal_ground is LegalGround.A
    ):
        return None
    return (
        f"a standardised decision exists for a category A rejection and a category B grant on "
        f"ground a, not for {proposal.describe()} on route {route}; decide individually"
    )


# --- facts from intake, planning and hearing -----------------------------------------------


def registered(case: DecisionCase | None, event: CaseRegistered, ctx: Ctx) -> Outcome[DecisionCase]:
    if case is not None:
        return Decision(None)  # intake's answer again (a replay): nothing new
    deadline = event.decision_due or event.deadline
    basis = event.decision_due_basis or event.deadline_basis
    new = DecisionCase(
        case_id=ctx.case_id,
        stream=event.stream,
        procedure=event.procedure,
        lodged_on=event.lodged_at.date(),
        category=event.category,
        priority_group=event.priority_group,
        policy_version=event.policy_version,
        deadline=deadline,
        deadline_basis=basis,
    )
    return Decision(rearm(new, ctx.config))


def deadline_changed(
    case: DecisionCase | None, event: LegalDeadlineChanged, ctx: Ctx
) -> Outcome[DecisionCase]:
    if case is None:
        return Wait(NOT_YET)
    if case.status is not Status.OPEN:
        return Decision(None)  # decided or withdrawn: nothing to watch
    deadline = event.decision_due or event.new_deadline
    basis = event.decision_due_basis or event.basis
    moved = case.model_copy(update={"deadline": deadline, "deadline_basis": basis})
    moved = moved.logged(ctx.today, ctx.actor, "deadline moved", f"{event.reason}: {deadline}")
    return Decision(rearm(moved, ctx.config))


def recategorised(
    case: DecisionCase | None, event: CaseRecategorised, ctx: Ctx
) -> Outcome[DecisionCase]:
    if case is None:
        return Wait(NOT_YET)
    if case.status is not Status.OPEN:
        return Decision(None)
    update: dict[str, object] = {"category": event.new_category}
    if event.policy_version is not None:
        update["policy_version"] = event.policy_version
    return Decision(case.model_copy(update=update))


def withdrawn(case: DecisionCase | None, event: CaseWithdrawn, ctx: Ctx) -> Outcome[DecisionCase]:
    if case is None:
        return Wait(NOT_YET)
    if case.status is Status.DECIDED:
        return Conflict("intake reports a withdrawal of a case decision has decided")
    ended = case.model_copy(update={"status": Status.WITHDRAWN, "watch_on": None})
    return Decision(ended.logged(ctx.today, ctx.actor, "withdrawn", "timers stopped"))


def released(case: DecisionCase | None, event: CaseReleased, ctx: Ctx) -> Outcome[DecisionCase]:
    """Planning's release. To decision: deciders may work on the case from now on (with
    hearing's readiness, which may come before or after it, on another topic); before that,
    only where the case stands (the at-risk list)."""
    if case is None:
        return Wait(NOT_YET)  # planning's topic may come in before intake's
    if event.stage is not ReleaseStage.DECISION:
        done = case.status is not Status.OPEN or case.ready_on is not None
        if done or case.released_to is ReleaseStage.DECISION:
            return Decision(None)
        return Decision(case.model_copy(update={"released_to": event.stage}))
    update = {
        "team": event.team,
        "cycle": event.cycle,
        "released_to": event.stage,
        "release_held": (),
    }
    return Decision(case.model_copy(update=update))


def release_held(case: DecisionCase | None, event: ReleaseHeld, ctx: Ctx) -> Outcome[DecisionCase]:
    """Planning holds the release to decision while the file lacks items a decider needs (R12):
    kept so that a decider's refused draft says what the file waits for."""
    if case is None:
        return Wait(NOT_YET)
    if event.stage is not ReleaseStage.DECISION or case.released_to is ReleaseStage.DECISION:
        return Decision(None)  # another stage's hold, or released meanwhile
    if case.status is not Status.OPEN:
        return Decision(None)
    return Decision(case.model_copy(update={"release_held": event.missing_items}))


def ready(
    case: DecisionCase | None, event: ReadyForDecision | HearingWaived, ctx: Ctx
) -> Outcome[DecisionCase]:
    if case is None:
        return Wait(NOT_YET)
    if case.ready_on is not None or case.status is not Status.OPEN:
        return Decision(None)  # ready already (a waiver and a ready message), or ended
    waived = isinstance(event, HearingWaived)
    on = event.ready_on if isinstance(event, ReadyForDecision) else ctx.today
    detail = f"hearing waived: {event.reason}" if isinstance(event, HearingWaived) else ""
    ready_case = case.model_copy(update={"ready_on": on, "waived": waived})
    return Decision(ready_case.logged(ctx.today, ctx.actor, "ready for decision", detail))


# --- input from deciders ---------------------------------------------------------------


def _workable(case: DecisionCase | None, doing: str) -> DecisionCase | Refusal:
    """The case, when a decider may work on it now; else the refusal that says why not."""
    if case is None:
        return Refusal(f"decision does not know this case: cannot {doing}", "unknown_case")
    if case.status is Status.DECIDED:
        return Refusal(f"a decision was issued already: cannot {doing}", "already_issued")
    if case.status is Status.WITHDRAWN:
        return Refusal(f"the case was withdrawn: cannot {doing}", "case_withdrawn")
    if case.ready_on is None:
        return Refusal(
            f"hearing has not reported the case ready for decision: cannot {doing}", "not_ready"
        )
    if case.released_to is not ReleaseStage.DECISION:
        # Planning releases to decision only a complete file (R12): its gate is not advisory.
        if case.release_held:
            lacks = ", ".join(i.value.replace("_", " ") for i in case.release_held)
            why = f"planning holds the release to decision: the file lacks {lacks}"
        else:
            why = "planning has not released the case to decision yet"
        return Refusal(f"{why}: cannot {doing}", "not_released")
    if case.hold is not None:
        return Refusal(f"the case is on hold ({case.hold.obstacle}): cannot {doing}", "on_hold")
    return case


def drafted(
    case: DecisionCase | None, event: DecisionDraftRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "record a draft")
    if isinstance(known, Refusal):
        return known
    if known.referral is not None:
        return Refusal(
            "the case is with the hard-case team: its decision is the draft", "hard_case"
        )
    proposal = Proposal(
        outcome=event.proposed_outcome,
        legal_ground=event.proposed_legal_ground,
        rejection_kind=event.rejection_kind
        or (
            RejectionKind.UNFOUNDED if event.proposed_outcome is DecisionOutcome.REJECTION else None
        ),
    )
    route = route_of(known, ctx.config)
    if event.standardised and (problem := standardised_problem(route, proposal)):
        return Refusal(problem, "route")
    draft = Draft(proposal=proposal, standardised=event.standardised, by=ctx.actor, on=ctx.today)
    new = known.model_copy(update={"draft": draft}).logged(
        ctx.today, ctx.actor, "drafted", f"{proposal.describe()}, route {route}"
    )
    answer = DecisionDrafted(
        proposed_outcome=proposal.outcome,
        proposed_legal_ground=proposal.legal_ground,
        standardised=event.standardised,
        rejection_kind=proposal.rejection_kind,
    )
    return Decision(new, [answer])


def reviewed(
    case: DecisionCase | None, event: DecisionReviewRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "review a draft")
    if isinstance(known, Refusal):
        return known
    draft = known.draft
    if draft is None:
        return Refusal("there is no draft to review", "no_draft")
    if draft.reviewed_by is not None:
        return Refusal("the draft was reviewed already", "already_reviewed")
    if draft.by == ctx.actor:
        return Refusal("the drafter may not review their own draft (four eyes)", "own_draft")
    if event.approved:
        new_draft: Draft | None = draft.model_copy(
            update={"reviewed_by": ctx.actor, "reviewed_on": ctx.today}
        )
        action = "approved"
    else:
        new_draft, action = None, "returned to drafter"
    new = known.model_copy(update={"draft": new_draft}).logged(ctx.today, ctx.actor, action)
    return Decision(new, [DecisionReviewed(approved=event.approved)])


def referred(
    case: DecisionCase | None, event: HardCaseReferralRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "refer it to the hard-case team")
    if isinstance(known, Refusal):
        return known
    if known.referral is not None:
        return Refusal("the case was referred to the hard-case team already", "already_referred")
    referral = Referral(reason=event.reason, by=ctx.actor, on=ctx.today)
    # A referral sets aside any draft: the team decides on the prepared file.
    new = known.model_copy(update={"referral": referral, "draft": None}).logged(
        ctx.today, ctx.actor, "referred to hard-case team", str(event.reason)
    )
    return Decision(new, [DecisionEscalated(reason=event.reason, escalated_on=ctx.today)])


def voted(
    case: DecisionCase | None, event: HardCaseVoteRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "vote on it")
    if isinstance(known, Refusal):
        return known
    referral = known.referral
    if referral is None:
        return Refusal("the case was not referred to the hard-case team", "not_referred")
    if referral.decided is not None:
        return Refusal("the hard-case team has decided already", "team_decided")
    if any(v.by == ctx.actor for v in referral.votes):
        return Refusal("this senior decider has voted on the case already", "voted_already")
    proposal = Proposal(
        outcome=event.outcome,
        legal_ground=event.legal_ground,
        rejection_kind=event.rejection_kind
        or (RejectionKind.UNFOUNDED if event.outcome is DecisionOutcome.REJECTION else None),
    )
    votes = (*referral.votes, Vote(by=ctx.actor, on=ctx.today, proposal=proposal))
    quorum = ctx.config.hard_case_quorum
    alike = sum(v.proposal == proposal for v in votes)
    update: dict[str, object] = {"referral": referral.model_copy(update={"votes": votes})}
    emit = []
    new = known.logged(ctx.today, ctx.actor, "voted", proposal.describe())
    if alike >= quorum:
        update["referral"] = referral.model_copy(update={"votes": votes, "decided": proposal})
        # The team's decision is the draft, reviewed by the team itself.
        update["draft"] = Draft(
            proposal=proposal,
            standardised=False,
            by=ctx.actor,
            on=ctx.today,
            hard_case_team=True,
            reviewed_by=ctx.actor,
            reviewed_on=ctx.today,
        )
        participants = ", ".join(v.by for v in votes)
        new = new.logged(
            ctx.today,
            "hard-case team",
            "team decided",
            f"{proposal.describe()}; {alike} of {len(votes)} votes, quorum {quorum}; "
            f"took part: {participants}",
        )
        emit.append(
            HardCaseDecided(
                outcome=proposal.outcome,
                legal_ground=proposal.legal_ground,
                rejection_kind=proposal.rejection_kind,
                votes=len(votes),
                quorum=quorum,
                decided_on=ctx.today,
            )
        )
    return Decision(new.model_copy(update=update), emit)


def issued(
    case: DecisionCase | None, event: DecisionIssueRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "issue a decision")
    if isinstance(known, Refusal):
        return known
    draft = known.draft
    if draft is None:
        return Refusal("there is no draft decision to issue", "no_draft")
    route = route_of(known, ctx.config)
    if route in ctx.config.four_eyes and draft.reviewed_by is None:
        return Refusal(
            f"route {route} needs a second decider's approval of the draft first (four eyes)",
            "not_reviewed",
        )
    config = ctx.config
    proposal = Proposal(
        outcome=event.outcome,
        legal_ground=event.legal_ground,
        rejection_kind=event.rejection_kind,
    )
    if proposal != draft.proposal or event.standardised != draft.standardised:
        return Refusal(
            f"the issue says {proposal.describe()}, the draft {draft.proposal.describe()}: "
            "record a new draft first",
            "differs_from_draft",
        )
    refusal = event.outcome is not DecisionOutcome.GRANT
    if intended_step_applies(known, proposal, config):
        waiting = _intended_problem(known, draft, event.issued_on)
        if waiting is not None:
            return waiting
    appeal = config.appeal_period(event.outcome, event.rejection_kind)
    appeal_days, appeal_basis = appeal.days, appeal.basis
    if event.appeal_period_days is not None:
        appeal_days, appeal_basis = event.appeal_period_days, "set by the decider"
    departure_days: int | None = None
    departure_basis: str | None = None
    if refusal:
        departure_days = config.departure_period.days
        departure_basis = config.departure_period.basis
        if event.departure_period_days is not None:
            departure_days, departure_basis = event.departure_period_days, "set by the decider"
    relative = (event.issued_on - known.deadline).days
    answer = DecisionIssued(
        outcome=event.outcome,
        legal_ground=event.legal_ground,
        rejection_kind=event.rejection_kind,
        standardised=event.standardised,
        hard_case_team=draft.hard_case_team,
        issued_on=event.issued_on,
        sent_at=event.sent_at,
        appeal_period_days=appeal_days,
        departure_period_days=departure_days,
        entry_ban=event.entry_ban,
        family_reunification_expected=event.family_reunification_expected,
        deadline=known.deadline,
        days_relative_to_deadline=relative,
        deadline_met=relative <= 0,
        route=route,
        policy_version=known.policy_version,
        appeal_period_basis=appeal_basis,
        departure_period_basis=departure_basis,
    )
    record = Issued(
        proposal=proposal,
        route=route,
        standardised=event.standardised,
        hard_case_team=draft.hard_case_team,
        issued_on=event.issued_on,
        by=ctx.actor,
        policy_version=known.policy_version,
        deadline=known.deadline,
        days_relative_to_deadline=relative,
    )
    lateness = f"{abs(relative)} days {'late' if relative > 0 else 'early'}" if relative else "on"
    ground = (
        f"; ground Vw 2000 art. 29(1)({proposal.legal_ground})" if proposal.legal_ground else ""
    )
    detail = (
        f"{proposal.describe()}{ground}; route {route}; policy {known.policy_version}; "
        f"{lateness} the deadline {known.deadline}"
    )
    decided = known.model_copy(
        update={"status": Status.DECIDED, "issued": record, "watch_on": None}
    )
    new = decided.logged(ctx.today, ctx.actor, "issued", detail)
    return Decision(new, [answer])


def obstacle_recorded(
    case: DecisionCase | None, event: DecisionObstacleRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "put it on hold")
    if isinstance(known, Refusal):
        return known
    hold = Hold(obstacle=event.obstacle, since=ctx.today, review_on=event.review_on)
    # A hold does not move the deadline: only intake's extension or suspension does.
    new = known.model_copy(update={"hold": hold}).logged(ctx.today, ctx.actor, "on hold")
    return Decision(
        new, [DecisionOnHold(obstacle=event.obstacle, since=ctx.today, review_on=event.review_on)]
    )


def obstacle_cleared(
    case: DecisionCase | None, event: DecisionObstacleCleared, ctx: Ctx
) -> Outcome[DecisionCase]:
    if case is None or case.hold is None:
        return Refusal("the case is not on hold", "not_on_hold")
    days = max(0, (event.cleared_on - case.hold.since).days)
    new = case.model_copy(update={"hold": None, "days_on_hold": case.days_on_hold + days}).logged(
        ctx.today, ctx.actor, "resumed", f"{days} days on hold"
    )
    return Decision(new, [DecisionResumed(resumed_on=event.cleared_on, days_on_hold=days)])


# --- refused input, into the case's own trail ---------------------------------------------

# The refusals the trail keeps: a sender without the role, and a rule of this stage. Records
# that never decoded or were misrouted name no case reliably; the rejection topic keeps them.
TRAIL_CODES = frozenset({"not-permitted", "refused"})


def refusal_recorded(
    case: DecisionCase | None, event: Rejection, ctx: Ctx
) -> Outcome[DecisionCase]:
    """A rejection decision published for a case it knows goes into that case's trail, with
    who sent the refused input, what it was and why (the reason names actors and types, never
    the input's content). The refused event itself changed nothing; this records that it came."""
    if case is None or event.rejected_by != "decision" or event.code not in TRAIL_CODES:
        return Decision(None)
    headers = event.original.headers
    sender = headers.get("ce_actor", "unknown")
    what = headers.get("ce_type", "unknown type")
    detail = f"{what}: {event.refusal_kind or event.code}: {event.reason}"
    return Decision(case.logged(ctx.today, sender, "refused", detail))


# --- the intended-decision step (voornemen), for old-rules cases where switched on --------


def intended_step_applies(case: DecisionCase, proposal: Proposal, config: DecisionConfig) -> bool:
    """Abolished (seed 004), also for the backlog; a setting switches it back on for cases
    lodged under the old rules (before 12 June 2026, R1), and then only before a refusal."""
    return (
        config.intended_decision
        and case.lodged_on < config.old_rules_before
        and proposal.outcome is not DecisionOutcome.GRANT
    )


def _intended_problem(case: DecisionCase, draft: Draft, issued_on: date) -> Refusal | None:
    """Why the decision may not be issued yet under the intended-decision step, or None."""
    intended = case.intended
    if intended is None or intended.proposal != draft.proposal:
        return Refusal(
            "the intended-decision step is on for this old-rules case: send the intended "
            "decision of this draft first, then await the applicant's view",
            "intended_decision_missing",
        )
    if intended.view_on is None and issued_on <= intended.response_due:
        return Refusal(
            f"the applicant may give their view on the intended decision of "
            f"{intended.sent_on} until {intended.response_due}: issue after their view, or "
            "after that day",
            "intended_decision_pending",
        )
    return None


def intended_recorded(
    case: DecisionCase | None, event: IntendedDecisionRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "send an intended decision")
    if isinstance(known, Refusal):
        return known
    draft = known.draft
    if draft is None:
        return Refusal("there is no draft decision to send as intended decision", "no_draft")
    if not intended_step_applies(known, draft.proposal, ctx.config):
        return Refusal(
            "the intended-decision step does not apply: it is abolished, except where switched "
            "on for old-rules cases, and only before a refusal",
            "no_intended_step",
        )
    if route_of(known, ctx.config) in ctx.config.four_eyes and draft.reviewed_by is None:
        return Refusal(
            "the draft needs a second decider's approval before its intended decision goes out",
            "not_reviewed",
        )
    if known.intended is not None and known.intended.proposal == draft.proposal:
        return Refusal("the intended decision of this draft was sent already", "intended_sent")
    due = event.sent_on + timedelta(days=ctx.config.intended_decision_response_days)
    intended = Intended(
        proposal=draft.proposal, by=ctx.actor, sent_on=event.sent_on, response_due=due
    )
    new = known.model_copy(update={"intended": intended}).logged(
        ctx.today,
        ctx.actor,
        "intended decision sent",
        f"{draft.proposal.describe()}; the applicant's view until {due}",
    )
    answer = IntendedDecisionSent(
        proposed_outcome=draft.proposal.outcome,
        rejection_kind=draft.proposal.rejection_kind,
        sent_on=event.sent_on,
        response_due=due,
    )
    return Decision(new, [answer])


def view_recorded(
    case: DecisionCase | None, event: ApplicantViewRecorded, ctx: Ctx
) -> Outcome[DecisionCase]:
    known = _workable(case, "record the applicant's view")
    if isinstance(known, Refusal):
        return known
    intended = known.intended
    if intended is None:
        return Refusal("no intended decision was sent to give a view on", "no_intended_decision")
    if intended.view_on is not None:
        return Refusal("the applicant's view was recorded already", "view_recorded")
    if event.received_on > intended.response_due:
        return Refusal(
            f"the response period ended on {intended.response_due}: issue the decision",
            "response_period_ended",
        )
    viewed = intended.model_copy(update={"view_on": event.received_on})
    # The view's content stays in the file: the trail records that it came, and when.
    new = known.model_copy(update={"intended": viewed}).logged(
        ctx.today, ctx.actor, "applicant's view received", f"on {event.received_on}"
    )
    answer = ApplicantViewReceived(
        received_on=event.received_on, response_due=intended.response_due
    )
    return Decision(new, [answer])
