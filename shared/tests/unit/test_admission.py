"""What must hold before a service acts on an event: key, stream, topic and publisher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.contracts.envelope import new_event
from shared.contracts.events.hearing import HearingHeld
from shared.contracts.events.intake import ApplicationRegistered
from shared.contracts.topics import REGISTRATION_INPUT, Stage, stage_events, stage_input
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock
from shared.runtime.messaging import admission_problem
from shared.tools.examples import example

CLOCK = DrivenClock(datetime(2026, 11, 2, tzinfo=UTC))


@dataclass
class Record:
    topic: str
    key: bytes | None
    partition: int = 0
    offset: int = 0
    value: bytes | None = None
    headers: tuple[tuple[str, bytes], ...] = ()


def event(data: Any, *, stream: Stream | None, actor: str, subject: str = "case-1") -> Any:
    return new_event(
        data, subject=subject, stream=stream, source="/t", actor=actor, time=CLOCK.now()
    )


REGISTRATION = example(ApplicationRegistered)
HELD = example(HearingHeld)
HEARING_OUT = stage_events(Stream.BACKLOG, Stage.HEARING)


def test_a_well_formed_registration_and_hearing_event_pass() -> None:
    registration = event(REGISTRATION, stream=None, actor="caseworker:desk-1")
    held = event(HELD, stream=Stream.BACKLOG, actor="system:hearing")
    assert (
        admission_problem(Record("p." + REGISTRATION_INPUT, b"case-1"), registration, "p.") is None
    )
    assert admission_problem(Record(HEARING_OUT, b"case-1"), held, "") is None


@pytest.mark.parametrize(
    ("topic", "key", "stream", "actor", "code", "words"),
    [
        (
            REGISTRATION_INPUT,
            b"case-2",
            None,
            "caseworker:d",
            "wrong-key",
            "not the event's subject",
        ),
        (REGISTRATION_INPUT, None, None, "caseworker:d", "wrong-key", "not the event's subject"),
        (
            REGISTRATION_INPUT,
            b"case-1",
            Stream.PACT,
            "caseworker:d",
            "wrong-stream",
            "no ce_stream",
        ),
        (REGISTRATION_INPUT, b"case-1", None, "planner:p-1", "not-permitted", "caseworker may"),
        (REGISTRATION_INPUT, b"case-1", None, "system:hearing", "not-permitted", "may not publish"),
        (
            stage_input(Stream.BACKLOG, Stage.HEARING),
            b"case-1",
            Stream.BACKLOG,
            "caseworker:d",
            "wrong-topic",
            "does not travel on",
        ),
    ],
)
def test_broken_contracts_are_named(
    topic: str, key: bytes | None, stream: Stream | None, actor: str, code: str, words: str
) -> None:
    problem = admission_problem(
        Record(topic, key), event(REGISTRATION, stream=stream, actor=actor), ""
    )
    assert problem is not None
    assert problem[0] == code
    assert words in problem[1]


def test_an_output_event_on_the_wrong_stream_is_refused() -> None:
    held = event(HELD, stream=Stream.PACT, actor="system:hearing")
    problem = admission_problem(Record(HEARING_OUT, b"case-1"), held, "")
    assert problem == ("wrong-stream", f"{HEARING_OUT} carries ce_stream backlog, not pact")
