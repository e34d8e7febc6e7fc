"""Exactly-once effects over at-least-once Kafka: inbox, outbox, relay and batch processor.

A batch of records is handled in ONE database transaction: the inbox rows (which
event ids were processed), the state changes and the outgoing events (outbox rows,
rejections included) commit together; offsets are committed after that. A
redelivered event finds its id in the inbox and changes nothing. The relay
publishes the outbox in id order and deletes what the broker acknowledged.
See docs/adr/0004-inbox-outbox.md.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts.envelope import (
    DecodeError,
    Envelope,
    EventData,
    KafkaRecord,
    decode,
    encode,
    event_type_for,
    headers_dict,
    new_event,
)
from shared.contracts.events import catalogue
from shared.contracts.rejections import (
    ORIGINAL_VALUE_LIMIT,
    OriginalRecord,
    Refused,
    Rejection,
    RejectionCode,
)
from shared.contracts.topics import Kind, TopicNames, kind_of, rejection_topic_for, stream_of
from shared.contracts.values import Stream
from shared.runtime.clock import Clock
from shared.runtime.database import inbox_table, outbox_table
from shared.runtime.logs import bound_contextvars, get_logger
from shared.runtime.metrics import Metrics

log = get_logger(__name__)


class ConsumedRecord(Protocol):
    """What we read from a consumed Kafka record (aiokafka's ConsumerRecord fits)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


def _outbox_row(record: KafkaRecord) -> dict[str, Any]:
    return {
        "topic": record.topic,
        "key": record.key,
        "value": record.value,
        "headers": [[k, v.decode("utf-8")] for k, v in record.headers],
    }


async def add_to_outbox(session: AsyncSession, records: Sequence[KafkaRecord]) -> None:
    """Write records to the outbox in the caller's transaction."""
    if records:
        await session.execute(insert(outbox_table), [_outbox_row(r) for r in records])


async def claim_in_inbox(session: AsyncSession, event_ids: Iterable[UUID]) -> set[UUID]:
    """Record event ids as processed; returns those not seen before (in this transaction's view)."""
    unique = list(dict.fromkeys(event_ids))
    if not unique:
        return set()
    statement = (
        pg_insert(inbox_table)
        .values([{"event_id": event_id} for event_id in unique])
        .on_conflict_do_nothing()
        .returning(inbox_table.c.event_id)
    )
    return set((await session.execute(statement)).scalars())


@dataclass
class UnitOfWork:
    """What a handler gets: the transaction's session, the clock, and emit/reject."""

    session: AsyncSession
    clock: Clock
    service: str
    topics: TopicNames
    scratch: dict[str, Any] = field(default_factory=dict)  # the handler's state for this batch
    records: list[KafkaRecord] = field(default_factory=list)
    rejections: list[tuple[Envelope[Any], Refused]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"/caseflow/{self.service}"

    def emit(
        self,
        data: EventData,
        *,
        topic: str,
        cause: Envelope[Any],
        subject: str | None = None,
        stream: Stream | None = None,
    ) -> Envelope[Any]:
        """Queue an output event (committed with the state change). Topic without prefix."""
        envelope = new_event(
            data,
            subject=subject or cause.subject,
            stream=stream if stream is not None else cause.stream,
            source=self.source,
            actor=f"system:{self.service}",
            time=self.clock.now(),
            cause=cause,
        )
        self.records.append(encode(envelope, self.topics(topic)))
        return envelope

    def reject(self, cause: Envelope[Any], refusal: Refused) -> None:
        self.rejections.append((cause, refusal))


class Handler(Protocol):
    """A service's event handling. Decide first, then write: a Refused raised after
    writing would leave those writes in the batch's transaction."""

    handled_types: tuple[type[EventData], ...]

    async def prepare(self, events: Sequence[Envelope[Any]], uow: UnitOfWork) -> None:
        """Optional batch hook: load the state of every case in the batch at once."""

    async def handle(self, event: Envelope[Any], uow: UnitOfWork) -> None: ...

    async def finish(self, uow: UnitOfWork) -> None:
        """Optional batch hook: write what the batch changed, in one statement per table."""


def describe_error(exc: BaseException | None) -> str:
    """What went wrong, without the values involved (they may be personal data)."""
    if isinstance(exc, ValidationError):
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['type']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        return f"{exc.title} invalid: {where}"
    return type(exc).__name__


TRANSIENT = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def is_infrastructure_error(exc: BaseException) -> bool:
    """Errors where retrying later is right and blaming the message is wrong."""
    if isinstance(
        exc, OperationalError | InterfaceError | ConnectionError | OSError | TimeoutError
    ):
        return True
    # Deadlock and serialisation failures are transient: the whole batch is tried again.
    if isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or getattr(exc.orig, "sqlstate", None) in TRANSIENT
    ):
        return True
    return isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.CannotConnectNowError)


class BatchProcessor:
    """Turns consumed records into one transaction of inbox + state + outbox."""

    def __init__(
        self,
        *,
        service: str,
        handler: Handler,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        topics: TopicNames,
        metrics: Metrics,
        on_committed: Callable[[], None] = lambda: None,
        retry_delays: Sequence[float] = (0.1, 0.5, 2.0),
        infrastructure_backoff: float = 1.0,
    ) -> None:
        self.service = service
        self.handler = handler
        self.session_factory = session_factory
        self.clock = clock
        self.topics = topics
        self.metrics = metrics
        self.on_committed = on_committed
        self.retry_delays = retry_delays
        self.infrastructure_backoff = infrastructure_backoff

    def problem(self) -> str | None:
        """Why the consumer has stopped taking records, or None."""
        return None

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        self.metrics.batch_records.observe(len(records))
        with self.metrics.batch_seconds.time():
            try:
                await self._transaction(records)
            except Exception as exc:
                if is_infrastructure_error(exc):
                    # Not the records' fault: back off, then let the batch be redelivered.
                    log.warning(
                        "batch not committed; will be redelivered", error=describe_error(exc)
                    )
                    await asyncio.sleep(self.infrastructure_backoff)
                    raise
                # One record spoils the batch: find it by handling each record on its own.
                log.warning(
                    "batch failed, isolating records", error=describe_error(exc), size=len(records)
                )
                for record in records:
                    await self._alone(record)

    async def run_work(self, work: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """Work not caused by a consumed record (a timer): same transaction and outbox rules."""
        async with self.session_factory() as session, session.begin():
            uow = UnitOfWork(
                session=session, clock=self.clock, service=self.service, topics=self.topics
            )
            await work(uow)
            await add_to_outbox(session, uow.records)
        if uow.records:
            self.on_committed()

    async def _alone(self, record: ConsumedRecord) -> None:
        last: Exception | None = None
        for delay in (0.0, *self.retry_delays):
            await asyncio.sleep(delay)
            try:
                await self._transaction([record])
                return
            except Exception as exc:
                if is_infrastructure_error(exc):
                    raise
                last = exc
        reason = f"{self.service} failed to handle this event ({describe_error(last)}); not applied"
        log.error(
            "event dead-lettered after retries",
            error=describe_error(last),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        try:
            envelope: Envelope[Any] | None = decode(record.headers, record.value)
        except DecodeError:
            envelope = None
        async with self.session_factory() as session, session.begin():
            await add_to_outbox(
                session, [self._rejection(record, envelope, "handler-error", reason)]
            )
        self.metrics.rejected.labels("handler-error").inc()
        self.on_committed()

    async def _transaction(self, records: Sequence[ConsumedRecord]) -> None:
        out: list[KafkaRecord] = []
        accepted: list[tuple[ConsumedRecord, Envelope[EventData]]] = []
        codes: list[RejectionCode] = []
        for record in records:
            if self._not_for_us(record):
                self.metrics.ignored.inc()
                continue
            unprefixed = record.topic.removeprefix(self.topics.prefix)
            try:
                envelope = decode(
                    record.headers,
                    record.value,
                    ignore_unknown_fields=kind_of(unprefixed) is not Kind.INPUT,
                )
            except DecodeError as exc:
                out.append(self._rejection(record, None, exc.code, exc.reason, ids=exc))
                codes.append(exc.code)
                continue
            problem = admission_problem(record, envelope, self.topics.prefix)
            if problem is not None:
                code, reason = problem
                out.append(self._rejection(record, envelope, code, reason))
                codes.append(code)
                continue
            if not isinstance(envelope.data, self.handler.handled_types):
                if kind_of(record.topic.removeprefix(self.topics.prefix)) is not Kind.INPUT:
                    # Another service's output carries many types; this one listens for a few.
                    self.metrics.ignored.inc()
                    continue
                reason = f"{self.service} does not accept {envelope.type} on {record.topic}"
                out.append(self._rejection(record, envelope, "wrong-topic", reason))
                codes.append("wrong-topic")
                continue
            accepted.append((record, envelope))

        handled: list[str] = []
        duplicates = 0
        async with self.session_factory() as session, session.begin():
            fresh = await claim_in_inbox(session, (env.id for _, env in accepted))
            uow = UnitOfWork(
                session=session, clock=self.clock, service=self.service, topics=self.topics
            )
            todo = []
            for record, envelope in accepted:
                if envelope.id in fresh:
                    fresh.discard(envelope.id)  # a second copy in the same batch is a duplicate too
                    todo.append((record, envelope))
                else:
                    duplicates += 1
            if todo:
                await self.handler.prepare([env for _, env in todo], uow)
            origin = {}
            for record, envelope in todo:
                origin[envelope.id] = record
                with bound_contextvars(
                    event_id=str(envelope.id),
                    correlation_id=str(envelope.correlationid),
                    event_type=envelope.type,
                ):
                    try:
                        await self.handler.handle(envelope, uow)
                        handled.append(envelope.type)
                    except Refused as refusal:
                        uow.reject(envelope, refusal)
            if todo:
                await self.handler.finish(uow)
            for envelope, refused in uow.rejections:
                out.append(
                    self._rejection(
                        origin[envelope.id], envelope, refused.code, refused.reason, refused.kind
                    )
                )
                codes.append(refused.code)
            await add_to_outbox(session, uow.records + out)
        for event_type in handled:
            self.metrics.handled.labels(event_type).inc()
        for code in codes:
            self.metrics.rejected.labels(code).inc()
        self.metrics.duplicates.inc(duplicates)
        if out or uow.records:
            self.on_committed()

    def _not_for_us(self, record: ConsumedRecord) -> bool:
        """A known type this service does not handle, on another service's output topic: skip it
        before decoding (the replay reads far more events than a service acts on)."""
        if kind_of(record.topic.removeprefix(self.topics.prefix)) is Kind.INPUT:
            return False
        ce_type = next((v for k, v in record.headers if k == "ce_type"), None)
        if ce_type is None:
            return False
        model = event_type_for(ce_type.decode("utf-8", errors="replace"))
        return model is not None and not issubclass(model, self.handler.handled_types)

    def _rejection(
        self,
        record: ConsumedRecord,
        envelope: Envelope[Any] | None,
        code: RejectionCode,
        reason: str,
        refusal_kind: str | None = None,
        ids: DecodeError | None = None,
    ) -> KafkaRecord:
        unprefixed = record.topic.removeprefix(self.topics.prefix)
        key = (record.key or b"").decode("utf-8", errors="replace")
        value = record.value or b""
        # A bounded copy: the rejection of a huge input must still fit the broker's limit.
        copied = value[:ORIGINAL_VALUE_LIMIT]
        data = Rejection(
            code=code,
            reason=reason,
            refusal_kind=refusal_kind,
            rejected_by=self.service,
            original=OriginalRecord(
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                key=key or None,
                headers=headers_dict(record.headers),
                value_base64=base64.b64encode(copied).decode("ascii"),
                value_size=len(value),
                value_sha256=hashlib.sha256(value).hexdigest(),
                value_truncated=len(copied) < len(value),
            ),
        )
        subject = envelope.subject if envelope is not None else _safe_subject(key)
        rejection = new_event(
            data,
            subject=subject,
            stream=stream_of(unprefixed),
            source=f"/caseflow/{self.service}",
            actor=f"system:{self.service}",
            time=self.clock.now(),
            cause=envelope,
            correlation_id=ids.correlation_id if ids is not None else None,
            causation_id=ids.event_id if ids is not None else None,
        )
        context = {"correlation_id": str(rejection.correlationid)}
        with bound_contextvars(**context):
            log.info(
                "input rejected",
                code=code,
                refusal_kind=refusal_kind,
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                rejection_id=str(rejection.id),
            )
        return encode(rejection, self.topics(rejection_topic_for(unprefixed)))


def admission_problem(
    record: ConsumedRecord, envelope: Envelope[Any], prefix: str
) -> tuple[RejectionCode, str] | None:
    """What the catalogue says must hold before anyone acts on an event: the key is the
    subject, the stream header is the topic's stream, the type belongs on this topic and the
    actor's role may publish it. None when all holds."""
    topic = record.topic.removeprefix(prefix)
    key = (record.key or b"").decode("utf-8", errors="replace")
    if key != envelope.subject:
        return "wrong-key", f"the record key {key!r} is not the event's subject (ce_subject)"
    stream = stream_of(topic)
    if envelope.stream != stream:
        expected = f"ce_stream {stream}" if stream is not None else "no ce_stream"
        return "wrong-stream", f"{topic} carries {expected}, not {envelope.stream or 'none'}"
    try:
        entry = catalogue.spec(envelope.type)
    except KeyError:
        return None  # not a catalogue message (test doubles); nothing more to check
    if topic not in entry.topic_names():
        return "wrong-topic", f"{envelope.type} does not travel on {topic}"
    if not entry.may_publish(envelope.actor):
        allowed = ", ".join(entry.publishers)
        return "not-permitted", f"{envelope.actor} may not publish {envelope.type} ({allowed} may)"
    return None


def _safe_subject(key: str) -> str:
    from pydantic import TypeAdapter, ValidationError

    from shared.contracts.values import CaseId

    try:
        return TypeAdapter(CaseId).validate_python(key)
    except ValidationError:
        return "unknown"
