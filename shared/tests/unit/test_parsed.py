"""States parsed once by digest (shared/runtime/parsed.py, ADR 0035), without a database."""

from __future__ import annotations

from pydantic import BaseModel

from shared.runtime.parsed import Parsed


class Month(BaseModel):
    month: str
    teams: int


def test_a_state_is_parsed_once_and_given_again_for_its_digest() -> None:
    parsed = Parsed(Month)
    first = parsed.states([(b"d1", '{"month": "2026-10", "teams": 3}')])
    again = parsed.states([(b"d1", None)])  # the query sent no state: the digest was known
    assert first == [Month(month="2026-10", teams=3)]
    assert again[0] is first[0]
    assert parsed.known() == [b"d1"]


def test_known_digests_can_be_chosen_by_their_states() -> None:
    parsed = Parsed(Month)
    parsed.states(
        [(b"d1", '{"month": "2026-10", "teams": 3}'), (b"d2", '{"month": "2027-01", "teams": 4}')]
    )
    assert parsed.known(lambda m: m.month <= "2026-12") == [b"d1"]


def test_the_oldest_parsed_states_are_dropped_beyond_the_size() -> None:
    parsed = Parsed(Month, size=2)
    for n in range(3):
        parsed.states([(f"d{n}".encode(), f'{{"month": "2026-1{n}", "teams": {n}}}')])
    assert parsed.known() == [b"d1", b"d2"]
