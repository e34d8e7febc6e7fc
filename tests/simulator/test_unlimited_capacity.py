"""The benchmark's unlimited mode declares capacity far above the plan's (issue 18)."""

from __future__ import annotations

from datetime import date

from simulator.world import WorldConfig, capacity, roster_toml


def test_unlimited_declares_at_least_twenty_times_the_people_and_places() -> None:
    month = date(2026, 6, 1)
    planned = capacity(WorldConfig(scale=0.1), month)
    unlimited = capacity(WorldConfig(scale=0.1, unlimited=True), month)
    assert unlimited.hearing_days >= 20 * planned.hearing_days
    assert unlimited.prephase_places == 20 * planned.prephase_places
    for more, fewer in zip(unlimited.teams, planned.teams, strict=True):
        assert more.caseworkers >= 20 * fewer.caseworkers
    # Hearing's roster (read from a file) lists the caseworkers planning was told of.
    listed = roster_toml(WorldConfig(scale=0.1, unlimited=True)).count("caseworker =")
    assert listed == sum(t.caseworkers for t in unlimited.teams)
