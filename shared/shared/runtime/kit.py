"""The service kit: a stage is its domain functions, its state and a few lines of wiring.

A service declares its case state (a typed model in a table, a `StateStore`) and one plain
function per event type, registered on `Rules`:

    rules = Rules("hearing", store=CASES, config=CONFIG, events_topic=lambda c: ...)

    @rules.on(HearingHeld)
    def held(case: Case | None, event: HearingHeld, ctx: Context[Config]) -> Outcome[Case]:
        ...

A function returns a `Decision` (the new state and the events to emit), a `Refusal`, a `Wait`
(a fact that came before what it builds on) or a `Conflict` (a fact that contradicts the
state). The kit loads and locks the batch's cases in one query, applies the functions in order,
saves what changed in one statement per store, and queues the emitted events in the outbox.

Input topics (front-ends) get rejections. Facts, read from other services' event topics, never
do: topics are not ordered with each other, so a fact that comes early is parked for its case
and applied once the case is ready for it; a fact that contradicts the state is a recorded
conflict (docs/how-to-write-a-service.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar, cast
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import (
    MetaData,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.events import catalogue
from shared.contracts.rejections import Refused
from shared.contracts.topics import Kind, kind_of
from shared.contracts.values import Stream
from shared.runtime.database import (
    BatchedStatement,
    conflicts_table,
    in_array,
    parked_facts_table,
    state_columns,
)
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork

log = get_logger(__name__)

S = TypeVar("S", bound=BaseModel)
C = TypeVar("C")
E = TypeVar("E", bound=EventData)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_CAUSE_STREAM: Any = object()  # Emit's default: the stream of the event that caused it
GONE = "gone: applied or replayed meanwhile"  # a replayed row no longer there


# --- What a domain function is given and what it returns -------------------------------------


@dataclass(frozen=True)
class Context(Generic[C]):
    """What a domain function may know besides the state and the event."""

    case_id: str
    now: datetime
    config: C
    actor: str
    stream: Stream | None
    topic: str  # where the event came from, without the prefix
    cases: BatchCases[Any]  # the batch's other cases (e.g. an applicant's earlier ones)
    extras: Mapping[str, Any]  # what the rules' `prepare` hook loaded for the batch
    rows: Mapping[str, BatchCases[Any]]  # the batch's rows of the rules' other stores, by name
    after_commit_callbacks: list[Callable[[], None]] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The Dutch calendar day of `now`."""
        return self.now.astimezone(AMSTERDAM).date()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` (a metric to observe) once the batch has committed: only when the
        function returns a Decision, never when the batch rolls back. The function stays
        testable: a test reads `after_commit_callbacks`."""
        self.after_commit_callbacks.append(callback)


@dataclass(frozen=True)
class Emit:
    """An event to emit, when its topic, subject or stream differ from the defaults (the rules'
    events topic for the new state, the case, the state's stream where the rules tell it, else
    the cause's)."""

    data: EventData
    topic: str | None = None
    subject: str | None = None
    stream: Stream | None = _CAUSE_STREAM


@dataclass(frozen=True)
class Decision(Generic[S]):
    """The case's new state (None: unchanged) and the events it emits."""

    state: S | None
    emit: Sequence[EventData | Emit] = ()
    rows: Sequence[BaseModel] = ()  # new states of the rules' other stores (capacity, say)


@dataclass(frozen=True)
class Refusal:
    """Input the service will not act on, with a plain reason for the sender."""

    reason: str
    kind: str | None = None


@dataclass(frozen=True)
class Wait:
    """A fact that needs something this service has not seen yet: parked until it has."""

    reason: str


@dataclass(frozen=True)
class Conflict:
    """A fact that contradicts this service's state: recorded for operators."""

    reason: str


Outcome = Decision[S] | Refusal | Wait | Conflict
DomainFunction = Callable[[S | None, Any, Context[Any]], Outcome[S]]


# --- State in a table --------------------------------------------------------------------------


def state_table(name: str, metadata: MetaData, *extra: Any, key: str = "case_id") -> Table:
    """A table of typed states: the key, the state as JSON, and the columns queries need."""
    return Table(name, metadata, *state_columns(key), *extra)


class StateStore(Generic[S]):
    """Typed states in a `state_table`: locked by key in one query, saved in one statement.

    `columns` are written beside the JSON for queries and indexes; `indexes` name the columns
    a batch may also lock by and look up in (an applicant's cases by V-number, say)."""

    def __init__(
        self,
        table: Table,
        model: type[S],
        *,
        key: Callable[[S], str],
        columns: Mapping[str, Callable[[S], Any]] | None = None,
        indexes: Sequence[str] = (),
    ) -> None:
        self.table = table
        self.model = model
        self.key = key
        self.columns = dict(columns or {})
        self.indexes = tuple(indexes)
        self.key_column = next(iter(table.primary_key.columns))
        unknown = set(self.indexes) - set(self.columns)
        if unknown:
            raise ValueError(f"indexes need columns of the same name: {sorted(unknown)}")
        # Built once: building it for every batch was a fifth of the time a batch spent saving.
        # The state travels as JSON text both ways, encoded and parsed by pydantic itself: a
        # dict through the driver's JSON codec cost three to four times as much (ADR 0036).
        insert = pg_insert(self.table).values(
            {
                self.key_column: bindparam("p_key", type_=self.key_column.type),
                "state": sql_cast(bindparam("p_state", type_=Text), JSONB),
                **{name: bindparam(f"p_{name}", type_=table.c[name].type) for name in self.columns},
            }
        )
        self._upsert = insert.on_conflict_do_update(
            index_elements=[self.key_column],
            set_={
                "state": insert.excluded.state,
                "updated_at": func.now(),
                **{name: insert.excluded[name] for name in self.columns},
            },
        )
        self._save = BatchedStatement(self._upsert)
        values: dict[str, Callable[[S], Any]] = {
            "p_key": key,
            "p_state": lambda state: state.model_dump_json(),
            **{f"p_{name}": get for name, get in self.columns.items()},
        }
        self._values = tuple(values[name] for name in self._save.names)  # the statement's order
        self._by = {  # by key or an index column, for any number of values
            name: in_array(column, f"any_{name}")
            for name, column in [
                (self.key_column.name, self.key_column),
                *((i, table.c[i]) for i in self.indexes),
            ]
        }
        self._read = select(sql_cast(self.table.c.state, Text))

    async def lock(
        self,
        session: AsyncSession,
        keys: Iterable[str],
        related: Mapping[str, Iterable[Any]] | None = None,
    ) -> list[S]:
        """The states with these keys, and those whose `related` columns hold these values,
        locked (FOR UPDATE, in key order, so two transactions never lock in two orders)."""
        conditions = []
        params: dict[str, list[Any]] = {}
        wanted = sorted(set(keys))
        if wanted:
            conditions.append(self._by[self.key_column.name])
            params[f"any_{self.key_column.name}"] = wanted
        for column, values in (related or {}).items():
            if column not in self.indexes:
                raise ValueError(f"{self.table.name} has no index {column!r} to lock by")
            found = sorted(set(values))
            if found:
                conditions.append(self._by[column])
                params[f"any_{column}"] = found
        if not conditions:
            return []
        rows = await session.execute(
            self._read.where(or_(*conditions)).order_by(self.key_column).with_for_update(),
            params,
        )
        return [self.model.model_validate_json(state) for state in rows.scalars()]

    async def save(self, session: AsyncSession, states: Sequence[S]) -> None:
        """Insert or update, one statement for all."""
        await self._save.run(session, [[get(state) for get in self._values] for state in states])


class BatchCases(Generic[S]):
    """The states one batch works on, which of them changed, and lookups by index."""

    def __init__(self, store: StateStore[S], states: Iterable[S] = ()) -> None:
        self.store = store
        self._states: dict[str, S] = {}
        self._index: dict[tuple[str, Hashable], set[str]] = {}
        self.changed: dict[str, S] = {}
        self.add(states)

    def add(self, states: Iterable[S]) -> None:
        """States read from the store (not changed)."""
        for state in states:
            self._remember(state)

    def _remember(self, state: S) -> None:
        key = self.store.key(state)
        old = self._states.get(key)
        for name in self.store.indexes:
            if old is not None:
                self._index.get((name, self.store.columns[name](old)), set()).discard(key)
            self._index.setdefault((name, self.store.columns[name](state)), set()).add(key)
        self._states[key] = state

    def get(self, key: str) -> S | None:
        return self._states.get(key)

    def by(self, index: str, value: Hashable) -> list[S]:
        """The batch's states whose `index` column holds `value`, in key order."""
        return [self._states[k] for k in sorted(self._index.get((index, value), ()))]

    def put(self, state: S) -> None:
        self._remember(state)
        self.changed[self.store.key(state)] = state

    def values(self) -> list[S]:
        return list(self._states.values())


# --- The rules of one service ------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    event_type: type[EventData]
    function: Callable[..., Any]
    topics: tuple[str, ...]  # without prefix
    command: bool  # an async escape hatch over the whole batch (policy adoption, say)


BatchHook = Callable[["KitBatch[Any]", Sequence[Envelope[Any]]], Awaitable[None]]
RowKeys = Callable[[Envelope[Any]], Iterable[str]]


class Rules(Generic[S, C]):
    """One service's registrations: its state store, its config, a function per event type."""

    def __init__(
        self,
        service: str,
        *,
        store: StateStore[S],
        config: C,
        events_topic: Callable[[S], str],
        stream_of: Callable[[S], Stream | None] | None = None,
        related: Callable[[Envelope[Any]], Mapping[str, Iterable[Any]]] | None = None,
        prepare: BatchHook | None = None,
    ) -> None:
        self.service = service
        self.stream_of = stream_of
        self.store = store
        self.config = config
        self.events_topic = events_topic
        self.related = related
        self.prepare_hook = prepare
        self.registrations: dict[type[EventData], Registration] = {}
        self.other_stores: dict[str, tuple[StateStore[Any], RowKeys]] = {}

    def rows(self, name: str, store: StateStore[Any], keys: RowKeys) -> None:
        """Another store the rules work on (a team's capacity, a location's days): `keys` says
        which of its rows an event needs; they are locked with the batch's cases, after them,
        and a Decision's `rows` are saved to the store of their type."""
        if name in self.other_stores or any(
            s.model is store.model for s, _ in self.other_stores.values()
        ):
            raise ValueError(f"a store named {name!r} or of {store.model.__name__} is registered")
        self.other_stores[name] = (store, keys)

    def on(
        self, event_type: type[E], *, topics: Sequence[str] | None = None
    ) -> Callable[[Callable[[S | None, E, Context[C]], Outcome[S]]], Callable[..., Any]]:
        """Register the domain function for one event type. Its topics come from the catalogue
        (every topic the type travels on) unless given (test doubles)."""

        def register(function: Callable[[S | None, E, Context[C]], Outcome[S]]) -> Any:
            self._add(Registration(event_type, function, self._topics(event_type, topics), False))
            return function

        return register

    def command(
        self, event_type: type[E], *, topics: Sequence[str] | None = None
    ) -> Callable[[Callable[[Envelope[Any], KitBatch[S]], Awaitable[None]]], Any]:
        """Register an async handler that works on the whole batch (not one case's state)."""

        def register(function: Callable[[Envelope[Any], KitBatch[S]], Awaitable[None]]) -> Any:
            self._add(Registration(event_type, function, self._topics(event_type, topics), True))
            return function

        return register

    def _add(self, registration: Registration) -> None:
        if registration.event_type in self.registrations:
            raise ValueError(f"{registration.event_type.__name__} is registered twice")
        self.registrations[registration.event_type] = registration

    @staticmethod
    def _topics(event_type: type[EventData], topics: Sequence[str] | None) -> tuple[str, ...]:
        if topics is not None:
            return tuple(topics)
        return tuple(catalogue.spec(event_type.ce_type()).topic_names())

    @property
    def handled_types(self) -> tuple[type[EventData], ...]:
        return tuple(self.registrations)

    def subscriptions(self) -> list[str]:
        """Every topic a registered type travels on, in a stable order."""
        return sorted({t for r in self.registrations.values() for t in r.topics})

    def handler(self) -> KitHandler[S, C]:
        return KitHandler(self)


# --- Applying the rules to a batch -------------------------------------------------------------


@dataclass
class _Parked:
    row_id: int | None  # None: parked in this batch, not yet written
    envelope: Envelope[Any]
    topic: str
    reason: str


@dataclass
class KitBatch(Generic[S]):
    """The state of one batch's transaction: its cases, parked facts and what to write."""

    rules: Rules[S, Any]
    uow: UnitOfWork
    cases: BatchCases[S]
    extras: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, BatchCases[Any]] = field(default_factory=dict)
    parked: dict[str, list[_Parked]] = field(default_factory=dict)
    unparked: list[int] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    def context(self, event: Envelope[Any], topic: str) -> Context[Any]:
        return Context(
            case_id=event.subject,
            now=self.uow.clock.now(),
            config=self.rules.config,
            actor=event.actor,
            stream=event.stream,
            topic=topic,
            cases=self.cases,
            extras=self.extras,
            rows=self.rows,
        )

    def apply(self, decision: Decision[S], cause: Envelope[Any], case_id: str) -> None:
        """Keep the new state and queue its events (the caller has decided, nothing can fail)."""
        state = decision.state if decision.state is not None else self.cases.get(case_id)
        if decision.state is not None and decision.state != self.cases.get(case_id):
            self.cases.put(decision.state)
        for row in decision.rows:
            store_rows = next(
                (r for r in self.rows.values() if isinstance(row, r.store.model)), None
            )
            if store_rows is None:
                raise TypeError(f"no store registered for {type(row).__name__}")
            store_rows.put(row)
        for item in decision.emit:
            emit = item if isinstance(item, Emit) else Emit(item)
            if emit.topic is None and state is None:
                raise ValueError("an event emitted without a state needs its topic")
            topic = emit.topic or self.rules.events_topic(cast("S", state))
            stream = emit.stream
            if stream is _CAUSE_STREAM:
                stream_of = self.rules.stream_of
                own = stream_of is not None and state is not None
                stream = stream_of(cast("S", state)) if own else cause.stream  # type: ignore[misc]
            self.uow.emit(
                emit.data, topic=topic, cause=cause, subject=emit.subject or case_id, stream=stream
            )


class KitHandler(Generic[S, C]):
    """The shared runtime's Handler for a service written as `Rules`."""

    def __init__(self, rules: Rules[S, C]) -> None:
        self.rules = rules
        self.handled_types = rules.handled_types

    async def prepare(self, events: Sequence[Envelope[Any]], uow: UnitOfWork) -> None:
        batch = KitBatch(self.rules, uow, BatchCases(self.rules.store))
        uow.scratch["kit"] = batch
        if self.rules.prepare_hook is not None:
            await self.rules.prepare_hook(batch, events)
        case_events = [e for e in events if not self._registration(e).command]
        related: dict[str, list[Any]] = {}
        if self.rules.related is not None:
            for event in case_events:
                for column, values in self.rules.related(event).items():
                    related.setdefault(column, []).extend(values)
        keys = {e.subject for e in case_events}
        batch.cases.add(await self.rules.store.lock(uow.session, keys, related))
        # Always in this order (cases, then each store as registered): no two orders of locks.
        for name, (store, row_keys) in self.rules.other_stores.items():
            wanted = {key for event in case_events for key in row_keys(event)}
            batch.rows[name] = BatchCases(store, await store.lock(uow.session, wanted))
        await self._load_parked(batch, keys)

    async def handle(self, event: Envelope[Any], uow: UnitOfWork) -> None:
        batch: KitBatch[S] = uow.scratch["kit"]
        registration = self._registration(event)
        if registration.command:
            await registration.function(event, batch)
            return
        self._decide(batch, event, uow.topic, registration, parked=None)

    async def finish(self, uow: UnitOfWork) -> None:
        batch: KitBatch[S] | None = uow.scratch.get("kit")
        if batch is not None:
            await write(batch)

    def _registration(self, event: Envelope[Any]) -> Registration:
        return self.rules.registrations[type(event.data)]

    def envelope(self, event_type: str, event: Mapping[str, Any]) -> Envelope[Any] | None:
        """A stored event (parked or conflicting) as its typed envelope; None when this service
        no longer handles its type or it was never decoded (refused before decoding)."""
        model = next((t for t in self.rules.registrations if t.ce_type() == event_type), None)
        if model is None or "data" not in event:
            return None
        return Envelope[model].model_validate(event)  # type: ignore[valid-type]

    async def replay(
        self, uow: UnitOfWork, parked_ids: Sequence[int], conflict_ids: Sequence[int]
    ) -> dict[tuple[str, int], str]:
        """Try parked facts and recorded conflicts again against their cases as they are now,
        as the kit does when a case changes (an operator's replay of stuck work). Returns what
        became of each row: applied, still waiting, still a conflict, or gone."""
        session = uow.session
        found: dict[tuple[str, int], tuple[Envelope[Any], str]] = {}
        for name, table, ids in (
            ("parked-fact", parked_facts_table, parked_ids),
            ("conflict", conflicts_table, conflict_ids),
        ):
            if ids:  # read unlocked first: the cases are locked before these rows, as always
                for row in await session.execute(select(table).where(table.c.id.in_(ids))):
                    envelope = self.envelope(row.event_type, row.event)
                    if envelope is not None:
                        found[(name, row.id)] = (envelope, row.topic)
        result = {
            (name, i): GONE
            for name, ids in (("parked-fact", parked_ids), ("conflict", conflict_ids))
            for i in ids
        }
        if not found:
            return result
        await self.prepare([e for e, _ in found.values()], uow)
        batch: KitBatch[S] = uow.scratch["kit"]
        for (name, row_id), (envelope, topic) in found.items():
            case_id = envelope.subject
            registration = self._registration(envelope)
            if name == "parked-fact":
                park = next((p for p in batch.parked.get(case_id, ()) if p.row_id == row_id), None)
                if park is None:
                    result[(name, row_id)] = GONE
                    continue
                conflicts = len(batch.conflicts)
                self._decide(batch, envelope, topic, registration, park)
                if park in batch.parked.get(case_id, ()):
                    result[(name, row_id)] = f"still waiting: {park.reason}"
                elif len(batch.conflicts) > conflicts:
                    result[(name, row_id)] = f"now a conflict: {batch.conflicts[-1]['reason']}"
                else:
                    result[(name, row_id)] = "applied"
                    self._retry_parked(batch, case_id)
                continue
            locked = await session.scalar(
                select(conflicts_table.c.id).where(conflicts_table.c.id == row_id).with_for_update()
            )
            if locked is None:
                result[(name, row_id)] = GONE
                continue
            conflicts, waiting = len(batch.conflicts), len(batch.parked.get(case_id, ()))
            try:
                self._decide(batch, envelope, topic, registration, parked=None)
            except Refused as refused:
                result[(name, row_id)] = f"still refused: {refused.reason}"
                continue
            if len(batch.conflicts) > conflicts:  # the same verdict: keep the recorded row
                result[(name, row_id)] = f"still a conflict: {batch.conflicts.pop()['reason']}"
                uow.conflicts -= 1
                continue
            await session.execute(delete(conflicts_table).where(conflicts_table.c.id == row_id))
            if len(batch.parked.get(case_id, ())) > waiting:
                result[(name, row_id)] = "now waiting for its case (parked)"
            else:
                result[(name, row_id)] = "applied"
        await write(batch)
        return result

    def _decide(
        self,
        batch: KitBatch[S],
        event: Envelope[Any],
        topic: str,
        registration: Registration,
        parked: _Parked | None,
    ) -> bool:
        """Apply one event; True when it changed the case (its parked facts may now fit)."""
        case_id = event.subject
        before = batch.cases.get(case_id)
        context = batch.context(event, topic)
        try:
            outcome = registration.function(before, event.data, context)
        except Refused as refused:  # domain code may raise its refusals too
            outcome = Refusal(refused.reason, refused.kind)
        is_input = kind_of(topic) is Kind.INPUT
        match outcome:
            case Decision():
                for callback in context.after_commit_callbacks:
                    batch.uow.after_commit(callback)
                if parked is not None:
                    if parked.row_id is not None:
                        batch.unparked.append(parked.row_id)
                    batch.parked[case_id].remove(parked)
                batch.apply(outcome, event, case_id)
                changed = batch.cases.get(case_id) != before
                if changed and parked is None:
                    self._retry_parked(batch, case_id)
                return changed
            case Refusal(reason=reason, kind=kind) if is_input:
                raise Refused(reason, kind=kind)
            case Wait(reason=reason) if is_input:
                raise Refused(reason, kind="out_of_order")
            case Conflict(reason=reason) if is_input:
                raise Refused(reason, kind="conflict")
            case Wait(reason=reason):
                if parked is None:
                    park = _Parked(None, event, topic, reason)
                    batch.parked.setdefault(case_id, []).append(park)
                    log.info("fact parked", event_id=str(event.id), event_type=event.type)
                return False
            case Refusal(reason=reason) | Conflict(reason=reason):
                self._conflict(batch, event, topic, reason, parked)
                return False
        raise TypeError(f"{registration.function.__name__} returned {outcome!r}")

    def _retry_parked(self, batch: KitBatch[S], case_id: str) -> None:
        """Apply the case's parked facts that now fit. Each one applied may make an older one fit:
        start again from the oldest until a pass applies none."""
        while True:
            for park in list(batch.parked.get(case_id, ())):
                registration = self._registration(park.envelope)
                self._decide(batch, park.envelope, park.topic, registration, park)
                if park not in batch.parked.get(case_id, ()):
                    break  # applied (or now a conflict): the case changed, go again
            else:
                return

    def _conflict(
        self,
        batch: KitBatch[S],
        event: Envelope[Any],
        topic: str,
        reason: str,
        parked: _Parked | None,
    ) -> None:
        if parked is not None:  # a parked fact that now contradicts: no longer waiting
            if parked.row_id is not None:
                batch.unparked.append(parked.row_id)
            batch.parked[event.subject].remove(parked)
        batch.conflicts.append(
            {
                "case_key": event.subject,
                "event_id": event.id,
                "event_type": event.type,
                "topic": topic,
                "event": _dump(event),
                "reason": reason,
                "recorded_at": batch.uow.clock.now(),
            }
        )
        batch.uow.conflicts += 1
        log.warning("fact conflicts with state", event_id=str(event.id), event_type=event.type)

    async def _load_parked(self, batch: KitBatch[S], keys: Iterable[str]) -> None:
        wanted = sorted(set(keys))
        if not wanted:
            return
        rows = await batch.session.execute(_PARKED_FOR, {"keys": wanted})
        for row in rows:
            model = next(
                (t for t in self.rules.registrations if t.ce_type() == row.event_type), None
            )
            if model is None:
                continue  # a type no longer handled: left for an operator
            envelope = Envelope[model].model_validate(row.event)  # type: ignore[valid-type]
            park = _Parked(row.id, envelope, row.topic, row.reason)
            batch.parked.setdefault(row.case_key, []).append(park)


_PARKED_FOR = (
    select(parked_facts_table)
    .where(in_array(parked_facts_table.c.case_key, "keys"))
    .order_by(parked_facts_table.c.id)
    .with_for_update()
)


def _dump(event: Envelope[Any]) -> dict[str, Any]:
    # serialize_as_any: the envelope declares its data as the EventData base class.
    return event.model_dump(mode="json", serialize_as_any=True)


async def write(batch: KitBatch[Any]) -> None:
    """Write what a batch changed: states, parked facts, conflicts; one statement each."""
    session = batch.session
    for cases in (batch.cases, *batch.rows.values()):
        await cases.store.save(session, list(cases.changed.values()))
        cases.changed.clear()
    if batch.unparked:
        await session.execute(
            delete(parked_facts_table).where(in_array(parked_facts_table.c.id, "ids")),
            {"ids": batch.unparked},
        )
        batch.unparked.clear()
    new = [
        {
            "case_key": case_id,
            "event_id": park.envelope.id,
            "event_type": park.envelope.type,
            "topic": park.topic,
            "event": _dump(park.envelope),
            "reason": park.reason,
            "parked_at": batch.uow.clock.now(),
        }
        for case_id, parks in batch.parked.items()
        for park in parks
        if park.row_id is None
    ]
    if new:
        await session.execute(insert(parked_facts_table), new)
    if batch.conflicts:
        await session.execute(insert(conflicts_table), batch.conflicts)
        batch.conflicts.clear()


async def parked_facts_waiting(
    session: AsyncSession, now: datetime, limit: timedelta
) -> tuple[int, int]:
    """How many facts wait, and how many of them longer than `limit` (operators are told)."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(parked_facts_table.c.parked_at < now - limit),
            ).select_from(parked_facts_table)
        )
    ).one()
    return int(row[0]), int(row[1])
