"""Every catalogue message survives the wire: envelope, record, envelope, on every topic."""

from __future__ import annotations

import json
import re

import pytest

from shared.contracts.envelope import decode, encode
from shared.contracts.events.catalogue import CATALOGUE, MessageSpec
from shared.contracts.values import Stream
from shared.tools.examples import example_envelope, example_envelopes

CASES = [(spec, stream) for spec in CATALOGUE for stream in spec.streams]


@pytest.mark.parametrize(("spec", "stream"), CASES, ids=[f"{s.name}-{st}" for s, st in CASES])
def test_round_trip(spec: MessageSpec, stream: Stream | None) -> None:
    envelope = example_envelope(spec, stream)
    for topic in spec.topics[stream]:
        record = encode(envelope, topic)
        back = decode(record.headers, record.value)
        assert back == envelope
        assert type(back.data) is spec.model
        assert record.key.decode() == back.subject
        assert re.fullmatch(spec.key.pattern, back.subject)


@pytest.mark.parametrize("spec", CATALOGUE, ids=[s.name for s in CATALOGUE])
def test_example_actor_may_publish_and_headers_are_binary_mode(spec: MessageSpec) -> None:
    envelope = example_envelope(spec, spec.streams[0])
    assert spec.may_publish(envelope.actor)
    record = encode(envelope, spec.topic_names()[0])
    headers = dict(record.headers)
    assert headers["ce_type"].decode() == spec.ce_type
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    assert ("ce_stream" in headers) == (spec.streams[0] is not None)
    assert json.loads(record.value) == envelope.data.model_dump(mode="json")


@pytest.mark.parametrize("spec", CATALOGUE, ids=[s.name for s in CATALOGUE])
def test_every_example_round_trips_on_its_topic(spec: MessageSpec) -> None:
    for envelope in example_envelopes(spec):
        assert spec.may_publish(envelope.actor)
        for topic in spec.topics[envelope.stream]:
            record = encode(envelope, topic)
            assert decode(record.headers, record.value) == envelope
            assert re.fullmatch(spec.key.pattern, envelope.subject)
