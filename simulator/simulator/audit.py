"""The soak's checks (issue 18), from the topics, chain-notify's delivery log and the services'
tables, once the run has settled:

- every input is answered at most once, and at least once unless it changed nothing (the
  handling service's inbox holds its id: docs/integrators.md, 'not at all');
- every malformed input is answered by one rejection with a reason;
- every fact a service consumes is in its inbox (or parked, waiting for what it builds on);
- every logged partner notice is on its partner topic; copies per stable id are counted;
- the services agree about the cases (registered, decided) and nothing is left in an outbox.

It reads the services' tables as an auditor would, with SQL, and imports no service.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts.envelope import DecodeError, decode
from shared.contracts.events import catalogue as cat
from shared.contracts.events.decision import DecisionIssued
from shared.contracts.events.intake import CaseRegistered
from shared.contracts.rejections import Rejection
from shared.contracts.topics import Kind, kind_of
from shared.runtime.database import asyncpg_dsn
from shared.runtime.settings import Settings

SERVICES = ("intake", "planning", "prephase", "hearing", "decision", "chain-notify")
CASE_TABLES = {  # the per-case state tables whose keys must be cases intake registered
    "intake": "cases",
    "prephase": "cases",
    "hearing": "cases",
    "decision": "cases",
    "chain-notify": "cases",
}


@dataclass(frozen=True)
class Position:
    topic: str  # without prefix
    partition: int
    offset: int


@dataclass
class Record:
    topic: str  # without prefix
    partition: int
    offset: int
    key: bytes
    digest: str  # of the value: copies of one id must be byte for byte the same
    headers: dict[str, str]
    rejection: Rejection | None = None

    @property
    def id(self) -> str | None:
        return self.headers.get("ce_id")


def _text(value: bytes | None) -> str:
    return (value or b"").decode("utf-8", errors="replace")


async def read_topics(settings: Settings, topics: Sequence[str]) -> list[Record]:
    """Every record of the topics, from the start to their current end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
        client_id="caseflow-soak-audit",
    )
    await consumer.start()
    prefix = settings.topic_prefix
    try:
        await consumer.topics()
        partitions = [
            TopicPartition(prefix + t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(prefix + t) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        out: list[Record] = []
        left = {tp for tp, end in ends.items() if end > 0}
        while left:
            batch = await consumer.getmany(*left, timeout_ms=500, max_records=5000)
            for tp, records in batch.items():
                topic = tp.topic[len(prefix) :]
                for r in records:
                    out.append(_record(topic, r))
            left = {tp for tp in left if await consumer.position(tp) < ends[tp]}
        return out
    finally:
        await consumer.stop()


def _record(topic: str, raw: Any) -> Record:
    value = raw.value or b""
    headers = {k: _text(v) for k, v in raw.headers}
    record = Record(
        topic, raw.partition, raw.offset, raw.key or b"", hashlib.sha256(value).hexdigest(), headers
    )
    if kind_of(topic) is Kind.REJECTIONS:
        try:
            data = decode(raw.headers, value).data
        except DecodeError:
            data = None
        record.rejection = data if isinstance(data, Rejection) else None
    return record


@dataclass
class Tables:
    inbox: dict[str, set[UUID]] = field(default_factory=dict)
    parked: dict[str, set[UUID]] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)
    outbox_parked: dict[str, int] = field(default_factory=dict)
    conflicts: dict[str, int] = field(default_factory=dict)
    case_keys: dict[str, set[str]] = field(default_factory=dict)
    decided: set[str] = field(default_factory=set)
    delivery_log: dict[str, tuple[str, str]] = field(default_factory=dict)  # id: (topic, digest)


async def _ids(conn: Any, schema: str, present: set[str], table: str) -> set[UUID]:
    if table not in present:
        return set()
    rows = await conn.fetch(f'select event_id from "{schema}"."{table}"')
    return {r["event_id"] for r in rows}


async def _count(conn: Any, schema: str, present: set[str], table: str) -> int:
    if table not in present:
        return 0
    return int(await conn.fetchval(f'select count(*) from "{schema}"."{table}"'))


async def read_tables(settings: Settings, database_url: str) -> Tables:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    tables = Tables()
    try:
        for service in SERVICES:
            schema = settings.schema_for(service)
            present = {
                r["table_name"]
                for r in await conn.fetch(
                    "select table_name from information_schema.tables where table_schema = $1",
                    schema,
                )
            }
            tables.inbox[service] = await _ids(conn, schema, present, "inbox")
            tables.parked[service] = await _ids(conn, schema, present, "parked_facts")
            tables.outbox[service] = await _count(conn, schema, present, "outbox")
            tables.outbox_parked[service] = await _count(conn, schema, present, "outbox_parked")
            tables.conflicts[service] = await _count(conn, schema, present, "fact_conflicts")
            case_table = CASE_TABLES.get(service)
            if case_table in present:
                rows = await conn.fetch(f'select case_id from "{schema}"."{case_table}"')
                tables.case_keys[service] = {r["case_id"] for r in rows}
        decision = settings.schema_for("decision")
        rows = await conn.fetch(f'select case_id from "{decision}".cases where outcome is not null')
        tables.decided = {r["case_id"] for r in rows}
        notify = settings.schema_for("chain-notify")
        rows = await conn.fetch(f'select event_id, topic, value from "{notify}".delivery_log')
        prefix = settings.topic_prefix
        tables.delivery_log = {
            str(r["event_id"]): (
                r["topic"].removeprefix(prefix),
                hashlib.sha256(bytes(r["value"])).hexdigest(),
            )
            for r in rows
        }
    finally:
        await conn.close()
    return tables


@dataclass
class Audit:
    inputs: int = 0
    answered: int = 0
    changed_nothing: int = 0
    lost_inputs: list[str] = field(default_factory=list)
    answered_twice: list[str] = field(default_factory=list)
    malformed: int = 0
    malformed_rejected: int = 0
    malformed_lost: list[str] = field(default_factory=list)
    malformed_without_reason: int = 0
    malformed_by_code: Counter[str] = field(default_factory=Counter)
    facts_checked: int = 0
    facts_parked: int = 0
    lost_facts: list[str] = field(default_factory=list)
    not_consumed_here: list[str] = field(default_factory=list)
    notices_logged: int = 0
    notices_lost: list[str] = field(default_factory=list)
    notices_unlogged: list[str] = field(default_factory=list)
    duplicated_ids: int = 0
    duplicate_records: int = 0
    duplicate_records_by_topic: Counter[str] = field(default_factory=Counter)
    duplicate_event_records: int = 0
    conflicting_copies: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    left_in_outbox: int = 0

    @property
    def lost(self) -> int:
        return (
            len(self.lost_inputs)
            + len(self.malformed_lost)
            + len(self.lost_facts)
            + len(self.notices_lost)
        )

    def problems(self) -> list[str]:
        found = []
        for name, items in (
            ("inputs lost (neither answered nor in the inbox)", self.lost_inputs),
            ("inputs answered twice", self.answered_twice),
            ("malformed inputs without a rejection", self.malformed_lost),
            ("facts a service never took in", self.lost_facts),
            ("logged partner notices missing from their topic", self.notices_lost),
            ("partner records missing from the delivery log", self.notices_unlogged),
            ("one id with different bytes", self.conflicting_copies),
            ("services disagree", self.inconsistent),
        ):
            if items:
                found.append(f"{len(items)} {name}, e.g. {items[:3]}")
        if self.malformed_without_reason:
            found.append(f"{self.malformed_without_reason} rejections without a reason")
        if self.left_in_outbox:
            found.append(f"{self.left_in_outbox} records left in an outbox")
        return found


def audit(
    records: Iterable[Record],
    tables: Tables,
    malformed: dict[Position, str],
    prefix: str,
) -> Audit:
    """malformed: the position of every malformed record sent (topic without prefix), and
    its kind."""
    result = Audit()
    by_cause: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    copies: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    inputs: list[Record] = []
    events: list[Record] = []
    partner: list[Record] = []
    rejected: dict[Position, set[str]] = defaultdict(set)
    reasons: dict[Position, str] = {}
    registered: set[str] = set()
    issued: set[str] = set()
    for r in records:
        kind = kind_of(r.topic)
        if kind is Kind.INPUT:
            inputs.append(r)
            continue
        if r.id is None:
            continue
        copies[r.id].add(r.digest)
        counts[r.id] += 1
        if kind is Kind.REJECTIONS and r.rejection is not None:
            o = r.rejection.original
            where = Position(o.topic.removeprefix(prefix), o.partition, o.offset)
            rejected[where].add(r.id)
            reasons[where] = r.rejection.reason
        cause = r.headers.get("ce_causationid")
        if cause and kind in (Kind.EVENTS, Kind.REJECTIONS):
            by_cause[cause].add((r.id, kind is Kind.REJECTIONS))
        if kind is Kind.EVENTS:
            events.append(r)
            ce_type = r.headers.get("ce_type")
            if ce_type == CaseRegistered.ce_type():
                registered.add(r.headers.get("ce_subject", ""))
            elif ce_type == DecisionIssued.ce_type():
                issued.add(r.headers.get("ce_subject", ""))
        elif kind is Kind.PARTNER:
            partner.append(r)
    for event_id, digests in copies.items():
        if len(digests) > 1:
            result.conflicting_copies.append(event_id)

    # Inputs, good and malformed.
    for r in inputs:
        where = Position(r.topic, r.partition, r.offset)
        if where in malformed:
            result.malformed += 1
            if rejected.get(where):
                result.malformed_rejected += 1
                if not reasons.get(where, "").strip():
                    result.malformed_without_reason += 1
            else:
                result.malformed_lost.append(f"{malformed[where]} on {r.topic}")
            continue
        result.inputs += 1
        event_id = r.id or ""
        answers = by_cause.get(event_id, set())
        refused = {i for i, is_rejection in answers if is_rejection}
        if answers:
            result.answered += 1
            if refused and (len(refused) > 1 or len(answers) > len(refused)):
                result.answered_twice.append(event_id)
            continue
        ce_type = r.headers.get("ce_type", "")
        consumers = _consumers(ce_type)
        if any(UUID(event_id) in tables.inbox.get(s, set()) for s in consumers):
            result.changed_nothing += 1
        else:
            result.lost_inputs.append(f"{ce_type} {event_id}")

    # Facts: every event a service consumes is in its inbox, or parked there.
    for consumer, ce_type, group in _facts(events):
        inbox, parked = tables.inbox.get(consumer, set()), tables.parked.get(consumer, set())
        ids = [UUID(r.id) for r in group if r.id]
        taken = [i for i in ids if i in inbox or i in parked]
        if not taken:  # the catalogue names this consumer, but this build does not take it in
            result.not_consumed_here.append(f"{consumer} <- {ce_type}")
            continue
        result.facts_checked += len(ids)
        result.facts_parked += sum(1 for i in ids if i in parked and i not in inbox)
        result.lost_facts += [f"{consumer} <- {ce_type} {i}" for i in ids if i not in taken]

    # Partner notices against the delivery log.
    logged = tables.delivery_log
    result.notices_logged = len(logged)
    on_topics = {r.id for r in partner if r.id}
    result.notices_lost = sorted(set(logged) - on_topics)
    result.notices_unlogged = sorted(on_topics - set(logged))
    for event_id, (_, digest) in logged.items():
        if event_id in copies and copies[event_id] != {digest}:
            result.conflicting_copies.append(event_id)
    result.conflicting_copies = sorted(set(result.conflicting_copies))
    for r in partner:
        if r.id and counts[r.id] > 1:
            result.duplicate_records_by_topic[r.topic] += 1
    dup_ids = {r.id for r in partner if r.id and counts[r.id] > 1}
    result.duplicated_ids = len(dup_ids)
    result.duplicate_records = sum(counts[i] - 1 for i in dup_ids)
    for topic in list(result.duplicate_records_by_topic):
        ids_here = {r.id for r in partner if r.topic == topic and r.id in dup_ids}
        result.duplicate_records_by_topic[topic] = sum(counts[i] - 1 for i in ids_here)
    result.duplicate_event_records = sum(
        counts[i] - 1 for i in {r.id for r in events if r.id and counts[r.id] > 1}
    )

    # The services agree.
    for service, keys in tables.case_keys.items():
        orphans = keys - registered
        result.inconsistent += [f"{service} holds {k}, never registered" for k in sorted(orphans)]
    intake = tables.case_keys.get("intake", set())
    result.inconsistent += [f"intake lacks registered {k}" for k in sorted(registered - intake)]
    result.inconsistent += [
        f"decision issued for {k} but not recorded" for k in sorted(issued - tables.decided)
    ]
    result.inconsistent += [
        f"decision recorded for {k} but never issued" for k in sorted(tables.decided - issued)
    ]
    result.left_in_outbox = sum(tables.outbox.values()) + sum(tables.outbox_parked.values())
    return result


def _consumers(ce_type: str) -> tuple[str, ...]:
    try:
        return tuple(c for c in cat.spec(ce_type).consumers if c in SERVICES)
    except KeyError:
        return ()


def _facts(events: Sequence[Record]) -> list[tuple[str, str, list[Record]]]:
    """(consuming service, type, the records) for every catalogue event a service consumes."""
    groups: dict[tuple[str, str], dict[str, Record]] = defaultdict(dict)
    for r in events:
        ce_type = r.headers.get("ce_type", "")
        for consumer in _consumers(ce_type):
            if r.id:
                groups[(consumer, ce_type)][r.id] = r  # one per id: copies are counted apart
    return [(c, t, list(rs.values())) for (c, t), rs in sorted(groups.items())]
