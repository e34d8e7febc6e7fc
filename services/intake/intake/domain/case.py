"""The intake aggregate: one case per application, and the decisions intake takes on it.

Every decision function is pure: it takes the input, the current state (and whatever else
it needs: the applicant's other cases, the policy book, the configuration, the current
time) and returns a ``Decision`` (the new state and the outcomes to publish), or raises a
``Refusal`` with a plain-English reason. Returning no outcomes means "nothing changed"
(e.g. a re-delivered registration).

The inputs are the catalogue's input events (``shared.contracts.events.intake``); each outcome
names the
output event it becomes, and ``Outcome.to_event()`` builds it (the outcome's ``case_id`` is the
record key and the envelope's subject).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intake.domain.dates import local_date, require_aware
from intake.domain.deadlines import (
    DEFAULT_TERMS,
    DeadlineTerms,
    LegalDeadline,
    choose_procedure,
    extend,
    legal_deadline,
    suspend,
    switch_procedure,
)
from intake.domain.inputs import PrephaseFindings
from intake.domain.policy import CountryPolicy, PolicyBook, categorise
from intake.domain.priority import handling_group, is_minor_on, memberships
from intake.domain.refusals import Refusal, RefusalKind
from intake.domain.streams import DEFAULT_CUTOFF, CutOff, PriorApplication, assign_stream
from shared.contracts.events.common import Procedure
from shared.contracts.events.intake import (
    ApplicantLogisticsRecorded,
    ApplicationRegistered,
    ApplicationWithdrawn,
    CaseRecategorised,
    CaseRegistered,
    CaseWithdrawn,
    DeadlineChangeReason,
    DeadlineExtensionGranted,
    DeadlineSuspensionGranted,
    LegalDeadlineChanged,
    PolicyVersion,
    PriorityGroupJoined,
    PriorityGroupLeft,
    PriorityGroupReassessed,
    RecategorisationReason,
)
from shared.contracts.values import CaseId, Category, Nationality, PriorityGroup, Stream, VNumber


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IntakeConfig(_Frozen):
    cutoff: CutOff = DEFAULT_CUTOFF
    terms: DeadlineTerms = DEFAULT_TERMS
    clock_tolerance: timedelta = Field(
        default=timedelta(minutes=5),
        description="how far a reported moment may lie after 'now' before it counts as in "
        "the future (senders' clocks differ a little)",
    )


DEFAULT_CONFIG = IntakeConfig()


class CaseStatus(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    DECIDED = "decided"


class IntakeCase(_Frozen):
    """What intake knows about one case."""

    case_id: CaseId
    application: ApplicationRegistered
    stream: Stream
    policy_category: Category | None = Field(
        description="the category country policy gives a backlog case; None in the Pact stream"
    )
    policy_version: PolicyVersion = Field(
        description="the country-policy version the category follows"
    )
    groups: frozenset[PriorityGroup] = Field(description="every priority group the case belongs to")
    minor_on_lodging: bool
    deadline: LegalDeadline
    relodged_from: CaseId | None = None
    status: CaseStatus = CaseStatus.OPEN
    heard: bool = False
    withdrawn_at: AwareDatetime | None = None
    category_set_by_prephase: bool = Field(
        default=False,
        description="moved by a prephase outcome (R8); policy changes no longer move it",
    )
    logistics: ApplicantLogisticsRecorded | None = Field(
        default=None, description="the applicant's logistics as last recorded (domain/logistics)"
    )

    @property
    def v_number(self) -> VNumber:
        return self.application.v_number

    @property
    def nationality(self) -> Nationality:
        return self.application.nationality

    @property
    def category(self) -> Category | None:
        """The published category: none while the case is handled in a priority group (R7 groups
        are outside the plan's categories); the policy category again once it leaves them."""
        return None if self.groups else self.policy_category

    @property
    def priority_group(self) -> PriorityGroup | None:
        """The group the case is handled in (see priority.PRECEDENCE)."""
        return handling_group(self.groups)

    @property
    def procedure(self) -> Procedure:
        return self.deadline.procedure

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN


# --- Outcomes: what happened, for the handler layer to publish as events ---


class Registered(_Frozen):
    """-> CaseRegistered. ``priority_group`` is the group the case is handled in (R7)."""

    case_id: CaseId
    v_number: VNumber
    nationality: Nationality
    stream: Stream
    lodged_at: AwareDatetime
    procedure: Procedure
    category: Category | None
    priority_group: PriorityGroup | None
    priority_groups: frozenset[PriorityGroup]
    policy_version: str
    deadline: date
    deadline_basis: str
    minor_on_lodging: bool
    unaccompanied: bool
    relodged_from: CaseId | None
    decision_due: date | None = None
    decision_due_basis: str | None = None

    def to_event(self) -> CaseRegistered:
        return CaseRegistered(
            v_number=self.v_number,
            nationality=self.nationality,
            stream=self.stream,
            lodged_at=self.lodged_at,
            procedure=self.procedure,
            category=self.category,
            priority_group=self.priority_group,
            priority_groups=tuple(sorted(self.priority_groups)),
            policy_version=self.policy_version,
            deadline=self.deadline,
            deadline_basis=self.deadline_basis,
            minor_on_lodging=self.minor_on_lodging,
            unaccompanied=self.unaccompanied,
            relodged_from=self.relodged_from,
            decision_due=self.decision_due,
            decision_due_basis=self.decision_due_basis,
        )


class Recategorised(_Frozen):
    """-> CaseRecategorised. None: no category (in a priority group)."""

    case_id: CaseId
    old_category: Category | None
    new_category: Category | None
    reason: RecategorisationReason
    policy_version: str

    def to_event(self) -> CaseRecategorised:
        return CaseRecategorised(
            old_category=self.old_category,
            new_category=self.new_category,
            reason=self.reason,
            policy_version=self.policy_version,
        )


class GroupJoined(_Frozen):
    """-> PriorityGroupJoined. ``priority_group`` is the group the case is handled in afterwards."""

    case_id: CaseId
    group: PriorityGroup
    reason: str
    priority_group: PriorityGroup | None

    def to_event(self) -> PriorityGroupJoined:
        return PriorityGroupJoined(
            group=self.group, reason=self.reason, priority_group=self.priority_group
        )


class GroupLeft(_Frozen):
    """-> PriorityGroupLeft. ``priority_group`` is the group the case is handled in afterwards."""

    case_id: CaseId
    group: PriorityGroup
    reason: str
    priority_group: PriorityGroup | None

    def to_event(self) -> PriorityGroupLeft:
        return PriorityGroupLeft(
            group=self.group, reason=self.reason, priority_group=self.priority_group
        )


class DeadlineChanged(_Frozen):
    """-> LegalDeadlineChanged."""

    case_id: CaseId
    old_deadline: date
    new_deadline: date
    reason: DeadlineChangeReason
    basis: str
    decision_due: date | None = None
    decision_due_basis: str | None = None

    def to_event(self) -> LegalDeadlineChanged:
        return LegalDeadlineChanged(
            old_deadline=self.old_deadline,
            new_deadline=self.new_deadline,
            reason=self.reason,
            basis=self.basis,
            decision_due=self.decision_due,
            decision_due_basis=self.decision_due_basis,
        )


class Withdrawn(_Frozen):
    """-> CaseWithdrawn."""

    case_id: CaseId
    withdrawn_at: AwareDatetime

    def to_event(self) -> CaseWithdrawn:
        return CaseWithdrawn(withdrawn_at=self.withdrawn_at)


Outcome = Registered | Recategorised | GroupJoined | GroupLeft | DeadlineChanged | Withdrawn


class Decision(_Frozen):
    """The case after a decision, and what happened (empty: nothing changed)."""

    case: IntakeCase
    outcomes: tuple[Outcome, ...] = ()


# --- Registration ---


def _not_in_future(moment: datetime, now: datetime, config: IntakeConfig) -> bool:
    return moment <= require_aware(now, "now") + config.clock_tolerance


def _prior_for_stream(
    application: ApplicationRegistered, others: Sequence[IntakeCase]
) -> tuple[PriorApplication | None, CaseId | None]:
    """The earlier application that decides R3, and the case this one re-lodges.

    R3 looks at the applicant's *most recent* earlier application (by lodging moment), not at
    any withdrawn case in the history: a decided application in between makes the new one a
    subsequent application, which R1 decides, however old withdrawn cases before it are. And
    R3 is about the applicant, not about the link the sender gave: without ``previous_case_id``
    a withdrawn backlog application as the most recent one still keeps the new one in the
    backlog. Given, ``previous_case_id`` must name that most recent application, withdrawn.
    """
    # Strictly earlier: a case lodged after this one (a late registration) is not its prior.
    earlier = [case for case in others if case.application.lodged_at < application.lodged_at]
    latest = max(earlier, key=lambda case: (case.application.lodged_at, case.case_id), default=None)
    if application.previous_case_id is not None:
        previous = next((c for c in others if c.case_id == application.previous_case_id), None)
        if previous is None:
            raise Refusal(
                RefusalKind.UNKNOWN_PREVIOUS_CASE,
                f"previous case {application.previous_case_id} is not a known case of this "
                "applicant (V-number)",
            )
        if previous.status is not CaseStatus.WITHDRAWN:
            raise Refusal(
                RefusalKind.PREVIOUS_CASE_NOT_WITHDRAWN,
                f"previous case {previous.case_id} is {previous.status.value}, not withdrawn; "
                "only a withdrawn application can be re-lodged",
            )
        if latest is None or previous.case_id != latest.case_id:
            raise Refusal(
                RefusalKind.PREVIOUS_CASE_NOT_MOST_RECENT,
                _not_most_recent(previous, latest, application),
            )
    if latest is None:
        return None, None
    prior = PriorApplication(
        case_id=latest.case_id,
        stream=latest.stream,
        withdrawn=latest.status is CaseStatus.WITHDRAWN,
    )
    relodges = application.previous_case_id is not None or (
        prior.withdrawn and prior.stream is Stream.BACKLOG
    )
    return prior, latest.case_id if relodges else None


def _not_most_recent(
    previous: IntakeCase, latest: IntakeCase | None, application: ApplicationRegistered
) -> str:
    if latest is None or previous.application.lodged_at >= application.lodged_at:
        return (
            f"previous case {previous.case_id} was lodged at "
            f"{previous.application.lodged_at.isoformat()}, not before this application "
            f"(lodged at {application.lodged_at.isoformat()})"
        )
    return (
        f"previous case {previous.case_id} is not this applicant's most recent application: "
        f"case {latest.case_id} was lodged after it, at "
        f"{latest.application.lodged_at.isoformat()}; a new application follows the most "
        "recent one"
    )


def register(
    case_id: CaseId,
    application: ApplicationRegistered,
    *,
    existing: IntakeCase | None,
    applicant_cases: Iterable[IntakeCase],
    policies: PolicyBook,
    now: datetime,
    config: IntakeConfig = DEFAULT_CONFIG,
) -> Decision:
    """Register one application as a case: stream (R1, R3), category, priority groups (R7),
    procedure and legal deadline.

    ``existing`` is the case already stored under ``case_id``, if any; ``applicant_cases`` are
    all known cases with the application's V-number (in any status). The policy in effect on
    today's date categorises the case: a backlog case is decided under current country policy,
    not under the policy of its lodging date. The border procedure's term runs from
    ``registered_at`` (registration precedes lodging), so a border-procedure application
    without it is refused rather than counted from lodging (which would give a later deadline).
    """
    if existing is not None:
        if existing.application == application:
            return Decision(case=existing)  # a re-delivery: nothing changes
        raise Refusal(
            RefusalKind.CASE_ID_CONFLICT,
            f"case {case_id} is already registered with other application data; "
            "a correction needs its own event, not a second registration",
        )
    if not _not_in_future(application.lodged_at, now, config):
        raise Refusal(
            RefusalKind.LODGED_IN_FUTURE,
            f"lodging moment {application.lodged_at.isoformat()} lies in the future "
            f"(now is {now.isoformat()})",
        )
    registered_at = application.registered_at
    if registered_at is not None:
        if not _not_in_future(registered_at, now, config):
            raise Refusal(
                RefusalKind.REGISTERED_IN_FUTURE,
                f"registration moment {registered_at.isoformat()} lies in the future "
                f"(now is {now.isoformat()})",
            )
        if registered_at > application.lodged_at:
            raise Refusal(
                RefusalKind.REGISTERED_AFTER_LODGING,
                f"registration moment {registered_at.isoformat()} lies after the lodging moment "
                f"{application.lodged_at.isoformat()}; an application is registered first and "
                "lodged afterwards",
            )
    lodged_on = config.cutoff.local_date(application.lodged_at)
    if application.date_of_birth > lodged_on:
        raise Refusal(
            RefusalKind.BORN_AFTER_LODGING,
            f"date of birth {application.date_of_birth.isoformat()} lies after the lodging date "
            f"{lodged_on.isoformat()}",
        )
    others = [
        case
        for case in applicant_cases
        if case.case_id != case_id and case.v_number == application.v_number
    ]
    open_cases = sorted(case.case_id for case in others if case.is_open)
    if open_cases:
        raise Refusal(
            RefusalKind.SECOND_OPEN_APPLICATION,
            f"this applicant (V-number) already has an open application: case {open_cases[0]}; "
            "a second open application is not registered",
        )
    prior, relodged_from = _prior_for_stream(application, others)
    stream = assign_stream(application.lodged_at, prior, config.cutoff)
    policy = policies.in_effect(local_date(now, config.cutoff.zone))
    category = (
        categorise(policy, application.nationality, application.sex)
        if stream is Stream.BACKLOG
        else None
    )
    minor = is_minor_on(application.date_of_birth, lodged_on)
    groups = memberships(
        nuisance=application.nuisance,
        minor_on_lodging=minor,
        unaccompanied=application.unaccompanied,
        former_safe_country=application.nationality in policy.former_safe_countries,
    )
    procedure = choose_procedure(
        stream, nuisance=application.nuisance, border_procedure=application.border_procedure
    )
    deadline = legal_deadline(
        procedure, application.lodged_at, config.terms, registered_at=registered_at
    )
    case = IntakeCase(
        case_id=case_id,
        application=application,
        stream=stream,
        policy_category=category,
        policy_version=policy.policy_version,
        groups=groups,
        minor_on_lodging=minor,
        deadline=deadline,
        relodged_from=relodged_from,
    )
    registered = Registered(
        case_id=case_id,
        v_number=application.v_number,
        nationality=application.nationality,
        stream=stream,
        lodged_at=application.lodged_at,
        procedure=procedure,
        category=case.category,
        priority_group=case.priority_group,
        priority_groups=groups,
        policy_version=policy.policy_version,
        deadline=deadline.due,
        deadline_basis=deadline.basis,
        minor_on_lodging=minor,
        unaccompanied=application.unaccompanied,
        relodged_from=relodged_from,
        decision_due=deadline.decision_due,
        decision_due_basis=deadline.decision_basis,
    )
    return Decision(case=case, outcomes=(registered,))


# --- Changes to a registered case ---


def _known(case_id: CaseId, case: IntakeCase | None, action: str) -> IntakeCase:
    if case is None:
        raise Refusal(
            RefusalKind.UNKNOWN_CASE, f"no case {case_id} is known to intake; cannot {action}"
        )
    return case


def _open(case: IntakeCase, action: str) -> IntakeCase:
    if case.status is CaseStatus.DECIDED:
        raise Refusal(
            RefusalKind.CASE_DECIDED, f"case {case.case_id} is already decided; cannot {action}"
        )
    if case.status is CaseStatus.WITHDRAWN:
        raise Refusal(
            RefusalKind.CASE_WITHDRAWN, f"case {case.case_id} was withdrawn; cannot {action}"
        )
    return case


def withdraw(
    case_id: CaseId,
    case: IntakeCase | None,
    withdrawal: ApplicationWithdrawn,
    *,
    now: datetime,
    config: IntakeConfig = DEFAULT_CONFIG,
) -> Decision:
    """Withdraw an open case. The same withdrawal delivered again changes nothing."""
    known = _known(case_id, case, "withdraw it")
    if known.status is CaseStatus.WITHDRAWN and known.withdrawn_at == withdrawal.withdrawn_at:
        return Decision(case=known)
    _open(known, "withdraw it")
    if not _not_in_future(withdrawal.withdrawn_at, now, config):
        raise Refusal(
            RefusalKind.WITHDRAWN_IN_FUTURE,
            f"withdrawal moment {withdrawal.withdrawn_at.isoformat()} lies in the future",
        )
    if withdrawal.withdrawn_at < known.application.lodged_at:
        raise Refusal(
            RefusalKind.WITHDRAWN_BEFORE_LODGING,
            f"withdrawal moment {withdrawal.withdrawn_at.isoformat()} lies before the lodging "
            f"moment {known.application.lodged_at.isoformat()}",
        )
    updated = known.model_copy(
        update={"status": CaseStatus.WITHDRAWN, "withdrawn_at": withdrawal.withdrawn_at}
    )
    return Decision(
        case=updated,
        outcomes=(Withdrawn(case_id=known.case_id, withdrawn_at=withdrawal.withdrawn_at),),
    )


def _recategorised(
    before: IntakeCase, after: IntakeCase, reason: RecategorisationReason, policy_version: str
) -> list[Outcome]:
    """A Recategorised outcome if the published category changed, else nothing."""
    if before.category == after.category:
        return []
    return [
        Recategorised(
            case_id=after.case_id,
            old_category=before.category,
            new_category=after.category,
            reason=reason,
            policy_version=policy_version,
        )
    ]


def _group_change(
    case: IntakeCase, group: PriorityGroup, member: bool, reason: str
) -> tuple[IntakeCase, Outcome]:
    groups = case.groups | {group} if member else case.groups - {group}
    updated = case.model_copy(update={"groups": groups})
    kind = GroupJoined if member else GroupLeft
    change = kind(
        case_id=case.case_id, group=group, reason=reason, priority_group=handling_group(groups)
    )
    return updated, change


def reassess_group(
    case_id: CaseId,
    case: IntakeCase | None,
    reassessment: PriorityGroupReassessed,
    *,
    config: IntakeConfig = DEFAULT_CONFIG,
) -> Decision:
    """A caseworker's finding that a case is, or is not, in a priority group (R7).

    Confirming a membership the case already has changes nothing; leaving a group the case is
    not in is refused. Joining the first group hides the category, leaving the last one shows
    it again (Recategorised, reason priority_group_change). A Pact case that leaves the
    nuisance group while in the accelerated procedure moves to the regular procedure (a longer
    term). Joining the nuisance group later does not shorten a running term.
    """
    action = "reassess its priority group"
    known = _open(_known(case_id, case, action), action)
    group = reassessment.group
    if reassessment.member == (group in known.groups):
        if reassessment.member:
            return Decision(case=known)
        raise Refusal(
            RefusalKind.NOT_IN_GROUP,
            f"case {known.case_id} is not in priority group {group.value}, so it cannot leave it",
        )
    updated, change = _group_change(known, group, reassessment.member, reassessment.reason)
    outcomes = [change]
    outcomes += _recategorised(
        known, updated, RecategorisationReason.PRIORITY_GROUP_CHANGE, known.policy_version
    )
    leaves_acceleration = (
        group is PriorityGroup.NUISANCE
        and not reassessment.member
        and known.procedure is Procedure.PACT_ACCELERATED
    )
    if leaves_acceleration:
        deadline = switch_procedure(known.deadline, Procedure.PACT_REGULAR, config.terms)
        updated = updated.model_copy(update={"deadline": deadline})
        outcomes.append(
            DeadlineChanged(
                case_id=known.case_id,
                old_deadline=known.deadline.due,
                new_deadline=deadline.due,
                reason=DeadlineChangeReason.PROCEDURE_CHANGE,
                basis=deadline.basis,
                decision_due=deadline.decision_due,
                decision_due_basis=deadline.decision_basis,
            )
        )
    return Decision(case=updated, outcomes=tuple(outcomes))


def extend_deadline(
    case_id: CaseId,
    case: IntakeCase | None,
    request: DeadlineExtensionGranted,
    *,
    now: datetime,
    config: IntakeConfig = DEFAULT_CONFIG,
) -> Decision:
    """Extend an open case's legal deadline within the legal maxima. The free-text note is
    not carried into the outcome: it may hold case details that partners must never see."""
    known = _open(_known(case_id, case, "extend its deadline"), "extend its deadline")
    deadline = extend(
        known.deadline,
        request.months,
        request.ground,
        config.terms,
        today=local_date(now, config.cutoff.zone),
    )
    changed = DeadlineChanged(
        case_id=known.case_id,
        old_deadline=known.deadline.due,
        new_deadline=deadline.due,
        reason=DeadlineChangeReason.of_ground(request.ground),
        basis=deadline.basis,
        decision_due=deadline.decision_due,
        decision_due_basis=deadline.decision_basis,
    )
    return Decision(case=known.model_copy(update={"deadline": deadline}), outcomes=(changed,))


def suspend_deadline(
    case_id: CaseId,
    case: IntakeCase | None,
    request: DeadlineSuspensionGranted,
    *,
    now: datetime,
    config: IntakeConfig = DEFAULT_CONFIG,
) -> Decision:
    """Suspend an open case's legal clock (opschorting) by the request's days: the deadline
    moves by as many calendar days, and the suspension's basis joins the deadline's. Like an
    extension, it must come while the term runs; the note stays here (it may hold detail)."""
    known = _open(_known(case_id, case, "suspend its deadline"), "suspend its deadline")
    deadline = suspend(
        known.deadline,
        request.days,
        request.basis,
        config.terms,
        today=local_date(now, config.cutoff.zone),
    )
    changed = DeadlineChanged(
        case_id=known.case_id,
        old_deadline=known.deadline.due,
        new_deadline=deadline.due,
        reason=DeadlineChangeReason.SUSPENSION,
        basis=deadline.basis,
        decision_due=deadline.decision_due,
        decision_due_basis=deadline.decision_basis,
    )
    return Decision(case=known.model_copy(update={"deadline": deadline}), outcomes=(changed,))


def apply_policy(cases: Iterable[IntakeCase], policy: CountryPolicy) -> tuple[Decision, ...]:
    """A new country-policy version, applied to the cases it may still change.

    In scope: open cases that have not been heard (after the hearing the file is built on the
    category it had). For backlog cases the policy category is recomputed, unless a prephase
    outcome set it (R8: the individual finding outweighs the nationality rule); cases in a
    priority group get it too, silently, as what they fall back to when they leave the group.
    Membership of the former-safe-country group follows the new list, in both streams.

    Returns a decision for every case whose state changed; its outcomes can be empty (a case
    in a priority group whose hidden policy category changed). Call it when the version takes
    effect; applying the same version again returns nothing.
    """
    version = policy.policy_version
    decisions = []
    for case in cases:
        if not case.is_open or case.heard:
            continue
        updated = case
        outcomes: list[Outcome] = []
        if case.policy_category is not None and not case.category_set_by_prephase:
            new = categorise(policy, case.nationality, case.application.sex)
            if new != case.policy_category:
                updated = updated.model_copy(update={"policy_category": new})
        listed = case.nationality in policy.former_safe_countries
        if listed != (PriorityGroup.FORMER_SAFE_COUNTRY in case.groups):
            updated, change = _group_change(
                updated, PriorityGroup.FORMER_SAFE_COUNTRY, listed, f"country policy {version}"
            )
            outcomes.append(change)
        if updated == case:
            continue
        reason = (
            RecategorisationReason.PRIORITY_GROUP_CHANGE
            if bool(case.groups) != bool(updated.groups)
            else RecategorisationReason.POLICY_CHANGE
        )
        outcomes += _recategorised(case, updated, reason, version)
        updated = updated.model_copy(update={"policy_version": version})
        decisions.append(Decision(case=updated, outcomes=tuple(outcomes)))
    return tuple(decisions)


def apply_prephase_findings(
    case_id: CaseId, case: IntakeCase | None, findings: PrephaseFindings
) -> Decision:
    """R8: a category-B case with a negative language indication or doubt about the country of
    origin moves to D. Anything else changes nothing here. ``prephase_findings`` reads the
    prephase's results into findings (an inconclusive origin investigation is doubt)."""
    known = _open(_known(case_id, case, "apply prephase findings"), "apply prephase findings")
    doubt = findings.negative_language_indication or findings.doubt_about_origin
    if known.policy_category is not Category.B or not doubt:
        return Decision(case=known)
    updated = known.model_copy(
        update={"policy_category": Category.D, "category_set_by_prephase": True}
    )
    outcomes = _recategorised(
        known, updated, RecategorisationReason.PREPHASE_OUTCOME, known.policy_version
    )
    return Decision(case=updated, outcomes=tuple(outcomes))


def mark_heard(case_id: CaseId, case: IntakeCase | None) -> IntakeCase:
    """The hearing took place: policy changes no longer recategorise the case."""
    return _known(case_id, case, "mark it heard").model_copy(update={"heard": True})


def mark_decided(case_id: CaseId, case: IntakeCase | None) -> IntakeCase:
    """A first decision was taken: the case is closed for withdrawal and extensions."""
    known = _known(case_id, case, "mark it decided")
    if known.status is CaseStatus.WITHDRAWN:
        raise Refusal(
            RefusalKind.CASE_WITHDRAWN,
            f"case {known.case_id} was withdrawn; a decision on it cannot be recorded",
        )
    return known.model_copy(update={"status": CaseStatus.DECIDED})
