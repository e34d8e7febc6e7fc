"""Grant rates (inwilligingspercentage) per stream, category and plan cycle: what planning's
balance rule (R10) and the monthly figures (R14) read. The daily figures keep running tallies
per group and recount only the cases decided (or saved again) since the last pass, so a pass
costs what changed, not every decision ever made (issue 16)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class Tally:
    """Decisions and grants counted in one group (or a change to them)."""

    decided: int = 0
    grants: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.decided + other.decided, self.grants + other.grants)


@dataclass(frozen=True)
class Recount:
    """A decided case saved since the last figures: the group and outcome it has now, and
    where the running tallies counted it before (None: not counted yet)."""

    case_id: str
    group: RateGroup
    outcome: DecisionOutcome | None
    was: Decided | None


def _one(outcome: DecisionOutcome, sign: int = 1) -> Tally:
    return Tally(sign, sign * (outcome is DecisionOutcome.GRANT))


def tally_changes(recounts: Iterable[Recount]) -> dict[RateGroup, Tally]:
    """What the recounted cases change in the running tallies: out of the group they were
    counted in, into the group they are in now. Every group a recounted case is in now has an
    entry (zero when the case was counted there already): those groups are reported again."""
    changes: dict[RateGroup, Tally] = {}
    for one in recounts:
        if one.was is not None:
            changes[one.was.group] = changes.get(one.was.group, Tally()) + _one(one.was.outcome, -1)
        now = _one(one.outcome) if one.outcome is not None else Tally()
        changes[one.group] = changes.get(one.group, Tally()) + now
    return changes


def reported_groups(recounts: Iterable[Recount]) -> set[RateGroup]:
    """The groups reported again: every group a recounted case is in now."""
    return {one.group for one in recounts}


def rate_reports(
    tallies: Mapping[RateGroup, Tally], as_of: date
) -> dict[RateGroup, GrantRateReported]:
    """One report per group with decisions, in a fixed order (stream, cycle, category)."""
    return {
        group: GrantRateReported(
            category=group.category,
            cycle=group.cycle,
            as_of=as_of,
            decided=tally.decided,
            grants=tally.grants,
            grant_rate=round(tally.grants / tally.decided, 4),
        )
        for group, tally in sorted(
            tallies.items(),
            key=lambda item: (item[0].stream, item[0].cycle or "", item[0].category or ""),
        )
        if tally.decided > 0
    }


def grant_rates(decided: Iterable[Decided], as_of: date) -> dict[RateGroup, GrantRateReported]:
    """Decisions and grants per group; the rate is grants over all decisions (inadmissible
    ones included: they are first decisions too)."""
    counts: dict[RateGroup, Tally] = {}
    for one in decided:
        counts[one.group] = counts.get(one.group, Tally()) + _one(one.outcome)
    return rate_reports(counts, as_of)
