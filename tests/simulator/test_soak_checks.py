"""The soak's own parts, without servers: every malformed record is one the kit must reject,
and the audit finds each kind of loss and duplicate it is there to find (a check that cannot
fail proves nothing)."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass
from uuid import UUID, uuid4

from shared.contracts.envelope import DecodeError, decode
from shared.contracts.rejections import OriginalRecord, Rejection
from shared.contracts.topics import Kind, TopicNames, all_topics
from shared.runtime.messaging import admission_problem
from shared.runtime.settings import Settings
from simulator.audit import Position, Record, Tables, audit
from simulator.malformed import KINDS, malformed

INPUT = "ind.backlog.hearing.input.v1"
EVENTS = "ind.backlog.hearing.events.v1"
COA = "ind.backlog.partner.coa.v1"
REJECTIONS = "ind.backlog.rejections.v1"
HELD = "nl.ind.hearing.held-recorded.v1"


@dataclass
class Raw:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def test_every_malformed_kind_lands_on_every_input_topic_and_none_is_admissible():
    records = malformed(TopicNames(""), 1_300, seed=3)
    inputs = {s.name for s in all_topics() if s.kind is Kind.INPUT}
    assert {m.topic for m in records} == inputs
    assert set(Counter(m.kind for m in records)) == set(KINDS)
    assert len({dict(m.record.headers).get("ce_id") for m in records}) > 1_200  # fresh ids
    limit = Settings().max_record_bytes
    for n, item in enumerate(records):
        r = item.record
        raw = Raw(r.topic, 0, n, r.key, r.value, list(r.headers))
        if len(r.value) + len(r.key) > limit:
            continue  # too-large, before decoding
        try:
            envelope = decode(raw.headers, raw.value)
        except DecodeError:
            continue
        assert admission_problem(raw, envelope, "") is not None, (item.kind, item.topic)


def record(topic: str, offset: int, *, value: bytes = b"{}", **headers: str) -> Record:
    return Record(
        topic, 0, offset, b"case-1", hashlib.sha256(value).hexdigest(), dict(headers), None
    )


def rejection_of(topic: str, offset: int, reason: str = "bad") -> Record:
    r = record(REJECTIONS, 1000 + offset, ce_id=str(uuid4()), ce_type=Rejection.ce_type())
    r.rejection = Rejection(
        code="undecodable",
        reason=reason,
        rejected_by="hearing",
        original=OriginalRecord(
            topic=topic,
            partition=0,
            offset=offset,
            key="case-1",
            headers={},
            value_base64=base64.b64encode(b"x").decode(),
        ),
    )
    return r


def test_a_clean_run_passes():
    good, answer = str(uuid4()), str(uuid4())
    notice = str(uuid4())
    records = [
        record(INPUT, 0, ce_id=good, ce_type=HELD),
        record(EVENTS, 0, ce_id=answer, ce_causationid=good, ce_type="x.v1"),
        record(INPUT, 1, ce_id=str(uuid4()), ce_type=HELD),
        rejection_of(INPUT, 1),
        record(COA, 0, value=b"n", ce_id=notice),
    ]
    tables = Tables(delivery_log={notice: (COA, hashlib.sha256(b"n").hexdigest())})
    result = audit(records, tables, {Position(INPUT, 0, 1): "random bytes"}, "")
    assert result.problems() == []
    assert (result.inputs, result.answered, result.malformed_rejected) == (1, 1, 1)


def test_an_unanswered_input_is_lost_unless_its_service_took_it_in():
    silent, lost = uuid4(), uuid4()
    records = [
        record(INPUT, 0, ce_id=str(silent), ce_type=HELD),
        record(INPUT, 1, ce_id=str(lost), ce_type=HELD),
    ]
    result = audit(records, Tables(inbox={"hearing": {silent}}), {}, "")
    assert result.changed_nothing == 1
    assert result.lost_inputs == [f"{HELD} {lost}"]
    assert result.lost == 1


def test_an_input_answered_and_rejected_is_answered_twice():
    good = str(uuid4())
    rejected = rejection_of(INPUT, 0)
    rejected.headers["ce_causationid"] = good
    records = [
        record(INPUT, 0, ce_id=good, ce_type=HELD),
        record(EVENTS, 0, ce_id=str(uuid4()), ce_causationid=good),
        rejected,
    ]
    assert audit(records, Tables(), {}, "").answered_twice == [good]


def test_a_malformed_input_without_rejection_is_lost():
    records = [record(INPUT, 5, ce_id=str(uuid4()))]
    result = audit(records, Tables(), {Position(INPUT, 0, 5): "wrong key"}, "")
    assert result.malformed_lost == [f"wrong key on {INPUT}"]


def test_partner_copies_are_counted_and_a_missing_notice_is_lost():
    twice, missing = str(uuid4()), str(uuid4())
    digest = hashlib.sha256(b"n").hexdigest()
    records = [record(COA, n, value=b"n", ce_id=twice) for n in range(3)]
    tables = Tables(delivery_log={twice: (COA, digest), missing: (COA, digest)})
    result = audit(records, tables, {}, "")
    assert (result.duplicated_ids, result.duplicate_records) == (1, 2)
    assert result.notices_lost == [missing]


def test_one_id_with_two_contents_is_found():
    same = str(uuid4())
    records = [record(COA, 0, value=b"a", ce_id=same), record(COA, 1, value=b"b", ce_id=same)]
    tables = Tables(delivery_log={same: (COA, hashlib.sha256(b"a").hexdigest())})
    assert audit(records, tables, {}, "").conflicting_copies == [same]


def test_a_fact_missing_from_an_inbox_is_lost_and_services_must_agree():
    registered = "nl.ind.intake.case-registered.v1"
    taken, missed = uuid4(), uuid4()
    records = [
        record(
            "ind.backlog.intake.events.v1",
            n,
            ce_id=str(i),
            ce_type=registered,
            ce_subject=f"case-{n}",
        )
        for n, i in enumerate((taken, missed))
    ]
    tables = Tables(
        inbox={"planning": {taken}, "prephase": {taken, missed}},
        case_keys={"intake": {"case-0", "case-1"}, "hearing": {"case-9"}},
    )
    result = audit(records, tables, {}, "")
    assert any(str(missed) in lost for lost in result.lost_facts)
    assert result.inconsistent == ["hearing holds case-9, never registered"]
    assert UUID(str(taken))
