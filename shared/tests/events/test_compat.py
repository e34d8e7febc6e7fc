"""The compatibility gate catches each kind of breaking change and lets compatible ones pass."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events import compat
from shared.events.docs import default_docs_dir, message_schema


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


def test_current_schemas_are_compatible_with_the_committed_ones() -> None:
    """The gate itself: CI sets CASEFLOW_SCHEMA_BASELINE to the target branch."""
    baseline = compat.baseline_schemas(default_docs_dir())
    assert baseline, "docs/schemas/ is empty: run `make docs`"
    assert compat.compare_catalogue(baseline, compat.current_schemas(), compat.RETIRED) == []


def test_the_gate_reads_the_committed_file_not_the_regenerated_one(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    docs = tmp_path / "docs"
    (docs / "schemas").mkdir(parents=True)
    path = docs / "schemas" / "nl.ind.x.thing.v1.json"
    path.write_text(json.dumps(OLD))

    def git(*args: str) -> None:
        subprocess.run(
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
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", "docs")
    git("commit", "-q", "-m", "baseline")

    class Removed(_Strict):
        name: str

    path.write_text(json.dumps(_schema(Removed)))  # what `make docs` would do after the change
    baseline = compat.baseline_schemas(docs, "HEAD")
    assert baseline["nl.ind.x.thing.v1"] == OLD
    assert compat.compare_catalogue(baseline, {"nl.ind.x.thing.v1": _schema(Removed)})


def test_without_git_the_working_tree_is_the_baseline(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "nl.ind.x.thing.v1.json").write_text(json.dumps(OLD))
    assert compat.baseline_schemas(tmp_path, "HEAD") == {"nl.ind.x.thing.v1": OLD}


def test_message_schema_of_a_catalogue_model_round_trips_through_json() -> None:
    from shared.events.intake import CaseRegistered

    schema = message_schema(CaseRegistered)
    assert compat.breaking_changes(json.loads(json.dumps(schema)), schema) == []
