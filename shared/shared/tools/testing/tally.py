"""A second tiny test service, for the simulated clock: it asks echo for an echo on every working
day (a timer) and tallies every echo it reads, so that reactions chain across two services:
tally's timer -> EchoRequested -> echo -> EchoDone -> tally -> Tallied.

Run in-process (ServiceRuntime) or as a process: `python -m shared.tools.testing.tally serve`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.topics import Stage, stage_events
from shared.contracts.values import Stream
from shared.runtime.calendar import is_working_day
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import Periodic, ServiceDefinition, ServiceRuntime, main
from shared.tools.testing import echo

OUTPUT = stage_events(Stream.BACKLOG, Stage.DECISION)  # read by nobody in the tests


class Tallied(EventData):
    event_type = "nl.ind.test.tallied"
    text: str


class TallyHandler:
    handled_types: tuple[type[EventData], ...] = (echo.EchoDone,)

    async def prepare(self, events: Any, uow: UnitOfWork) -> None:
        return None

    async def finish(self, uow: UnitOfWork) -> None:
        return None

    async def handle(self, event: Envelope[Any], uow: UnitOfWork) -> None:
        uow.emit(Tallied(text=event.data.text), topic=OUTPUT, cause=event)


def make_handler(runtime: ServiceRuntime) -> TallyHandler:
    return TallyHandler()


async def ask_for_echo(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    """On every working day, ask echo (on the topic echo reads as another service's output)."""
    today = uow.clock.now().date()
    if is_working_day(today):
        request = echo.EchoRequested(text=f"working {today}")
        echo.emit_on_timer(uow, request, topic=echo.OTHERS, subject="timer-working")


definition = ServiceDefinition(
    name="tally",
    migrations="shared.tools.testing:echo_migrations",  # only the inbox and outbox are used
    default_port=8198,
    subscriptions=lambda: [echo.OUTPUT],
    make_handler=make_handler,
    periodic=(Periodic("ask-for-echo", timedelta(days=1).total_seconds(), ask_for_echo),),
)

if __name__ == "__main__":
    main(definition)
