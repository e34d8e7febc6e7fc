"""The deadline watch: an at-risk alert some working days ahead (per procedure), a breach the
day after the deadline; each once per deadline, both re-armed when the deadline moves. The
next day to look is stored with the case (``watch_on``), so the timer is a query over rows,
driven by the clock, never a sleep."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from shared.contracts.envelope import EventData
from shared.contracts.events.decision import DecisionAtRisk, DecisionLate
from shared.runtime.calendar import add_working_days, working_days_between

if TYPE_CHECKING:
    from decision.domain.case import DecisionCase
    from decision.domain.config import DecisionConfig


def at_risk_on(case: DecisionCase, config: DecisionConfig) -> date:
    return add_working_days(case.deadline, -config.at_risk(case.procedure))


def next_watch(case: DecisionCase, config: DecisionConfig) -> date | None:
    """The next day the watch has something to say about the case, or None."""
    from decision.domain.case import Status

    if case.status is not Status.OPEN:
        return None
    if case.at_risk_sent_for != case.deadline:
        return at_risk_on(case, config)
    if case.late_sent_for != case.deadline:
        return case.deadline + timedelta(days=1)
    return None


def rearm(case: DecisionCase, config: DecisionConfig) -> DecisionCase:
    """After a (new) deadline: alerts sent for an older deadline no longer count."""
    return case.model_copy(update={"watch_on": next_watch(case, config)})


def watch(
    case: DecisionCase, today: date, config: DecisionConfig
) -> tuple[DecisionCase, list[EventData]]:
    """What the watch does on ``today``: the alerts now due (each once), and the next day."""
    from decision.domain.case import Status

    if case.status is not Status.OPEN:
        return case.model_copy(update={"watch_on": None}), []
    events: list[EventData] = []
    update: dict[str, object] = {}
    deadline = case.deadline
    if case.at_risk_sent_for != deadline and at_risk_on(case, config) <= today:
        if today <= deadline:
            left = max(0, working_days_between(today, deadline))
            events.append(
                DecisionAtRisk(
                    deadline=deadline,
                    as_of=today,
                    working_days_left=left,
                    procedure=case.procedure,
                )
            )
        update["at_risk_sent_for"] = deadline  # past the deadline: the breach says more
    if case.late_sent_for != deadline and today > deadline:
        events.append(
            DecisionLate(deadline=deadline, as_of=today, days_late=(today - deadline).days)
        )
        update["late_sent_for"] = deadline
    changed = case.model_copy(update=update)
    for event in events:
        action = "at risk" if isinstance(event, DecisionAtRisk) else "deadline breached"
        changed = changed.logged(today, "system:decision", action, f"deadline {deadline}")
    return rearm(changed, config), events
