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
import enum
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid5

import asyncpg
from pydantic import ValidationError
from sqlalchemy import ARRAY, LargeBinary, Text, bindparam, func, insert, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
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
from shared.runtime.database import (
    BatchedStatement,
    conflicts_table,
    inbox_table,
    json_text,
    outbox_table,
)
from shared.runtime.logs import bound_contextvars, get_logger
from shared.runtime.metrics import Metrics

log = get_logger(__name__)

T = TypeVar("T")


class ConsumedRecord(Protocol):
    """What we read from a consumed Kafka record (aiokafka's ConsumerRecord fits)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


# The headers as JSON text, cast by PostgreSQL, as a state is (ADR 0036); no ids returned.
_ADD_TO_OUTBOX = BatchedStatement(
    insert(outbox_table)
    .inline()
    .values(
        topic=bindparam("topic", type_=Text),
        key=bindparam("key", type_=LargeBinary),
        value=bindparam("value", type_=LargeBinary),
        headers=sql_cast(bindparam("headers", type_=Text), JSONB),
    )
)


if _ADD_TO_OUTBOX.names != ("topic", "key", "value", "headers"):  # the order _outbox_row gives
    raise RuntimeError(f"the outbox insert's parameters are {_ADD_TO_OUTBOX.names}")


def _outbox_row(record: KafkaRecord) -> tuple[str, bytes, bytes, str]:
    headers = json_text([[k, v.decode("utf-8")] for k, v in record.headers])
    return (record.topic, record.key, record.value, headers)


async def add_to_outbox(session: AsyncSession, records: Sequence[KafkaRecord]) -> None:
    """Write records to the outbox in the caller's transaction."""
    await _ADD_TO_OUTBOX.run(session, [_outbox_row(r) for r in records])


async def claim_in_inbox(session: AsyncSession, event_ids: Iterable[UUID]) -> set[UUID]:
    """Record event ids as processed; returns those not seen before (in this transaction's view)."""
    unique = list(dict.fromkeys(event_ids))
    if not unique:
        return set()
    return set((await session.execute(_CLAIM, {"ids": unique})).scalars())


# One statement for any number of ids (an array, unnested): a VALUES list of each length was
# another statement to compile and cache.
_IDS = bindparam("ids", type_=ARRAY(inbox_table.c.event_id.type))
_CLAIM = (
    pg_insert(inbox_table)
    .from_select(["event_id"], select(func.unnest(_IDS)))
    .on_conflict_do_nothing()
    .returning(inbox_table.c.event_id)
)


@dataclass
class UnitOfWork:
    """What a handler gets: the transaction's session, the clock, and emit/reject."""

    session: AsyncSession
    clock: Clock
    service: str
    topics: TopicNames
    scratch: dict[str, Any] = field(default_factory=dict)  # the handler's state for this batch
    topic: str = ""  # the topic (without prefix) of the event being handled
    conflicts: int = 0  # facts recorded as conflicting with the state
    records: list[KafkaRecord] = field(default_factory=list)
    rejections: list[tuple[Envelope[Any], Refused]] = field(default_factory=list)
    _emitted: dict[tuple[UUID, str, str], int] = field(default_factory=dict)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this unit's transaction has committed, never when it rolls back
        (a batch split or retried registers its callbacks again): metrics observed once."""
        self._after_commit.append(callback)

    def run_after_commit(self) -> None:
        """The runtime calls this after the commit. A failing callback is logged, not raised:
        the work is committed and must not be redone."""
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception as exc:
                log.warning("after-commit callback failed", error=describe_error(exc))

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
        """Queue an output event (committed with the state change). Topic without prefix.

        Its id is derived from its cause (the cause's id, this service, the type, the subject and
        how many such events the cause made): a cause handled again, after a crash or a replay,
        makes the same ids, so a partner can deduplicate on them (docs/adr/0009)."""
        subject = subject or cause.subject
        which = (cause.id, data.ce_type(), subject)
        count = self._emitted.get(which, 0)
        self._emitted[which] = count + 1
        envelope = new_event(
            data,
            subject=subject,
            stream=stream if stream is not None else cause.stream,
            source=self.source,
            actor=f"system:{self.service}",
            time=self.clock.now(),
            cause=cause,
            event_id=uuid5(cause.id, f"{self.service}/{data.ce_type()}/{subject}/{count}"),
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


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps: SQLAlchemy's `orig`, then `__cause__` / `__context__`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "orig", None)
        current = (
            wrapped
            if isinstance(wrapped, BaseException)
            else current.__cause__ or current.__context__
        )


def describe_error(exc: BaseException | None) -> str:
    """What went wrong, without the values involved (they may be personal data): the error's
    type, the types it wraps and the database's SQLSTATE."""
    if isinstance(exc, ValidationError):
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['type']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        return f"{exc.title} invalid: {where}"
    if exc is None:
        return "unknown error"
    chain = list(_causes(exc))
    names = list(dict.fromkeys(type(e).__name__ for e in chain))
    sqlstate = next((s for e in chain if isinstance(s := getattr(e, "sqlstate", None), str)), None)
    inner = names[1:] + ([f"SQLSTATE {sqlstate}"] if sqlstate else [])
    return f"{names[0]} ({', '.join(inner)})" if inner else names[0]


TRANSIENT = {"40001", "40P01"}  # serialization_failure, deadlock_detected
# SQLSTATE classes a record's content can cause: data exceptions, integrity constraint violations.
RECORD_CLASSES = {"22", "23"}


class Fault(enum.Enum):
    """Whose fault an error is, as far as its type tells."""

    TRANSIENT = "transient"  # contention: try the same work again at once
    SYSTEM = "system"  # a server away, a missing table, an exhausted pool: stop and retry later
    UNKNOWN = "unknown"  # a bug or a record's content: only isolating the records tells


def classify(exc: BaseException) -> Fault:
    """Classify an error by what it wraps (a driver error inside SQLAlchemy's DBAPIError)."""
    for error in _causes(exc):
        sqlstate = getattr(error, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate:
            if sqlstate in TRANSIENT:
                return Fault.TRANSIENT
            return Fault.UNKNOWN if sqlstate[:2] in RECORD_CLASSES else Fault.SYSTEM
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return Fault.SYSTEM
        if isinstance(
            error,
            OperationalError
            | InterfaceError
            | PoolTimeoutError
            | ConnectionError
            | OSError
            | TimeoutError
            | asyncpg.PostgresConnectionError
            | asyncpg.InterfaceError,
        ):
            return Fault.SYSTEM
    return Fault.UNKNOWN


def is_infrastructure_error(exc: BaseException) -> bool:
    """Errors where retrying later is right and blaming the message is wrong."""
    return classify(exc) is not Fault.UNKNOWN


class SystemFault(Exception):
    """Records fail whatever they hold: the service, not its input, is at fault."""


@dataclass(frozen=True)
class _Stopped:
    since: datetime
    reason: str
    attempts: int


class BatchProcessor:
    """Turns consumed records into one transaction of inbox + state + outbox.

    A batch that fails is never half-blamed on its records: a record is dead-lettered only when
    the rest of its batch succeeds without it. When records fail whatever they hold (a server
    away, a missing table, a bug in a batch hook), `process` raises after a backoff so that the
    consumer commits nothing and is handed the same records again: it has stopped, /health says
    why, and it resumes by itself when the cause is gone (docs/adr/0004)."""

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
        on_handled: Callable[[], None] = lambda: None,
        max_record_bytes: int = 1_048_576,
        backoff_seconds: tuple[float, float] = (0.2, 5.0),
    ) -> None:
        self.service = service
        self.handler = handler
        self.session_factory = session_factory
        self.clock = clock
        self.topics = topics
        self.metrics = metrics
        self.on_committed = on_committed
        self.on_handled = on_handled
        self.handled: dict[tuple[str, int], int] = {}
        """The offset after the last record handled (committed or dead-lettered) by this process,
        per (topic, partition): ahead of the group's committed offset until the consumer commits
        it (the simulated clock's idle check; docs/adr/0021)."""
        self.max_record_bytes = max_record_bytes
        # First and longest pause between attempts while stopped: the longest stays far inside the
        # consumer's poll interval, so the group never takes the partitions away for it.
        self.backoff_seconds = backoff_seconds
        self._stopped: _Stopped | None = None

    def problem(self) -> str | None:
        """Why the consumer has stopped taking records, or None."""
        if self._stopped is None:
            return None
        stopped = self._stopped
        return (
            f"stopped since {stopped.since.isoformat(timespec='seconds')} after "
            f"{stopped.attempts} failed attempt(s): {stopped.reason}; offsets are not committed "
            "and the same records are retried"
        )

    async def process(self, records: Sequence[ConsumedRecord]) -> None:
        self.metrics.batch_records.observe(len(records))
        with self.metrics.batch_seconds.time():
            try:
                await self._attempt(records)
            except Exception as exc:
                reason = await self._stop(exc)
                # Not the original: its message may quote values (a constraint's DETAIL).
                raise SystemFault(reason) from None
        for record in records:
            key = (record.topic, record.partition)
            if record.offset >= self.handled.get(key, 0):
                self.handled[key] = record.offset + 1
        self.on_handled()
        if self._stopped is not None:
            log.warning("consumer resumed", attempts=self._stopped.attempts)
            self._stopped = None
            self.metrics.consumer_stopped.set(0)

    async def _stop(self, exc: BaseException) -> str:
        reason = describe_error(exc) if not isinstance(exc, SystemFault) else str(exc)
        attempts = 1 if self._stopped is None else self._stopped.attempts + 1
        since = datetime.now(UTC) if self._stopped is None else self._stopped.since
        self._stopped = _Stopped(since=since, reason=reason, attempts=attempts)
        self.metrics.consumer_stopped.set(1)
        self.metrics.consumer_failures.inc()
        first, longest = self.backoff_seconds
        delay = min(longest, first * 2 ** (attempts - 1))
        log.error("batch not committed; consumer stopped, retrying", reason=reason, delay=delay)
        await asyncio.sleep(delay)
        return reason

    async def _attempt(self, records: Sequence[ConsumedRecord]) -> None:
        for tries_left in (2, 1, 0):
            try:
                await self._transaction(records)
                return
            except Exception as exc:
                fault = classify(exc)
                if fault is Fault.TRANSIENT and tries_left:
                    continue
                if fault is not Fault.UNKNOWN:
                    raise
                log.warning("batch failed, isolating records", error=describe_error(exc))
                await self._isolate(records)
                return

    async def _isolate(self, records: Sequence[ConsumedRecord]) -> None:
        """Find the records at fault: try each alone (rolled back), then commit the rest together
        and dead-letter the ones that failed, but only when the rest did get handled."""
        failed: dict[int, Exception] = {}
        handled_alone = 0
        for index, record in enumerate(records):
            try:
                handled_alone += await self._transaction([record], commit=False)
            except Exception as exc:
                if classify(exc) is not Fault.UNKNOWN:
                    raise
                failed[index] = exc
        if failed and handled_alone == 0:
            error = describe_error(next(iter(failed.values())))
            raise SystemFault(
                f"every record of the batch failed ({len(failed)} of {len(records)}: {error})"
            )
        rest = [r for i, r in enumerate(records) if i not in failed]
        dead = [(records[i], exc) for i, exc in failed.items()]
        try:
            await self._transaction(rest, dead_letters=dead)
        except Exception as exc:
            if classify(exc) is not Fault.UNKNOWN:
                raise
            # Each passes alone but not all together (one's effect breaks another's): in order,
            # one transaction each; what fails now is dead-lettered, the others went through.
            for record in rest:
                try:
                    await self._transaction([record])
                except Exception as alone:
                    if classify(alone) is not Fault.UNKNOWN:
                        raise
                    dead.append((record, alone))
            await self._transaction([], dead_letters=dead)

    def _dead_letter(
        self, record: ConsumedRecord, error: Exception
    ) -> tuple[Envelope[Any] | None, RejectionCode, str]:
        reason = (
            f"{self.service} failed to handle this event ({describe_error(error)}) while the rest "
            "of its batch succeeded; not applied"
        )
        log.error(
            "event dead-lettered",
            error=describe_error(error),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        try:
            envelope: Envelope[Any] | None = decode(record.headers, record.value)
        except DecodeError:
            envelope = None
        return envelope, "handler-error", reason

    async def run_work(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Work not caused by a consumed record (a timer): same transaction and outbox rules.
        Returns what the work returned (a timer's "more to do")."""
        async with self.session_factory() as session, session.begin():
            uow = UnitOfWork(
                session=session, clock=self.clock, service=self.service, topics=self.topics
            )
            result = await work(uow)
            await add_to_outbox(session, uow.records)
        uow.run_after_commit()
        if uow.records:
            self.on_committed()
        return result

    async def _transaction(
        self,
        records: Sequence[ConsumedRecord],
        *,
        commit: bool = True,
        dead_letters: Sequence[tuple[ConsumedRecord, Exception]] = (),
    ) -> int:
        """Handle records in one transaction; returns how many reached the handler. Rolled back
        instead of committed when `commit` is false (isolating a failed batch)."""
        out = _Refusals(self)
        for record, error in dead_letters:
            out.add(record, *self._dead_letter(record, error))
        accepted, ignored = self._admit(records, out)
        handled: list[tuple[str, str]] = []
        duplicates = 0
        async with self.session_factory() as session:
            transaction = await session.begin()
            try:
                fresh = await claim_in_inbox(session, (env.id for _, env in accepted))
                uow = UnitOfWork(
                    session=session, clock=self.clock, service=self.service, topics=self.topics
                )
                todo = []
                for record, envelope in accepted:
                    if envelope.id in fresh:
                        fresh.discard(envelope.id)  # a second copy in one batch is a duplicate too
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
                        emitted = len(uow.records)
                        uow.topic = record.topic.removeprefix(self.topics.prefix)
                        try:
                            await self.handler.handle(envelope, uow)
                            handled.append((envelope.type, envelope.stream or "none"))
                        except Refused as refusal:
                            del uow.records[emitted:]  # a refused event emits nothing
                            uow.reject(envelope, refusal)
                if todo:
                    await self.handler.finish(uow)
                for envelope, refused in uow.rejections:
                    record = origin[envelope.id]
                    out.add(record, envelope, refused.code, refused.reason, refused.kind)
                await add_to_outbox(session, uow.records + out.records)
                if out.conflicts:
                    await session.execute(insert(conflicts_table), out.conflicts)
                if not commit:
                    await transaction.rollback()
                    return len(todo)
                await transaction.commit()
            except BaseException:
                if transaction.is_active:
                    await transaction.rollback()
                raise
        uow.run_after_commit()
        for event_type, stream in handled:
            self.metrics.handled.labels(event_type, stream).inc()
        for code, rejection in zip(out.codes, out.records, strict=True):
            self.metrics.rejected.labels(code).inc()
            log.info("input rejected", code=code, rejection_id=header(rejection, "ce_id"))
        for conflict in out.conflicts:
            log.warning("fact not applied", reason=conflict["reason"], topic=conflict["topic"])
        self.metrics.duplicates.inc(duplicates)
        self.metrics.ignored.inc(ignored)
        self.metrics.conflicts.inc(uow.conflicts + len(out.conflicts))
        if out.records or uow.records:
            self.on_committed()
        return len(todo)

    def _admit(
        self, records: Sequence[ConsumedRecord], out: _Refusals
    ) -> tuple[list[tuple[ConsumedRecord, Envelope[EventData]]], int]:
        """The records to hand to the handler, and how many were not for this service; the
        rest are rejected (into `out`)."""
        accepted: list[tuple[ConsumedRecord, Envelope[EventData]]] = []
        ignored = 0
        for record in records:
            size = record_size(record)
            if size > self.max_record_bytes:
                reason = (
                    f"the record is {size} bytes, over the maximum of {self.max_record_bytes} "
                    "bytes (key, headers and value together)"
                )
                out.add(record, None, "too-large", reason)
                continue
            if self._not_for_us(record):
                ignored += 1
                continue
            unprefixed = record.topic.removeprefix(self.topics.prefix)
            try:
                envelope = decode(
                    record.headers,
                    record.value,
                    ignore_unknown_fields=kind_of(unprefixed) is not Kind.INPUT,
                )
            except DecodeError as exc:
                out.add(record, None, exc.code, exc.reason, ids=exc)
                continue
            problem = admission_problem(record, envelope, self.topics.prefix)
            if problem is not None:
                code, reason = problem
                out.add(record, envelope, code, reason)
                continue
            if not isinstance(envelope.data, self.handler.handled_types):
                if kind_of(unprefixed) is not Kind.INPUT:
                    # Another service's output carries many types; this one listens for a few.
                    ignored += 1
                    continue
                reason = f"{self.service} does not accept {envelope.type} on {record.topic}"
                out.add(record, envelope, "wrong-topic", reason)
                continue
            accepted.append((record, envelope))
        return accepted, ignored

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
            # One id per rejected record: a batch handled again after a crash repeats it.
            event_id=_record_id(self, record),
            correlation_id=ids.correlation_id if ids is not None else None,
            causation_id=ids.event_id if ids is not None else None,
        )
        return encode(rejection, self.topics(rejection_topic_for(unprefixed)))


class _Refusals:
    """What one transaction will not act on. From an input topic: a rejection for the sender.
    From another service's topic: a recorded conflict, never a rejection (only input topics get
    them; the sender is a service, and its fault is an operator's to see)."""

    def __init__(self, processor: BatchProcessor) -> None:
        self.processor = processor
        self.records: list[KafkaRecord] = []
        self.codes: list[RejectionCode] = []
        self.conflicts: list[dict[str, Any]] = []

    def add(
        self,
        record: ConsumedRecord,
        envelope: Envelope[Any] | None,
        code: RejectionCode,
        reason: str,
        refusal_kind: str | None = None,
        ids: DecodeError | None = None,
    ) -> None:
        processor = self.processor
        topic = record.topic.removeprefix(processor.topics.prefix)
        if kind_of(topic) is Kind.INPUT or kind_of(topic) is None:
            rejection = processor._rejection(record, envelope, code, reason, refusal_kind, ids)
            self.records.append(rejection)
            self.codes.append(code)
            return
        ce_type = next((v for k, v in record.headers if k == "ce_type"), b"unknown")
        self.conflicts.append(
            {
                "case_key": envelope.subject if envelope is not None else "unknown",
                "event_id": envelope.id if envelope is not None else _record_id(processor, record),
                "event_type": ce_type.decode("utf-8", "replace"),
                "topic": topic,
                "event": {
                    "code": code,
                    "partition": record.partition,
                    "offset": record.offset,
                    "size": record_size(record),
                },
                "reason": f"{code}: {reason}",
                "recorded_at": processor.clock.now(),
            }
        )


def _record_id(processor: BatchProcessor, record: ConsumedRecord) -> UUID:
    return uuid5(
        REJECTION_IDS, f"{processor.service}/{record.topic}/{record.partition}/{record.offset}"
    )


REJECTION_IDS = UUID("6f1d3c9e-2b57-4d1a-9a34-5b0c8e7f2a10")


def header(record: KafkaRecord, name: str) -> str | None:
    return next((v.decode("utf-8", "replace") for k, v in record.headers if k == name), None)


def record_size(record: ConsumedRecord) -> int:
    """A record's size as the broker limits it: key, header names and values, and value."""
    headers = sum(len(k) + len(v or b"") for k, v in record.headers)
    return len(record.key or b"") + len(record.value or b"") + headers


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
