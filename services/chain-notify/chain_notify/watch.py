"""Operators see a refusal's courts notice held for the court district (docs/adr/0031): COA
and DT&V were told at once, so no parked fact shows the wait; this timer counts the held
notices per stream from the cases table, and those held past the parked-fact limit."""

from __future__ import annotations

from datetime import timedelta

from chain_notify import persistence as db
from chain_notify.delivery import metrics_of
from shared.contracts.topics import Partner
from shared.contracts.values import Stream
from shared.runtime.logs import get_logger
from shared.runtime.messaging import UnitOfWork
from shared.runtime.service import ServiceRuntime

log = get_logger(__name__)


async def watch_held_notices(runtime: ServiceRuntime, uow: UnitOfWork) -> None:
    limit = timedelta(hours=runtime.settings.parked_fact_limit_hours)
    held = await db.courts_notices_held(uow.session, uow.clock.now(), limit)
    metrics = metrics_of(runtime.registry)
    for stream in Stream:
        waiting, overdue = held.get(stream.value, (0, 0))
        metrics.held.labels(Partner.COURTS.value, stream.value).set(waiting)
        metrics.held_overdue.labels(Partner.COURTS.value, stream.value).set(overdue)
        if overdue:
            # Counts only: which cases is `python -m chain_notify held` (ids, no V-numbers).
            log.warning(
                "courts notices held past their limit (court district unknown)",
                stream=stream.value,
                overdue=overdue,
                waiting=waiting,
            )
