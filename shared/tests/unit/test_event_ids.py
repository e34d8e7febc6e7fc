"""Event ids derived from their cause (docs/adr/0009): a cause handled again makes the same ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from shared.contracts.topics import TopicNames
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import UnitOfWork
from shared.tools.testing import echo
from shared.tools.testing.kafka import front_end_event

CLOCK = DrivenClock(datetime(2026, 11, 2, 9, tzinfo=UTC))


def work() -> UnitOfWork:
    return UnitOfWork(session=cast("Any", None), clock=CLOCK, service="echo", topics=TopicNames(""))


def emit_two(uow: UnitOfWork, cause: Any) -> list[Any]:
    return [
        uow.emit(echo.EchoDone(text="a"), topic=echo.OUTPUT, cause=cause).id,
        uow.emit(echo.EchoDone(text="b"), topic=echo.OUTPUT, cause=cause).id,
        uow.emit(echo.EchoDone(text="c"), topic=echo.OUTPUT, cause=cause, subject="case-2").id,
    ]


def test_a_cause_handled_again_makes_the_same_ids() -> None:
    cause = front_end_event(echo.EchoRequested(text="x"), subject="case-1", stream=Stream.BACKLOG)
    first, again = emit_two(work(), cause), emit_two(work(), cause)
    assert first == again
    assert len(set(first)) == 3  # each event of one cause has its own id


def test_two_causes_never_share_an_id() -> None:
    one = front_end_event(echo.EchoRequested(text="x"), subject="case-1", stream=Stream.BACKLOG)
    two = front_end_event(echo.EchoRequested(text="x"), subject="case-1", stream=Stream.BACKLOG)
    assert set(emit_two(work(), one)).isdisjoint(emit_two(work(), two))
