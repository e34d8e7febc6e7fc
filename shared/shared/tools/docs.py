"""Generate the integrators' docs from the catalogue; check that the committed copy is current.

    uv run --no-sync python -m shared.tools.docs          # write docs/
    uv run --no-sync python -m shared.tools.docs --check  # exit 1 if docs/ is stale

Writes docs/asyncapi.json (AsyncAPI 3.0, the whole system), docs/catalogue.md (the same,
for people) and docs/schemas/<ce type>.json (one JSON Schema per message). Output is
deterministic: sorted keys, two-space indent, a trailing newline. See
docs/adr/0003-event-catalogue-docs.md for why this is generated from the catalogue and
not by FastStream.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

import shared.contracts.events  # noqa: F401  (registers every event type)
from shared.contracts.envelope import CONTENT_TYPE, Envelope, EventData
from shared.contracts.events.catalogue import CATALOGUE, Direction, MessageSpec
from shared.contracts.events.partners import PARTNER_DATA
from shared.contracts.rejections import Rejection
from shared.contracts.topics import Partner, TopicSpec, all_topics
from shared.runtime.settings import Settings
from shared.tools import examples

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING_VERSION = "0.5.0"
SCHEMAS_DIR = "schemas"

Json = dict[str, Any]


def dump(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- JSON Schema per message ----------------------------------------------------------


def message_schema(model: type[EventData]) -> Json:
    """The JSON Schema of one message's data (the Kafka value), self-contained.

    Input refuses unknown fields (``additionalProperties: false``, as the models do). What
    readers receive (output, partner messages, rejections) allows them, at every level:
    optional fields are added to it without a new version, so a reader that validates must
    not break on one.
    """
    schema = model.model_json_schema()
    if not _is_input(model):
        schema = allow_unknown_fields(schema)
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["x-cloudevents-type"] = model.ce_type()
    return schema


def _is_input(model: type[EventData]) -> bool:
    # Models outside the catalogue keep the schema pydantic gives them.
    entry = next((s for s in CATALOGUE if s.model is model), None)
    return entry is None or entry.direction is Direction.INPUT


def allow_unknown_fields(schema: Any) -> Any:
    """A copy of a JSON Schema without ``additionalProperties: false`` anywhere in it.

    A schema-valued ``additionalProperties`` (the values of a map) stays: it is a type,
    not a refusal of unknown fields.
    """
    if isinstance(schema, dict):
        return {
            key: allow_unknown_fields(value)
            for key, value in schema.items()
            if not (key == "additionalProperties" and value is False)
        }
    if isinstance(schema, list):
        return [allow_unknown_fields(item) for item in schema]
    return schema


def schema_path(ce_type: str) -> str:
    return f"{SCHEMAS_DIR}/{ce_type}.json"


def schema_files(catalogue: Sequence[MessageSpec] = CATALOGUE) -> dict[str, str]:
    return {schema_path(s.ce_type): dump(message_schema(s.model)) for s in catalogue}


# --- AsyncAPI ------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def channel_id(topic: str) -> str:
    return _slug(topic)


def _actor_pattern(publishers: Iterable[str]) -> str:
    # Not re.escape: it escapes '-', which ECMA-262 regexes (JSON Schema's) may refuse.
    for p in publishers:
        if not re.fullmatch(r"[a-z0-9:-]+", p):
            raise ValueError(f"unexpected publisher {p!r}")
    parts = [p if ":" in p else f"{p}:[A-Za-z0-9._-]{{1,64}}" for p in publishers]
    return "^(?:" + "|".join(parts) + ")$"


def _headers_schema(spec: MessageSpec) -> Json:
    streams = [s for s in spec.streams if s is not None]
    uuid = {"type": "string", "format": "uuid"}
    properties: Json = {
        "content-type": {"const": CONTENT_TYPE},
        "ce_specversion": {"const": "1.0"},
        "ce_id": {
            **uuid,
            "description": "Unique per event. Resend the same id on a retry: it marks duplicates.",
        },
        "ce_source": {
            "type": "string",
            "minLength": 1,
            "description": "URI-reference of the sender, e.g. /caseflow/intake or /frontend/desk",
        },
        "ce_type": {"const": spec.ce_type},
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339, with offset",
        },
        "ce_subject": {
            "type": "string",
            "pattern": spec.key.pattern,
            "description": f"The {spec.key.display}; equal to the Kafka key.",
        },
        "ce_correlationid": {
            **uuid,
            "description": "Shared by every event that follows from one action; "
            "defaults to ce_id. Answers carry the input's.",
        },
        "ce_causationid": {
            **uuid,
            "description": "The ce_id of the event this one answers or follows from.",
        },
        "ce_actor": {
            "type": "string",
            "pattern": _actor_pattern(spec.publishers),
            "description": "Who acted: role and pseudonymous id, e.g. caseworker:cw-1042.",
        },
    }
    required = [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_actor",
    ]
    if streams:
        properties["ce_stream"] = {
            "enum": [str(s) for s in streams],
            "description": "The stream; equal to the stream in the topic name, which decides.",
        }
        # Services always set it; on input the topic decides, so front-ends should but need not.
        if None not in spec.streams and spec.direction is not Direction.INPUT:
            required.append("ce_stream")
    return {"type": "object", "properties": properties, "required": required}


def _routing_text(spec: MessageSpec) -> str:
    lines = [
        f"Direction: {spec.direction}. Key: {spec.key.display}.",
        f"Published by: {', '.join(spec.publishers)}. Read by: {', '.join(spec.consumers)}.",
    ]
    if spec.answers:
        lines.append("On success: " + ", ".join(a.ce_type() for a in spec.answers) + ".")
    if spec.refusals:
        lines.append(
            "On refusal: a nl.ind.caseflow.input-rejected.v1 on "
            + ", ".join(sorted(set(spec.refusals.values())))
            + "."
        )
    if spec.derived_from:
        lines.append("Derived from: " + ", ".join(m.ce_type() for m in spec.derived_from) + ".")
    if spec.rules:
        lines.append("Rules: " + ", ".join(spec.rules) + " (docs/glossary.md, domain rule ids).")
    return "\n".join(lines)


def _message(spec: MessageSpec) -> Json:
    doc = inspect.cleandoc(spec.model.__doc__ or spec.name)
    return {
        "name": spec.name,
        "title": spec.name,
        "summary": doc.splitlines()[0],
        "description": doc + "\n\n" + _routing_text(spec),
        "contentType": CONTENT_TYPE,
        "headers": _headers_schema(spec),
        "payload": {"$ref": f"#/components/schemas/{spec.name}"},
        "correlationId": {"location": "$message.header#/ce_correlationid"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "pattern": spec.key.pattern,
                    "description": spec.key.display,
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "tags": [{"name": str(spec.direction)}, {"name": spec.module}],
        "examples": [
            {
                "name": _example_name(envelope),
                "headers": examples.example_headers(envelope),
                "payload": envelope.data.model_dump(mode="json"),
            }
            for envelope in examples.example_envelopes(spec)
        ],
        "x-cloudevents-type": spec.ce_type,
        "x-publishers": list(spec.publishers),
        "x-answers": [a.ce_type() for a in spec.answers],
        "x-refusal-topics": sorted(set(spec.refusals.values())),
    }


_MAX_RECORD_BYTES: int = Settings.model_fields["max_record_bytes"].default
"""The default maximum record size that provisioning sets on every topic."""

_COMPONENT_REF = "#/components/schemas/{model}"
STRICT_SUFFIX = "Input"
"""Appended to a shared part's name for its input variant, which refuses unknown fields."""


def _component_defs(specs: Sequence[MessageSpec]) -> Json:
    if not specs:
        return {}
    _, top = models_json_schema(
        [(s.model, "validation") for s in specs], ref_template=_COMPONENT_REF
    )
    defs: Json = top.get("$defs", {})
    return defs


def _example_name(envelope: Envelope[EventData]) -> str:
    name = str(envelope.stream or "stream-less")
    return f"{name}, {envelope.data.code}" if isinstance(envelope.data, Rejection) else name


def _components_schemas(catalogue: Sequence[MessageSpec]) -> Json:
    """Every payload and its parts. Input is strict and what readers receive is not
    (message_schema); a part used by both (say CohortSelection) appears twice, its input
    variant named with STRICT_SUFFIX."""
    strict = _component_defs([s for s in catalogue if s.direction is Direction.INPUT])
    loose = allow_unknown_fields(
        _component_defs([s for s in catalogue if s.direction is not Direction.INPUT])
    )
    renamed = {n: f"{n}{STRICT_SUFFIX}" for n in strict if n in loose and loose[n] != strict[n]}
    clashes = [n for n in renamed.values() if n in strict or n in loose]
    clashes += [s.name for s in catalogue if s.name in renamed]
    if clashes:
        raise RuntimeError(f"names clash in components.schemas: {clashes}")
    defs: Json = dict(loose)
    for name, schema in strict.items():
        defs.setdefault(renamed.get(name, name), _renamed_refs(schema, renamed))
    missing = [s.name for s in catalogue if s.name not in defs]
    if missing:
        raise RuntimeError(f"message names clash in components.schemas: {missing}")
    return defs


def _renamed_refs(schema: Any, renamed: Mapping[str, str]) -> Any:
    if isinstance(schema, dict):
        out = {k: _renamed_refs(v, renamed) for k, v in schema.items()}
        ref = out.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in renamed:
                out["$ref"] = _COMPONENT_REF.format(model=renamed[name])
        return out
    if isinstance(schema, list):
        return [_renamed_refs(item, renamed) for item in schema]
    return schema


def _topic_specs() -> dict[str, TopicSpec]:
    return {t.name: t for t in all_topics()}


def _channel_key(name: str, catalogue: Sequence[MessageSpec]) -> str:
    """The key of a topic's messages, from the catalogue: 'case id', or the most common key
    and, after it, the other keys with the messages that use them."""
    by_key: dict[str, list[str]] = {}
    for s in catalogue:
        if name in s.topic_names():
            by_key.setdefault(s.key.display, []).append(s.name)
    if not by_key:
        return "case id"
    ranked = sorted(by_key, key=lambda k: -len(by_key[k]))
    others = [f"{k} for {', '.join(by_key[k])}" for k in ranked[1:]]
    return "; ".join([ranked[0], *others])


def _channel_description(
    topic: TopicSpec | None, name: str, catalogue: Sequence[MessageSpec] = CATALOGUE
) -> str:
    text = (topic.description if topic else name) + f". Key: {_channel_key(name, catalogue)}."
    for partner, why in PARTNER_DATA.items():
        if name.endswith(f".partner.{partner}.v1"):
            text += "\n\n" + why
    return text


def _operations(catalogue: Sequence[MessageSpec]) -> dict[tuple[str, str, str], list[str]]:
    """(participant, send|receive, topic) -> message names, in catalogue order."""
    ops: dict[tuple[str, str, str], list[str]] = {}

    def add(participant: str, action: str, topic: str, name: str) -> None:
        names = ops.setdefault((participant, action, topic), [])
        if name not in names:
            names.append(name)

    by_model = {s.model: s for s in catalogue}
    for s in catalogue:
        for topic in s.topic_names():
            for producer in s.producers:
                add(producer, "send", topic, s.name)
            for consumer in s.consumers:
                add(consumer, "receive", topic, s.name)
        if s.direction is Direction.INPUT:
            # The front-end that sent an input reads its answers and its refusals.
            for producer in s.producers:
                for answer in s.answers:
                    for topic in by_model[answer].topic_names():
                        add(producer, "receive", topic, answer.__name__)
                for topic in s.refusals.values():
                    add(producer, "receive", topic, "Rejection")
    return ops


def asyncapi(catalogue: Sequence[MessageSpec] = CATALOGUE) -> Json:
    topics = _topic_specs()
    channels: Json = {}
    for s in catalogue:
        for name in s.topic_names():
            spec = topics.get(name)
            channel = channels.setdefault(
                channel_id(name),
                {
                    "address": name,
                    "title": name,
                    "description": _channel_description(spec, name, catalogue),
                    "messages": {},
                    "bindings": {
                        "kafka": {
                            "topic": name,
                            "partitions": spec.partitions if spec else 12,
                            "topicConfiguration": {
                                "cleanup.policy": ["delete"],
                                "retention.ms": spec.retention_ms if spec else -1,
                                "max.message.bytes": _MAX_RECORD_BYTES,
                            },
                            "bindingVersion": KAFKA_BINDING_VERSION,
                        }
                    },
                },
            )
            channel["messages"][s.name] = {"$ref": f"#/components/messages/{s.name}"}

    operations: Json = {}
    for (participant, action, topic), names in _operations(catalogue).items():
        cid = channel_id(topic)
        verb = "sends to" if action == "send" else "reads from"
        operations[_slug(f"{participant}__{action}__{topic}")] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{cid}"},
            "messages": [{"$ref": f"#/channels/{cid}/messages/{n}"} for n in names],
            "summary": f"{participant} {verb} {topic}",
            "tags": [{"name": participant}],
        }

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "caseflow: events of the asylum procedure (backlog and EU Pact streams)",
            "version": "1",
            "description": _INFO,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "The Kafka cluster of the environment.",
                "variables": {
                    "bootstrap": {
                        "default": "127.0.0.1:19092",
                        "description": "Bootstrap server (the embedded development broker's)",
                    }
                },
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": {s.name: _message(s) for s in catalogue},
            "schemas": _components_schemas(catalogue),
        },
    }


_INFO = """\
Every case event and partner message of caseflow, the event-driven case workflow for
the asylum procedure of the IND. Generated from shared/shared/contracts/events/catalogue.py; do
not edit by hand (make docs).

- Events are CloudEvents 1.0 in Kafka binary mode: the attributes are `ce_*` headers,
  the data is the JSON value, `content-type: application/json`.
- The Kafka key equals `ce_subject`: the case id for case events (one case's events stay
  in order), or the plan object / policy version for the few plan-level messages, or
  location and day for DT&V's return-information notices (no case id on them).
- The backlog and Pact streams never share a topic: the stream is in the topic name.
- Input events (published by front-ends) are answered with output events that carry the
  input's `ce_correlationid`, and `ce_causationid` = the input's `ce_id`; refused input
  ends on the rejection topic as `nl.ind.caseflow.input-rejected.v1`, with the reason.
  An input that changes nothing (a re-sent registration, withdrawal or country policy, a
  reassessment confirming a known priority group) gets neither: the first answer stands.
- Unknown fields are refused on input (its schemas say `additionalProperties: false`).
  Output, partner and rejection schemas allow unknown fields: ignore fields you do not
  know on what you read, since new optional fields are added without a new version.
- Partner topics carry only what that partner acts on (data minimisation).

See docs/integrators.md for worked examples and docs/catalogue.md for a readable list."""


# --- catalogue.md ---------------------------------------------------------------------

_MODULE_TITLES = {
    "intake": "Intake (registration, stream, category, deadline)",
    "planning": "Planning (plan cycles, cohorts, capacity, triage)",
    "prephase": "Prephase (voorfase)",
    "hearing": "Hearing (gehoor)",
    "decision": "Decision (besluit)",
    "partners": "Partner messages (ketenpartners)",
    "rejections": "Rejections",
    "clock": "Simulated time (control; simulations only)",
}


def _topic_display(spec: MessageSpec) -> str:
    templates: dict[str, None] = {}
    for stream, names in spec.topics.items():
        for name in names:
            shown = name.replace(f".{stream}.", ".<stream>.") if stream is not None else name
            templates.setdefault(f"`{shown}`")
    return ", ".join(templates)


def _streams_display(spec: MessageSpec) -> str:
    return ", ".join(str(s) if s is not None else "stream-less" for s in spec.streams)


def _type_display(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        target = defs.get(name, {})
        return f"{name}: {_values_display(target['enum'])}" if "enum" in target else name
    if "anyOf" in schema:
        return " or ".join(_type_display(s, defs) for s in schema["anyOf"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    kind = schema.get("type", "any")
    if "enum" in schema and len(schema["enum"]) > _LONGEST_ENUM_SHOWN:
        return f"{kind}, one of {len(schema['enum'])} codes (the schema lists them)"
    if "enum" in schema:
        return _values_display(schema["enum"])
    if kind == "array":
        return f"list of {_type_display(schema.get('items', {}), defs)}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    if "pattern" in schema:
        return f"{kind} `{schema['pattern']}`"
    return str(kind)


_LONGEST_ENUM_SHOWN = 20
"""Longer value lists (the nationality codes) are left to the schema: a cell cannot hold them."""


def _values_display(values: Sequence[Any]) -> str:
    return " | ".join(f"`{v}`" for v in values)


def _fields_table(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    out = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
    for name, field_schema in schema.get("properties", {}).items():
        out.append(
            f"| `{name}` | {_cell(_type_display(field_schema, defs))} | "
            f"{'yes' if name in required else 'no'} | "
            f"{_cell(field_schema.get('description', ''))} |"
        )
    return out


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _message_section(spec: MessageSpec) -> list[str]:
    schema = message_schema(spec.model)
    doc = inspect.cleandoc(spec.model.__doc__ or "")
    out = [
        f"### {spec.name}",
        "",
        f"`{spec.ce_type}`: **{spec.direction}** on {_topic_display(spec)} "
        f"({_streams_display(spec)}); key: {spec.key.display}; "
        f"schema: [{schema_path(spec.ce_type)}]({schema_path(spec.ce_type)})",
        "",
        doc,
        "",
        f"- Published by: {', '.join(f'`{p}`' for p in spec.publishers)}",
        f"- Read by: {', '.join(spec.consumers) or 'operations'}",
    ]
    if spec.answers:
        out.append("- On success: " + ", ".join(a.__name__ for a in spec.answers))
    if spec.refusals:
        out.append(
            "- On refusal: Rejection on "
            + ", ".join(f"`{t}`" for t in sorted(set(spec.refusals.values())))
        )
    if spec.derived_from:
        out.append("- Derived from: " + ", ".join(m.__name__ for m in spec.derived_from))
    if spec.rules:
        out.append("- Rules: " + ", ".join(spec.rules))
    defs: Mapping[str, Any] = schema.get("$defs", {})
    if schema.get("properties"):
        out += ["", *_fields_table(schema, defs)]
    for name, part in defs.items():
        if part.get("properties"):
            out += [
                "",
                f"`{name}`: {_cell(part.get('description', ''))}",
                "",
                *_fields_table(part, defs),
            ]
    out.append("")
    return out


def catalogue_markdown(catalogue: Sequence[MessageSpec] = CATALOGUE) -> str:
    out = [
        "# Event catalogue",
        "",
        "<!-- Generated by `make docs` from shared/shared/contracts/events/catalogue.py."
        " Do not edit. -->",
        "",
        "Every message of caseflow: where it travels, its key, who may publish it, who reads it,",
        "and for input what the system answers. The machine-readable form is",
        "[asyncapi.json](asyncapi.json); the JSON Schema of each message is in",
        "[schemas/](schemas/).",
        "How to publish and subscribe: [integrators.md](integrators.md). Dutch terms:",
        "[glossary.md](glossary.md).",
        "",
        "Topic names show `<stream>` where the message travels on both the backlog and the Pact",
        "topic; it is `backlog` or `pact`, and equals the `ce_stream` header.",
        "",
        "Input refuses unknown fields. Output, partner messages and rejections may gain",
        "optional fields without a new version: their schemas allow unknown fields, and",
        "readers should ignore the fields they do not know.",
        "",
        '"On success" lists every output an input can be answered with; which ones follow',
        "depends on the case. An input that changes nothing (a re-sent registration, withdrawal",
        "or country policy, or a reassessment confirming a known priority group) is answered",
        "by neither an output nor a rejection: the first answer stands (see",
        "[integrators.md](integrators.md#answers)).",
        "",
        "## Summary",
        "",
        "| Message | Direction | Topic | Streams | Key | Published by |",
        "|---|---|---|---|---|---|",
    ]
    for s in catalogue:
        out.append(
            f"| [{s.name}](#{s.name.lower()}) | {s.direction} | {_topic_display(s)} | "
            f"{_streams_display(s)} | {s.key.display} | {', '.join(s.publishers)} |"
        )
    out.append("")
    modules: dict[str, list[MessageSpec]] = {}
    for s in catalogue:
        modules.setdefault(s.module, []).append(s)
    for module, specs in modules.items():
        out += [f"## {_MODULE_TITLES.get(module, module)}", ""]
        if module == "partners":
            out += ["What each partner receives, and why (data minimisation):", ""]
            out += [
                f"- **{p.name}** (`ind.<stream>.partner.{p}.v1`): {PARTNER_DATA[p]}"
                for p in Partner
            ]
            out.append("")
        for s in specs:
            out += _message_section(s)
    return "\n".join(out).rstrip("\n") + "\n"


# --- render, write, check -------------------------------------------------------------


def render(catalogue: Sequence[MessageSpec] = CATALOGUE) -> dict[str, str]:
    """Every generated file, by path relative to docs/."""
    files = {
        "asyncapi.json": dump(asyncapi(catalogue)),
        "catalogue.md": catalogue_markdown(catalogue),
    }
    files.update(schema_files(catalogue))
    return files


def default_docs_dir() -> Path:
    repo = Path(__file__).resolve().parents[3]
    return repo / "docs" if (repo / "pyproject.toml").exists() else Path.cwd() / "docs"


def write(docs_dir: Path, files: Mapping[str, str] | None = None) -> list[str]:
    """Write what changed and remove schema files of messages that are gone; returns the paths."""
    files = render() if files is None else files
    touched = []
    for relative, text in files.items():
        path = docs_dir / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            touched.append(relative)
    for relative in _orphans(docs_dir, files):
        (docs_dir / relative).unlink()
        touched.append(relative)
    return touched


def check(docs_dir: Path, files: Mapping[str, str] | None = None) -> list[str]:
    """What is stale in docs_dir, in plain words; empty when the committed docs are current."""
    files = render() if files is None else files
    problems = []
    for relative, text in files.items():
        path = docs_dir / relative
        if not path.exists():
            problems.append(f"missing: docs/{relative}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale: docs/{relative}")
    problems += [f"no longer generated: docs/{r}" for r in _orphans(docs_dir, files)]
    return problems


def _orphans(docs_dir: Path, files: Mapping[str, str]) -> list[str]:
    folder = docs_dir / SCHEMAS_DIR
    if not folder.is_dir():
        return []
    present = (f"{SCHEMAS_DIR}/{p.name}" for p in sorted(folder.glob("*.json")))
    return [r for r in present if r not in files]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.tools.docs", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed docs are stale"
    )
    parser.add_argument(
        "--docs-dir", type=Path, default=None, help="the docs folder (default: the repo's docs/)"
    )
    args = parser.parse_args(argv)
    docs_dir: Path = args.docs_dir or default_docs_dir()
    if args.check:
        problems = check(docs_dir)
        for problem in problems:
            print(problem, file=sys.stderr)  # noqa: T201
        if problems:
            print("run `make docs` and commit the result", file=sys.stderr)  # noqa: T201
        return 1 if problems else 0
    for relative in write(docs_dir):
        print(f"wrote docs/{relative}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
