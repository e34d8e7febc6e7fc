"""Facts that come in either order (docs/adr/0031): a refusal before the applicant's court
district (COA and DT&V at once, the courts' notice held and sent when the district comes), and
an appointment before the case's lawyer (the lawyer told when named). Both orders of arrival
tell each partner the same, once; what is past by the service clock is not told."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chain_notify.domain import cases as c
from chain_notify.domain.state import NotifyCase, NotifyConfig
from chain_notify.handlers import rules
from shared.contracts.envelope import EventData
from shared.contracts.events.common import DecisionOutcome
from shared.contracts.events.hearing import HearingFormat, HearingPlanned, HearingRoom
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CourtDistrict,
    LogisticsPart,
)
from shared.contracts.events.partners import CourtsDecisionSent, LawyerAppointmentPlanned
from shared.runtime.kit import Conflict, Decision, Emit

from .conftest import NOW, case, ctx, decision

FUNCTIONS = {r.event_type: r.function for r in rules(NotifyConfig()).registrations.values()}


def logistics(
    lawyer: str | None = "rvr-40211", district: CourtDistrict | None = CourtDistrict.OOST_BRABANT
) -> ApplicantLogisticsChanged:
    return ApplicantLogisticsChanged(
        interpreter_languages=("ara",),
        reception_location="coa-budel",
        lawyer=lawyer,
        court_district=district,
        changed=(LogisticsPart.LAWYER, LogisticsPart.COURT_DISTRICT),
    )


def hearing(day: int, review: int | None = None) -> HearingPlanned:
    return HearingPlanned(
        starts_at=datetime(2026, 11, day, 8, 30, tzinfo=UTC),
        location="ind-den-bosch",
        room=HearingRoom.STANDARD,
        format=HearingFormat.SHORT_TARGETED,
        interpreter_language="ara",
        review_on=date(2026, 11, review) if review else None,
    )


def fold(
    start: NotifyCase, events: list[tuple[datetime, EventData]]
) -> tuple[NotifyCase, list[tuple[str, EventData]]]:
    """Each event through chain-notify's own function at its time: the last state and every
    (partner, message) sent, in order."""
    state, told = start, []
    for now, event in events:
        outcome: Any = FUNCTIONS[type(event)](state, event, ctx(now=now))
        assert isinstance(outcome, Decision), (event, outcome)
        state = outcome.state or state
        for item in outcome.emit:
            assert isinstance(item, Emit)
            assert item.topic is not None
            told.append((item.topic.split(".")[3], item.data))
    return state, told


def partners(told: list[tuple[str, EventData]]) -> list[tuple[str, str]]:
    return [(p, type(m).__name__) for p, m in told]


# --- a refusal before the court district -------------------------------------------------------


def test_a_refusal_without_a_district_tells_coa_dtv_and_nidos_at_once_and_holds_the_courts() -> (
    None
):
    state, told = fold(case(unaccompanied=True, court_district=None), [(NOW, decision())])
    assert partners(told) == [
        ("coa", "CoaReceptionEnds"),
        ("dtv", "DtvRefusalNotified"),
        ("nidos", "NidosDecisionSent"),
    ]
    assert state.decided
    held = state.courts_held
    assert held is not None
    assert (held.outcome, held.sent_on, held.appeal_period_days, held.since) == (
        DecisionOutcome.REJECTION,
        date(2026, 11, 3),  # sent 23:30 UTC on the 2nd: the 3rd in the Netherlands
        28,
        NOW,
    )


def test_the_held_courts_notice_goes_out_once_when_the_district_comes() -> None:
    later = datetime(2026, 11, 20, 9, tzinfo=UTC)
    state, told = fold(
        case(court_district=None),
        [
            (NOW, decision()),
            (NOW, logistics(district=None)),  # a lawyer change: the district is still unknown
            (later, logistics(district=CourtDistrict.AMSTERDAM)),
            (later, logistics(district=CourtDistrict.DEN_HAAG)),  # told already: not again
        ],
    )
    assert partners(told) == [
        ("coa", "CoaReceptionEnds"),
        ("dtv", "DtvRefusalNotified"),
        (
            "courts",
            "CourtsDecisionSent",
        ),
    ]
    assert told[2][1] == CourtsDecisionSent(
        outcome=DecisionOutcome.REJECTION,
        sent_on=date(2026, 11, 3),  # the decision's day, not the day the district came
        appeal_period_days=28,
        court_district=CourtDistrict.AMSTERDAM,
    )
    assert state.courts_held is None
    assert state.court_district is CourtDistrict.DEN_HAAG


def test_either_order_of_refusal_and_district_tells_each_partner_the_same_once() -> None:
    start = case(court_district=None, lawyer=None)
    district_first = fold(start, [(NOW, logistics()), (NOW, decision())])[1]
    refusal_first = fold(start, [(NOW, decision()), (NOW, logistics())])[1]
    assert sorted(district_first, key=repr) == sorted(refusal_first, key=repr)
    assert sorted(partners(refusal_first)) == [
        ("coa", "CoaReceptionEnds"),
        ("courts", "CourtsDecisionSent"),
        ("dtv", "DtvRefusalNotified"),
    ]


def test_a_grant_holds_nothing_and_a_second_decision_still_conflicts() -> None:
    grant = c.decision_issued(case(court_district=None), decision(DecisionOutcome.GRANT), ctx())
    assert isinstance(grant, Decision)
    assert grant.state is not None
    assert grant.state.courts_held is None
    refused = c.decision_issued(case(court_district=None), decision(), ctx())
    assert isinstance(refused, Decision)
    assert refused.state is not None
    assert isinstance(c.decision_issued(refused.state, decision(), ctx()), Conflict)


# --- an appointment before the lawyer ------------------------------------------------------------


def test_either_order_of_hearing_and_lawyer_tells_the_lawyer_the_same_once() -> None:
    start = case(lawyer=None)
    lawyer_first = fold(start, [(NOW, logistics()), (NOW, hearing(3, 4))])[1]
    hearing_first = fold(start, [(NOW, hearing(3, 4)), (NOW, logistics())])[1]
    assert hearing_first == lawyer_first
    assert [(p, getattr(m, "kind", None)) for p, m in hearing_first] == [
        ("lawyer", "hearing"),
        ("lawyer", "post_hearing_review"),
    ]
    # Repeats say nothing new: the same hearing again, the same lawyer again (another part).
    _, again = fold(
        start,
        [
            (NOW, hearing(3, 4)),
            (NOW, logistics()),
            (NOW, hearing(3, 4)),
            (NOW, logistics(district=CourtDistrict.AMSTERDAM)),
        ],
    )
    assert again == hearing_first


def test_a_lawyer_named_later_hears_only_of_what_is_still_ahead() -> None:
    # The hearing on 3 November is past when the lawyer is named on the 4th; its review that
    # day is still ahead (the Dutch day of the service clock).
    on_the_4th = datetime(2026, 11, 4, 7, tzinfo=UTC)
    _, told = fold(case(lawyer=None), [(NOW, hearing(3, 4)), (on_the_4th, logistics())])
    assert told == [
        (
            "lawyer",
            LawyerAppointmentPlanned(
                lawyer="rvr-40211",
                v_number="1234567890",
                kind="post_hearing_review",
                day=date(2026, 11, 4),
                starts_at=None,
                location="ind-den-bosch",
            ),
        )
    ]
    on_the_5th = datetime(2026, 11, 5, 7, tzinfo=UTC)
    _, none = fold(case(lawyer=None), [(NOW, hearing(3, 4)), (on_the_5th, logistics())])
    assert none == []


def test_a_hearing_moved_before_the_lawyer_came_reaches_the_lawyer_as_it_now_is() -> None:
    _, told = fold(
        case(lawyer=None, unaccompanied=True),
        [(NOW, hearing(3, 4)), (NOW, hearing(10, 11)), (NOW, logistics())],
    )
    lawyer = [(getattr(m, "kind", None), getattr(m, "day", None)) for p, m in told if p == "lawyer"]
    assert lawyer == [("hearing", date(2026, 11, 10)), ("post_hearing_review", date(2026, 11, 11))]
    # Nidos heard of both as they happened (an AMV): planned, then moved.
    assert [type(m).__name__ for p, m in told if p == "nidos"] == [
        "NidosAppointmentPlanned",
        "NidosAppointmentPlanned",
        "NidosAppointmentCancelled",
        "NidosAppointmentPlanned",
        "NidosAppointmentCancelled",
        "NidosAppointmentPlanned",
    ]


def test_a_lawyer_named_after_the_decision_hears_nothing() -> None:
    _, told = fold(
        case(lawyer=None),
        [(NOW, hearing(20, 21)), (NOW, decision()), (NOW, logistics())],
    )
    assert ("lawyer", "LawyerAppointmentPlanned") not in partners(told)


def test_the_held_notice_holds_no_personal_data() -> None:
    refused = c.decision_issued(case(court_district=None), decision(), ctx())
    assert isinstance(refused, Decision)
    assert refused.state is not None
    assert refused.state.courts_held is not None
    assert set(refused.state.courts_held.model_dump()) == {
        "outcome",
        "sent_on",
        "appeal_period_days",
        "since",
    }
