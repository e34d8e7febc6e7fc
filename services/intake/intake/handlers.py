"""Intake's handlers: input events in, a domain decision, case events out.

Each batch loads the state of every case it touches in a few queries (prepare), decides
event by event on that state, and writes what changed in one statement (finish). Domain
refusals (intake.domain.Refusal is a shared Refused) go to the rejection topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from intake import persistence as db
from intake.domain import (
    DEFAULT_CONFIG,
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
    withdraw,
)
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.hearing import HearingHeld, HearingWaived
from shared.contracts.events.intake import (
    ApplicationRegistered,
    ApplicationWithdrawn,
    CountryPolicyAdopted,
    CountryPolicyPublished,
    DeadlineExtensionGranted,
    PriorityGroupReassessed,
)
from shared.contracts.events.prephase import (
    LanguageIndicationCompleted,
    OriginInvestigationCompleted,
)
from shared.contracts.topics import POLICY_EVENTS, Stage, stage_events
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)


class Batch:
    """The cases one batch works on, and which of them changed."""

    def __init__(self, cases: dict[str, IntakeCase]) -> None:
        self.cases: dict[str, IntakeCase] = {}
        self.changed: dict[str, IntakeCase] = {}
        self._by_applicant: dict[str, set[str]] = {}
        self.update(cases)

    def update(self, cases: dict[str, IntakeCase]) -> None:
        for case in cases.values():
            self.cases[case.case_id] = case
            self._by_applicant.setdefault(case.application.v_number, set()).add(case.case_id)

    def get(self, case_id: str) -> IntakeCase | None:
        return self.cases.get(case_id)

    def applicant_cases(self, v_number: str) -> list[IntakeCase]:
        return [self.cases[c] for c in sorted(self._by_applicant.get(v_number, ()))]

    def put(self, case: IntakeCase) -> None:
        self.update({case.case_id: case})
        self.changed[case.case_id] = case


class IntakeHandler:
    handled_types: tuple[type[EventData], ...] = (
        ApplicationRegistered,
        ApplicationWithdrawn,
        PriorityGroupReassessed,
        DeadlineExtensionGranted,
        CountryPolicyPublished,
        LanguageIndicationCompleted,
        OriginInvestigationCompleted,
        HearingHeld,
        HearingWaived,
        DecisionIssued,
    )

    def __init__(self, config: IntakeConfig = DEFAULT_CONFIG) -> None:
        self.config = config

    async def policies(self, uow: UnitOfWork) -> PolicyBook:
        # Read in the transaction, never cached across it: a rolled-back publication must not
        # linger in memory, and another instance may have adopted a policy meanwhile.
        if "policies" not in uow.scratch:
            uow.scratch["policies"] = await db.load_policy_book(uow.session)
        book: PolicyBook = uow.scratch["policies"]
        return book

    async def prepare(self, events: Sequence[Envelope[Any]], uow: UnitOfWork) -> None:
        # Policy changes exclude every other intake transaction, case work shares: so a batch
        # never decides on a policy book that changes before it commits, and the row locks
        # below are never taken in two orders (docs/adr/0004).
        exclusive = any(isinstance(e.data, CountryPolicyPublished) for e in events)
        await db.lock_policies(uow.session, exclusive=exclusive)
        case_ids = [e.subject for e in events if not isinstance(e.data, CountryPolicyPublished)]
        v_numbers = [e.data.v_number for e in events if isinstance(e.data, ApplicationRegistered)]
        uow.scratch["batch"] = Batch(await db.lock_cases(uow.session, case_ids, v_numbers))

    async def finish(self, uow: UnitOfWork) -> None:
        batch: Batch | None = uow.scratch.get("batch")
        if batch is not None:
            await db.save_cases(uow.session, list(batch.changed.values()))

    async def on_timer(self, uow: UnitOfWork) -> None:
        await db.lock_policies(uow.session, exclusive=True)
        await self.adopt_due_policies(uow)
        await self.finish(uow)

    async def handle(self, event: Envelope[Any], uow: UnitOfWork) -> None:
        batch: Batch = uow.scratch["batch"]
        case_id, data, now = event.subject, event.data, uow.clock.now()
        case = batch.get(case_id)
        match data:
            case ApplicationRegistered():
                decision = register(
                    case_id,
                    data,
                    existing=case,
                    applicant_cases=batch.applicant_cases(data.v_number),
                    policies=await self.policies(uow),
                    now=now,
                    config=self.config,
                )
            case ApplicationWithdrawn():
                decision = withdraw(case_id, case, data, now=now, config=self.config)
            case PriorityGroupReassessed():
                decision = reassess_group(case_id, case, data, config=self.config)
            case DeadlineExtensionGranted():
                decision = extend_deadline(case_id, case, data, now=now, config=self.config)
            case LanguageIndicationCompleted():
                findings = prephase_findings(language=data.result)
                decision = apply_prephase_findings(case_id, case, findings)
            case OriginInvestigationCompleted():
                findings = prephase_findings(origin=data.result)
                decision = apply_prephase_findings(case_id, case, findings)
            case HearingHeld() | HearingWaived():
                decision = Decision(case=mark_heard(case_id, case))
            case DecisionIssued():
                decision = Decision(case=mark_decided(case_id, case))
            case CountryPolicyPublished():
                await self.publish_policy(event, uow)
                return
            case _:
                raise TypeError(f"intake has no handler for {event.type}")
        self.apply(decision, event, uow, batch)

    def apply(
        self, decision: Decision, cause: Envelope[Any], uow: UnitOfWork, batch: Batch
    ) -> None:
        if decision.case != batch.get(decision.case.case_id):
            batch.put(decision.case)
        topic = stage_events(decision.case.stream, Stage.INTAKE)
        for outcome in decision.outcomes:
            uow.emit(
                outcome.to_event(),
                topic=topic,
                cause=cause,
                subject=decision.case.case_id,
                stream=decision.case.stream,
            )

    async def publish_policy(self, event: Envelope[Any], uow: UnitOfWork) -> None:
        policy = CountryPolicy.from_event(event.data)
        known = await self.policies(uow)
        book = known.publish(policy)  # refuses a changed re-publication
        if book is known:
            return  # the same version again: nothing to do
        # serialize_as_any: the envelope declares its data as the EventData base class.
        published = event.model_dump(mode="json", serialize_as_any=True)
        await db.record_policy(uow.session, policy, published)
        uow.scratch["policies"] = book
        await self.adopt_due_policies(uow)

    async def adopt_due_policies(self, uow: UnitOfWork) -> int:
        """Re-categorise open cases for every published policy now in effect.

        Runs when a policy is published, and on a timer for policies published ahead of
        their effective date."""
        today = local_date(uow.clock.now())
        adopted = 0
        for version, published in await db.policies_due(uow.session, today):
            book = await self.policies(uow)
            policy = book.get(version)
            if policy is None or published is None:
                continue
            # What is in effect today decides, so a backdated or superseded version cannot
            # undo a later one; it is adopted without changing a case.
            current = book.in_effect(today).policy_version == version
            cause = Envelope[CountryPolicyPublished].model_validate(published)
            decisions: tuple[Decision, ...] = ()
            if current:
                # The batch's own changes first, so that the query sees every case as it is.
                batch: Batch = uow.scratch.setdefault("batch", Batch({}))
                await db.save_cases(uow.session, list(batch.changed.values()))
                open_cases = await db.lock_open_unheard(uow.session)
                batch.update(open_cases)
                decisions = apply_policy(open_cases.values(), policy)
                for decision in decisions:
                    self.apply(decision, cause, uow, batch)
            await db.mark_adopted(uow.session, version, uow.clock.now())
            recategorised = sum(
                any(isinstance(o, Recategorised) for o in d.outcomes) for d in decisions
            )
            uow.emit(
                CountryPolicyAdopted(
                    policy_version=version,
                    effective_from=policy.effective_from,
                    adopted_at=uow.clock.now(),
                    cases_recategorised=recategorised,
                ),
                topic=POLICY_EVENTS,
                cause=cause,
                subject=version,
                stream=None,
            )
            log.info("country policy adopted", policy_version=version, recategorised=recategorised)
            adopted += 1
        return adopted
