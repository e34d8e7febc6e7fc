"""Read every watched topic from the start once a run is over, for the summary."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.contracts.envelope import Envelope
from shared.contracts.topics import PLANNING_INPUT
from shared.runtime.settings import Settings

from .run import TopicReader, decoded, watched
from .summary import Summary, summarise


async def all_records(settings: Settings) -> list[tuple[str, Envelope[Any] | None, Any]]:
    # Planning's input too: the planners' capacity declarations say when B may start (R11).
    reader = TopicReader(settings, [*watched(), PLANNING_INPUT])
    await reader.start()
    try:
        records = await reader.drain()
    finally:
        await reader.stop()
    out = [(topic, decoded(r), r) for topic, r in records]
    # Per case in publication order (a key keeps one partition); cases in a fixed order.
    out.sort(key=lambda t: (t[2].timestamp, t[0], t[2].partition, t[2].offset))
    return out


async def summary_of(settings: Settings, programme_start: date) -> Summary:
    return summarise(await all_records(settings), programme_start=programme_start)
