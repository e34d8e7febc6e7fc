"""Decision's daily figures against the real database: the pass reads only the cases decided (or
saved again) since the last one and adds them to running tallies (issue 16). Every report must
still be what counting all decided cases of its group gives (the pass before the tallies)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from decision import persistence as db
from decision import timers
from decision.app import definition
from decision.domain import (
    AuditEntry,
    Decided,
    DecisionCase,
    Issued,
    Proposal,
    RateGroup,
    Status,
    grant_rates,
)
from shared.contracts.envelope import decode
from shared.contracts.events.catalogue import grant_rate_key
from shared.contracts.events.common import DecisionOutcome, Procedure
from shared.contracts.events.decision import DecisionRoute, GrantRateReported
from shared.contracts.values import Category, Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings

pytestmark = pytest.mark.integration

DAY = date(2027, 11, 1)
GRANT, REJECTION = DecisionOutcome.GRANT, DecisionOutcome.REJECTION


@pytest.fixture
async def decision(settings: Settings) -> AsyncIterator[ServiceRuntime]:
    # Migrated, not started: the passes run here, one at a time, as the timer runs them.
    runtime = ServiceRuntime(
        definition, settings, clock=DrivenClock(datetime(2027, 11, 1, 10, tzinfo=UTC))
    )
    await runtime.migrate()
    yield runtime
    await runtime.engine.dispose()


def case(n: int, category: Category | None, cycle: str | None) -> DecisionCase:
    return DecisionCase(
        case_id=f"case-{n:03d}",
        stream=Stream.BACKLOG if category else Stream.PACT,
        procedure=Procedure.NATIONAL_REGULAR if category else Procedure.PACT_REGULAR,
        lodged_on=date(2026, 3, 1),
        category=category,
        policy_version="cp-2026-10",
        deadline=date(2028, 3, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        cycle=cycle,
    )


def decided(c: DecisionCase, outcome: DecisionOutcome) -> DecisionCase:
    record = Issued(
        proposal=Proposal(outcome=outcome),
        route=DecisionRoute.INDIVIDUAL,
        standardised=False,
        hard_case_team=False,
        issued_on=DAY,
        by="decider:dc-1",
        policy_version=c.policy_version,
        deadline=c.deadline,
        days_relative_to_deadline=-100,
    )
    return c.model_copy(update={"status": Status.DECIDED, "issued": record, "watch_on": None})


def refused(c: DecisionCase) -> DecisionCase:
    """A decided case saved again: an input refused after the decision, in its trail."""
    entry = AuditEntry(on=DAY, actor="decider:dc-9", action="refused", detail="already_issued")
    return c.model_copy(update={"audit": (*c.audit, entry)})


async def save(runtime: ServiceRuntime, *cases: DecisionCase) -> None:
    async def work(uow: UnitOfWork) -> None:
        await db.CASES.save(uow.session, list(cases))

    assert runtime.processor is not None
    await runtime.processor.run_work(work)


async def figures(runtime: ServiceRuntime, day: int) -> dict[str, GrantRateReported]:
    """One pass on the day given; the reports it sent, by key, in the order sent."""
    assert isinstance(runtime.clock, DrivenClock)
    assert runtime.processor is not None
    runtime.clock.set(datetime(2027, 11, day, 10, tzinfo=UTC))

    async def work(uow: UnitOfWork) -> dict[str, GrantRateReported]:
        await timers.report_grant_rates(uow, timers.figures(runtime.registry))
        sent = {}
        for record in uow.records:
            event = decode(record.headers, record.value)
            assert isinstance(event.data, GrantRateReported)
            sent[event.subject] = event.data
        return sent

    return await runtime.processor.run_work(work)


async def counted_afresh(runtime: ServiceRuntime) -> dict[str, tuple[int, int]]:
    """(decided, grants) per group counted over every decided case, as the pass did before."""
    c = db.cases.c
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            select(c.stream, c.cycle, c.category, c.outcome).where(c.outcome.is_not(None))
        )
        every = [
            Decided(
                RateGroup(Stream(r.stream), r.cycle, Category(r.category) if r.category else None),
                DecisionOutcome(r.outcome),
            )
            for r in rows
        ]
    return {
        grant_rate_key(g.cycle, g.category): (r.decided, r.grants)
        for g, r in grant_rates(every, DAY).items()
    }


def tallies(sent: dict[str, GrantRateReported]) -> dict[str, tuple[int, int]]:
    return {key: (report.decided, report.grants) for key, report in sent.items()}


async def test_a_day_reports_the_groups_with_new_decisions_with_all_their_decisions(
    decision: ServiceRuntime,
) -> None:
    a = [case(n, Category.A, "2027-10") for n in range(4)]
    pact = [case(10 + n, None, None) for n in range(2)]
    await save(decision, *a, *pact)
    assert await figures(decision, 1) == {}  # nothing decided yet
    await save(decision, decided(a[0], GRANT), decided(a[1], REJECTION), decided(pact[0], GRANT))
    first = await figures(decision, 2)
    assert tallies(first) == {"rates-2027-10-a": (2, 1), "rates-none-none": (1, 1)}
    assert list(first) == ["rates-2027-10-a", "rates-none-none"]  # stream, cycle, category
    assert first["rates-2027-10-a"].as_of == date(2027, 11, 2)
    assert await figures(decision, 3) == {}  # nothing new: nothing sent

    # One more decision in A: the group's report counts the two decided earlier as well.
    await save(decision, decided(a[2], REJECTION))
    second = await figures(decision, 4)
    assert tallies(second) == {"rates-2027-10-a": (3, 1)}
    assert second["rates-2027-10-a"].grant_rate == 0.3333
    assert tallies(second).items() <= (await counted_afresh(decision)).items()


async def test_a_decided_case_saved_again_is_reported_again_and_one_moved_counts_where_it_is(
    decision: ServiceRuntime,
) -> None:
    """The shortcut must not skip a decided case saved again (its group is sent again, as the
    full count sent it), nor count a case that moved to another cycle in both groups."""
    c = [case(n, Category.C, "2027-09") for n in range(3)]
    done = [decided(c[0], GRANT), decided(c[1], REJECTION), decided(c[2], GRANT)]
    await save(decision, *done)
    assert tallies(await figures(decision, 1)) == {"rates-2027-09-c": (3, 2)}

    await save(decision, refused(done[1]))
    assert tallies(await figures(decision, 2)) == {"rates-2027-09-c": (3, 2)}

    # Planning releases a decided case again in the next cycle: it counts there, not in both.
    moved = done[2].model_copy(update={"cycle": "2027-10"})
    await save(decision, moved)
    assert tallies(await figures(decision, 3)) == {"rates-2027-10-c": (1, 1)}
    await save(decision, refused(done[0]))
    assert tallies(await figures(decision, 4)) == {"rates-2027-09-c": (2, 1)}
    assert await counted_afresh(decision) == {"rates-2027-09-c": (2, 1), "rates-2027-10-c": (1, 1)}


async def test_many_days_of_decisions_report_what_a_count_of_every_decision_gives(
    decision: ServiceRuntime,
) -> None:
    categories = [Category.A, Category.B, Category.D, None]
    cycles = ["2027-08", "2027-09"]
    open_cases = [
        case(n, categories[n % 4], cycles[n % 7 % 2] if n % 4 != 3 else None) for n in range(60)
    ]
    await save(decision, *open_cases)
    decided_so_far: list[DecisionCase] = []
    for day in range(1, 7):
        today = [
            decided(x, GRANT if (int(x.case_id[-3:]) + day) % 3 == 0 else REJECTION)
            for x in open_cases[(day - 1) * 9 : day * 9]
        ]
        again = [refused(x) for x in decided_so_far[day : day + 2]]
        await save(decision, *today, *again)
        decided_so_far += today
        sent = await figures(decision, day)
        assert sent, f"day {day} decided cases and sent nothing"
        afresh = await counted_afresh(decision)
        assert tallies(sent) == {key: afresh[key] for key in sent}, f"day {day}"
        groups = {grant_rate_key(x.cycle, x.category) for x in today + again}
        assert set(sent) == groups


async def test_the_gauges_count_open_cases_on_hold_watched_at_risk_and_late(
    decision: ServiceRuntime,
) -> None:
    deadline = date(2028, 3, 1)
    base = case(1, Category.D, "2027-10")
    at_risk = base.model_copy(update={"case_id": "case-r", "at_risk_sent_for": deadline})
    late = base.model_copy(
        update={"case_id": "case-l", "at_risk_sent_for": deadline, "late_sent_for": deadline}
    )
    moved = base.model_copy(  # alerts for an older deadline do not count
        update={"case_id": "case-m", "at_risk_sent_for": deadline - timedelta(days=30)}
    )
    watched = base.model_copy(update={"case_id": "case-w", "watch_on": DAY})
    gone = decided(late.model_copy(update={"case_id": "case-g"}), GRANT)
    await save(decision, at_risk, late, moved, watched, gone)
    await figures(decision, 1)
    sample = decision.registry.get_sample_value
    assert sample("caseflow_decision_cases_at_risk", {"stream": "backlog"}) == 1
    assert sample("caseflow_decision_cases_late", {"stream": "backlog"}) == 1
    assert sample("caseflow_decision_cases_late", {"stream": "pact"}) == 0
    assert sample("caseflow_decision_cases_watched", {}) == 1
    assert sample("caseflow_decision_cases_on_hold", {}) == 0


async def test_the_migration_fills_the_tallies_and_alerts_from_the_cases_there(
    settings: Settings,
) -> None:
    """A database from before the tallies (revision 0004): migrated, the pass reports what the
    full count of every decision gave, and the gauges count the alerts from the JSON."""
    runtime = ServiceRuntime(
        definition, settings, clock=DrivenClock(datetime(2027, 11, 1, 10, tzinfo=UTC))
    )

    def to_0004(connection: Any, /) -> None:
        config = Config()
        config.set_main_option("script_location", "decision:migrations")
        config.attributes["connection"] = connection
        config.attributes["schema"] = runtime.schema
        command.upgrade(config, "0004")

    deadline = date(2028, 3, 1)
    a = [case(n, Category.A, "2027-09") for n in range(4)]
    rows = [
        decided(a[0], GRANT),
        decided(a[1], REJECTION),
        decided(a[2], GRANT),
        decided(case(10, None, None), REJECTION),
        a[3].model_copy(update={"at_risk_sent_for": deadline, "late_sent_for": deadline}),
    ]
    reported = {"case-000", "case-001", "case-010"}  # the figures had them; case-002 not yet
    old_columns = {k: f for k, f in db.CASES.columns.items() if k != "alert"}
    try:
        async with runtime.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{runtime.schema}"'))
            await conn.execute(text(f'SET LOCAL search_path TO "{runtime.schema}"'))
            await conn.run_sync(to_0004)
            values = [
                {
                    "case_id": row.case_id,
                    "state": row.model_dump(mode="json"),
                    **{k: f(row) for k, f in old_columns.items()},
                }
                for row in rows
            ]
            for value in values:
                value["rate_reported"] = value["rate_reported"] or value["case_id"] in reported
            await conn.execute(db.cases.insert(), values)
        await runtime.migrate()
        sent = await figures(runtime, 2)
        assert tallies(sent) == {"rates-2027-09-a": (3, 2)}
        assert await counted_afresh(runtime) == {
            "rates-2027-09-a": (3, 2),
            "rates-none-none": (1, 0),
        }
        await save(runtime, decided(a[3], REJECTION).model_copy(update={"case_id": "case-011"}))
        assert tallies(await figures(runtime, 3)) == {"rates-2027-09-a": (4, 2)}
        sample = runtime.registry.get_sample_value
        assert sample("caseflow_decision_cases_late", {"stream": "backlog"}) == 1
    finally:
        await runtime.engine.dispose()
