"""The benchmark's unlimited mode declares capacity far above the plan's (issue 18)."""

from __future__ import annotations

from datetime import date

from simulator.world import WorldConfig, capacity


def test_unlimited_declares_at_least_twenty_times_the_people_and_places() -> None:
    month = date(2026, 6, 1)
    planned = capacity(WorldConfig(scale=0.1), month)
    unlimited = capacity(WorldConfig(scale=0.1, unlimited=True), month)
    assert unlimited.hearing_days >= 20 * planned.hearing_days
    assert unlimited.prephase_places == 20 * planned.prephase_places
    for more, fewer in zip(unlimited.teams, planned.teams, strict=True):
        assert more.caseworkers >= 20 * fewer.caseworkers
    # The teams name their caseworkers (hearing's roster, published by planning).
    for team in unlimited.teams:
        assert len(team.members) == team.caseworkers
        assert len({m.caseworker for m in team.members}) == team.caseworkers
