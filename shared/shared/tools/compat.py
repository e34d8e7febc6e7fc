"""The compatibility gate: a message may change only compatibly, unless its version is raised.

Compares the JSON Schema of each message now with the one released under
docs/schemas/ (see the baseline below). A change is breaking when data valid under the
old schema is no longer valid, or a field a reader relies on disappears:

- a field removed;
- a required field added (also: an optional field made required);
- a type narrowed or changed (a type dropped from a union, null no longer allowed, a
  format, pattern or tighter bound added, a constant changed);
- an enum value removed;
- unknown fields refused where they were allowed;
- a message dropped from the catalogue without a successor version.

Adding an optional field, widening a type, adding an enum value, loosening a bound or
allowing unknown fields where they were refused is compatible. To make a breaking
change, raise the message's ``version`` (a new schema file, ``<type>.v<N+1>.json``);
version N must stay compatible with its released file while version N exists.

The baseline is the last *release*: the schema files committed at the git ref named in
``docs/schemas/BASELINE`` (a commit hash; ``#`` lines are comments). Cutting a release
means writing that release's commit hash there. ``CASEFLOW_SCHEMA_BASELINE`` (or
``--baseline``) overrides the file. When the file is absent, or its ref is unknown to
git (a shallow clone), the gate falls back to ``HEAD`` and says so; without git at all,
to the files in the working tree. Comparing with ``HEAD`` alone would let a breaking
change pass when it is committed together with ``make docs``, which overwrites the old
schema: only a baseline before the change can catch that.

    uv run --no-sync python -m shared.tools.compat [--baseline REF]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Schema = Mapping[str, Any]

_CE_TYPE = re.compile(r"^(?P<event>.+)\.v(?P<version>\d+)$")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_ANY = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})


def split_ce_type(ce_type: str) -> tuple[str, int]:
    """'nl.ind.intake.case-registered.v2' -> ('nl.ind.intake.case-registered', 2)."""
    match = _CE_TYPE.match(ce_type)
    if match is None:
        raise ValueError(f"{ce_type!r} does not end in .v<version>")
    return match["event"], int(match["version"])


# --- one schema against another -------------------------------------------------------


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    """Every backward-incompatible difference from old to new, in plain words; empty: compatible."""
    return _Comparison(old, new).compare(old, new, "")


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.open: set[tuple[str, str]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        # A recursive schema refers back to a definition already being compared: nothing new there.
        refs = (str(old.get("$ref", "")), str(new.get("$ref", "")))
        if all(refs) and refs in self.open:
            return []
        if all(refs):
            self.open.add(refs)
        try:
            return self._compare(_resolve(old, self.old_root), _resolve(new, self.new_root), path)
        finally:
            self.open.discard(refs)

    def _compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_branches = _branches(old, self.old_root)
        new_branches = _branches(new, self.new_root)
        if len(old_branches) == 1 and len(new_branches) == 1:
            return self._single(old_branches[0], new_branches[0], path)
        problems: list[str] = []
        for branch in old_branches:
            outcomes = [self._single(branch, candidate, path) for candidate in new_branches]
            if any(not found for found in outcomes):
                continue
            same_type = [
                o for o, c in zip(outcomes, new_branches, strict=True) if _types(c) & _types(branch)
            ]
            if len(same_type) == 1:
                problems += same_type[0]
            else:
                problems.append(
                    f"{_where(path)}: type narrowed: {_describe(branch)} no longer accepted"
                )
        return problems

    def _single(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_types, new_types = _types(old), _types(new)
        if not old_types <= new_types:
            return [f"{_where(path)}: type changed from {_names(old_types)} to {_names(new_types)}"]
        problems = _values(old, new, path) + _bounds(old, new, path)
        if "object" in old_types and "object" in new_types:
            problems += self._object(old, new, path)
        if "array" in old_types and "array" in new_types and ("items" in old or "items" in new):
            problems += self.compare(old.get("items", {}), new.get("items", {}), f"{path}[]")
        return problems

    def _object(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems = []
        old_props: Mapping[str, Schema] = old.get("properties", {})
        new_props: Mapping[str, Schema] = new.get("properties", {})
        for name, old_field in old_props.items():
            if name not in new_props:
                problems.append(f"{_where(_join(path, name))}: field removed")
            else:
                problems += self.compare(old_field, new_props[name], _join(path, name))
        added = [n for n in new.get("required", []) if n not in set(old.get("required", []))]
        problems += [f"{_where(_join(path, n))}: required field added" for n in added]
        if (
            old.get("additionalProperties", True) is not False
            and new.get("additionalProperties") is False
        ):
            problems.append(f"{_where(path)}: unknown fields are now refused")
        return problems


def _resolve(schema: Schema, root: Schema) -> Schema:
    hops = 0
    while "$ref" in schema:
        ref = str(schema["$ref"])
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported, not {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        # Keywords beside a $ref (a description, a default) apply too.
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        hops += 1
        if hops > 50:
            raise ValueError(f"reference loop at {ref}")
    return schema


def _branches(schema: Schema, root: Schema) -> list[Schema]:
    """The alternatives a value may match: anyOf/oneOf members, or one per listed type."""
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            rest = {k: v for k, v in schema.items() if k != keyword}
            out: list[Schema] = []
            for member in schema[keyword]:
                out += _branches({**rest, **_resolve(member, root)}, root)
            return out
    if "allOf" in schema and len(schema["allOf"]) == 1:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return _branches({**rest, **_resolve(schema["allOf"][0], root)}, root)
    kind = schema.get("type")
    if isinstance(kind, list) and len(kind) > 1:
        return [{**schema, "type": t} for t in kind]
    return [schema]


def _types(schema: Schema) -> frozenset[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        kinds = {kind}
    elif isinstance(kind, list):
        kinds = set(kind)
    elif "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else list(schema["enum"])
        kinds = {_json_type(v) for v in values}
    elif "properties" in schema:
        kinds = {"object"}
    elif "items" in schema:
        kinds = {"array"}
    else:
        return _ANY
    if "number" in kinds:
        kinds.add("integer")  # every integer is a number
    return frozenset(kinds)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _values(old: Schema, new: Schema, path: str) -> list[str]:
    problems = []
    old_values, new_values = _allowed_values(old), _allowed_values(new)
    if new_values is not None:
        if old_values is None:
            problems.append(f"{_where(path)}: type narrowed: now limited to {_short(new_values)}")
        else:
            removed = [v for v in old_values if v not in new_values]
            if removed:
                problems.append(f"{_where(path)}: enum value(s) removed: {_short(removed)}")
    for keyword in ("format", "pattern"):
        if keyword in new and new[keyword] != old.get(keyword):
            was = f"{old[keyword]!r}" if keyword in old else "none"
            problems.append(
                f"{_where(path)}: type narrowed: {keyword} changed from {was} to {new[keyword]!r}"
            )
    return problems


def _bounds(old: Schema, new: Schema, path: str) -> list[str]:
    problems = []
    for keyword in _LOWER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] > old[keyword]):
            problems.append(
                f"{_where(path)}: type narrowed: {keyword} {old.get(keyword)} -> {new[keyword]}"
            )
    for keyword in _UPPER_BOUNDS:
        if keyword in new and (keyword not in old or new[keyword] < old[keyword]):
            problems.append(
                f"{_where(path)}: type narrowed: {keyword} {old.get(keyword)} -> {new[keyword]}"
            )
    return problems


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _where(path: str) -> str:
    return path or "(message)"


def _names(kinds: Iterable[str]) -> str:
    return "any" if frozenset(kinds) == _ANY else "/".join(sorted(kinds))


def _short(values: Sequence[Any]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _describe(schema: Schema) -> str:
    values = _allowed_values(schema)
    return _short(values) if values is not None else _names(_types(schema))


# --- the whole catalogue --------------------------------------------------------------


def compare_catalogue(
    baseline: Mapping[str, Schema],
    current: Mapping[str, Schema],
    retired: Iterable[str] = (),
) -> list[str]:
    """Breaking changes between committed schemas and current ones, both keyed by CloudEvents type.

    A baseline type missing from current passes only when a higher version of the same
    event exists (the version was raised) or it is listed in ``retired``.
    """
    retired = set(retired)
    latest: dict[str, int] = {}
    for ce_type in current:
        event, version = split_ce_type(ce_type)
        latest[event] = max(version, latest.get(event, 0))
    problems = []
    for ce_type in sorted(baseline):
        if ce_type in current:
            problems += [
                f"{ce_type}: {p}" for p in breaking_changes(baseline[ce_type], current[ce_type])
            ]
            continue
        event, version = split_ce_type(ce_type)
        if latest.get(event, 0) <= version and ce_type not in retired:
            problems.append(f"{ce_type}: message removed without a successor version")
    return problems


RETIRED: frozenset[str] = frozenset(
    {
        # Drafts no partner consumed, folded into nl.ind.planning.case-released.v1 (one release
        # event naming the stage and the team) when planning was built.
        "nl.ind.planning.case-released-to-prephase.v1",
        "nl.ind.planning.case-assigned-to-team.v1",
        # Draft no partner consumed: prephase picks the location day itself within planning's
        # capacity (nl.ind.planning.prephase-location-day-planned) since prephase was built.
        "nl.ind.prephase.day-booked.v1",
        # A draft no service handled: hearing hands out its slots itself (the team planning
        # chose, by specialism and daily rate); a planner moves one with reschedule-requested.
        "nl.ind.hearing.booked.v1",
    }
)
"""CloudEvents types taken out of the catalogue on purpose."""


@dataclass(frozen=True, slots=True)
class AcceptedChange:
    """A narrowing the gate lets pass against one release, with the reason: the schema was
    tightened to what the services already refused (or what JSON Schema already meant), so no
    record that was handled before is refused now. Listed in docs/integrators.md too."""

    baseline: str
    """The release commit it is measured against; against any other baseline it is not accepted."""
    change: str
    """The gate's words for the change, after ``<type>: <field>: ``; any field."""
    reason: str


def _accepted_changes() -> tuple[AcceptedChange, ...]:
    from shared.contracts.values import NATIONALITY_CODES

    first_release = "092fb8a70fb0f40237bc89026d651e5d0d7df641"
    old_v_number, new_v_number, some_text = r"^\d{10}$", r"^[0-9]{10}$", r"\S"
    return (
        AcceptedChange(
            first_release,
            f"type narrowed: now limited to {_short(NATIONALITY_CODES)}",
            "nationality codes: the services refused a well-formed code outside ISO 3166-1 "
            "(and XXA, XXX) already, e.g. QQQ; the schemas now list the codes they accept",
        ),
        AcceptedChange(
            first_release,
            f"type narrowed: pattern changed from {old_v_number!r} to {new_v_number!r}",
            "V-number: the same pattern in JSON Schema, where \\d is [0-9]; only Python read "
            "\\d as any script's digits, so the services now refuse what the schema refused",
        ),
        AcceptedChange(
            first_release,
            f"type narrowed: pattern changed from none to {some_text!r}",
            "short texts: the services strip spaces before the minimum length, so a text of "
            "spaces only was refused already; the pattern says so in the schema",
        ),
        *(
            AcceptedChange(
                first_release,
                f"{name}: required field added",
                "nl.ind.decision.issued.v1 was a draft no service published and no partner "
                "read until decision was built (issue 14): the issued decision now says "
                "whether it met the deadline, its route, the policy version it used and "
                "where its appeal period comes from",
            )
            for name in ("deadline_met", "route", "policy_version", "appeal_period_basis")
        ),
        AcceptedChange(
            first_release,
            "court_district: required field added",
            "nl.ind.partner.courts.decision-sent.v1 was a draft chain-notify never published "
            "and no court read until chain-notify was built (issue 15): the courts plan "
            "capacity per court district, so each refusal names the district that hears it",
        ),
    )


ACCEPTED: tuple[AcceptedChange, ...] = _accepted_changes()


def without_accepted(
    problems: Iterable[str], baseline_ref: str | None, accepted: Iterable[AcceptedChange] = ACCEPTED
) -> list[str]:
    """The problems that no accepted change for this baseline explains."""
    changes = [a.change for a in accepted if a.baseline == baseline_ref]
    return [p for p in problems if not any(p.endswith(f": {change}") for change in changes)]


def current_schemas() -> dict[str, Schema]:
    from shared.contracts.events.catalogue import CATALOGUE
    from shared.tools.docs import message_schema

    return {s.ce_type: message_schema(s.model) for s in CATALOGUE}


BASELINE_FILE = "BASELINE"
"""In docs/schemas/: the git ref of the last released schemas; ``#`` lines are comments."""

BASELINE_ENV = "CASEFLOW_SCHEMA_BASELINE"
FALLBACK_REF = "HEAD"


class BaselineFallback(UserWarning):
    """The gate compares with something other than the release baseline it was asked for."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """The schemas the current ones are compared with, and where they come from."""

    schemas: dict[str, Schema]
    ref: str | None
    """The git ref read; None: the working tree (no git)."""
    origin: str
    """Who named the ref: --baseline, the environment, the BASELINE file or the default."""
    notes: tuple[str, ...] = ()
    """Fallbacks taken, in plain words."""


def read_baseline_file(docs_dir: Path) -> str | None:
    """The ref in docs/schemas/BASELINE; None when the file is absent.

    Blank lines and lines starting with ``#`` are ignored; exactly one ref must remain.
    """
    path = docs_dir / "schemas" / BASELINE_FILE
    if not path.is_file():
        return None
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    refs = [line for line in lines if line and not line.startswith("#")]
    if len(refs) != 1 or len(refs[0].split()) != 1:
        raise ValueError(
            f"{path} must hold exactly one git ref (a commit hash) besides # comments, not {refs!r}"
        )
    return refs[0]


def resolve_baseline(docs_dir: Path, ref: str | None = None) -> Baseline:
    """The baseline schemas: at ref, else $CASEFLOW_SCHEMA_BASELINE, else the ref in
    docs/schemas/BASELINE, else HEAD. A ref git does not know falls back to HEAD; without
    git (or without a commit) the working tree's files are the baseline."""
    notes: list[str] = []
    if ref:
        origin = "--baseline"
    elif os.environ.get(BASELINE_ENV):
        ref, origin = os.environ[BASELINE_ENV], BASELINE_ENV
    else:
        ref, origin = read_baseline_file(docs_dir), f"docs/schemas/{BASELINE_FILE}"
        if ref is None:
            notes.append(f"no docs/schemas/{BASELINE_FILE}: comparing with {FALLBACK_REF}")
            ref, origin = FALLBACK_REF, "default"
        elif ref == FALLBACK_REF:
            notes.append(
                f"docs/schemas/{BASELINE_FILE} names {FALLBACK_REF}, not a release commit: "
                "a breaking change committed with `make docs` is not caught"
            )
    top = _toplevel(docs_dir)
    if top is not None and not _is_commit(top, ref) and ref != FALLBACK_REF:
        notes.append(f"{ref!r} ({origin}) is unknown to git: comparing with {FALLBACK_REF}")
        ref, origin = FALLBACK_REF, f"fallback: {origin} names an unknown ref"
    if top is None or not _is_commit(top, ref):
        notes.append(
            "no git commit to compare with: comparing with the working tree's docs/schemas/, "
            "which cannot catch a breaking change that `make docs` has already written"
        )
        return Baseline(working_tree_schemas(docs_dir), None, origin, tuple(notes))
    schemas = git_schemas(docs_dir, ref)
    if schemas is None:
        notes.append(f"{ref} has no docs/schemas/: no released schemas to compare with")
        schemas = {}
    return Baseline(schemas, ref, origin, tuple(notes))


def baseline_schemas(docs_dir: Path, ref: str | None = None) -> dict[str, Schema]:
    """The released schemas (see resolve_baseline); every fallback taken is warned about."""
    baseline = resolve_baseline(docs_dir, ref)
    for note in baseline.notes:
        warnings.warn(note, BaselineFallback, stacklevel=2)
    return baseline.schemas


def git_schemas(docs_dir: Path, ref: str) -> dict[str, Schema] | None:
    """The schema files committed at ref; None when git, the repository, the ref or the folder
    at that ref is missing."""
    folder = docs_dir.resolve() / "schemas"
    top = _toplevel(docs_dir)
    if top is None:
        return None
    try:
        relative = folder.relative_to(top).as_posix()
        # From the top level: ls-tree run in a subfolder lists only that subfolder's part.
        listing = _git(top, "ls-tree", "--name-only", f"{ref}:{relative}")
        schemas = {}
        for name in listing.split():
            if name.endswith(".json"):
                text = _git(top, "show", f"{ref}:{relative}/{name}")
                schemas[name.removesuffix(".json")] = json.loads(text)
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError):
        return None
    return schemas


def working_tree_schemas(docs_dir: Path) -> dict[str, Schema]:
    folder = docs_dir / "schemas"
    return {
        p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(folder.glob("*.json"))
    }


def _toplevel(docs_dir: Path) -> Path | None:
    if not docs_dir.is_dir():
        return None
    try:
        return Path(_git(docs_dir, "rev-parse", "--show-toplevel").strip()).resolve()
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None


def _is_commit(top: Path, ref: str) -> bool:
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return False
    return True


def _git(cwd: Path, *args: str) -> str:
    # Read-only git plumbing; stderr is silenced because "not a repository" is an expected case.
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=30
    ).stdout


def main(argv: Sequence[str] | None = None) -> int:
    from shared.tools.docs import default_docs_dir

    parser = argparse.ArgumentParser(
        prog="python -m shared.tools.compat",
        description="fail on a backward-incompatible schema change",
    )
    parser.add_argument(
        "--baseline",
        default=None,
        help=f"git ref of the released schemas (default: ${BASELINE_ENV}, "
        f"else docs/schemas/{BASELINE_FILE}, else {FALLBACK_REF})",
    )
    parser.add_argument("--docs-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    docs_dir: Path = args.docs_dir or default_docs_dir()
    baseline = resolve_baseline(docs_dir, args.baseline)
    for note in baseline.notes:
        print(f"note: {note}", file=sys.stderr)  # noqa: T201
    against = baseline.ref or "the working tree"
    print(f"comparing with the schemas at {against} ({baseline.origin})", file=sys.stderr)  # noqa: T201
    problems = without_accepted(
        compare_catalogue(baseline.schemas, current_schemas(), RETIRED), baseline.ref
    )
    for problem in problems:
        print(problem, file=sys.stderr)  # noqa: T201
    if problems:
        print(  # noqa: T201
            "raise the message's version for a breaking change "
            "(docs/adr/0003-event-catalogue-docs.md)",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
