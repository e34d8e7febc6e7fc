"""Why: each cohort of a cycle, each cohort left out, and each held or waiting case.

The reasons are the draft's own rules, said in words: priority (R7), waiting time (R9), the
grant-rate balance (R10), capacity after Pact (R2), ramp-up (R11), rotation (R9), an
incomplete file (R12) and a hold. Plain functions over planning's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date

from shared.runtime.calendar import working_days_between

from .cohorts import CohortSummary
from .config import PlanningConfig
from .model import NO_PRIORITY, PRIORITY_ORDER, Cycle, PoolCase, PoolStatus
from .records import CaseRecord, Unplaced, Waiting


def explain_cycle(
    cycle: Cycle,
    config: PlanningConfig,
    pooled: Sequence[CohortSummary] = (),
    *,
    prephase_operational: bool = True,
    rotated: AbstractSet[str] = frozenset(),
) -> list[str]:
    """One line per chosen cohort and one per pooled cohort left out, with the reason."""
    lo, hi = config.band
    needed = sum(c.planned / config.rate(c.category) for c in cycle.cohorts)
    lines = [
        f"{cycle.cycle_id} ({cycle.starts_on} - {cycle.ends_on}), revision {cycle.revision}, "
        f"{cycle.origin}: {cycle.planned} cases, {cycle.released} released",
        f"capacity: {cycle.backlog_days:.0f} caseworker days for the backlog after Pact (R2); "
        f"the cohorts need {needed:.0f}",
        f"grant rate: expected {cycle.expected_grant_rate:.2f}, band {lo:.2f}-{hi:.2f} (R10)",
    ]
    for c in cycle.cohorts:
        if c.rank < NO_PRIORITY:
            why = (
                f"priority group {PRIORITY_ORDER[c.rank]} (R7): taken first, whatever its "
                "grant rate"
            )
        else:
            since = f"waiting since {c.oldest}" if c.oldest else "proposed by a planner"
            why = (
                f"{since}: the oldest go first (R9) as far as the grant rate stays in the band; "
                f"category {c.category} grants about {config.grant_rate(c.category):.2f}"
            )
        lines.append(f"  {c.cohort_id}: {c.planned} planned, {c.released} released; {why}")
    chosen = {c.cohort_id for c in cycle.cohorts}
    spare = cycle.backlog_days - needed
    for s in sorted(pooled, key=lambda p: (p.rank, p.oldest, p.category, p.nationality)):
        if s.cohort_id in chosen:
            continue
        lines.append(
            f"  left out {s.cohort_id} ({s.cases} waiting since {s.oldest}): "
            + (left_out_reason(s, config, spare, prephase_operational, rotated))
        )
    return lines


def left_out_reason(
    summary: CohortSummary,
    config: PlanningConfig,
    spare_days: float,
    prephase_operational: bool,
    rotated: AbstractSet[str],
) -> str:
    if summary.category == "B" and not prephase_operational:
        return "ramp-up: no category B before a prephase location is operational (R11)"
    if summary.rank == NO_PRIORITY and summary.nationality in rotated:
        return "rotation: the nationality's months are up, it sits this cycle out (R9)"
    if spare_days < 1 / config.rate(summary.category):
        return "capacity: the cycle's backlog days are used up (R2)"
    return (
        f"grant-rate balance: category {summary.category} "
        f"({config.grant_rate(summary.category):.2f}) would move the mix out of the band (R10)"
    )


WAITING_WORDS = {
    Waiting.RELEASE: "a place in a plan cycle",
    Waiting.PREPHASE_DAY: "a prephase day",
    Waiting.PREPHASE: "the prephase to complete (the file is not complete until then, R12)",
    Waiting.HEARING: "a hearing",
    Waiting.DECISION: "a decision",
    Waiting.HOLD: "the end of a hold",
    Waiting.NOTHING: "nothing",
}


def explain_case(case: PoolCase, record: CaseRecord | None, today: date) -> list[str]:
    """Why a case is where it is: held, waiting for a place, or with a stage."""
    lines = []
    if case.status is PoolStatus.WITHDRAWN:
        return [f"{case.case_id}: withdrawn"]
    if case.holds:
        for reason in case.holds:
            since = next(
                (h.since for h in (record.open_holds if record else ()) if h.reason is reason),
                None,
            )
            lines.append(f"hold: {reason}" + (f" since {since}" if since else ""))
    if case.status is PoolStatus.POOLED and case.stream == "backlog":
        group = (
            f"priority group {case.priority_group} (R7)"
            if case.priority_group
            else (f"category {case.cohort_category}, nationality {case.nationality}")
        )
        lines.append(
            f"waiting for a place in a plan cycle: {group}, lodged {case.lodged_on} "
            f"({(today - case.lodged_on).days} days waiting); released when its cohort's turn "
            "comes by priority, waiting time and the grant-rate band (R7, R9, R10)"
        )
    elif case.status is PoolStatus.RELEASED:
        where = f"released {case.release_day} to {case.stage}, team {case.team}"
        if case.cohort:
            where += f", cohort {case.cohort} of {case.cycle}"
        lines.append(where)
        if record is not None:
            lines.append(f"waiting for {WAITING_WORDS[record.waiting]}")
        if record is not None and record.unplaced is not None:
            tried = sorted({*case.tried_teams, *([case.team] if case.team else [])})
            lines.append(unplaced_line(record.unplaced, tried))
    return [f"{case.case_id}:", *(f"  {line}" for line in lines)]


def unplaced_line(unplaced: Unplaced, tried: Sequence[str]) -> str:
    """Capacity: a stage found no place, and no other matching team was left to try (R12)."""
    line = (
        f"capacity: {unplaced.stage} could not place it since {unplaced.since} ({unplaced.reason})"
    )
    if tried:
        line += f"; teams tried: {', '.join(tried)}"
    return line + "; it waits for capacity, the cycle was re-planned with less (R9)"


def timeline(record: CaseRecord, today: date) -> list[str]:
    """Where is this case: each step with its date, the stage now, what it waits for, and the
    legal deadline with the working days left. Ids, dates and kinds only."""
    lines = [f"case {record.case_id} ({record.stream}, {record.procedure})"]
    lines += [f"  {s.day}  {s.stage:<9} {s.what}" for s in record.steps]
    waits = WAITING_WORDS[record.waiting]
    if record.waiting is Waiting.HOLD:
        waits += ": " + ", ".join(f"{h.reason} since {h.since}" for h in record.open_holds)
    lines.append(f"now: {record.stage}, waiting for {waits}")
    if record.decided_on is None and record.withdrawn_on is None:
        left = working_days_between(today, record.deadline)
        lines.append(f"legal deadline {record.deadline}: {left:+d} working days left")
    else:
        lines.append(f"legal deadline {record.deadline}")
    return lines
