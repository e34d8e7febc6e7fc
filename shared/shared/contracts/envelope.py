"""The event envelope: CloudEvents 1.0 in Kafka binary mode.

Attributes travel as ``ce_*`` headers, the data as the JSON value, the case id as
the key (so one case's events stay in one partition, in order). See
docs/adr/0002-cloudevents-binary-mode.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from shared.contracts.values import Actor, CaseId, Stream

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
HEADER_PREFIX = "ce_"


class EventData(BaseModel):
    """Base of every event payload.

    A concrete event sets ``event_type`` (reverse-DNS, without version) and
    ``version``; the CloudEvents ``type`` is ``{event_type}.v{version}``. Unknown
    fields are refused: front-ends learn about a typo at once, not a month later.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str] = ""
    version: ClassVar[int] = 1

    @classmethod
    def ce_type(cls) -> str:
        return f"{cls.event_type}.v{cls.version}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("event_type"):
            register_event_type(cls)


_REGISTRY: dict[str, type[EventData]] = {}


def register_event_type(model: type[EventData]) -> None:
    key = model.ce_type()
    existing = _REGISTRY.get(key)
    if existing is not None and existing.__qualname__ != model.__qualname__:
        raise ValueError(f"event type {key} is defined twice: {existing} and {model}")
    _REGISTRY[key] = model


def event_types() -> dict[str, type[EventData]]:
    """Every registered event type, by CloudEvents type."""
    return dict(_REGISTRY)


def event_type_for(ce_type: str) -> type[EventData] | None:
    """The model registered for a CloudEvents type, if any."""
    return _REGISTRY.get(ce_type)


D = TypeVar("D", bound=EventData)


class Envelope(BaseModel, Generic[D]):
    """CloudEvents 1.0 attributes plus the caseflow extensions, around typed data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID
    source: str = Field(
        min_length=1, description="URI-reference of the producer, e.g. /caseflow/intake"
    )
    type: str = Field(
        min_length=1, description="event type with version, e.g. nl.ind.intake.case-registered.v1"
    )
    specversion: Literal["1.0"] = "1.0"
    time: AwareDatetime
    subject: CaseId = Field(description="the case id; also the Kafka key")
    stream: Stream | None = Field(
        description="backlog or pact; absent only before intake assigned one"
    )
    correlationid: UUID = Field(
        description="shared by every event that follows from one front-end action"
    )
    causationid: UUID | None = Field(description="id of the event this one answers or follows from")
    actor: Actor
    data: D


_ANY_ENVELOPE = Envelope[EventData]


def new_event(
    data: D,
    *,
    subject: str,
    stream: Stream | None,
    source: str,
    actor: str,
    time: datetime,
    cause: Envelope[Any] | None = None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    event_id: UUID | None = None,
) -> Envelope[D]:
    """Make an envelope; a following event carries its cause's correlation and causation. The id
    is new unless given (an answer that must keep one id when its cause is handled again)."""
    event_id = event_id or uuid4()
    # One parametrised class for all: building Envelope[D] per call costs more than the event.
    envelope = _ANY_ENVELOPE(
        id=event_id,
        source=source,
        type=data.ce_type(),
        time=time,
        subject=subject,
        stream=stream,
        correlationid=cause.correlationid if cause is not None else correlation_id or event_id,
        causationid=cause.id if cause is not None else causation_id,
        actor=actor,
        data=data,
    )
    return cast("Envelope[D]", envelope)


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """What goes on the wire: key, value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


_ATTRIBUTES = (
    "id",
    "source",
    "type",
    "specversion",
    "time",
    "subject",
    "stream",
    "correlationid",
    "causationid",
    "actor",
)


def encode(envelope: Envelope[Any], topic: str) -> KafkaRecord:
    headers: list[tuple[str, bytes]] = [("content-type", CONTENT_TYPE.encode())]
    for name in _ATTRIBUTES:
        value = getattr(envelope, name)
        if value is None:
            continue
        text = value.isoformat() if isinstance(value, datetime) else str(value)
        headers.append((HEADER_PREFIX + name, text.encode()))
    return KafkaRecord(
        topic=topic,
        key=envelope.subject.encode(),
        value=envelope.data.model_dump_json().encode(),
        headers=tuple(headers),
    )


DecodeCode = Literal[
    "bad-header", "missing-attributes", "unknown-type", "no-data", "undecodable", "schema-invalid"
]


class DecodeError(ValueError):
    """A record that is not a valid caseflow event; the message says why, in plain words."""

    def __init__(self, code: DecodeCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        # Read from the headers when they were readable, so the sender can match the refusal.
        self.event_id: UUID | None = None
        self.correlation_id: UUID | None = None


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def headers_dict(headers: Iterable[tuple[str, bytes | None]]) -> dict[str, str]:
    """Headers as text (undecodable bytes replaced), for reading and for rejection reports."""
    return {k: (v or b"").decode("utf-8", errors="replace") for k, v in headers}


def _without(value: bytes, paths: Sequence[tuple[int | str, ...]]) -> bytes:
    document = json.loads(value)
    for path in paths:
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    return json.dumps(document).encode("utf-8")


def decode(
    headers: Sequence[tuple[str, bytes | None]],
    value: bytes | None,
    *,
    ignore_unknown_fields: bool = False,
) -> Envelope[EventData]:
    """Decode a binary-mode CloudEvent into a typed envelope, or raise DecodeError saying why."""
    attrs: dict[str, Any] = {}
    for key, raw in headers:
        if key.startswith(HEADER_PREFIX):
            name = key[len(HEADER_PREFIX) :]
            if name not in _ATTRIBUTES:
                continue  # unknown extensions are tolerated, as CloudEvents asks
            try:
                attrs[name] = (raw or b"").decode("utf-8")
            except UnicodeDecodeError:
                raise DecodeError("bad-header", f"header {key} is not UTF-8 text") from None
    missing = [
        n
        for n in ("id", "source", "type", "specversion", "time", "subject", "actor")
        if n not in attrs
    ]
    if missing:
        raise DecodeError(
            "missing-attributes",
            "not a CloudEvent in Kafka binary mode: missing header(s) "
            + ", ".join(HEADER_PREFIX + n for n in missing),
        )
    try:
        return _decode_data(attrs, value, ignore_unknown_fields)
    except DecodeError as error:
        error.event_id = _uuid(attrs.get("id"))
        error.correlation_id = _uuid(attrs.get("correlationid")) or error.event_id
        raise


def _uuid(text: str | None) -> UUID | None:
    try:
        return UUID(text) if text else None
    except ValueError:
        return None


def _decode_data(
    attrs: dict[str, Any], value: bytes | None, ignore_unknown_fields: bool
) -> Envelope[EventData]:
    model = _REGISTRY.get(attrs["type"])
    if model is None:
        raise DecodeError("unknown-type", f"unknown event type {attrs['type']!r}")
    if value is None:
        raise DecodeError("no-data", f"{attrs['type']}: the record has no value (data)")
    try:
        # Strict: "6" is not 6, "yes" is not true, a number is not a timestamp. JSON mode still
        # reads ISO dates and times from strings, as the published schemas say.
        data = model.model_validate_json(value, strict=True)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise DecodeError("undecodable", f"{attrs['type']}: data is not JSON") from None
        unknown = [e["loc"] for e in exc.errors() if e["type"] == "extra_forbidden"]
        if not (ignore_unknown_fields and len(unknown) == len(exc.errors())):
            raise DecodeError("schema-invalid", f"{attrs['type']}: {_describe(exc)}") from None
        # Output may gain optional fields without a new version: a reader skips what it does
        # not know (input stays strict, so a sender learns of a typo at once).
        data = model.model_validate_json(_without(value, unknown), strict=True)
    attrs.setdefault("stream", None)
    attrs.setdefault("causationid", None)
    attrs.setdefault("correlationid", attrs["id"])
    try:
        return Envelope[EventData].model_validate({**attrs, "data": data})
    except ValidationError as exc:
        raise DecodeError("schema-invalid", f"{attrs['type']}: {_describe(exc)}") from None
