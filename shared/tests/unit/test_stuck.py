"""The stuck-work command's rules without servers: selection, masking, what can be replayed."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from shared.contracts.rejections import OriginalRecord
from shared.runtime.stuck import (
    Kind,
    Selection,
    StuckItem,
    dead_letter_problem,
    details,
    mask,
    pace,
    render,
)

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def item(kind: Kind = Kind.PARKED_FACT, *, hours: float = 1.0, **changes: object) -> StuckItem:
    values: dict[str, object] = {
        "kind": kind,
        "id": "7",
        "case_id": "NL-2026-000123",
        "event_type": "nl.ind.hearing.hearing-held.v1",
        "topic": "ind.backlog.hearing.events.v1",
        "reason": "intake has not registered this case yet",
        "since": NOW - timedelta(hours=hours),
    }
    values.update(changes)
    return StuckItem(**values)  # type: ignore[arg-type]


def original(value: bytes, **changes: object) -> OriginalRecord:
    fields: dict[str, object] = {
        "topic": "t.ind.intake.input.v1",
        "partition": 0,
        "offset": 3,
        "key": "NL-2026-000123",
        "headers": {"ce_id": "8d7c2f0e-2b57-4d1a-9a34-5b0c8e7f2a10"},
        "value_base64": base64.b64encode(value).decode(),
        "value_size": len(value),
        "value_sha256": hashlib.sha256(value).hexdigest(),
    }
    fields.update(changes)
    return OriginalRecord(**fields)  # type: ignore[arg-type]


def test_a_selection_narrows_by_kind_case_reason_age_and_reference() -> None:
    fact = item()
    assert Selection().matches(fact, NOW)
    assert not Selection(kinds=frozenset({Kind.OUTBOX})).matches(fact, NOW)
    assert Selection(case_id="NL-2026-000123").matches(fact, NOW)
    assert not Selection(case_id="NL-2026-000999").matches(fact, NOW)
    assert Selection(reason="NOT REGISTERED").matches(fact, NOW)
    assert not Selection(reason="conflict").matches(fact, NOW)
    assert Selection(older_than=timedelta(minutes=59)).matches(fact, NOW)
    assert not Selection(older_than=timedelta(hours=2)).matches(fact, NOW)
    assert Selection(refs=frozenset({"parked-fact:7"})).matches(fact, NOW)
    assert not Selection(refs=frozenset({"conflict:7"})).matches(fact, NOW)


def test_case_ids_are_masked_unless_asked_for() -> None:
    fact = item()
    masked = render(fact, NOW, show_case_ids=False)
    assert "NL-2026-000123" not in masked
    assert mask("NL-2026-000123") in masked
    assert mask("NL-2026-000123") == mask("NL-2026-000123") != mask("NL-2026-000124")
    assert "NL-2026-000123" in render(fact, NOW, show_case_ids=True)
    assert details(fact, NOW, show_case_ids=False)["case"] == mask("NL-2026-000123")
    assert details(fact, NOW, show_case_ids=False)["age_hours"] == 1.0


def test_only_a_complete_copy_of_a_dead_letter_can_be_published_again() -> None:
    assert dead_letter_problem(original(b'{"a": 1}')) is None
    truncated = original(b"x" * 10, value_size=70_000, value_truncated=True)
    assert "must send the record again" in (dead_letter_problem(truncated) or "")
    tampered = original(b'{"a": 1}', value_sha256="0" * 64)
    assert "does not match its digest" in (dead_letter_problem(tampered) or "")
    anonymous = original(b'{"a": 1}', headers={})
    assert "no event id" in (dead_letter_problem(anonymous) or "")


def test_a_bulk_replay_is_paced_by_its_rate() -> None:
    assert pace(4) == 0.25
    assert pace(0) == 0.0
