"""The envelope and its Kafka binary-mode codec, without servers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.contracts.envelope import DecodeError, EventData, decode, encode, new_event
from shared.contracts.values import Stream
from shared.runtime.clock import DrivenClock


class Sample(EventData):
    event_type = "nl.ind.test.sample"
    version = 2
    count: int


CLOCK = DrivenClock(datetime(2026, 6, 12, 8, 30, tzinfo=UTC))


def sample(**kwargs: object) -> object:
    return new_event(
        Sample(count=3),
        subject="case-123",
        stream=Stream.PACT,
        source="/t",
        actor="caseworker:cw-1",
        time=CLOCK.now(),
        **kwargs,
    )


def test_round_trip_keeps_every_attribute_and_the_typed_data() -> None:
    event = sample()
    record = encode(event, "topic")
    assert record.key == b"case-123"
    assert json.loads(record.value) == {"count": 3}
    assert dict(record.headers)["ce_type"] == b"nl.ind.test.sample.v2"
    assert decode(record.headers, record.value) == event


def test_a_following_event_carries_correlation_and_causation() -> None:
    first = sample()
    second = sample(cause=first)
    assert second.correlationid == first.correlationid
    assert second.causationid == first.id
    assert second.id != first.id


def test_unknown_extension_headers_are_tolerated() -> None:
    record = encode(sample(), "topic")
    assert decode((*record.headers, ("ce_traceparent", b"00-abc")), record.value).data == Sample(
        count=3
    )


@pytest.mark.parametrize(
    ("mutate", "code", "words"),
    [
        (lambda h, v: (h, b"\x00\xff"), "undecodable", "data is not JSON"),
        (
            lambda h, v: (h, b'{"count": "three"}'),
            "schema-invalid",
            "count: Input should be a valid integer",
        ),
        (lambda h, v: (h, b'{"count": 1, "name": "x"}'), "schema-invalid", "name: Extra inputs"),
        (lambda h, v: ([x for x in h if x[0] != "ce_type"], v), "missing-attributes", "ce_type"),
        (
            lambda h, v: (
                [*[x for x in h if x[0] != "ce_type"], ("ce_type", b"nl.ind.nope.v1")],
                v,
            ),
            "unknown-type",
            "unknown event type 'nl.ind.nope.v1'",
        ),
        (
            lambda h, v: (
                [*[x for x in h if x[0] != "ce_time"], ("ce_time", b"2026-01-01T10:00:00")],
                v,
            ),
            "schema-invalid",
            "time: Input should have timezone info",
        ),
        (lambda h, v: (h, None), "no-data", "no value"),
    ],
)
def test_bad_records_are_refused_with_a_readable_reason(
    mutate: object, code: str, words: str
) -> None:
    record = encode(sample(), "topic")
    headers, value = mutate(list(record.headers), record.value)  # type: ignore[operator]
    with pytest.raises(DecodeError) as caught:
        decode(headers, value)
    assert caught.value.code == code
    assert words in caught.value.reason


NOW = CLOCK.now()
SYS = "system:t"


def test_naive_times_and_bad_subjects_cannot_be_built() -> None:
    with pytest.raises(ValidationError):
        new_event(
            Sample(count=1), subject="x", stream=None, source="/t", actor="system:t", time=NOW
        )
    with pytest.raises(ValidationError):
        new_event(
            Sample(count=1), subject="case-1", stream=None, source="/t", actor="nobody", time=NOW
        )
    naive = datetime(2026, 1, 1)  # noqa: DTZ001
    with pytest.raises(ValidationError):
        new_event(
            Sample(count=1), subject="c-1", stream=None, source="/t", actor="system:t", time=naive
        )


def test_driven_clock_moves_only_forward_and_only_when_told() -> None:
    clock = DrivenClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(timedelta(days=1))
    assert clock.now() == datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        DrivenClock(datetime(2026, 1, 1))  # noqa: DTZ001


def test_input_is_validated_strictly() -> None:
    from shared.contracts.events.intake import ApplicationRegistered
    from shared.tools.examples import example

    good = new_event(
        example(ApplicationRegistered),
        subject="case-123",
        stream=None,
        source="/t",
        actor="caseworker:cw-1",
        time=CLOCK.now(),
    )
    record = encode(good, "topic")
    assert decode(record.headers, record.value).data == good.data
    body = json.loads(record.value)
    for field, lax_value in [
        ("unaccompanied", "yes"),
        ("lodged_at", 1741000000),
        ("nuisance", 0),
        ("v_number", 1234567890),
    ]:
        with pytest.raises(DecodeError) as caught:
            decode(record.headers, json.dumps({**body, field: lax_value}).encode())
        assert caught.value.code == "schema-invalid"
        assert field in caught.value.reason


def test_a_reader_of_output_skips_fields_it_does_not_know_and_input_stays_strict() -> None:
    record = encode(sample(), "topic")
    newer = json.dumps({"count": 3, "added_in_a_later_release": {"x": 1}}).encode()
    assert decode(record.headers, newer, ignore_unknown_fields=True).data == Sample(count=3)
    with pytest.raises(DecodeError, match="added_in_a_later_release: Extra inputs"):
        decode(record.headers, newer)
    # Skipping unknown fields never excuses a wrong value in a known one.
    wrong = json.dumps({"count": "3", "added_in_a_later_release": 1}).encode()
    with pytest.raises(DecodeError, match="count: Input should be a valid integer"):
        decode(record.headers, wrong, ignore_unknown_fields=True)


def test_a_decode_error_carries_the_ids_the_headers_gave() -> None:
    event = sample()
    record = encode(event, "topic")
    with pytest.raises(DecodeError) as caught:
        decode(record.headers, b'{"count": "x"}')
    assert caught.value.event_id == event.id
    assert caught.value.correlation_id == event.correlationid
