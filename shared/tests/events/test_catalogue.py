"""The catalogue is complete and consistent with the topic registry, and keeps the streams apart."""

from __future__ import annotations

import re
from datetime import date

import pytest

import shared.contracts.events  # noqa: F401  (registers every event type)
from shared.contracts.envelope import event_types
from shared.contracts.events import catalogue as cat
from shared.contracts.events.catalogue import CATALOGUE, Direction
from shared.contracts.events.partners import DtvReturnInformationPlanned
from shared.contracts.topics import Kind, all_topics, rejections, stream_of
from shared.contracts.values import Stream
from shared.tools.examples import example_envelope

TOPICS = {t.name: t for t in all_topics()}
IDS = [s.name for s in CATALOGUE]


def test_every_event_type_of_the_shared_library_is_catalogued() -> None:
    # Test-only types (nl.ind.test.*, e.g. the echo service's) are not part of the catalogue.
    ours = {
        t
        for t, m in event_types().items()
        if m.__module__.startswith("shared.") and not t.startswith("nl.ind.test.")
    }
    assert ours == {s.ce_type for s in CATALOGUE}


def test_event_types_are_reverse_dns_lowercase_without_version() -> None:
    for s in CATALOGUE:
        assert re.fullmatch(
            r"nl\.ind\.[a-z]+(\.[a-z]+)?\.[a-z0-9]+(-[a-z0-9]+)*", s.model.event_type
        ), s.name
        assert s.ce_type == f"{s.model.event_type}.v{s.model.version}"


def test_message_names_are_unique() -> None:
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("spec", CATALOGUE, ids=IDS)
def test_topics_exist_in_the_registry(spec: cat.MessageSpec) -> None:
    for name in spec.topic_names():
        assert name in TOPICS, f"{spec.name}: {name} is not in shared.contracts.topics.all_topics()"


@pytest.mark.parametrize("spec", CATALOGUE, ids=IDS)
def test_a_topic_belongs_to_the_stream_it_is_listed_under(spec: cat.MessageSpec) -> None:
    for stream, names in spec.topics.items():
        for name in names:
            assert stream_of(name) == stream, f"{spec.name}: {name} listed under {stream}"


def test_backlog_and_pact_never_share_a_topic() -> None:
    backlog = {n for s in CATALOGUE for n in s.topics.get(Stream.BACKLOG, ())}
    pact = {n for s in CATALOGUE for n in s.topics.get(Stream.PACT, ())}
    assert backlog
    assert pact
    assert not backlog & pact


@pytest.mark.parametrize("spec", CATALOGUE, ids=IDS)
def test_the_topic_kind_fits_the_direction(spec: cat.MessageSpec) -> None:
    expected = {
        Direction.INPUT: {Kind.INPUT},
        Direction.OUTPUT: {Kind.EVENTS, Kind.REJECTIONS},
        Direction.PARTNER: {Kind.PARTNER},
        Direction.CONTROL: {Kind.CONTROL},
    }[spec.direction]
    for name in spec.topic_names():
        assert TOPICS[name].kind in expected, f"{spec.name} on {name}"


KEY_LABELS_TO_UPDATE: frozenset[tuple[str, str]] = frozenset()
"""Keys the registry's label (TopicSpec.key in shared/topics.py, text only; the generated docs
take the key from the catalogue) does not mention yet. Remove an entry once topics.py does."""


@pytest.mark.parametrize("spec", CATALOGUE, ids=IDS)
def test_the_key_matches_the_topic_key(spec: cat.MessageSpec) -> None:
    assert re.fullmatch(spec.key.pattern, spec.key.example)
    for name in spec.topic_names():
        labelled = spec.key.name in TOPICS[name].key
        if (spec.name, spec.key.name) in KEY_LABELS_TO_UPDATE:
            assert not labelled, f"topics.py names {spec.key.name}: drop it from the list"
            continue
        assert labelled, (
            f"{spec.name} keyed by {spec.key.name} on {name} (keyed by {TOPICS[name].key})"
        )


def test_return_information_for_dtv_is_keyed_by_location_and_day_not_by_case() -> None:
    entry = cat.spec("nl.ind.partner.dtv.return-information-planned.v1")
    assert entry.key is cat.LOCATION_DAY_KEY
    key = cat.location_day_key("prephase-zwolle", date(2026, 10, 14))
    assert key == "prephase-zwolle-2026-10-14" == entry.key.example
    assert re.fullmatch(entry.key.pattern, key)
    assert not re.fullmatch(entry.key.pattern, cat.CASE_KEY.example)
    assert not re.fullmatch(entry.key.pattern, "prephase-zwolle-2026-13-01")
    envelope = example_envelope(entry, Stream.BACKLOG)
    assert isinstance(envelope.data, DtvReturnInformationPlanned)
    assert envelope.subject == cat.location_day_key(envelope.data.location, envelope.data.day)


@pytest.mark.parametrize(
    "spec", [s for s in CATALOGUE if s.direction is Direction.INPUT], ids=lambda s: s.name
)
def test_inputs_say_who_may_send_them_and_what_answers(spec: cat.MessageSpec) -> None:
    assert set(spec.publishers) <= set(cat.ROLES)
    assert spec.producers == tuple(cat.frontend(p) for p in spec.publishers)
    assert spec.answers, "an input must be answered"
    for answer in spec.answers:
        assert cat.spec(answer).direction is Direction.OUTPUT
        assert spec.consumers == cat.spec(answer).producers, "the service that reads it answers it"
    assert set(spec.refusals) == set(spec.topics)
    for stream, topic in spec.refusals.items():
        assert topic == rejections(stream)
        assert TOPICS[topic].kind is Kind.REJECTIONS


@pytest.mark.parametrize(
    "spec",
    [s for s in CATALOGUE if s.direction in (Direction.OUTPUT, Direction.PARTNER)],
    ids=lambda s: s.name,
)
def test_only_services_publish_outputs_and_partner_messages(spec: cat.MessageSpec) -> None:
    assert not spec.answers
    assert not spec.refusals
    assert spec.producers
    assert set(spec.producers) <= set(cat.SERVICES)
    assert spec.publishers == tuple(cat.system(p) for p in spec.producers)


@pytest.mark.parametrize(
    "spec", [s for s in CATALOGUE if s.direction is Direction.PARTNER], ids=lambda s: s.name
)
def test_partner_messages_go_to_partners_only_and_say_what_they_derive_from(
    spec: cat.MessageSpec,
) -> None:
    assert spec.producers == (cat.CHAIN_NOTIFY,)
    assert all(c.startswith("partner:") for c in spec.consumers)
    assert spec.derived_from
    for source in spec.derived_from:
        assert cat.CHAIN_NOTIFY in cat.spec(source).consumers, (
            f"chain-notify must read {source.__name__}"
        )


def test_only_the_simulator_moves_the_clock_and_every_service_answers_it() -> None:
    control = {s.name: s for s in CATALOGUE if s.direction is Direction.CONTROL}
    assert sorted(control) == ["ClockAcknowledged", "ClockTicked"]
    tick, ack = control["ClockTicked"], control["ClockAcknowledged"]
    assert tick.publishers == (cat.system(cat.SIMULATOR),)
    assert set(tick.consumers) == set(cat.SERVICES) == set(ack.producers)
    assert ack.consumers == (cat.SIMULATOR,)
    for spec in (tick, ack):
        assert not spec.answers
        assert not spec.refusals
        for name in spec.topic_names():
            # A round's tick and answers share a partition (clock_partition); rounds rotate.
            assert TOPICS[name].partitions > 1


def test_every_input_topic_in_the_catalogue_has_a_reader() -> None:
    for s in CATALOGUE:
        assert s.consumers, f"{s.name} has nobody reading it"


def test_may_publish_checks_the_role_in_the_actor() -> None:
    registered = cat.spec("nl.ind.intake.application-registered.v1")
    assert registered.may_publish("caseworker:cw-1042")
    assert not registered.may_publish("planner:pl-1")
    assert not registered.may_publish("system:intake")
    case_registered = cat.spec("nl.ind.intake.case-registered.v1")
    assert case_registered.may_publish("system:intake")
    assert not case_registered.may_publish("system:planning")
    assert not case_registered.may_publish("caseworker:cw-1042")
    assert cat.spec("nl.ind.intake.country-policy-published.v1").may_publish("policy-officer:po-7")


def test_messages_on_a_topic() -> None:
    names = {s.name for s in cat.messages_on("ind.intake.input.v1")}
    assert names == {
        "ApplicationRegistered",
        "ApplicationWithdrawn",
        "PriorityGroupReassessed",
        "DeadlineExtensionGranted",
        "DeadlineSuspensionGranted",
        "ApplicantLogisticsRecorded",
    }
    assert {s.name for s in cat.messages_on("ind.pact.partner.courts.v1")} == {"CourtsDecisionSent"}


def test_unknown_message_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="not in the event catalogue"):
        cat.spec("nl.ind.nothing.v1")


def test_plan_cycles_are_backlog_only_and_triage_pact_only() -> None:
    assert cat.spec("nl.ind.planning.plan-cycle-opened.v1").streams == (Stream.BACKLOG,)
    assert cat.spec("nl.ind.planning.triage-triggered.v1").streams == (Stream.PACT,)
