"""Simulated time: the driver's clock ticks and the services' acknowledgements.

Only simulations publish these (``CASEFLOW_SIMULATED_CLOCK=true``); production services read
the wall clock and never see them. docs/adr/0008-simulated-time.md has the protocol: the
driver publishes day D round r on ``caseflow.clock.v1``; every service sets its clock, runs
its timers once for the day, waits until it has caught up with its input and published its
outbox, and answers on ``caseflow.clock-acks.v1`` with the offsets it has committed and the
ends of the partitions it has written to. A day is over when every service's committed offsets
are at the ends its producers reported (docs/adr/0021), or, for answers without offsets, when
two consecutive rounds find every service idle and no counter moved.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.envelope import EventData

ServiceName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]


def partition_key(topic: str, partition: int) -> str:
    """How the clock messages name a partition in `ends`, `positions` and `produced`."""
    return f"{topic}/{partition}"


SIMULATION_KEY = "simulation"
"""The key (and CloudEvents subject) of every clock tick: one partition, one order."""


class ClockTicked(EventData):
    """The simulated clock reads ``now``: day ``day``, asked for the ``round``-th time."""

    event_type = "nl.ind.caseflow.clock-ticked"

    day: date
    round: int = Field(ge=0, description="0 when the day starts; each repeat asks again")
    now: AwareDatetime = Field(description="The moment every service's clock is set to")
    ends: dict[str, int] | None = Field(
        None,
        description=(
            "The end offset of every partition written so far ('topic/partition'), as its "
            "producers reported it: a service answers once its group has committed up to these "
            "(without them, up to the ends the broker lists)"
        ),
    )
    services: list[ServiceName] | None = Field(
        None,
        description=(
            "The services asked to answer this round; None: every service. The others' last "
            "answers stand: no record has come for them since, and their timers ran in the "
            "day's first round"
        ),
    )


class ClockAcknowledged(EventData):
    """A service is idle at a day and round: its consumers have caught up with every record on
    the topics it reads, its timers have run for the day and its outbox is empty."""

    event_type = "nl.ind.caseflow.clock-acknowledged"

    service: ServiceName
    day: date
    round: int = Field(ge=0)
    consumed: int = Field(ge=0, description="Records its consumer group has committed, in all")
    published: int = Field(ge=0, description="Records its outbox relay has published since start")
    timers_run: int = Field(ge=0, description="Timer passes run for this day (0 after round 0)")
    positions: dict[str, int] | None = Field(
        None,
        description=(
            "Its group's committed offset per partition it reads ('topic/partition') when it "
            "answered: the day is over when every one is at the end of its partition"
        ),
    )
    produced: dict[str, int] | None = Field(
        None,
        description=(
            "The end offset of every partition its outbox relay has written to "
            "('topic/partition': last offset + 1), from the broker's acknowledgements"
        ),
    )
