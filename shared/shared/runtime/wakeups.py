"""Fetches that wait in the client for announced records, for the embedded broker (ADR 0037).

The embedded broker (Tansu 0.6) looks for records once at the start of a fetch and then holds
the fetch for the whole of its wait, whatever it found: every hop between two processes cost
one to two fetch waits, and every idle consumer asked forty times a second. With
``fetch_wakeups`` every producer of a run announces the ends of the partitions it wrote to
(a PostgreSQL notification: the relay in the transaction that deletes what it sent), and a
consumer fetches with (almost) no wait at the broker; after a fetch that found nothing it waits here
until an end beyond its position is announced, or for ``FALLBACK_SECONDS`` for producers that
announce nothing. The records themselves still come only from the broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import asyncpg
from aiokafka.consumer.fetcher import Fetcher

from shared.contracts.events.clock import partition_key
from shared.runtime.database import asyncpg_dsn
from shared.runtime.logs import get_logger
from shared.runtime.settings import Settings

log = get_logger(__name__)

# The broker-side wait of a waking consumer's fetches: the least the embedded broker honours
# (with 0 it answers without looking for records). It also marks those consumers' fetchers.
BROKER_WAIT_MS = 1
FALLBACK_SECONDS = 0.1  # an empty fetch's longest wait: records nobody announced still come
RETRY_FIRST = 0.001  # seconds; an announced end still not fetched waits twice as long each time
RECONNECT_SECONDS = 0.5


def wake_channel(topic_prefix: str) -> str:
    """The notification channel of the run on these topics (tests run many at once)."""
    return f"caseflow_ends_{hashlib.sha256(topic_prefix.encode()).hexdigest()[:16]}"


def fetch_wait_ms(settings: Settings) -> int:
    """The broker-side wait of a consumer's fetches: none when the client waits instead."""
    return BROKER_WAIT_MS if settings.fetch_wakeups else settings.fetch_max_wait_ms


def ends_payload(ends: Mapping[str, int]) -> str:
    return json.dumps(ends, separators=(",", ":"))


class Wakeups:
    """The partition ends announced in a run, as one process hears them (one per process)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.channel = wake_channel(settings.topic_prefix)
        self.ends: dict[str, int] = {}
        self._changed = asyncio.Event()  # replaced on each change: a waiter holds its own
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()

    def learn(self, ends: Mapping[str, int]) -> None:
        """Ends heard of (announced, or named by a clock tick)."""
        changed = False
        for key, end in ends.items():
            if end > self.ends.get(key, 0):
                self.ends[key] = end
                changed = True
        if changed:
            self._changed.set()
            self._changed = asyncio.Event()

    def beyond(self, positions: Mapping[str, int]) -> bool:
        """Whether an end beyond one of these positions ('topic/partition') is known."""
        return any(self.ends.get(key, 0) > position for key, position in positions.items())

    async def wait_beyond(
        self,
        positions: Mapping[str, int],
        timeout: float,
        interruptions: Iterable[asyncio.Future[Any]] = (),
    ) -> bool:
        """Wait until an end beyond one of these positions is known (True), one of the
        `interruptions` is done (True), or `timeout` passes (False)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        others = set(interruptions)
        while not self.beyond(positions):
            left = deadline - loop.time()
            if left <= 0:
                return False
            if any(f.done() for f in others):
                return True
            changed = asyncio.ensure_future(self._changed.wait())
            try:
                done, _ = await asyncio.wait(
                    {changed, *others}, timeout=left, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                changed.cancel()
            if done & others:
                return True
        return True

    async def announce(self, ends: Mapping[str, int]) -> None:
        """Tell every process of the run (this one at once) that these ends were written."""
        self.learn(ends)
        if self._conn is None or not ends:
            return  # not connected just now: the others' fallback polls find the records
        with contextlib.suppress(Exception):
            await self._conn.execute("select pg_notify($1, $2)", self.channel, ends_payload(ends))

    async def start(self) -> None:
        install_fetch_wait()
        self._task = asyncio.create_task(self._listen(), name="wakeups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        """On a connection of its own, connected again if lost."""

        def heard(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            try:
                ends = json.loads(payload)
                self.learn({str(k): int(v) for k, v in ends.items()})
            except (ValueError, TypeError, AttributeError):
                log.warning("partition ends not understood")

        while True:
            try:
                lost = asyncio.Event()
                self._conn = await asyncpg.connect(asyncpg_dsn(self.settings.database_url))
                self._conn.add_termination_listener(lambda _conn, lost=lost: lost.set())
                await self._conn.add_listener(self.channel, heard)
                self.listening.set()
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # fetches fall back to polling meanwhile
                log.warning("partition ends not heard", error=type(exc).__name__)
            finally:
                self.listening.clear()
                conn, self._conn = self._conn, None
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), timeout=1.0)
            await asyncio.sleep(RECONNECT_SECONDS)


_current: Wakeups | None = None
_users = 0


@contextlib.asynccontextmanager
async def process_wakeups(settings: Settings) -> AsyncIterator[Wakeups | None]:
    """The process's Wakeups while the block runs, when the settings ask for them (services
    started in one process, as in the tests, share one: they share the run's topics)."""
    global _current, _users
    if not settings.fetch_wakeups:
        yield None
        return
    if _current is None:
        _current = Wakeups(settings)
        await _current.start()
    _users += 1
    wakeups = _current
    try:
        yield wakeups
    finally:
        _users -= 1
        if _users == 0 and _current is wakeups:
            _current = None
            await wakeups.stop()


def current_wakeups() -> Wakeups | None:
    return _current


_original_fetch: Any = None


def install_fetch_wait() -> None:
    """Make aiokafka's fetcher wait here after an empty fetch, for consumers whose broker-side
    wait is BROKER_WAIT_MS (those of runs with `fetch_wakeups`): the fetcher would otherwise
    ask again at once, without end. Once per process."""
    global _original_fetch
    if _original_fetch is not None:
        return
    _original_fetch = Fetcher._proc_fetch_request

    async def fetch_then_wait(self: Any, assignment: Any, node_id: int, request: Any) -> bool:
        found: bool = await _original_fetch(self, assignment, node_id, request)
        if self._fetch_max_wait_ms != BROKER_WAIT_MS:
            return found
        if found:
            self._caseflow_retry = RETRY_FIRST
            return found
        positions = {
            partition_key(topic, partition): offset
            for topic, partitions in request.topics
            for partition, offset, *_ in partitions
        }
        # Cancelled when the consumer stops or loses the partitions: as aiokafka's own fetch.
        with contextlib.suppress(asyncio.CancelledError):
            await _wait_for_more(self, positions, _interruptions(assignment))
        return found

    Fetcher._proc_fetch_request = fetch_then_wait  # type: ignore[method-assign]


def _interruptions(assignment: Any) -> list[asyncio.Future[Any]]:
    """What ends a waiting fetch early besides an announcement: the fetcher sends nothing
    else to the broker meanwhile, so a partition resumed (the simulator's reader and driver
    pause and resume theirs) or an assignment lost must not wait out the fallback."""
    futures = [assignment.unassign_future]
    for tp in assignment.tps:
        state = assignment.state_value(tp)
        if state.paused and state.resume_fut is not None:
            futures.append(state.resume_fut)
    return futures


async def _wait_for_more(
    fetcher: Any, positions: Mapping[str, int], interruptions: Iterable[asyncio.Future[Any]] = ()
) -> None:
    wakeups = _current
    if wakeups is None:
        await asyncio.sleep(FALLBACK_SECONDS)
        return
    if wakeups.beyond(positions):
        # Announced but not found: the broker may show a record a moment after acknowledging
        # it. Ask again soon, then less often, never in a tight loop.
        retry = getattr(fetcher, "_caseflow_retry", RETRY_FIRST)
        fetcher._caseflow_retry = min(retry * 2, FALLBACK_SECONDS)
        await asyncio.sleep(retry)
        return
    fetcher._caseflow_retry = RETRY_FIRST
    await wakeups.wait_beyond(positions, FALLBACK_SECONDS, interruptions)
