"""Observed grant rates (R10): decision's outcomes replace the configured rates as they arrive.

Planning counts the backlog's first decisions per category from decision's DecisionIssued (the
case records). A category's observed rate replaces the configured one once it rests on at
least `observed_rate_min_decisions` decisions: a handful of early decisions would swing the
cycle's mix too far.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts.values import Category

from .config import PlanningConfig


def observed_grant_rates(
    counts: Mapping[Category, tuple[int, int]], config: PlanningConfig
) -> dict[Category, float]:
    """From (decided, granted) per category, the rates that rest on enough decisions."""
    return {
        category: round(granted / decided, 4)
        for category, (decided, granted) in sorted(counts.items())
        if decided >= config.observed_rate_min_decisions and decided > 0
    }
