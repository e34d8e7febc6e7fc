"""What the commands print: a case's audit trail, and the cases at risk per stream and stage."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from decision.domain.case import DecisionCase
from shared.contracts.events.planning import ReleaseStage
from shared.runtime.calendar import working_days_between


def stage_of(case: DecisionCase) -> str:
    """Where an open case stands in the procedure: before decision, the stage planning last
    released it to (planning until then); at decision, the step it waits for."""
    if case.ready_on is None:
        if case.hold is not None:
            return "decision: on hold"
        if case.released_to is None:
            return "planning"
        if case.released_to is ReleaseStage.DECISION:
            return "hearing"  # released to decision, hearing has not reported it ready
        return str(case.released_to)
    if case.hold is not None:
        return "decision: on hold"
    if case.released_to is not ReleaseStage.DECISION:
        # Hearing is done; planning releases to decision once the file is complete (R12).
        return "planning: file incomplete" if case.release_held else "planning: to release"
    if case.referral is not None and case.referral.decided is None:
        return "decision: with hard-case team"
    if case.draft is None:
        return "decision: to draft"
    if case.draft.reviewed_by is None:
        return "decision: draft awaiting review"
    intended = case.intended
    if intended is not None and intended.proposal == case.draft.proposal and not intended.view_on:
        return "decision: awaiting the applicant's view"
    return "decision: to issue"


def audit_lines(case: DecisionCase) -> list[str]:
    """The trail as a court or the Inspectorate reads it: one line per step, in order."""
    lines = [
        f"case {case.case_id}  stream {case.stream}  procedure {case.procedure}  "
        f"deadline {case.deadline} ({case.deadline_basis})  status {case.status}"
    ]
    lines += [
        f"{e.on}  {e.actor:<28} {e.action}{': ' + e.detail if e.detail else ''}" for e in case.audit
    ]
    issued = case.issued
    if issued is not None:
        draft = case.draft
        lines.append(
            f"decision: {issued.proposal.describe()}, route {issued.route}, policy "
            f"{issued.policy_version}, issued {issued.issued_on} by {issued.by}; drafted by "
            f"{draft.by if draft else '-'}, approved by "
            f"{(draft.reviewed_by if draft else None) or '-'}; "
            f"{issued.days_relative_to_deadline:+d} days against the deadline {issued.deadline}"
        )
    return lines


def at_risk(
    cases: Iterable[DecisionCase], today: date, days: int
) -> dict[tuple[str, str], list[tuple[str, date, int]]]:
    """Open cases whose deadline falls within ``days`` working days (or has passed), per
    (stream, stage): (case id, deadline, working days left; negative when late)."""
    table: dict[tuple[str, str], list[tuple[str, date, int]]] = {}
    for case in cases:
        left = working_days_between(today, case.deadline)
        if left <= days:
            key = (case.stream.value, stage_of(case))
            table.setdefault(key, []).append((case.case_id, case.deadline, left))
    return dict(sorted(table.items()))
