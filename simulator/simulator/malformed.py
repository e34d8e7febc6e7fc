"""Bad input at volume (issue 18): malformed records of every kind, spread over every input topic.

Each record starts from the catalogue's valid example of a message on that topic (so only the
one fault makes it bad) and gets a fresh ``ce_id``: a copy of a known id would be skipped as a
retry, not rejected. Every kind below must be answered on the topic's rejection topic.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from shared.contracts.envelope import KafkaRecord, encode
from shared.contracts.events import catalogue as cat
from shared.contracts.topics import Kind, TopicNames, all_topics
from shared.contracts.values import Stream
from shared.tools.examples import example_envelope

FIVE_MB = 5 * 1024 * 1024
HUGE = 200_000  # characters of a huge string (the record stays under the size limit)


@dataclass(frozen=True)
class Template:
    topic: str  # without prefix
    stream: Stream | None
    record: KafkaRecord
    spec: cat.MessageSpec


def templates(names: TopicNames) -> list[Template]:
    """One valid example record per input message and topic."""
    inputs = {s.name for s in all_topics() if s.kind is Kind.INPUT}
    out = []
    for spec in cat.CATALOGUE:
        if spec.direction is not cat.Direction.INPUT:
            continue
        for stream, topics in spec.topics.items():
            for topic in topics:
                if topic in inputs:
                    record = encode(example_envelope(spec, stream), names(topic))
                    out.append(Template(topic, stream, record, spec))
    return out


def _set_header(record: KafkaRecord, name: str, value: bytes | None) -> KafkaRecord:
    headers = [(k, v) for k, v in record.headers if k != name]
    if value is not None:
        headers.append((name, value))
    return KafkaRecord(record.topic, record.key, record.value, tuple(headers))


def _header(record: KafkaRecord, name: str) -> bytes:
    return next(v for k, v in record.headers if k == name)


def _map_json(value: bytes, change: Callable[[Any], Any]) -> bytes:
    data = json.loads(value)
    return json.dumps({k: change(v) for k, v in data.items()}).encode()


def _wrong_type(value: Any) -> Any:
    # Strict validation: a number for text, text for a number, a list for anything else.
    if isinstance(value, str):
        return 12345
    if isinstance(value, bool | int | float):
        return "not a number"
    return [[["wrong"]]]


def _huge(value: Any) -> Any:
    # Every field a huge text: ids, numbers, dates and enumerations then fail their format, and
    # free text fails its length limit where it has one.
    return "x" * HUGE


def _other_stream(template: Template) -> bytes:
    if template.stream is Stream.BACKLOG:
        return b"pact"
    return b"backlog" if template.stream is Stream.PACT else b"pact"


def _wrong_topic_type(template: Template, everything: Sequence[Template]) -> bytes:
    types = {t.spec.ce_type for t in everything if t.topic == template.topic}
    other = next(t.spec.ce_type for t in everything if t.spec.ce_type not in types)
    return other.encode()


Maker = Callable[[Template, Sequence[Template], random.Random], KafkaRecord]


def _random_bytes(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    value = rng.randbytes(rng.randint(1, 2000))
    return KafkaRecord(t.record.topic, t.record.key, value, t.record.headers)


def _truncated(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    cut = rng.randint(1, max(1, len(t.record.value) - 1))
    return KafkaRecord(t.record.topic, t.record.key, t.record.value[:cut], t.record.headers)


def _types(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    value = _map_json(t.record.value, _wrong_type)
    return KafkaRecord(t.record.topic, t.record.key, value, t.record.headers)


def _huge_strings(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    value = _map_json(t.record.value, _huge)
    return KafkaRecord(t.record.topic, t.record.key, value, t.record.headers)


def _five_mb(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    value = b'{"padding": "' + b"x" * FIVE_MB + b'"}'
    return KafkaRecord(t.record.topic, t.record.key, value, t.record.headers)


def _missing_header(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    name = rng.choice(["ce_type", "ce_source", "ce_time", "ce_subject", "ce_actor"])
    return _set_header(t.record, name, None)


def _wrong_header(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    name, value = rng.choice(
        [("ce_time", b"yesterday"), ("ce_specversion", b"0.3"), ("ce_subject", b"")]
    )
    return _set_header(t.record, name, value)


def _not_utf8(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    name = rng.choice(["ce_source", "ce_actor", "ce_type"])
    return _set_header(t.record, name, _header(t.record, name) + b"\xff\xfe")


def _wrong_key(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    key = f"not-the-subject-{rng.randint(0, 10**6)}".encode()
    return KafkaRecord(t.record.topic, key, t.record.value, t.record.headers)


def _wrong_stream(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    return _set_header(t.record, "ce_stream", _other_stream(t))


def _unknown_type(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    return _set_header(t.record, "ce_type", b"nl.ind.soak.nothing-known.v1")


def _wrong_topic(t: Template, everything: Sequence[Template], rng: random.Random) -> KafkaRecord:
    return _set_header(t.record, "ce_type", _wrong_topic_type(t, everything))


def _no_role(t: Template, _: Sequence[Template], rng: random.Random) -> KafkaRecord:
    return _set_header(t.record, "ce_actor", b"applicant:a-0001")


KINDS: dict[str, Maker] = {
    "random bytes": _random_bytes,
    "truncated JSON": _truncated,
    "wrong types": _types,
    "huge strings": _huge_strings,
    "5 MB value": _five_mb,
    "missing header": _missing_header,
    "wrong header": _wrong_header,
    "non-UTF-8 header": _not_utf8,
    "wrong key": _wrong_key,
    "wrong stream": _wrong_stream,
    "unknown type": _unknown_type,
    "wrong topic": _wrong_topic,
    "actor without the role": _no_role,
}
FIVE_MB_SHARE = 1 / 500  # 5 MB values are costly for a memory-only broker: few of them


@dataclass(frozen=True)
class Malformed:
    kind: str
    topic: str  # without prefix
    record: KafkaRecord


def malformed(names: TopicNames, count: int, seed: int) -> list[Malformed]:
    """`count` malformed records: every kind on every input topic, round robin, then shuffled."""
    rng = random.Random(seed)
    everything = templates(names)
    by_topic: dict[str, list[Template]] = {}
    for template in everything:
        by_topic.setdefault(template.topic, []).append(template)
    topics = sorted(by_topic)
    kinds = [k for k in KINDS if k != "5 MB value"]
    big = max(1, round(count * FIVE_MB_SHARE)) if count >= len(topics) else 0
    out: list[Malformed] = []
    for n in range(count):
        topic = topics[n % len(topics)]
        kind = "5 MB value" if n < big else kinds[(n // len(topics)) % len(kinds)]
        template = rng.choice(by_topic[topic])
        record = KINDS[kind](template, everything, rng)
        event_id = str(uuid5(NAMESPACE_URL, f"caseflow-soak/{seed}/{n}")).encode()
        if any(k == "ce_id" for k, _ in record.headers):
            record = _set_header(record, "ce_id", event_id)
        out.append(Malformed(kind, topic, record))
    rng.shuffle(out)
    return out
