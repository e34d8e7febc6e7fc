"""Country policy (landenbeleid) as data: which backlog category a nationality falls in.

A policy is versioned, takes effect on a date, and arrives as a ``CountryPolicyPublished``
event (``CountryPolicy.from_event``) or is read from a TOML file with the same field names
(stdlib ``tomllib``: dates are native TOML values and comments can carry the source of each
rule).
A rule names a nationality and optionally a sex ("Afghanistan, female: B"); the most specific
rule wins, then the nationality rule, then the policy's default category. File format:

    policy_version = "cp-2026-1"
    effective_from = 2026-04-01
    default_category = "outside"
    former_safe_countries = ["GEO"]

    [[rules]]
    nationality = "AFG"
    category = "D"

    [[rules]]
    nationality = "AFG"
    sex = "female"
    category = "B"
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intake.domain.refusals import Refusal, RefusalKind
from shared.contracts.events.common import Sex
from shared.contracts.events.intake import CountryPolicyPublished, CountryPolicyRule, PolicyVersion
from shared.contracts.values import Category, Nationality

_DATA = "policy"
DEFAULT_POLICY_FILE = "default_policy.toml"
DEFAULT_MIX_FILE = "backlog_mix.toml"


class PolicyFileError(ValueError):
    """A policy (or mix) file that cannot be used; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CountryPolicy(_Frozen):
    """One version of country policy: the CountryPolicyPublished event's content, with the
    behaviour intake needs. Field names (and the rule type) are the event's; ``note`` is for
    files only."""

    policy_version: PolicyVersion
    effective_from: date
    default_category: Category = Field(description="for nationalities no rule names")
    rules: tuple[CountryPolicyRule, ...] = ()
    former_safe_countries: frozenset[Nationality] = frozenset()
    note: str = ""

    @classmethod
    def from_event(cls, data: CountryPolicyPublished) -> CountryPolicy:
        """The policy a CountryPolicyPublished event publishes."""
        return cls(
            policy_version=data.policy_version,
            effective_from=data.effective_from,
            default_category=data.default_category,
            rules=data.rules,
            former_safe_countries=frozenset(data.former_safe_countries),
        )

    @model_validator(mode="after")
    def _one_rule_per_key(self) -> CountryPolicy:
        keys = Counter((rule.nationality, rule.sex) for rule in self.rules)
        twice = sorted(
            f"{nat}{'/' + sex.value if sex else ''}" for (nat, sex), n in keys.items() if n > 1
        )
        if twice:
            raise ValueError(f"more than one rule for {', '.join(twice)}")
        return self

    def rule_for(self, nationality: str, sex: Sex | None) -> CountryPolicyRule | None:
        """The most specific rule: nationality and sex, else nationality alone, else none."""
        exact = None
        general = None
        for rule in self.rules:
            if rule.nationality != nationality:
                continue
            if rule.sex is None:
                general = rule
            elif rule.sex == sex:
                exact = rule
        return exact if exact is not None else general


def categorise(policy: CountryPolicy, nationality: str, sex: Sex | None) -> Category:
    """The backlog category of an applicant under ``policy``."""
    rule = policy.rule_for(nationality, sex)
    return rule.category if rule is not None else policy.default_category


def _explain(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(step) for step in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyFileError(f"{source}: not valid TOML: {exc}") from exc


def parse_policy(text: str, source: str = "<policy>") -> CountryPolicy:
    """A policy from TOML text; ``source`` names it in error messages."""
    data = _parse_toml(text, source)
    try:
        return CountryPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(f"{source}: {_explain(exc)}") from exc


def load_policy(path: Path | Traversable) -> CountryPolicy:
    """A policy from a TOML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot be read: {exc}") from exc
    return parse_policy(text, str(path))


def _shipped(name: str) -> Traversable:
    return files("intake").joinpath(_DATA).joinpath(name)


def default_policy() -> CountryPolicy:
    """The shipped default table. Illustrative, not official policy (see the file's header)."""
    return load_policy(_shipped(DEFAULT_POLICY_FILE))


class PolicyBook(_Frozen):
    """Every published policy version, in publication order; picks the one in effect on a date."""

    versions: tuple[CountryPolicy, ...] = ()

    def publish(self, policy: CountryPolicy) -> PolicyBook:
        """The book with ``policy`` added. Re-publishing the same version with the same content
        changes nothing; the same version with other content is refused (versions are immutable)."""
        for known in self.versions:
            if known.policy_version == policy.policy_version:
                if known == policy:
                    return self
                raise Refusal(
                    RefusalKind.POLICY_VERSION_CONFLICT,
                    f"country policy version {policy.policy_version!r} was already published "
                    "with other content; publish the change under a new version",
                )
        return PolicyBook(versions=(*self.versions, policy))

    def in_effect(self, on: date) -> CountryPolicy:
        """The policy in effect on ``on``: the latest ``effective_from`` not after it; of versions
        taking effect on the same day, the last published (a same-day correction)."""
        candidates = [
            (policy.effective_from, index, policy)
            for index, policy in enumerate(self.versions)
            if policy.effective_from <= on
        ]
        if not candidates:
            raise Refusal(
                RefusalKind.NO_POLICY_IN_EFFECT,
                f"no country policy is in effect on {on.isoformat()}; publish one first",
            )
        return max(candidates, key=lambda item: (item[0], item[1]))[2]

    def get(self, policy_version: str) -> CountryPolicy | None:
        return next((p for p in self.versions if p.policy_version == policy_version), None)


# --- The illustrative backlog nationality mix, to check a table against the plan's shares ---


class MixEntry(_Frozen):
    nationality: Nationality
    sex: Sex | None = Field(
        default=None, description="absent: any sex (no sex-specific rule applies)"
    )
    applications: int = Field(ge=0)


class NationalityMix(_Frozen):
    """How many open applications there are per nationality (and, where policy needs it, sex)."""

    description: str = ""
    entries: tuple[MixEntry, ...]

    @property
    def total(self) -> int:
        return sum(entry.applications for entry in self.entries)


def parse_mix(text: str, source: str = "<mix>") -> NationalityMix:
    data = _parse_toml(text, source)
    try:
        return NationalityMix.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(f"{source}: {_explain(exc)}") from exc


def default_backlog_mix() -> NationalityMix:
    """The shipped illustrative mix of the 54,000 open backlog applications (R5)."""
    path = _shipped(DEFAULT_MIX_FILE)
    return parse_mix(path.read_text(encoding="utf-8"), str(path))


def category_counts(policy: CountryPolicy, mix: Iterable[MixEntry]) -> Mapping[Category, int]:
    counts = dict.fromkeys(Category, 0)
    for entry in mix:
        counts[categorise(policy, entry.nationality, entry.sex)] += entry.applications
    return counts


def category_shares(policy: CountryPolicy, mix: NationalityMix) -> Mapping[Category, float]:
    """The fraction (0..1) of the mix's applications in each category under ``policy``."""
    total = mix.total
    if total == 0:
        raise ValueError("the mix holds no applications")
    return {category: n / total for category, n in category_counts(policy, mix.entries).items()}
