"""A simulated clock's follower pauses its service's input between the rounds that ask it, and
resumes it on the next tick (docs/adr/0038). Built without servers: the runtime's engine and
broker connect lazily; the consumer is a stand-in that records what is paused."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError

from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import Settings
from shared.tools.testing import echo

ASSIGNED = {TopicPartition("input", 0), TopicPartition("events", 1)}


class Consumer:
    def __init__(self) -> None:
        self.stopped: set[TopicPartition] = set()
        self.reassigned = False

    def assignment(self) -> set[TopicPartition]:
        if self.reassigned:
            raise IllegalStateError("not subscribed")
        return ASSIGNED

    def pause(self, *partitions: TopicPartition) -> None:
        self.stopped |= set(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        self.stopped -= set(partitions)


async def test_every_assigned_partition_is_paused_and_resumed() -> None:
    runtime = ServiceRuntime(echo.definition, Settings())
    consumer = Consumer()
    runtime._input.consumer = consumer
    runtime._fetch_input(False)
    assert consumer.stopped == ASSIGNED
    runtime._fetch_input(True)
    assert consumer.stopped == set()
    consumer.reassigned = True  # a rebalance under way: nothing to pause, and no error
    runtime._fetch_input(False)
    assert consumer.stopped == set()
    await runtime.engine.dispose()
