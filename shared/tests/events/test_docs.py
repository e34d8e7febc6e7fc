"""The generated docs are current, deterministic and internally consistent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.events.catalogue import CATALOGUE, Direction, MessageSpec, spec
from shared.contracts.values import Stream
from shared.tools import docs


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return docs.render()


@pytest.fixture(scope="module")
def asyncapi(rendered: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(rendered["asyncapi.json"])
    return document


def test_committed_docs_are_current() -> None:
    problems = docs.check(docs.default_docs_dir())
    assert problems == [], "run `make docs` and commit docs/: " + "; ".join(problems)


def test_rendering_is_deterministic(rendered: dict[str, str]) -> None:
    assert docs.render() == rendered
    assert all(text.endswith("\n") and not text.endswith("\n\n") for text in rendered.values())


def test_one_schema_file_per_message(rendered: dict[str, str]) -> None:
    schema_files = {p for p in rendered if p.startswith("schemas/")}
    assert schema_files == {f"schemas/{s.ce_type}.json" for s in CATALOGUE}
    schema = json.loads(rendered["schemas/nl.ind.intake.case-registered.v1.json"])
    assert schema["x-cloudevents-type"] == "nl.ind.intake.case-registered.v1"
    assert "v_number" in schema["required"]


def _refusals_of_unknown_fields(node: Any, path: str = "") -> Iterator[str]:
    """Where a schema says additionalProperties: false."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "additionalProperties" and value is False:
                yield path or "(top)"
            else:
                yield from _refusals_of_unknown_fields(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refusals_of_unknown_fields(item, f"{path}/{index}")


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from _objects(item)


@pytest.mark.parametrize("spec", CATALOGUE, ids=[s.name for s in CATALOGUE])
def test_input_refuses_unknown_fields_and_what_readers_get_allows_them(
    spec: MessageSpec, rendered: dict[str, str]
) -> None:
    schema = json.loads(rendered[docs.schema_path(spec.ce_type)])
    if spec.direction is Direction.INPUT:
        # Every object, nested ones in $defs too, refuses unknown fields.
        assert all(o.get("additionalProperties") is False for o in _objects(schema))
    else:
        assert list(_refusals_of_unknown_fields(schema)) == []


def test_map_values_keep_their_type_when_unknown_fields_are_allowed(
    rendered: dict[str, str],
) -> None:
    schema = json.loads(rendered["schemas/nl.ind.caseflow.input-rejected.v1.json"])
    headers = schema["$defs"]["OriginalRecord"]["properties"]["headers"]
    assert headers["additionalProperties"] == {"type": "string"}
    assert "refusal_kind" in schema["properties"]
    assert "refusal_kind" not in schema["required"]


def test_asyncapi_parts_shared_by_input_and_output_appear_strict_and_loose(
    asyncapi: dict[str, Any],
) -> None:
    schemas = asyncapi["components"]["schemas"]
    proposed = schemas["PlanCycleProposed"]["properties"]["selections"]["items"]["$ref"]
    opened = schemas["PlanCycleOpened"]["properties"]["selections"]["items"]["$ref"]
    assert proposed == "#/components/schemas/CohortSelectionInput"
    assert opened == "#/components/schemas/CohortSelection"
    assert schemas["CohortSelectionInput"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["CohortSelection"]
    assert schemas["PlanCycleProposed"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["PlanCycleOpened"]
    assert "additionalProperties" not in schemas["Rejection"]


def test_check_reports_missing_stale_and_orphaned_files(tmp_path: Path) -> None:
    assert docs.main(["--check", "--docs-dir", str(tmp_path)]) == 1
    assert docs.main(["--docs-dir", str(tmp_path)]) == 0
    assert docs.check(tmp_path) == []
    (tmp_path / "catalogue.md").write_text("edited by hand\n")
    (tmp_path / "schemas" / "nl.ind.gone.v1.json").write_text("{}\n")
    (tmp_path / "schemas" / "nl.ind.intake.case-registered.v1.json").unlink()
    assert sorted(docs.check(tmp_path)) == [
        "missing: docs/schemas/nl.ind.intake.case-registered.v1.json",
        "no longer generated: docs/schemas/nl.ind.gone.v1.json",
        "stale: docs/catalogue.md",
    ]
    docs.write(tmp_path)
    assert docs.check(tmp_path) == []
    assert not (tmp_path / "schemas" / "nl.ind.gone.v1.json").exists()


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_asyncapi_references_all_resolve(asyncapi: dict[str, Any]) -> None:
    refs = set(_refs(asyncapi))
    assert len(refs) > 100
    for ref in refs:
        assert _resolve(asyncapi, ref) is not None


def test_asyncapi_has_every_topic_of_both_streams(asyncapi: dict[str, Any]) -> None:
    assert asyncapi["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in asyncapi["channels"].values()}
    assert addresses == {t for s in CATALOGUE for t in s.topic_names()}
    assert any(".backlog." in a for a in addresses)
    assert any(".pact." in a for a in addresses)
    for channel in asyncapi["channels"].values():
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]


def test_asyncapi_operations_name_every_participant(asyncapi: dict[str, Any]) -> None:
    participants = {op["tags"][0]["name"] for op in asyncapi["operations"].values()}
    for expected in (
        "intake",
        "planning",
        "prephase",
        "hearing",
        "decision",
        "chain-notify",
        "frontend:caseworker",
        "frontend:planner",
        "frontend:policy-officer",
        "partner:coa",
        "partner:dtv",
        "partner:courts",
        "partner:nidos",
    ):
        assert expected in participants
    for op in asyncapi["operations"].values():
        assert op["action"] in {"send", "receive"}
        assert _resolve(asyncapi, op["channel"]["$ref"])["address"]
        for message in op["messages"]:
            assert message["$ref"].startswith(op["channel"]["$ref"] + "/messages/")


def test_front_ends_read_the_answers_and_rejections_of_their_input(
    asyncapi: dict[str, Any],
) -> None:
    ops = asyncapi["operations"]
    reads = {
        (o["tags"][0]["name"], _resolve(asyncapi, o["channel"]["$ref"])["address"])
        for o in ops.values()
        if o["action"] == "receive"
    }
    assert ("frontend:caseworker", "ind.backlog.intake.events.v1") in reads
    assert ("frontend:caseworker", "ind.pact.intake.events.v1") in reads
    assert ("frontend:caseworker", "ind.intake.rejections.v1") in reads
    assert ("frontend:planner", "ind.backlog.rejections.v1") in reads


def test_asyncapi_examples_validate_and_carry_cloudevents_headers(asyncapi: dict[str, Any]) -> None:
    for message in asyncapi["components"]["messages"].values():
        model = spec(message["x-cloudevents-type"]).model
        for example in message["examples"]:
            model.model_validate(example["payload"])
            headers = example["headers"]
            assert headers["ce_type"] == message["x-cloudevents-type"]
            for required in message["headers"]["required"]:
                assert required in headers, f"{message['name']}: example lacks {required}"
            assert re.fullmatch(
                message["bindings"]["kafka"]["key"]["pattern"], headers["ce_subject"]
            )


def test_rejection_examples_show_a_schema_error_and_a_business_refusal(
    asyncapi: dict[str, Any],
) -> None:
    rejection = asyncapi["components"]["messages"]["Rejection"]
    payloads = {e["payload"]["code"]: e for e in rejection["examples"]}
    assert set(payloads) == {"schema-invalid", "refused"}
    refused = payloads["refused"]
    assert refused["payload"]["refusal_kind"] == "second_open_application"
    assert refused["payload"]["original"]["topic"] == "ind.intake.input.v1"
    assert refused["headers"]["ce_subject"] == refused["payload"]["original"]["key"]
    original_headers = refused["payload"]["original"]["headers"]
    assert original_headers["ce_type"] == "nl.ind.intake.application-registered.v1"
    assert refused["headers"]["ce_causationid"] == original_headers["ce_id"]
    assert "ce_stream" not in refused["headers"]  # ind.intake.rejections.v1 is stream-less
    assert payloads["schema-invalid"]["payload"]["refusal_kind"] is None


def test_answers_are_what_the_services_answer(asyncapi: dict[str, Any]) -> None:
    messages = asyncapi["components"]["messages"]
    # Registration answers with CaseRegistered alone: it carries the priority groups.
    assert messages["ApplicationRegistered"]["x-answers"] == ["nl.ind.intake.case-registered.v1"]
    assert (
        "nl.ind.intake.legal-deadline-changed.v1"
        in (messages["PriorityGroupReassessed"]["x-answers"])
    )
    assert (
        "nl.ind.intake.priority-group-joined.v1"
        in (messages["CountryPolicyPublished"]["x-answers"])
    )


def test_dtv_channel_names_the_location_day_key(asyncapi: dict[str, Any]) -> None:
    dtv = asyncapi["channels"]["ind_backlog_partner_dtv_v1"]["description"]
    assert "Key: case id; " in dtv
    assert "location day (LOCATION-YYYY-MM-DD) for DtvReturnInformationPlanned" in dtv
    message = asyncapi["components"]["messages"]["DtvReturnInformationPlanned"]
    assert message["examples"][0]["headers"]["ce_subject"] == "prephase-zwolle-2026-10-14"


def test_partner_channels_document_data_minimisation(asyncapi: dict[str, Any]) -> None:
    coa = asyncapi["channels"]["ind_backlog_partner_coa_v1"]
    assert "V-number" in coa["description"]
    assert set(coa["messages"]) >= {"CoaTransportRequested", "VolumeForecast"}
    assert "VolumeForecast" not in asyncapi["channels"]["ind_pact_partner_coa_v1"]["messages"]


def test_stream_header_is_required_on_stream_topics_only(asyncapi: dict[str, Any]) -> None:
    messages = asyncapi["components"]["messages"]
    assert "ce_stream" in messages["CaseRegistered"]["headers"]["required"]
    assert "ce_stream" not in messages["ApplicationRegistered"]["headers"]["properties"]
    assert messages["TriageTriggered"]["headers"]["properties"]["ce_stream"]["enum"] == [
        str(Stream.PACT)
    ]


def test_catalogue_markdown_lists_every_message(rendered: dict[str, str]) -> None:
    text = rendered["catalogue.md"]
    for s in CATALOGUE:
        assert f"### {s.name}\n" in text
        assert s.ce_type in text


def test_sources_and_hand_written_docs_cite_only_what_is_in_the_repository() -> None:
    """The domain reference is not part of the repository: cite rule ids or docs/ instead."""
    absent = "domain" + ".md"
    repo = docs.default_docs_dir().parent
    paths = [
        *sorted((repo / "shared" / "shared" / "events").glob("*.py")),
        *sorted((repo / "docs").glob("*.md")),
        *sorted((repo / "docs" / "adr").glob("*.md")),
    ]
    assert paths
    citing = [p.name for p in paths if absent in p.read_text("utf-8")]
    assert citing == []


# --- the schemas carry what the services check ----------------------------------------


def _published(ce_type: str) -> dict[str, Any]:
    path = docs.default_docs_dir() / docs.schema_path(ce_type)
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _registration(**changes: Any) -> dict[str, Any]:
    from shared.contracts.events.intake import ApplicationRegistered
    from shared.tools.examples import example

    return {**example(ApplicationRegistered).model_dump(mode="json"), **changes}


def test_the_registration_schema_refuses_a_nationality_intake_refuses() -> None:
    from pydantic import ValidationError

    from shared.contracts.events.intake import ApplicationRegistered

    nationality = _published("nl.ind.intake.application-registered.v1")["properties"]["nationality"]
    assert re.fullmatch(nationality["pattern"], "QQQ")  # the pattern alone let it through
    assert "QQQ" not in nationality["enum"]
    with pytest.raises(ValidationError, match="not an ISO 3166-1 alpha-3"):
        ApplicationRegistered.model_validate_json(json.dumps(_registration(nationality="QQQ")))
    # And the other way round: every listed code is one intake accepts.
    for code in nationality["enum"]:
        ApplicationRegistered.model_validate_json(json.dumps(_registration(nationality=code)))


def test_every_nationality_field_of_every_schema_lists_the_codes() -> None:
    from shared.contracts.values import NATIONALITY_CODES

    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if node.get("pattern") == "^[A-Z]{3}$":
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    found = [n for s in CATALOGUE for n in walk(_published(s.ce_type))]
    assert len(found) >= 6
    assert all(n["enum"] == list(NATIONALITY_CODES) for n in found)


@pytest.mark.parametrize(
    ("field", "value"),
    [("v_number", "\u0661" * 10), ("v_number", "12345678901")],
)
def test_the_registration_schema_and_intake_agree_on_v_numbers(field: str, value: str) -> None:
    from pydantic import ValidationError

    from shared.contracts.events.intake import ApplicationRegistered

    pattern = _published("nl.ind.intake.application-registered.v1")["properties"][field]["pattern"]
    assert re.search(pattern, value, flags=re.ASCII) is None  # \d in JSON Schema is [0-9]
    with pytest.raises(ValidationError):
        ApplicationRegistered.model_validate_json(json.dumps(_registration(**{field: value})))


def test_a_short_text_of_spaces_only_is_refused_by_the_schema_as_by_the_services() -> None:
    from pydantic import ValidationError

    from shared.contracts.events.intake import ApplicationWithdrawn

    reason = _published("nl.ind.intake.application-withdrawn.v1")["properties"]["reason"]
    [text] = [branch for branch in reason["anyOf"] if branch.get("type") == "string"]
    assert re.search(text["pattern"], "   ") is None
    assert re.search(text["pattern"], " late ") is not None
    data = {"withdrawn_at": "2026-10-05T10:15:00+02:00", "reason": "   "}
    with pytest.raises(ValidationError):
        ApplicationWithdrawn.model_validate_json(json.dumps(data))
