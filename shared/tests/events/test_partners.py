"""Data minimisation on partner topics, enforced by field name.

Never to any partner: the asylum motive, the account, hearing reports, health data,
1F/NV content (docs/glossary.md explains the terms). We go further: no nationality,
sex, date of birth, language, category, priority group (they reveal who the person is
or why they fled), and no free text (reasons, notes), which could carry anything.
Per partner, the allow-list below is the privacy review: a new field on a partner topic
fails here until someone adds it on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from shared.contracts.events.catalogue import CATALOGUE, Direction, MessageSpec
from shared.contracts.events.partners import PARTNER_DATA
from shared.contracts.topics import Partner

NEVER_TO_ANY_PARTNER = frozenset(
    {
        "motive",
        "account",
        "report",
        "reports",
        "health",
        "medical",
        "illness",
        "ill",
        "exclusion",
        "1f",
        "security",
        "signal",
        "screening",
        "religion",
        "ethnicity",
        "orientation",
        "credibility",
        "language",
        "origin",
        "nationality",
        "sex",
        "gender",
        "birth",
        "age",
        "category",
        "priority",
        "nuisance",
        "obstacle",
        "reason",
        "note",
        "name",
        "address",
        "phone",
        "email",
        "documents",
    }
)
"""Words that may not appear in any field name of a partner message (split on '_')."""

NOT_FOR: Mapping[Partner, frozenset[str]] = {
    Partner.COA: frozenset({"legal_ground", "rejection_kind", "outcome", "entry_ban"}),
    Partner.DTV: frozenset({"legal_ground", "family_reunification_expected"}),
    Partner.COURTS: frozenset(
        {"v_number", "case_id", "entry_ban", "family_reunification_expected"}
    ),
    Partner.NIDOS: frozenset({"entry_ban", "family_reunification_expected"}),
    Partner.LAWYER: frozenset(
        {"outcome", "legal_ground", "entry_ban", "family_reunification_expected", "case_id"}
    ),
}
"""Whole field names a particular partner does not get."""

ALLOWED: Mapping[Partner, frozenset[str]] = {
    Partner.COA: frozenset(
        {
            "v_number",
            "day",
            "from_location",
            "to_location",
            "granted_on",
            "family_reunification_expected",
            "decision_sent_on",
            "reception_ends_on",
            "period_start",
            "period_end",
            "expected_decisions",
            "expected_grants",
            "expected_refusals",
        }
    ),
    Partner.DTV: frozenset(
        {
            "v_number",
            "decision_sent_on",
            "enforceable_from",
            "departure_period_days",
            "entry_ban",
            "day",
            "location",
            "period_start",
            "period_end",
            "expected_decisions",
            "expected_grants",
            "expected_refusals",
        }
    ),
    Partner.COURTS: frozenset(
        {
            "outcome",
            "sent_on",
            "appeal_period_days",
            "court_district",
            "cycle_revision",
            "weeks",
            "week_of",
            "expected_appeals",
            "period_start",
            "period_end",
            "expected_decisions",
            "expected_grants",
            "expected_refusals",
        }
    ),
    Partner.NIDOS: frozenset(
        {
            "v_number",
            "kind",
            "day",
            "starts_at",
            "location",
            "outcome",
            "legal_ground",
            "sent_on",
            "appeal_period_days",
        }
    ),
    Partner.LAWYER: frozenset({"lawyer", "v_number", "kind", "day", "starts_at", "location"}),
}

PARTNER_SPECS = [s for s in CATALOGUE if s.direction is Direction.PARTNER]


def _field_names(schema: Mapping[str, Any]) -> Iterator[str]:
    """Every property name in a JSON Schema, nested definitions included."""
    for name, sub in schema.get("properties", {}).items():
        yield name
        yield from _field_names(sub)
    for sub in schema.get("$defs", {}).values():
        yield from _field_names(sub)
    if isinstance(schema.get("items"), Mapping):
        yield from _field_names(schema["items"])
    for keyword in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(keyword, []):
            yield from _field_names(sub)


def _partners(spec: MessageSpec) -> list[Partner]:
    return [Partner(c.removeprefix("partner:")) for c in spec.consumers]


@pytest.mark.parametrize("spec", PARTNER_SPECS, ids=[s.name for s in PARTNER_SPECS])
def test_no_forbidden_words_in_partner_fields(spec: MessageSpec) -> None:
    for name in _field_names(spec.model.model_json_schema()):
        words = set(name.lower().split("_"))
        assert not words & NEVER_TO_ANY_PARTNER, f"{spec.name}.{name} must not go to a partner"


@pytest.mark.parametrize("spec", PARTNER_SPECS, ids=[s.name for s in PARTNER_SPECS])
def test_each_partner_gets_only_its_allowed_fields(spec: MessageSpec) -> None:
    names = set(_field_names(spec.model.model_json_schema()))
    for partner in _partners(spec):
        assert not names & NOT_FOR[partner], (
            f"{spec.name} sends {names & NOT_FOR[partner]} to {partner}"
        )
        assert names <= ALLOWED[partner], (
            f"{spec.name} sends {sorted(names - ALLOWED[partner])} to {partner}: "
            "review data minimisation, then extend ALLOWED and PARTNER_DATA"
        )


def test_every_partner_has_messages_and_a_documented_data_policy() -> None:
    covered = {p for s in PARTNER_SPECS for p in _partners(s)}
    assert covered == set(Partner)
    assert set(PARTNER_DATA) == set(Partner)


def test_return_information_and_court_feed_carry_no_identity() -> None:
    for name in (
        "DtvReturnInformationPlanned",
        "CourtsDecisionSent",
        "CourtsAppealForecast",
        "VolumeForecast",
    ):
        spec = next(s for s in PARTNER_SPECS if s.name == name)
        assert "v_number" not in set(_field_names(spec.model.model_json_schema()))


def test_the_word_check_catches_a_leak() -> None:
    leaky: dict[str, Any] = {
        "properties": {
            "v_number": {},
            "documents": {"items": {"properties": {"date_of_birth": {}}}},
        }
    }
    names = list(_field_names(leaky))
    assert "date_of_birth" in names
    assert any(set(n.split("_")) & NEVER_TO_ANY_PARTNER for n in names)
