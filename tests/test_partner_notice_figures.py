"""Planning's monthly partner-notice figures (R14) against what chain-notify's own functions
send for the same events: every partner and kind chain-notify sends a case's notices in, and
the same count per month. Planning folds the events chain-notify maps (it never reads the
partner topics, which carry the V-number); this test keeps the two sets of rules together."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from chain_notify import persistence as notify_db
from chain_notify.domain.state import NotifyCase, NotifyConfig
from chain_notify.handlers import rules as notify_rules
from planning.domain.capacity import month_key
from planning.domain.figures import PARTNER_KINDS, monthly_figures, partner_notices
from planning.domain.records import replay
from shared.contracts.envelope import EventData
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import prephase as pp
from shared.contracts.events.common import DecisionOutcome, LegalGround
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.values import PriorityGroup, Stream
from shared.runtime.kit import BatchCases, Context, Decision, Emit
from shared.tools.examples import example

STREAM = Stream.BACKLOG


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def registered(amv: bool) -> EventData:
    return example(i.CaseRegistered).model_copy(update={"unaccompanied": amv, "stream": STREAM})


def lawyer(name: str | None) -> EventData:
    return example(i.ApplicantLogisticsChanged).model_copy(update={"lawyer": name})


def hearing(day: date, review: date | None) -> EventData:
    return example(h.HearingPlanned).model_copy(update={"starts_at": at(day), "review_on": review})


def issued(on: date, *, grant: bool) -> EventData:
    base = example(DecisionIssued)
    if not grant:
        return base.model_copy(update={"issued_on": on, "sent_at": at(on)})
    return DecisionIssued.model_validate(
        base.model_dump()
        | {
            "outcome": DecisionOutcome.GRANT,
            "legal_ground": LegalGround.A,
            "rejection_kind": None,
            "departure_period_days": None,
            "enforceable_from": None,
            "issued_on": on,
            "sent_at": at(on),
        }
    )


def amv_group(joined: bool) -> EventData:
    group = PriorityGroup.UNACCOMPANIED_MINOR
    if joined:
        return i.PriorityGroupJoined(group=group, reason="age: minor", priority_group=group)
    return i.PriorityGroupLeft(group=group, reason="age assessment: adult", priority_group=None)


OCT, NOV, DEC = date(2026, 10, 5), date(2026, 11, 2), date(2026, 12, 1)
# (case, handling day, event): three histories, checkable by hand.
HISTORY: list[tuple[str, date, EventData]] = [
    # An AMV with a lawyer: prephase days for Nidos (one cancelled), a hearing moved to
    # another day with the same review, a new lawyer, then a refusal.
    ("amv", OCT, registered(amv=True)),
    ("amv", OCT, lawyer("rvr-1")),
    ("amv", OCT, pp.GuardianNoticeRequested(day=date(2026, 10, 14), location="prephase-zwolle")),
    ("amv", OCT, pp.GuardianNoticeRequested(day=date(2026, 10, 21), location="prephase-zwolle")),
    ("amv", OCT, pp.GuardianNoticeCancelled(day=date(2026, 10, 14))),
    (
        "amv",
        OCT,
        pp.TransportRequested(
            day=date(2026, 10, 21), from_location="coa-budel", to_location="prephase-zwolle"
        ),
    ),
    ("amv", NOV, hearing(date(2026, 11, 10), date(2026, 11, 11))),
    ("amv", NOV, hearing(date(2026, 11, 9), date(2026, 11, 11))),
    ("amv", date(2026, 11, 10), lawyer("rvr-2")),  # only the review is still to come
    ("amv", DEC, issued(DEC, grant=False)),
    # An adult without a lawyer at first, found a minor, found an adult again: a hearing
    # cancelled for the lawyer only after the age assessment; then granted.
    ("adult", OCT, registered(amv=False)),
    ("adult", OCT, amv_group(joined=True)),
    ("adult", NOV, hearing(date(2026, 11, 20), None)),
    ("adult", NOV, amv_group(joined=False)),
    ("adult", NOV, lawyer("rvr-3")),
    (
        "adult",
        date(2026, 11, 16),
        h.HearingCancelled(day=date(2026, 11, 20), reason=h.CancellationReason.RESCHEDULED),
    ),
    ("adult", DEC, issued(DEC, grant=True)),
    # An AMV withdrawn with a transport, a prephase day and a hearing still to come.
    ("gone", OCT, registered(amv=True)),
    ("gone", OCT, lawyer("rvr-4")),
    (
        "gone",
        OCT,
        pp.TransportRequested(
            day=date(2026, 11, 4), from_location="coa-budel", to_location="prephase-zwolle"
        ),
    ),
    ("gone", OCT, pp.TransportCancelled(day=date(2026, 11, 4))),
    (
        "gone",
        OCT,
        pp.TransportRequested(
            day=date(2026, 11, 5), from_location="coa-budel", to_location="prephase-zwolle"
        ),
    ),
    ("gone", OCT, pp.GuardianNoticeRequested(day=date(2026, 11, 5), location="prephase-zwolle")),
    ("gone", OCT, hearing(date(2026, 12, 7), date(2026, 12, 8))),
    ("gone", NOV, i.CaseWithdrawn(withdrawn_at=at(NOV))),
    # Refused before its court district is known: COA and DT&V at once, the courts' notice
    # when the district comes a month later (ADR 0031).
    ("late", OCT, registered(amv=False)),
    ("late", NOV, issued(NOV, grant=False)),
    ("late", DEC, lawyer("rvr-5")),  # with the court district
]


def chain_notify_counts() -> Counter[tuple[str, str]]:
    """(month, partner.kind) of every notice chain-notify's functions send for HISTORY."""
    functions = {
        r.event_type: r.function for r in notify_rules(NotifyConfig()).registrations.values()
    }
    state: dict[str, NotifyCase | None] = {}
    sent: Counter[tuple[str, str]] = Counter()
    for case_id, day, event in HISTORY:
        ctx: Context[NotifyConfig] = Context(
            case_id=case_id,
            now=at(day),
            config=NotifyConfig(),
            actor="system:test",
            stream=STREAM,
            topic="test",
            cases=BatchCases(notify_db.CASES),
            extras={},
            rows={},
        )
        outcome: Any = functions[type(event)](state.get(case_id), event, ctx)
        assert isinstance(outcome, Decision), (case_id, event)
        if outcome.state is not None:
            state[case_id] = outcome.state
        for item in outcome.emit:
            assert isinstance(item, Emit)
            assert item.topic is not None
            partner = item.topic.split(".")[3]  # ind.<stream>.partner.<partner>.v1
            kind = type(item.data).event_type.rsplit(".", 1)[1].replace("-", "_")
            sent[(month_key(day), f"{partner}.{kind}")] += 1
    return sent


def test_planning_counts_every_notice_chain_notify_sends_per_partner_kind_and_month() -> None:
    records = replay(HISTORY_FOR_PLANNING)
    counted: Counter[tuple[str, str]] = Counter()
    for month in ("2026-10", "2026-11", "2026-12"):
        for kind, n in partner_notices(records.values(), month).items():
            counted[(month, kind)] += n
    expected = chain_notify_counts()
    assert counted == expected
    # The history reaches every kind of notice about a case, so none is left uncounted.
    assert {kind for _, kind in expected} == set(PARTNER_KINDS)
    # October, Nidos: amv's 2 prephase days; gone's prephase day, hearing and review.
    assert expected[("2026-10", "nidos.appointment_planned")] == 2 + 1 + 2
    # November: amv's hearing and review (2 x Nidos, 2 x lawyer), the move (hearing cancelled
    # and planned, both), the new lawyer (review: 1 cancelled, 1 planned); adult's hearing (no
    # lawyer yet, Nidos as an AMV then), its cancellation (the lawyer only); gone's withdrawal
    # (prephase day: Nidos; hearing and review: Nidos and lawyer).
    assert expected[("2026-11", "lawyer.appointment_cancelled")] == 1 + 1 + 1 + 2
    # The late district: the refusal in November to COA and DT&V, to the courts in December.
    assert expected[("2026-11", "dtv.refusal_notified")] == 1
    assert expected[("2026-11", "courts.decision_sent")] == 0
    assert expected[("2026-12", "courts.decision_sent")] == 1 + 1  # amv's refusal, late's


def test_the_monthly_export_carries_the_appointment_notices() -> None:
    records = replay(HISTORY_FOR_PLANNING)
    figures = monthly_figures(records.values(), date(2026, 12, 31))
    groups = {f.group for f in figures if f.figure == "partner_notices"}
    assert {"nidos.appointment_planned", "lawyer.appointment_cancelled"} <= groups


HISTORY_FOR_PLANNING = [(case_id, event, day) for case_id, day, event in HISTORY]
