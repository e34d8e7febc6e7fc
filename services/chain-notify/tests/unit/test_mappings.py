"""Each mapping from a case event to partner messages: which partner, which stream's topic,
which fields; and what a repeated, early or contradicting fact does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from chain_notify.domain import cases as c
from chain_notify.domain.hearing import hearing_cancelled, hearing_planned
from chain_notify.domain.state import Appointment, NotifyCase
from shared.contracts.events.common import DecisionOutcome, LegalGround, Procedure
from shared.contracts.events.hearing import (
    CancellationReason,
    HearingCancelled,
    HearingFormat,
    HearingPlanned,
    HearingRoom,
)
from shared.contracts.events.intake import (
    ApplicantLogisticsChanged,
    CaseRegistered,
    CaseWithdrawn,
    CourtDistrict,
    LogisticsPart,
    PriorityGroupJoined,
)
from shared.contracts.events.partners import (
    AppointmentKind,
    CoaHousingRequested,
    CoaReceptionEnds,
    CoaTransportCancelled,
    CoaTransportRequested,
    CourtsDecisionSent,
    DtvRefusalNotified,
    LawyerAppointmentCancelled,
    LawyerAppointmentPlanned,
    NidosAppointmentCancelled,
    NidosAppointmentPlanned,
    NidosDecisionSent,
)
from shared.contracts.events.prephase import (
    GuardianNoticeCancelled,
    GuardianNoticeRequested,
    TransportCancelled,
    TransportRequested,
)
from shared.contracts.values import PriorityGroup, Stream
from shared.runtime.kit import Conflict, Decision, Emit, Wait

DAY = date(2026, 10, 19)


def sent(outcome: Any) -> list[tuple[str, Any]]:
    """(topic, message) of each emitted partner message."""
    assert isinstance(outcome, Decision), outcome
    out = []
    for item in outcome.emit:
        assert isinstance(item, Emit)
        assert item.topic is not None
        out.append((item.topic, item.data))
    return out


def test_registration_remembers_whom_to_address(make_ctx: Callable[..., Any]) -> None:
    event = CaseRegistered.model_validate(
        {
            "v_number": "1234567890",
            "nationality": "SYR",
            "stream": "pact",
            "lodged_at": "2026-07-01T09:00:00+00:00",
            "procedure": Procedure.PACT_REGULAR,
            "policy_version": "cp-2026-10",
            "deadline": "2027-01-01",
            "deadline_basis": "Reg. (EU) 2024/1348 art. 35(4)",
            "minor_on_lodging": True,
            "unaccompanied": True,
            "priority_group": "unaccompanied_minor",
            "priority_groups": ["unaccompanied_minor"],
        }
    )
    outcome = c.registered(None, event, make_ctx("case-9", stream=Stream.PACT))
    assert isinstance(outcome, Decision)
    assert outcome.state is not None
    assert outcome.emit == ()
    assert outcome.state.stream is Stream.PACT
    assert outcome.state.unaccompanied
    assert outcome.state.v_number == "1234567890"


def test_transport_request_goes_to_coa_of_the_cases_stream(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    event = TransportRequested(day=DAY, from_location="coa-budel", to_location="prephase-zwolle")
    outcome = c.transport_requested(make_case(stream=Stream.PACT), event, make_ctx())
    assert sent(outcome) == [
        (
            "ind.pact.partner.coa.v1",
            CoaTransportRequested(
                v_number="1234567890",
                day=DAY,
                from_location="coa-budel",
                to_location="prephase-zwolle",
            ),
        )
    ]
    assert isinstance(outcome, Decision)
    assert outcome.state is not None
    again = c.transport_requested(outcome.state, event, make_ctx())
    assert sent(again) == [], "the same day requested again is no news to COA"


def test_transport_cancelled_and_unknown_cancellation(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    outcome = c.transport_cancelled(
        make_case(transports=(DAY,)), TransportCancelled(day=DAY), make_ctx()
    )
    assert sent(outcome) == [
        ("ind.backlog.partner.coa.v1", CoaTransportCancelled(v_number="1234567890", day=DAY))
    ]
    stray = c.transport_cancelled(make_case(), TransportCancelled(day=DAY), make_ctx())
    assert isinstance(stray, Conflict)


def test_facts_about_an_unseen_case_wait(make_ctx: Callable[..., Any]) -> None:
    event = TransportRequested(day=DAY, from_location="coa-budel", to_location="prephase-zwolle")
    assert isinstance(c.transport_requested(None, event, make_ctx()), Wait)


def test_guardian_notice_goes_to_nidos_only(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    event = GuardianNoticeRequested(day=DAY, location="prephase-zwolle")
    outcome = c.guardian_notice_requested(make_case(unaccompanied=True), event, make_ctx())
    assert sent(outcome) == [
        (
            "ind.backlog.partner.nidos.v1",
            NidosAppointmentPlanned(
                v_number="1234567890",
                kind=AppointmentKind.PREPHASE_DAY,
                day=DAY,
                starts_at=None,
                location="prephase-zwolle",
            ),
        )
    ]
    assert isinstance(outcome, Decision)
    assert outcome.state is not None
    cancel = c.guardian_notice_cancelled(
        outcome.state, GuardianNoticeCancelled(day=DAY), make_ctx()
    )
    assert sent(cancel) == [
        (
            "ind.backlog.partner.nidos.v1",
            NidosAppointmentCancelled(
                v_number="1234567890", kind=AppointmentKind.PREPHASE_DAY, day=DAY
            ),
        )
    ]


def hearing(starts_at: datetime, review_on: date | None) -> HearingPlanned:
    return HearingPlanned(
        starts_at=starts_at,
        location="ind-den-bosch",
        room=HearingRoom.CHILD_FRIENDLY,
        format=HearingFormat.SHORT_TARGETED,
        interpreter_language="ara",
        review_on=review_on,
    )


def test_hearing_goes_to_lawyer_and_nidos_and_a_move_cancels_first(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    at = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    amv = make_case(unaccompanied=True)
    first = hearing_planned(amv, hearing(at, date(2026, 11, 4)), make_ctx())
    messages = sent(first)
    assert [(t.split(".")[3], type(m).__name__) for t, m in messages] == [
        ("nidos", "NidosAppointmentPlanned"),
        ("lawyer", "LawyerAppointmentPlanned"),
        ("nidos", "NidosAppointmentPlanned"),
        ("lawyer", "LawyerAppointmentPlanned"),
    ]
    assert messages[1][1] == LawyerAppointmentPlanned(
        lawyer="rvr-40211",
        v_number="1234567890",
        kind="hearing",
        day=date(2026, 11, 3),
        starts_at=at,
        location="ind-den-bosch",
    )
    assert isinstance(first, Decision)
    assert first.state is not None
    same = hearing_planned(first.state, hearing(at, date(2026, 11, 4)), make_ctx())
    assert sent(same) == [], "an unchanged hearing is not announced twice"
    later = at.replace(day=10)
    moved = hearing_planned(first.state, hearing(later, date(2026, 11, 4)), make_ctx())
    assert [type(m).__name__ for _, m in sent(moved)] == [
        "NidosAppointmentCancelled",
        "LawyerAppointmentCancelled",
        "NidosAppointmentPlanned",
        "LawyerAppointmentPlanned",
    ]


def test_a_hearing_cancelled_without_a_new_one_tells_the_lawyer_and_nidos(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    at = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    first = hearing_planned(
        make_case(unaccompanied=True), hearing(at, date(2026, 11, 4)), make_ctx()
    )
    assert isinstance(first, Decision)
    assert first.state is not None
    other_day = HearingCancelled(
        day=date(2026, 11, 10), reason=CancellationReason.ON_HOLD, lawyer="rvr-40211"
    )
    assert sent(hearing_cancelled(first.state, other_day, make_ctx())) == []
    off = HearingCancelled(day=date(2026, 11, 3), reason=CancellationReason.ON_HOLD, lawyer=None)
    outcome = hearing_cancelled(first.state, off, make_ctx())
    assert [(type(m).__name__, m.kind, m.day) for _, m in sent(outcome)] == [
        ("NidosAppointmentCancelled", "hearing", date(2026, 11, 3)),
        ("LawyerAppointmentCancelled", "hearing", date(2026, 11, 3)),
        ("NidosAppointmentCancelled", "post_hearing_review", date(2026, 11, 4)),
        ("LawyerAppointmentCancelled", "post_hearing_review", date(2026, 11, 4)),
    ]
    assert isinstance(outcome, Decision)
    assert outcome.state is not None
    assert outcome.state.appointments == ()
    assert sent(hearing_cancelled(outcome.state, off, make_ctx())) == []  # told once


def test_hearing_without_a_lawyer_is_kept_for_the_lawyer_to_come(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    at = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    planned = hearing_planned(make_case(lawyer=None), hearing(at, None), make_ctx())
    assert sent(planned) == []
    assert isinstance(planned, Decision)
    assert planned.state is not None
    logistics = ApplicantLogisticsChanged(
        interpreter_languages=("ara",),
        reception_location="coa-budel",
        lawyer="rvr-777",
        court_district=CourtDistrict.OOST_BRABANT,
        changed=(LogisticsPart.LAWYER,),
    )
    told = c.logistics_changed(planned.state, logistics, make_ctx())
    assert [(t, type(m).__name__, m.lawyer) for t, m in sent(told)] == [
        ("ind.backlog.partner.lawyer.v1", "LawyerAppointmentPlanned", "rvr-777")
    ]
    assert isinstance(told, Decision)
    assert told.state is not None
    other = logistics.model_copy(update={"lawyer": "rvr-888"})
    switched = c.logistics_changed(told.state, other, make_ctx())
    assert [(type(m).__name__, m.lawyer) for _, m in sent(switched)] == [
        ("LawyerAppointmentCancelled", "rvr-777"),
        ("LawyerAppointmentPlanned", "rvr-888"),
    ]


def test_refusal_goes_to_coa_dtv_and_the_court_of_the_region(
    make_case: Callable[..., NotifyCase],
    make_ctx: Callable[..., Any],
    make_decision: Callable[..., Any],
) -> None:
    outcome = c.decision_issued(make_case(), make_decision(entry_ban=True), make_ctx())
    sent_on = date(2026, 11, 3)  # sent 23:30 UTC on the 2nd: the 3rd in the Netherlands
    assert sent(outcome) == [
        (
            "ind.backlog.partner.coa.v1",
            CoaReceptionEnds(
                v_number="1234567890",
                decision_sent_on=sent_on,
                reception_ends_on=date(2026, 12, 29),  # enforceable 1 Dec + 28 days
            ),
        ),
        (
            "ind.backlog.partner.dtv.v1",
            DtvRefusalNotified(
                v_number="1234567890",
                decision_sent_on=sent_on,
                enforceable_from=date(2026, 12, 1),
                departure_period_days=28,
                entry_ban=True,
            ),
        ),
        (
            "ind.backlog.partner.courts.v1",
            CourtsDecisionSent(
                outcome=DecisionOutcome.REJECTION,
                sent_on=sent_on,
                appeal_period_days=28,
                court_district=CourtDistrict.OOST_BRABANT,
            ),
        ),
    ]


def test_reception_end_is_absent_when_a_court_decides(
    make_case: Callable[..., NotifyCase],
    make_ctx: Callable[..., Any],
    make_decision: Callable[..., Any],
) -> None:
    outcome = c.decision_issued(make_case(), make_decision(enforceable_from=None), make_ctx())
    coa = [m for _, m in sent(outcome) if isinstance(m, CoaReceptionEnds)]
    assert coa
    assert coa[0].reception_ends_on is None


def test_grant_goes_to_coa_for_housing_and_to_nidos_for_an_amv(
    make_case: Callable[..., NotifyCase],
    make_ctx: Callable[..., Any],
    make_decision: Callable[..., Any],
) -> None:
    grant = make_decision(DecisionOutcome.GRANT)
    outcome = c.decision_issued(make_case(unaccompanied=True), grant, make_ctx())
    assert sent(outcome) == [
        (
            "ind.backlog.partner.coa.v1",
            CoaHousingRequested(
                v_number="1234567890",
                granted_on=date(2026, 11, 2),
                family_reunification_expected=True,
            ),
        ),
        (
            "ind.backlog.partner.nidos.v1",
            NidosDecisionSent(
                v_number="1234567890",
                outcome=DecisionOutcome.GRANT,
                legal_ground=LegalGround.A,
                sent_on=date(2026, 11, 3),
                appeal_period_days=28,
            ),
        ),
    ]


def test_a_decision_for_an_unseen_case_waits_and_a_second_decision_conflicts(
    make_case: Callable[..., NotifyCase],
    make_ctx: Callable[..., Any],
    make_decision: Callable[..., Any],
) -> None:
    assert isinstance(c.decision_issued(None, make_decision(), make_ctx()), Wait)
    second = c.decision_issued(make_case(decided=True), make_decision(), make_ctx())
    assert isinstance(second, Conflict)


def test_withdrawal_cancels_what_is_still_to_come(
    make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    past = date(2026, 10, 1)
    review = Appointment(
        kind=AppointmentKind.POST_HEARING_REVIEW, day=DAY, starts_at=None, location="ind-x"
    )
    amv = make_case(
        unaccompanied=True,
        transports=(past, DAY),
        review=review,
    )
    event = CaseWithdrawn.model_validate({"withdrawn_at": "2026-10-12T09:00:00+00:00"})
    outcome = c.withdrawn(amv, event, make_ctx())
    assert [(t.split(".")[3], type(m).__name__) for t, m in sent(outcome)] == [
        ("coa", "CoaTransportCancelled"),
        ("nidos", "NidosAppointmentCancelled"),
        ("lawyer", "LawyerAppointmentCancelled"),
    ]
    assert isinstance(sent(outcome)[2][1], LawyerAppointmentCancelled)


@pytest.mark.parametrize("already", [True, False])
def test_amv_membership_follows_intake(
    already: bool, make_case: Callable[..., NotifyCase], make_ctx: Callable[..., Any]
) -> None:
    joined = PriorityGroupJoined(
        group=PriorityGroup.UNACCOMPANIED_MINOR,
        reason="age assessment",
        priority_group=PriorityGroup.UNACCOMPANIED_MINOR,
    )
    outcome = c.group_joined(make_case(unaccompanied=already), joined, make_ctx())
    assert isinstance(outcome, Decision)
    if already:
        assert outcome.state is None  # already an AMV: nothing changes
    else:
        assert outcome.state is not None
        assert outcome.state.unaccompanied
