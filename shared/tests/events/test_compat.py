"""The compatibility gate catches each kind of breaking change and lets compatible ones pass."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.tools import compat
from shared.tools.docs import allow_unknown_fields, default_docs_dir, message_schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Narrow(StrEnum):
    RED = "red"


class Wide(StrEnum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Item(_Strict):
    code: str


class V1(_Strict):
    """The message as committed."""

    name: str
    count: int
    colour: Colour
    note: str | None = None
    when: date
    items: list[Item] = []


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def _problems(new: type[BaseModel]) -> list[str]:
    return compat.breaking_changes(_schema(V1), _schema(new))


def test_identical_schemas_are_compatible() -> None:
    assert _problems(V1) == []


def test_optional_field_added_is_compatible() -> None:
    class AddedOptional(V1):
        extra: str | None = None

    assert _problems(AddedOptional) == []


def test_type_widened_and_enum_value_added_are_compatible() -> None:
    class Widened(_Strict):
        name: str | None
        count: float
        colour: Wide
        note: str | None = None
        when: date
        items: list[Item] = []

    assert _problems(Widened) == []


def test_field_removed_is_breaking() -> None:
    class Removed(_Strict):
        name: str
        colour: Colour
        note: str | None = None
        when: date
        items: list[Item] = []

    assert _problems(Removed) == ["count: field removed"]


def test_required_field_added_is_breaking() -> None:
    class AddedRequired(V1):
        extra: str

    assert _problems(AddedRequired) == ["extra: required field added"]


def test_optional_field_made_required_is_breaking() -> None:
    class NowRequired(V1):
        note: str | None

    assert _problems(NowRequired) == ["note: required field added"]


def test_type_changed_is_breaking() -> None:
    class Changed(V1):
        count: str  # type: ignore[assignment]

    assert _problems(Changed) == ["count: type changed from integer to string"]


def test_null_no_longer_allowed_is_breaking() -> None:
    class NotNull(V1):
        note: str = ""  # type: ignore[assignment]

    assert _problems(NotNull) == ["note: type narrowed: null no longer accepted"]


def test_number_narrowed_to_integer_is_breaking() -> None:
    class Before(_Strict):
        share: float

    class After(_Strict):
        share: int

    assert compat.breaking_changes(_schema(Before), _schema(After)) == [
        "share: type changed from integer/number to integer"
    ]


def test_enum_value_removed_is_breaking() -> None:
    class Fewer(V1):
        colour: Narrow  # type: ignore[assignment]

    assert _problems(Fewer) == ['colour: enum value(s) removed: "green"']


def test_format_or_pattern_or_bound_added_is_breaking() -> None:
    class Tighter(V1):
        name: str = Field(pattern=r"^[a-z]+$", max_length=10)
        count: int = Field(ge=0)
        when: AwareDatetime  # type: ignore[assignment]

    problems = _problems(Tighter)
    assert "name: type narrowed: pattern changed from none to '^[a-z]+$'" in problems
    assert "name: type narrowed: maxLength None -> 10" in problems
    assert "count: type narrowed: minimum None -> 0" in problems
    assert "when: type narrowed: format changed from 'date' to 'date-time'" in problems
    assert len(problems) == 4


def test_bound_loosened_is_compatible() -> None:
    class Before(_Strict):
        months: int = Field(ge=1, le=9)

    class After(_Strict):
        months: int = Field(ge=1, le=12)

    assert compat.breaking_changes(_schema(Before), _schema(After)) == []


def test_nested_changes_are_found_through_references() -> None:
    class OtherItem(_Strict):
        code: int

    class NestedChanged(V1):
        items: list[OtherItem] = []  # type: ignore[assignment]

    assert _problems(NestedChanged) == ["items[].code: type changed from string to integer"]


def test_unknown_fields_refused_where_allowed_is_breaking() -> None:
    class Lenient(BaseModel):
        name: str

    class Strict(_Strict):
        name: str

    assert compat.breaking_changes(_schema(Lenient), _schema(Strict)) == [
        "(message): unknown fields are now refused"
    ]


def test_description_and_title_changes_are_compatible() -> None:
    class Described(V1):
        """Another description."""

        name: str = Field(description="now with words", title="The Name")

    assert _problems(Described) == []


# --- the catalogue-level gate ---------------------------------------------------------

OLD = _schema(V1)


def test_breaking_change_without_new_version_fails_the_gate() -> None:
    class Removed(_Strict):
        name: str

    problems = compat.compare_catalogue(
        {"nl.ind.x.thing.v1": OLD}, {"nl.ind.x.thing.v1": _schema(Removed)}
    )
    assert problems
    assert all(p.startswith("nl.ind.x.thing.v1: ") for p in problems)


def test_breaking_change_with_raised_version_passes() -> None:
    class Removed(_Strict):
        name: str

    assert (
        compat.compare_catalogue(
            {"nl.ind.x.thing.v1": OLD}, {"nl.ind.x.thing.v2": _schema(Removed)}
        )
        == []
    )


def test_old_version_must_stay_as_it_was_while_it_exists() -> None:
    class Removed(_Strict):
        name: str

    current = {"nl.ind.x.thing.v1": _schema(Removed), "nl.ind.x.thing.v2": _schema(Removed)}
    assert compat.compare_catalogue({"nl.ind.x.thing.v1": OLD}, current)


def test_message_removed_without_successor_fails_unless_retired() -> None:
    baseline = {"nl.ind.x.thing.v1": OLD}
    assert compat.compare_catalogue(baseline, {}) == [
        "nl.ind.x.thing.v1: message removed without a successor version"
    ]
    assert compat.compare_catalogue(baseline, {}, retired={"nl.ind.x.thing.v1"}) == []


def test_new_messages_pass() -> None:
    assert compat.compare_catalogue({}, {"nl.ind.x.thing.v1": OLD}) == []


def test_split_ce_type() -> None:
    assert compat.split_ce_type("nl.ind.intake.case-registered.v12") == (
        "nl.ind.intake.case-registered",
        12,
    )
    with pytest.raises(ValueError, match="does not end in"):
        compat.split_ce_type("nl.ind.intake.case-registered")


# --- against the committed schemas ----------------------------------------------------


def test_current_schemas_are_compatible_with_the_released_ones() -> None:
    """The gate itself: against the release named in docs/schemas/BASELINE (falling back to
    HEAD, with a warning); CASEFLOW_SCHEMA_BASELINE overrides it."""
    baseline = compat.resolve_baseline(default_docs_dir())
    for note in baseline.notes:
        warnings.warn(note, compat.BaselineFallback, stacklevel=1)
    assert baseline.schemas, "no released schemas: run `make docs`, check docs/schemas/BASELINE"
    problems = compat.without_accepted(
        compat.compare_catalogue(baseline.schemas, compat.current_schemas(), compat.RETIRED),
        baseline.ref,
    )
    assert problems == [], "raise the version of a message that changes incompatibly"


def test_an_accepted_change_passes_against_its_release_only() -> None:
    class Tighter(V1):
        name: str = Field(pattern=r"\S")

    some_text = r"\S"
    change = f"type narrowed: pattern changed from none to {some_text!r}"
    problems = compat.compare_catalogue(
        {"nl.ind.x.thing.v1": OLD}, {"nl.ind.x.thing.v1": _schema(Tighter)}
    )
    assert problems == [f"nl.ind.x.thing.v1: name: {change}"]
    accepted = [compat.AcceptedChange("abc123", change, "why")]
    assert compat.without_accepted(problems, "abc123", accepted) == []
    assert compat.without_accepted(problems, "def456", accepted) == problems
    assert compat.without_accepted(problems, None, accepted) == problems


def test_every_accepted_change_is_one_the_gate_finds_against_its_release() -> None:
    """An accepted change that the gate does not report (any more) would hide the next one."""
    baseline = compat.resolve_baseline(default_docs_dir())
    if baseline.notes:
        pytest.skip("the release baseline is not available: " + "; ".join(baseline.notes))
    problems = compat.compare_catalogue(baseline.schemas, compat.current_schemas())
    for accepted in compat.ACCEPTED:
        if accepted.baseline == baseline.ref:
            assert any(p.endswith(f": {accepted.change}") for p in problems), accepted.reason


class _Repo:
    """A throwaway git repository with a docs/schemas/ folder, as the gate sees ours."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.docs = root / "docs"
        (self.docs / "schemas").mkdir(parents=True)
        self.git("init", "-q")

    def git(self, *args: str) -> str:
        return subprocess.run(
            [
                "git",
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.invalid",
                "-c",
                "commit.gpgsign=false",
                *args,
            ],
            cwd=self.root,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    def write(self, schemas: dict[str, Any]) -> None:
        """What `make docs` does: every current schema written, the others removed."""
        for old in (self.docs / "schemas").glob("*.json"):
            old.unlink()
        for ce_type, schema in schemas.items():
            (self.docs / "schemas" / f"{ce_type}.json").write_text(json.dumps(schema))

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def pin(self, ref: str) -> None:
        (self.docs / "schemas" / compat.BASELINE_FILE).write_text(
            f"# the last release\n\n{ref}\n# replace with the next release's hash\n"
        )

    def gate(self, current: dict[str, Any], ref: str | None = None) -> list[str]:
        return compat.compare_catalogue(compat.baseline_schemas(self.docs, ref), current)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Repo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.delenv(compat.BASELINE_ENV, raising=False)  # CI may set it for the real gate
    return _Repo(tmp_path)


class _Removed(_Strict):
    name: str


NEW = _schema(_Removed)


def test_the_gate_reads_the_committed_file_not_the_regenerated_one(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    repo.commit("baseline")
    repo.write({"nl.ind.x.thing.v1": NEW})  # what `make docs` would do after the change
    baseline = compat.baseline_schemas(repo.docs, "HEAD")
    assert baseline["nl.ind.x.thing.v1"] == OLD
    assert repo.gate({"nl.ind.x.thing.v1": NEW}, "HEAD")


def test_a_breaking_change_committed_after_the_release_fails_the_gate(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    release = repo.commit("release")
    repo.pin(release)
    repo.commit("pin the release")
    repo.write({"nl.ind.x.thing.v1": NEW})  # the change and `make docs`, committed together
    repo.commit("breaking change with regenerated docs")

    problems = repo.gate({"nl.ind.x.thing.v1": NEW})
    assert problems == ["nl.ind.x.thing.v1: count: field removed", *problems[1:]]
    assert all(p.startswith("nl.ind.x.thing.v1: ") for p in problems)
    # What the gate used to do: against HEAD the same change passes unnoticed.
    repo.pin("HEAD")
    with pytest.warns(compat.BaselineFallback, match="names HEAD, not a release commit"):
        assert repo.gate({"nl.ind.x.thing.v1": NEW}) == []


def test_a_breaking_change_with_a_raised_version_passes_the_gate(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    release = repo.commit("release")
    repo.pin(release)
    repo.write({"nl.ind.x.thing.v2": NEW})  # v1 replaced by v2
    repo.commit("thing v2")
    assert repo.gate({"nl.ind.x.thing.v2": NEW}) == []
    # Or v2 beside v1, while v1 stays as released.
    repo.write({"nl.ind.x.thing.v1": OLD, "nl.ind.x.thing.v2": NEW})
    repo.commit("thing v1 and v2")
    assert repo.gate({"nl.ind.x.thing.v1": OLD, "nl.ind.x.thing.v2": NEW}) == []


def test_the_released_v1_must_stay_as_it_was_even_if_edited_since(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    release = repo.commit("release")
    repo.pin(release)
    repo.write({"nl.ind.x.thing.v1": NEW, "nl.ind.x.thing.v2": NEW})
    repo.commit("v2 added, and v1 edited in the same commit")
    current = {"nl.ind.x.thing.v1": NEW, "nl.ind.x.thing.v2": NEW}
    assert repo.gate(current)
    assert repo.gate(current, "HEAD") == []  # HEAD already has the edited v1


def test_messages_added_after_the_release_may_still_change(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    release = repo.commit("release")
    repo.pin(release)
    repo.write({"nl.ind.x.thing.v1": OLD, "nl.ind.x.other.v1": OLD})
    repo.commit("other added")
    assert repo.gate({"nl.ind.x.thing.v1": OLD, "nl.ind.x.other.v1": NEW}) == []


def test_the_baseline_may_be_a_symbolic_ref_and_the_environment_overrides_it(
    repo: _Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    repo.commit("release")
    repo.git("tag", "release-1")
    repo.pin("release-1")
    repo.write({"nl.ind.x.thing.v1": NEW})
    repo.commit("breaking change")
    assert compat.resolve_baseline(repo.docs).ref == "release-1"
    assert repo.gate({"nl.ind.x.thing.v1": NEW})
    monkeypatch.setenv(compat.BASELINE_ENV, "HEAD")
    resolved = compat.resolve_baseline(repo.docs)
    assert (resolved.ref, resolved.origin, resolved.notes) == ("HEAD", compat.BASELINE_ENV, ())
    assert repo.gate({"nl.ind.x.thing.v1": NEW}) == []


def test_an_unknown_or_absent_baseline_falls_back_to_head_and_says_so(repo: _Repo) -> None:
    repo.write({"nl.ind.x.thing.v1": OLD})
    repo.commit("only commit")
    repo.pin("0123456789abcdef0123456789abcdef01234567")  # e.g. not fetched in a shallow clone
    with pytest.warns(compat.BaselineFallback, match="unknown to git: comparing with HEAD"):
        assert compat.baseline_schemas(repo.docs) == {"nl.ind.x.thing.v1": OLD}
    (repo.docs / "schemas" / compat.BASELINE_FILE).unlink()
    with pytest.warns(compat.BaselineFallback, match="no docs/schemas/BASELINE"):
        assert compat.baseline_schemas(repo.docs) == {"nl.ind.x.thing.v1": OLD}


def test_a_baseline_file_with_no_single_ref_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    path = tmp_path / "schemas" / compat.BASELINE_FILE
    assert compat.read_baseline_file(tmp_path) is None
    path.write_text("# comment only\n\n")
    with pytest.raises(ValueError, match="exactly one git ref"):
        compat.read_baseline_file(tmp_path)
    path.write_text("abc123\ndef456\n")
    with pytest.raises(ValueError, match="exactly one git ref"):
        compat.read_baseline_file(tmp_path)
    path.write_text("  # the release\n  abc123  \n")
    assert compat.read_baseline_file(tmp_path) == "abc123"


def test_the_committed_baseline_file_names_one_ref() -> None:
    assert compat.read_baseline_file(default_docs_dir())


def test_without_git_the_working_tree_is_the_baseline(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "nl.ind.x.thing.v1.json").write_text(json.dumps(OLD))
    with pytest.warns(compat.BaselineFallback, match="working tree"):
        assert compat.baseline_schemas(tmp_path, "HEAD") == {"nl.ind.x.thing.v1": OLD}


def test_allowing_unknown_fields_is_compatible_and_refusing_them_again_is_not() -> None:
    strict = _schema(V1)
    loose = allow_unknown_fields(strict)
    assert "additionalProperties" not in json.dumps(loose)
    assert compat.breaking_changes(strict, loose) == []
    assert sorted(compat.breaking_changes(loose, strict)) == [
        "(message): unknown fields are now refused",
        "items[]: unknown fields are now refused",
    ]


def test_published_output_schemas_loosened_are_compatible_with_strict_ones() -> None:
    from shared.contracts.events.intake import CaseRegistered
    from shared.contracts.events.planning import PlanCycleOpened

    for model in (CaseRegistered, PlanCycleOpened):
        strict = model.model_json_schema()
        assert compat.breaking_changes(strict, message_schema(model)) == []


def test_message_schema_of_a_catalogue_model_round_trips_through_json() -> None:
    from shared.contracts.events.intake import CaseRegistered

    schema = message_schema(CaseRegistered)
    assert compat.breaking_changes(json.loads(json.dumps(schema)), schema) == []
