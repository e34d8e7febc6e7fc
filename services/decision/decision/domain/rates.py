"""Grant rates (inwilligingspercentage) per stream, category and plan cycle: what planning's
balance rule (R10) and the monthly figures (R14) read."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.contracts.events.common import DecisionOutcome
from shared.contracts.events.decision import GrantRateReported
from shared.contracts.values import Category, Stream


@dataclass(frozen=True, order=True)
class RateGroup:
    stream: Stream
    cycle: str | None
    category: Category | None


@dataclass(frozen=True)
class Decided:
    """One issued decision, as the figures count it."""

    group: RateGroup
    outcome: DecisionOutcome


def grant_rates(decided: Iterable[Decided], as_of: date) -> dict[RateGroup, GrantRateReported]:
    """Decisions and grants per group; the rate is grants over all decisions (inadmissible
    ones included: they are first decisions too)."""
    counts: dict[RateGroup, list[int]] = {}
    for one in decided:
        tally = counts.setdefault(one.group, [0, 0])
        tally[0] += 1
        tally[1] += one.outcome is DecisionOutcome.GRANT
    return {
        group: GrantRateReported(
            category=group.category,
            cycle=group.cycle,
            as_of=as_of,
            decided=total,
            grants=grants,
            grant_rate=round(grants / total, 4),
        )
        for group, (total, grants) in sorted(
            counts.items(),
            key=lambda item: (item[0].stream, item[0].cycle or "", item[0].category or ""),
        )
    }
