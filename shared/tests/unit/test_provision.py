"""The ACL plan gives every party what the catalogue says and nothing more; topics are
created with their limits."""

import pytest

from shared.contracts.topics import Kind, all_topics
from shared.runtime.provision import acl_commands, acl_plan

PLAN = acl_plan()
KINDS = {s.name: s.kind for s in all_topics()}


def test_a_partner_reads_only_its_own_topics_and_writes_nothing() -> None:
    for topic, access in PLAN.items():
        partners = {p for p in access["read"] if p.startswith("User:partner-")}
        if KINDS[topic] is Kind.PARTNER:
            assert partners == {f"User:partner-{topic.split('.')[3]}"}, topic
            assert access["write"] == {"User:caseflow-chain-notify"}, topic
        else:
            assert partners == set(), topic
        assert not any(p.startswith("User:partner-") for p in access["write"]), topic


def test_front_ends_write_only_input_topics_and_services_read_their_input() -> None:
    for topic, access in PLAN.items():
        if any(p.startswith("User:frontend-") for p in access["write"]):
            assert KINDS[topic] is Kind.INPUT, topic
    assert "User:caseflow-intake" in PLAN["ind.intake.input.v1"]["read"]
    assert PLAN["ind.intake.input.v1"]["write"] == {"User:frontend-caseworker"}


def test_every_registered_topic_has_an_owner_who_writes_it() -> None:
    missing = [t.name for t in all_topics() if not PLAN.get(t.name, {}).get("write")]
    assert missing == []
    assert any("--group caseflow-intake" in line for line in acl_commands())


def test_a_front_end_reads_the_answers_and_refusals_to_what_it_sends() -> None:
    caseworker = "User:frontend-caseworker"
    assert caseworker in PLAN["ind.backlog.intake.events.v1"]["read"]
    assert caseworker in PLAN["ind.intake.rejections.v1"]["read"]
    assert caseworker in PLAN["ind.pact.prephase.events.v1"]["read"]
    assert "User:operations" in PLAN["ind.backlog.rejections.v1"]["read"]
    assert any(
        "--resource-pattern-type prefixed --group partner-coa" in line for line in acl_commands()
    )


def test_topics_are_created_with_the_maximum_record_size_and_producers_keep_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shared.runtime import broker
    from shared.runtime.settings import Settings

    settings = Settings(max_record_bytes=200_000)
    [spec, *_] = all_topics()
    assert broker.topic_configs(settings, spec) == {
        "retention.ms": str(spec.retention_ms),
        "max.message.bytes": "200000",
    }
    made: dict[str, object] = {}
    monkeypatch.setattr(broker, "AIOKafkaProducer", lambda **kwargs: made.update(kwargs))
    broker.make_producer(settings, "test")
    # A record over the limit fails in the producer, and no batch outgrows the topic's limit.
    assert made["max_request_size"] == 200_000
    assert made["max_batch_size"] == 200_000
