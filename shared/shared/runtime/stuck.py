"""Stuck work, for operators: list, show and replay what a service could not finish.

Four kinds, for every service (`python -m <service> stuck ...`):

- dead letters: input records a handler failed on while the rest of their batch succeeded
  (rejections with code handler-error). A replay publishes the original record again on its
  own topic, so it takes the normal path and the inbox drops it if it was handled meanwhile.
  Only a complete copy can be replayed: a rejection keeps the first 64 KiB of the value.
- parked facts: facts waiting for their case (table parked_facts). A replay tries them against
  the case as it is now, as the kit does when the case changes; one that still does not fit
  stays parked.
- conflicts: facts that contradicted the case (table fact_conflicts). A replay decides them
  again; one that still contradicts stays recorded.
- parked outbox rows: records the broker refused (table outbox_parked). A replay puts the row
  back in the outbox under its own id, so the relay sends it before the later records of its
  case that wait behind it; a broker that still refuses it parks it again.

Case ids are masked (a stable digest) unless asked for; every replay is logged with who asked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import typer
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import delete, select, text

from shared.contracts.envelope import decode
from shared.contracts.rejections import OriginalRecord, Rejection
from shared.contracts.topics import Kind as TopicKind
from shared.contracts.topics import kind_of, rejection_topic_for
from shared.runtime.clock import WallClock
from shared.runtime.database import (
    conflicts_table,
    inbox_table,
    outbox_parked_table,
    parked_facts_table,
)
from shared.runtime.kit import KitHandler
from shared.runtime.logs import get_logger

if TYPE_CHECKING:
    from shared.runtime.service import ServiceDefinition, ServiceRuntime

log = get_logger(__name__)


class Kind(StrEnum):
    DEAD_LETTER = "dead-letter"
    PARKED_FACT = "parked-fact"
    CONFLICT = "conflict"
    OUTBOX = "outbox"


@dataclass(frozen=True)
class StuckItem:
    """One piece of stuck work: what it is, whose case, why, since when, and if it can be
    replayed (`not_replayable` says why not)."""

    kind: Kind
    id: str  # the row id, or the rejection's event id for a dead letter
    case_id: str
    event_type: str
    topic: str
    reason: str
    since: datetime
    not_replayable: str | None = None
    original: OriginalRecord | None = None  # a dead letter's copy of its record

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Selection:
    """Which stuck work an operator means: by kind, case, words of the reason, and age."""

    kinds: frozenset[Kind] = frozenset(Kind)
    case_id: str | None = None
    reason: str | None = None  # words the reason contains (any case)
    older_than: timedelta | None = None
    refs: frozenset[str] = frozenset()  # kind:id; none means every item

    def matches(self, item: StuckItem, now: datetime) -> bool:
        return (
            item.kind in self.kinds
            and (not self.refs or item.ref in self.refs)
            and (self.case_id is None or item.case_id == self.case_id)
            and (self.reason is None or self.reason.lower() in item.reason.lower())
            and (self.older_than is None or now - item.since >= self.older_than)
        )


def mask(case_id: str) -> str:
    """A case id an operator may see in a shared screen or ticket: stable, not reversible."""
    return "case#" + hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:10]


def render(item: StuckItem, now: datetime, *, show_case_ids: bool) -> str:
    """One line of `stuck list`."""
    age = now - item.since
    hours = age.total_seconds() / 3600
    case = item.case_id if show_case_ids else mask(item.case_id)
    replay = "" if item.not_replayable is None else " [not replayable]"
    return f"{item.ref}  {case}  {item.event_type}  {hours:.1f} h  {item.reason}{replay}"


def details(item: StuckItem, now: datetime, *, show_case_ids: bool) -> dict[str, Any]:
    """What `stuck show` prints: everything but the event's content (personal data)."""
    shown: dict[str, Any] = {
        "ref": item.ref,
        "kind": str(item.kind),
        "case": item.case_id if show_case_ids else mask(item.case_id),
        "event_type": item.event_type,
        "topic": item.topic,
        "reason": item.reason,
        "since": item.since.isoformat(timespec="seconds"),
        "age_hours": round((now - item.since).total_seconds() / 3600, 2),
        "replayable": item.not_replayable is None,
    }
    if item.not_replayable is not None:
        shown["why_not_replayable"] = item.not_replayable
    if item.original is not None:
        shown["original"] = {
            "topic": item.original.topic,
            "partition": item.original.partition,
            "offset": item.original.offset,
            "value_size": item.original.value_size,
            "value_truncated": item.original.value_truncated,
        }
    return shown


def dead_letter_problem(original: OriginalRecord) -> str | None:
    """Why a dead letter's copy cannot be published again, or None."""
    if original.value_truncated:
        return (
            f"the rejection kept only the first part of the {original.value_size}-byte value: "
            "the sender must send the record again"
        )
    value = original.value()
    if original.value_sha256 is not None and hashlib.sha256(value).hexdigest() != (
        original.value_sha256
    ):
        return "the copied value does not match its digest: the sender must send it again"
    if "ce_id" not in original.headers:
        return "the copied record has no event id (ce_id): the inbox could not tell a duplicate"
    return None


def pace(rate: float) -> float:
    """Seconds between two replays at `rate` per second (0: no limit)."""
    return 1.0 / rate if rate > 0 else 0.0


# --- The edges: the service's tables and its rejection topics ------------------------------------


class StuckWork:
    """The stuck work of one service, on its database and broker."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.service = runtime.definition.name
        self.clock = WallClock()  # operators' ages are wall-clock ages

    async def find(self, selection: Selection) -> list[StuckItem]:
        items: list[StuckItem] = []
        if selection.kinds & {Kind.PARKED_FACT, Kind.CONFLICT, Kind.OUTBOX}:
            items += await self._rows(selection.kinds)
        if Kind.DEAD_LETTER in selection.kinds:
            items += await self._dead_letters()
        now = self.clock.now()
        chosen = [i for i in items if selection.matches(i, now)]
        return sorted(chosen, key=lambda i: (i.since, i.ref))

    async def _rows(self, kinds: frozenset[Kind]) -> list[StuckItem]:
        handler = self.runtime.handler
        kit = handler if isinstance(handler, KitHandler) else None
        items: list[StuckItem] = []
        async with self.runtime.engine.connect() as conn:
            if Kind.PARKED_FACT in kinds:
                for row in await conn.execute(select(parked_facts_table)):
                    items.append(self._fact(Kind.PARKED_FACT, row, row.parked_at, kit))
            if Kind.CONFLICT in kinds:
                for row in await conn.execute(select(conflicts_table)):
                    items.append(self._fact(Kind.CONFLICT, row, row.recorded_at, kit))
            if Kind.OUTBOX in kinds:
                for row in await conn.execute(select(outbox_parked_table)):
                    headers = dict(row.headers)
                    items.append(
                        StuckItem(
                            kind=Kind.OUTBOX,
                            id=str(row.id),
                            case_id=row.key.decode("utf-8", "replace"),
                            event_type=headers.get("ce_type", "unknown"),
                            topic=row.topic,
                            reason=row.reason,
                            since=row.parked_at,
                        )
                    )
        return items

    @staticmethod
    def _fact(kind: Kind, row: Any, since: datetime, kit: KitHandler[Any, Any] | None) -> StuckItem:
        problem = None
        if kit is None:
            problem = "this service is not on the kit: its facts cannot be decided again here"
        elif kit.envelope(row.event_type, row.event) is None:
            problem = (
                "the record was refused before it was decoded, or its type is no longer handled: "
                "nothing to decide again (see the reason; the sender must send it again)"
            )
        return StuckItem(
            kind=kind,
            id=str(row.id),
            case_id=row.case_key,
            event_type=row.event_type,
            topic=row.topic,
            reason=row.reason,
            since=since,
            not_replayable=problem,
        )

    async def _dead_letters(self) -> list[StuckItem]:
        """Handler errors this service sent to the rejection topics, whose event the inbox has
        not seen since (a later replay that succeeded clears them)."""
        runtime = self.runtime
        inputs = [t for t in runtime.definition.topics() if kind_of(t) is TopicKind.INPUT]
        topics = sorted({runtime.topics(rejection_topic_for(t)) for t in inputs})
        latest: dict[str, StuckItem] = {}  # by the original event id: the last rejection counts
        for record in await read_all(runtime.settings.kafka_bootstrap_servers, topics):
            try:
                envelope = decode(record.headers, record.value)
            except Exception:  # not ours to judge here: another tool's record
                continue
            rejection = envelope.data
            if not isinstance(rejection, Rejection) or rejection.rejected_by != self.service:
                continue
            if rejection.code != "handler-error":
                continue
            original = rejection.original
            event_id = original.headers.get("ce_id", str(envelope.id))
            latest[event_id] = StuckItem(
                kind=Kind.DEAD_LETTER,
                id=str(envelope.id),
                case_id=envelope.subject,
                event_type=original.headers.get("ce_type", "unknown"),
                topic=original.topic,
                reason=rejection.reason,
                since=envelope.time,
                not_replayable=dead_letter_problem(original),
                original=original,
            )
        handled = await self._in_inbox(latest)
        return [item for event_id, item in latest.items() if event_id not in handled]

    async def _in_inbox(self, event_ids: Iterable[str]) -> set[str]:
        ids = []
        for event_id in event_ids:
            try:
                ids.append(UUID(event_id))
            except ValueError:
                continue
        if not ids:
            return set()
        async with self.runtime.engine.connect() as conn:
            found = await conn.execute(
                select(inbox_table.c.event_id).where(inbox_table.c.event_id.in_(ids))
            )
            return {str(i) for i in found.scalars()}

    async def replay(self, items: Sequence[StuckItem], *, actor: str, rate: float) -> list[str]:
        """Replay items one at a time, at most `rate` a second; returns what became of each."""
        outcomes = []
        producer: AIOKafkaProducer | None = None
        try:
            for number, item in enumerate(items):
                if number:
                    await asyncio.sleep(pace(rate))
                if item.not_replayable is not None:
                    outcome = f"not replayed: {item.not_replayable}"
                elif item.kind is Kind.DEAD_LETTER:
                    if producer is None:
                        producer = AIOKafkaProducer(
                            bootstrap_servers=self.runtime.settings.kafka_bootstrap_servers,
                            acks="all",
                        )
                        await producer.start()
                    outcome = await self._republish(producer, item)
                elif item.kind is Kind.OUTBOX:
                    outcome = await self._unpark(int(item.id))
                else:
                    outcome = await self._decide_again(item)
                log.info(
                    "stuck work replayed",
                    actor=actor,
                    ref=item.ref,
                    case=mask(item.case_id),
                    event_type=item.event_type,
                    outcome=outcome,
                )
                outcomes.append(outcome)
        finally:
            if producer is not None:
                await producer.stop()
        return outcomes

    async def _republish(self, producer: AIOKafkaProducer, item: StuckItem) -> str:
        original = item.original
        assert original is not None
        await producer.send_and_wait(
            original.topic,
            original.value(),
            key=original.key.encode("utf-8") if original.key is not None else None,
            headers=[(k, v.encode("utf-8")) for k, v in original.headers.items()],
        )
        return f"published again on {original.topic}"

    async def _unpark(self, row_id: int) -> str:
        async with self.runtime.engine.begin() as conn:
            # Its own id back: the relay sends in id order, before the records held behind it.
            moved = await conn.execute(
                text(
                    "INSERT INTO outbox (id, topic, key, value, headers, created_at) "
                    "OVERRIDING SYSTEM VALUE "
                    "SELECT id, topic, key, value, headers, created_at FROM outbox_parked "
                    "WHERE id = :id FOR UPDATE"
                ),
                {"id": row_id},
            )
            await conn.execute(
                delete(outbox_parked_table).where(outbox_parked_table.c.id == row_id)
            )
        if not getattr(moved, "rowcount", 0):
            return "gone: replayed meanwhile"
        self.runtime.relay.wake()
        return "back in the outbox"

    async def _decide_again(self, item: StuckItem) -> str:
        runtime = self.runtime
        handler, processor = runtime.handler, runtime.processor
        if not isinstance(handler, KitHandler) or processor is None:
            return "not replayed: this service is not on the kit"
        parked = [int(item.id)] if item.kind is Kind.PARKED_FACT else []
        conflicts = [int(item.id)] if item.kind is Kind.CONFLICT else []
        outcomes = await processor.run_work(lambda uow: handler.replay(uow, parked, conflicts))
        return outcomes[(str(item.kind), int(item.id))]


async def read_all(bootstrap_servers: str, topics: Sequence[str]) -> list[Any]:
    """Every record now on these topics (from the start to the current end), without a group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])

        while await behind():
            batch = await consumer.getmany(*partitions, timeout_ms=1000, max_records=2000)
            for tp, found in batch.items():
                records += [r for r in found if r.offset < ends[tp]]
        return records
    finally:
        await consumer.stop()


# --- The command line ---------------------------------------------------------------------------


def _selection(
    kinds: list[Kind] | None,
    case_id: str | None,
    reason: str | None,
    older_than_hours: float | None,
    refs: list[str] | None,
) -> Selection:
    return Selection(
        kinds=frozenset(kinds or Kind),
        case_id=case_id,
        reason=reason,
        older_than=timedelta(hours=older_than_hours) if older_than_hours is not None else None,
        refs=frozenset(refs or ()),
    )


KindOption = Annotated[
    list[Kind] | None, typer.Option("--kind", help="Only this kind (repeatable)")
]
CaseOption = Annotated[str | None, typer.Option("--case", help="Only this case id")]
ReasonOption = Annotated[str | None, typer.Option(help="Only items whose reason contains this")]
AgeOption = Annotated[float | None, typer.Option(help="Only items stuck at least this many hours")]
ShowOption = Annotated[bool, typer.Option(help="Show case ids instead of their masks")]


def stuck_commands(definition: ServiceDefinition) -> typer.Typer:
    """`stuck list`, `stuck show` and `stuck replay` for one service."""
    app = typer.Typer(
        add_completion=False,
        no_args_is_help=True,
        help=f"Dead letters, parked facts, conflicts and parked outbox rows of {definition.name}.",
    )

    def work() -> StuckWork:
        from shared.runtime.service import ServiceRuntime
        from shared.runtime.settings import Settings

        return StuckWork(ServiceRuntime(definition, Settings()))

    async def find(selection: Selection) -> tuple[StuckWork, list[StuckItem]]:
        stuck = work()
        try:
            return stuck, await stuck.find(selection)
        finally:
            await stuck.runtime.engine.dispose()

    @app.command(name="list")
    def list_command(
        kind: KindOption = None,
        case: CaseOption = None,
        reason: ReasonOption = None,
        older_than_hours: AgeOption = None,
        show_case_ids: ShowOption = False,
    ) -> None:
        """List stuck work, oldest first."""
        stuck, items = asyncio.run(find(_selection(kind, case, reason, older_than_hours, None)))
        now = stuck.clock.now()
        for item in items:
            typer.echo(render(item, now, show_case_ids=show_case_ids))
        typer.echo(f"{len(items)} item(s)")

    @app.command()
    def show(
        ref: Annotated[str, typer.Argument(help="kind:id, as `stuck list` prints it")],
        show_case_ids: ShowOption = False,
    ) -> None:
        """Show one item with its reason (never the event's content)."""
        stuck, items = asyncio.run(find(_selection(None, None, None, None, [ref])))
        if not items:
            typer.echo(f"no stuck work {ref}", err=True)
            raise typer.Exit(1)
        typer.echo(json.dumps(details(items[0], stuck.clock.now(), show_case_ids=show_case_ids)))

    @app.command()
    def replay(
        actor: Annotated[
            str, typer.Option(help="Who asks, for the audit log: operator:<your pseudonymous id>")
        ],
        ref: Annotated[list[str] | None, typer.Argument(help="kind:id; none: every match")] = None,
        kind: KindOption = None,
        case: CaseOption = None,
        reason: ReasonOption = None,
        older_than_hours: AgeOption = None,
        rate: Annotated[float, typer.Option(help="Most replays a second (0: no limit)")] = 5.0,
        all_items: Annotated[
            bool, typer.Option("--all", help="Replay every match when no kind:id is given")
        ] = False,
        show_case_ids: ShowOption = False,
    ) -> None:
        """Replay stuck work through its normal path, one at a time or in bulk."""
        selection = _selection(kind, case, reason, older_than_hours, ref)
        if not ref and not all_items:
            typer.echo("name the items (kind:id) or pass --all to replay every match", err=True)
            raise typer.Exit(2)

        async def run() -> list[tuple[StuckItem, str]]:
            stuck = work()
            try:
                items = await stuck.find(selection)
                outcomes = await stuck.replay(items, actor=actor, rate=rate)
                return list(zip(items, outcomes, strict=True))
            finally:
                await stuck.runtime.engine.dispose()

        for item, outcome in asyncio.run(run()):
            case_shown = item.case_id if show_case_ids else mask(item.case_id)
            typer.echo(f"{item.ref}  {case_shown}  {outcome}")

    return app
