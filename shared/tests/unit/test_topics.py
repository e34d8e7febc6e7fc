"""Topic naming: the stream is in the name, and the streams never share a topic (R1)."""

from shared.contracts.topics import TopicNames, all_topics, rejection_topic_for, stream_of
from shared.contracts.values import Stream


def test_every_stream_topic_names_its_stream_and_no_topic_is_shared() -> None:
    specs = all_topics()
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    for spec in specs:
        if spec.stream is not None:
            assert spec.name.split(".")[1] == spec.stream.value
            assert stream_of(spec.name) is spec.stream
    backlog = {n for n in names if stream_of(n) is Stream.BACKLOG}
    pact = {n for n in names if stream_of(n) is Stream.PACT}
    assert backlog
    assert pact
    assert not backlog & pact


def test_rejections_stay_in_their_stream() -> None:
    assert rejection_topic_for("ind.pact.hearing.input.v1") == "ind.pact.rejections.v1"
    assert rejection_topic_for("ind.backlog.decision.input.v1") == "ind.backlog.rejections.v1"
    assert rejection_topic_for("ind.intake.input.v1") == "ind.intake.rejections.v1"


def test_prefix_isolates() -> None:
    assert TopicNames("t1.")("ind.intake.input.v1") == "t1.ind.intake.input.v1"
