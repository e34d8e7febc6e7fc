"""Intake on the service kit: one registration per event type, over intake's domain functions.

Inputs (registrations, withdrawals, reassessments, extensions, policies) that intake will not
act on are refused with a reason. Facts from the other stages (prephase findings, a hearing, a
decision) about a case intake has not registered yet wait for it (parked); one that contradicts
the case (a decision on a withdrawn case) is a recorded conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from intake import persistence as db
from intake.domain import (
    CountryPolicy,
    Decision,
    IntakeCase,
    IntakeConfig,
    PolicyBook,
    Recategorised,
    apply_policy,
    apply_prephase_findings,
    extend_deadline,
    local_date,
    mark_decided,
    mark_heard,
    prephase_findings,
    reassess_group,
    register,
    suspend_deadline,
    withdraw,
)
from intake.domain.logistics import record_logistics
from shared.contracts.envelope import Envelope
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.hearing import HearingHeld, HearingWaived
from shared.contracts.events.intake import (
    ApplicantLogisticsRecorded,
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyAdopted,
    CountryPolicyPublished,
    DeadlineExtensionGranted,
    DeadlineSuspensionGranted,
    PriorityGroupReassessed,
)
from shared.contracts.events.prephase import (
    LanguageIndicationCompleted,
    OriginInvestigationCompleted,
)
from shared.contracts.topics import POLICY_EVENTS, Stage, stage_events
from shared.runtime import kit
from shared.runtime.kit import Context, Emit, KitBatch, Outcome, Rules, Wait, write
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)

Ctx = Context[IntakeConfig]
NOT_YET = "intake has not registered this case yet"


def outcome(decision: Decision) -> kit.Decision[IntakeCase]:
    """Intake's domain decision as the kit's: the case, and its outcomes as events."""
    return kit.Decision(decision.case, [o.to_event() for o in decision.outcomes])


# --- Inputs -------------------------------------------------------------------------------------


def registered(
    case: IntakeCase | None, event: ApplicationRegistered, ctx: Ctx
) -> Outcome[IntakeCase]:
    return outcome(
        register(
            ctx.case_id,
            event,
            existing=case,
            applicant_cases=ctx.cases.by("v_number", event.v_number),
            policies=ctx.extras["policies"],
            now=ctx.now,
            config=ctx.config,
        )
    )


def withdrawn(
    case: IntakeCase | None, event: ApplicationWithdrawn, ctx: Ctx
) -> Outcome[IntakeCase]:
    return outcome(withdraw(ctx.case_id, case, event, now=ctx.now, config=ctx.config))


def reassessed(
    case: IntakeCase | None, event: PriorityGroupReassessed, ctx: Ctx
) -> Outcome[IntakeCase]:
    return outcome(reassess_group(ctx.case_id, case, event, config=ctx.config))


def extended(
    case: IntakeCase | None, event: DeadlineExtensionGranted, ctx: Ctx
) -> Outcome[IntakeCase]:
    return outcome(extend_deadline(ctx.case_id, case, event, now=ctx.now, config=ctx.config))


def suspended(
    case: IntakeCase | None, event: DeadlineSuspensionGranted, ctx: Ctx
) -> Outcome[IntakeCase]:
    return outcome(suspend_deadline(ctx.case_id, case, event, now=ctx.now, config=ctx.config))


def logistics_recorded(
    case: IntakeCase | None, event: ApplicantLogisticsRecorded, ctx: Ctx
) -> Outcome[IntakeCase]:
    updated, changed = record_logistics(ctx.case_id, case, event)
    return kit.Decision(updated, [changed] if changed is not None else [])


# --- Facts from the other stages ------------------------------------------------------------------


def language_indicated(
    case: IntakeCase | None, event: LanguageIndicationCompleted, ctx: Ctx
) -> Outcome[IntakeCase]:
    if case is None:
        return Wait(NOT_YET)
    findings = prephase_findings(language=event.result)
    return outcome(apply_prephase_findings(ctx.case_id, case, findings))


def origin_investigated(
    case: IntakeCase | None, event: OriginInvestigationCompleted, ctx: Ctx
) -> Outcome[IntakeCase]:
    if case is None:
        return Wait(NOT_YET)
    findings = prephase_findings(origin=event.result)
    return outcome(apply_prephase_findings(ctx.case_id, case, findings))


def heard(
    case: IntakeCase | None, event: HearingHeld | HearingWaived, ctx: Ctx
) -> Outcome[IntakeCase]:
    if case is None:
        return Wait(NOT_YET)
    return kit.Decision(mark_heard(ctx.case_id, case))


def decided(case: IntakeCase | None, event: DecisionIssued, ctx: Ctx) -> Outcome[IntakeCase]:
    if case is None:
        return Wait(NOT_YET)
    return kit.Decision(mark_decided(ctx.case_id, case))


# --- Country policies: work over all open cases, not one case ------------------------------------


# Cases one adoption transaction re-categorises (CASEFLOW_INTAKE_ADOPTION_CHUNK sets it).
ADOPTION_CHUNK = 1000


async def policy_published(
    event: Envelope[Any], batch: KitBatch[IntakeCase], *, chunk: int = ADOPTION_CHUNK
) -> None:
    policy = CountryPolicy.from_event(event.data)
    known: PolicyBook = batch.extras["policies"]
    book = known.publish(policy)  # refuses a changed re-publication
    if book is known:
        return  # the same version again: nothing to do
    # serialize_as_any: the envelope declares its data as the EventData base class.
    published = event.model_dump(mode="json", serialize_as_any=True)
    await db.record_policy(batch.session, policy, published)
    batch.extras["policies"] = book
    # The first chunk here; a larger adoption goes on in the timer, one chunk per transaction.
    await adopt_due_policies(batch, chunk=chunk)


async def adopt_due_policies(batch: KitBatch[IntakeCase], *, chunk: int = ADOPTION_CHUNK) -> bool:
    """Re-categorise open cases for every published policy now in effect, at most `chunk` cases
    in this transaction; True when there is more to do (the next chunk, in a new transaction).

    Runs when a policy is published, and on a timer for policies published ahead of their
    effective date and for the rest of a large adoption. Each chunk commits how far it came,
    so an adoption resumes after a crash where it stopped and no case is re-categorised twice
    (applying a version to a case again changes nothing either)."""
    now = batch.uow.clock.now()
    today = local_date(now)
    for due in await db.policies_due(batch.session, today):
        book: PolicyBook = batch.extras["policies"]
        policy = book.get(due.version)
        if policy is None or due.published_event is None:
            continue
        # What is in effect today decides, so a backdated or superseded version cannot undo a
        # later one; it is adopted without changing a case. Checked per chunk: a version
        # superseded halfway stops there, and its successor covers every case.
        current = book.in_effect(today).policy_version == due.version
        cause = Envelope[CountryPolicyPublished].model_validate(due.published_event)
        recategorised = due.recategorised
        if current:
            # The batch's own changes first, so that the query sees every case as it is.
            await write(batch)
            open_cases = await db.lock_open_unheard(batch.session, after=due.cursor, limit=chunk)
            batch.cases.add(open_cases.values())
            decisions = apply_policy(open_cases.values(), policy)
            for decision in decisions:
                batch.apply(outcome(decision), cause, decision.case.case_id)
            recategorised += sum(
                any(isinstance(o, Recategorised) for o in d.outcomes) for d in decisions
            )
            if len(open_cases) == chunk:
                await db.record_adoption_progress(
                    batch.session, due.version, max(open_cases), recategorised
                )
                log.info(
                    "country policy adoption in progress",
                    policy_version=due.version,
                    recategorised=recategorised,
                )
                return True
        await db.mark_adopted(batch.session, due.version, now)
        adoption = CountryPolicyAdopted(
            policy_version=due.version,
            effective_from=policy.effective_from,
            adopted_at=now,
            cases_recategorised=recategorised,
        )
        batch.apply(
            kit.Decision(
                None, [Emit(adoption, topic=POLICY_EVENTS, subject=due.version, stream=None)]
            ),
            cause,
            due.version,
        )
        log.info("country policy adopted", policy_version=due.version, recategorised=recategorised)
    return False


async def lock_policy_book(batch: KitBatch[IntakeCase], events: Sequence[Envelope[Any]]) -> None:
    """Policy changes exclude every other intake transaction, case work shares: so a batch never
    decides on a policy book that changes before it commits, and the case row locks are never
    taken in two orders (docs/adr/0004). The book is read in the transaction, never cached
    across it: another instance may have adopted a policy meanwhile."""
    exclusive = any(isinstance(e.data, CountryPolicyPublished) for e in events)
    await db.lock_policies(batch.session, exclusive=exclusive)
    if exclusive or any(isinstance(e.data, ApplicationRegistered) for e in events):
        batch.extras["policies"] = await db.load_policy_book(batch.session)


def applicants(event: Envelope[Any]) -> Mapping[str, Iterable[Any]]:
    """A registration also locks every case of its applicant (one open application each)."""
    if isinstance(event.data, ApplicationRegistered):
        return {"v_number": [event.data.v_number]}
    return {}


def rules(
    config: IntakeConfig, *, adoption_chunk: int = ADOPTION_CHUNK
) -> Rules[IntakeCase, IntakeConfig]:
    intake = Rules(
        "intake",
        store=db.CASES,
        config=config,
        events_topic=lambda case: stage_events(case.stream, Stage.INTAKE),
        stream_of=lambda case: case.stream,
        related=applicants,
        prepare=lock_policy_book,
    )
    intake.on(ApplicationRegistered)(registered)
    intake.on(ApplicationWithdrawn)(withdrawn)
    intake.on(ApplicantLogisticsRecorded)(logistics_recorded)
    intake.on(PriorityGroupReassessed)(reassessed)
    intake.on(DeadlineExtensionGranted)(extended)
    intake.on(DeadlineSuspensionGranted)(suspended)
    intake.on(LanguageIndicationCompleted)(language_indicated)
    intake.on(OriginInvestigationCompleted)(origin_investigated)
    intake.on(HearingHeld)(heard)
    intake.on(HearingWaived)(heard)
    intake.on(DecisionIssued)(decided)
    intake.command(CountryPolicyPublished)(partial(policy_published, chunk=adoption_chunk))
    return intake


async def on_timer(
    rules: Rules[IntakeCase, IntakeConfig], uow: UnitOfWork, *, chunk: int = ADOPTION_CHUNK
) -> bool:
    """Adopt the policies that came into effect (published ahead of their date), and go on with
    an adoption larger than one chunk; True when there is more to do.

    Nothing due: no lock at all. Otherwise the shared policy lock, as case work takes: the policy
    book does not change here (only a publication changes it, under the exclusive lock), and the
    chunk's cases are locked row by row, so case work on other cases goes on meanwhile."""
    if not await db.any_policy_due(uow.session, local_date(uow.clock.now())):
        return False
    batch = KitBatch(rules, uow, kit.BatchCases(rules.store))
    await db.lock_policies(uow.session, exclusive=False)
    batch.extras["policies"] = await db.load_policy_book(uow.session)
    more = await adopt_due_policies(batch, chunk=chunk)
    await write(batch)
    return more
