"""Country policy as data: rules, files, versions, and the shipped illustrative table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from intake.domain import (
    CountryPolicy,
    CountryPolicyRule,
    PolicyBook,
    PolicyFileError,
    Refusal,
    RefusalKind,
    Sex,
    categorise,
    category_shares,
    default_backlog_mix,
    default_policy,
    load_policy,
    parse_policy,
)
from shared.contracts.events.intake import CountryPolicyPublished
from shared.contracts.values import Category
from shared.tools.examples import example

VALID = """
policy_version = "cp-2026-2"
effective_from = 2026-07-01
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


def test_the_most_specific_rule_wins(policy: CountryPolicy) -> None:
    assert categorise(policy, "AFG", Sex.FEMALE) is Category.B  # nationality + sex
    assert categorise(policy, "AFG", Sex.MALE) is Category.D  # nationality alone
    assert categorise(policy, "AFG", Sex.UNKNOWN) is Category.D
    assert categorise(policy, "SYR", Sex.FEMALE) is Category.A
    assert categorise(policy, "NLD", Sex.MALE) is Category.OUTSIDE  # default


def test_rule_order_in_the_file_does_not_matter() -> None:
    specific = CountryPolicyRule(nationality="AFG", sex=Sex.FEMALE, category=Category.B)
    general = CountryPolicyRule(nationality="AFG", category=Category.D)
    for rules in ((specific, general), (general, specific)):
        policy = CountryPolicy(
            policy_version="cp-x",
            effective_from=date(2026, 1, 1),
            default_category=Category.OUTSIDE,
            rules=rules,
        )
        assert categorise(policy, "AFG", Sex.FEMALE) is Category.B
        assert categorise(policy, "AFG", Sex.MALE) is Category.D


def test_a_sex_only_rule_without_a_nationality_rule_falls_back_to_the_default() -> None:
    policy = CountryPolicy(
        policy_version="cp-x",
        effective_from=date(2026, 1, 1),
        default_category=Category.D,
        rules=(CountryPolicyRule(nationality="AFG", sex=Sex.FEMALE, category=Category.B),),
    )
    assert categorise(policy, "AFG", Sex.MALE) is Category.D


def test_parse_a_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(VALID, encoding="utf-8")
    policy = load_policy(path)
    assert policy.policy_version == "cp-2026-2"
    assert policy.effective_from == date(2026, 7, 1)
    assert policy.former_safe_countries == frozenset({"GEO"})
    assert categorise(policy, "AFG", Sex.FEMALE) is Category.B


def test_a_policy_from_its_published_event_equals_the_same_policy_from_a_file() -> None:
    published = CountryPolicyPublished.model_validate(
        {
            "policy_version": "cp-2026-2",
            "effective_from": "2026-07-01",
            "rules": [
                {"nationality": "AFG", "category": "D"},
                {"nationality": "AFG", "sex": "female", "category": "B"},
            ],
            "former_safe_countries": ["GEO"],
        }
    )
    policy = CountryPolicy.from_event(published)
    assert policy == parse_policy(VALID)
    assert policy.default_category is Category.OUTSIDE  # the event's default
    assert categorise(policy, "AFG", Sex.FEMALE) is Category.B


def test_the_catalogue_example_policy_can_be_published() -> None:
    published = example(CountryPolicyPublished)
    assert isinstance(published, CountryPolicyPublished)
    policy = CountryPolicy.from_event(published)
    assert policy.policy_version == published.policy_version
    assert policy.rules == published.rules
    assert policy.former_safe_countries == frozenset(published.former_safe_countries)
    assert PolicyBook().publish(policy).in_effect(published.effective_from) == policy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = ", "not valid TOML"),
        (VALID.replace('"AFG"\ncategory = "D"', '"ZZZ"\ncategory = "D"', 1), "rules.0.nationality"),
        (VALID.replace('"AFG"\ncategory = "D"', '"afg"\ncategory = "D"', 1), "rules.0.nationality"),
        (VALID.replace('category = "D"', 'category = "E"'), "rules.0.category"),
        (VALID.replace('sex = "female"', 'sex = "woman"'), "rules.1.sex"),
        (VALID.replace('policy_version = "cp-2026-2"\n', ""), "policy_version: Field required"),
        (VALID.replace('"cp-2026-2"', '"v 2"'), "policy_version: String should match pattern"),
        (
            VALID.replace("effective_from = 2026-07-01", 'effective_from = "next week"'),
            "effective_from",
        ),
        (VALID.replace('["GEO"]', '["XYZ"]'), "former_safe_countries"),
        (
            VALID + '\n[[rules]]\nnationality = "AFG"\ncategory = "A"\n',
            "more than one rule for AFG",
        ),
        (VALID.replace('category = "D"', 'catgory = "D"'), "rules.0.catgory"),
    ],
)
def test_a_broken_policy_file_is_refused_with_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(PolicyFileError, match=r"my-policy\.toml") as error:
        parse_policy(text, "my-policy.toml")
    assert message in str(error.value)


def test_a_missing_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="cannot be read"):
        load_policy(tmp_path / "absent.toml")


def _version(version: str, effective_from: date, category: Category) -> CountryPolicy:
    return CountryPolicy(
        policy_version=version,
        effective_from=effective_from,
        default_category=Category.OUTSIDE,
        rules=(CountryPolicyRule(nationality="IRQ", category=category),),
    )


def test_the_book_picks_the_version_in_effect_on_a_date() -> None:
    v1 = _version("cp-v1", date(2026, 1, 1), Category.C)
    v2 = _version("cp-v2", date(2026, 7, 1), Category.D)
    book = PolicyBook().publish(v2).publish(v1)  # publication order does not matter
    assert book.in_effect(date(2026, 1, 1)) == v1
    assert book.in_effect(date(2026, 6, 30)) == v1
    assert book.in_effect(date(2026, 7, 1)) == v2
    assert book.get("cp-v2") == v2
    assert book.get("cp-v3") is None


def test_a_same_day_correction_wins_over_the_version_it_corrects() -> None:
    first = _version("cp-v2", date(2026, 7, 1), Category.D)
    correction = _version("cp-v2-fix", date(2026, 7, 1), Category.A)
    book = PolicyBook().publish(first).publish(correction)
    assert book.in_effect(date(2026, 7, 1)) == correction


def test_no_policy_in_effect_is_a_refusal() -> None:
    book = PolicyBook().publish(_version("cp-v1", date(2026, 1, 1), Category.C))
    with pytest.raises(Refusal) as refusal:
        book.in_effect(date(2025, 12, 31))
    assert refusal.value.kind is RefusalKind.NO_POLICY_IN_EFFECT


def test_republishing_a_version_is_idempotent_and_changing_it_is_refused() -> None:
    v1 = _version("cp-v1", date(2026, 1, 1), Category.C)
    book = PolicyBook().publish(v1)
    assert book.publish(v1) == book
    with pytest.raises(Refusal) as refusal:
        book.publish(_version("cp-v1", date(2026, 1, 1), Category.A))
    assert refusal.value.kind is RefusalKind.POLICY_VERSION_CONFLICT
    assert "new version" in refusal.value.reason


# --- The shipped, illustrative default table ---


def test_the_shipped_table_loads_and_says_it_is_illustrative() -> None:
    policy = default_policy()
    assert "illustrative" in policy.policy_version
    assert "not official" in policy.note
    assert policy.default_category is Category.OUTSIDE


@pytest.mark.parametrize(
    ("nationality", "sex", "category"),
    [
        ("SYR", Sex.MALE, Category.A),
        ("YEM", Sex.FEMALE, Category.A),
        ("MMR", Sex.MALE, Category.B),
        ("AFG", Sex.FEMALE, Category.B),
        ("AFG", Sex.MALE, Category.D),
        ("IRQ", Sex.FEMALE, Category.C),
        ("NGA", Sex.MALE, Category.D),
        ("SOM", Sex.FEMALE, Category.D),
        ("MNG", Sex.MALE, Category.OUTSIDE),
    ],
)
def test_the_shipped_table_uses_the_plans_examples(
    nationality: str, sex: Sex, category: Category
) -> None:
    assert categorise(default_policy(), nationality, sex) is category


def test_the_shipped_table_reproduces_the_plans_shares_on_the_backlog_mix() -> None:
    mix = default_backlog_mix()
    assert mix.total == 54_000  # R5: open backlog applications on 1 April 2026
    shares = category_shares(default_policy(), mix)
    plan = {
        Category.A: 0.39,
        Category.B: 0.17,
        Category.C: 0.08,
        Category.D: 0.28,
        Category.OUTSIDE: 0.08,
    }
    for category, share in plan.items():
        assert shares[category] == pytest.approx(share, abs=0.005), category


def test_shares_follow_the_table_not_the_mix_labels(policy: CountryPolicy) -> None:
    """The shares are computed by categorising, so another table gives other shares."""
    shares = category_shares(policy, default_backlog_mix())
    assert shares[Category.A] == pytest.approx(15_660 / 54_000)  # YEM is not in the test policy
    assert sum(shares.values()) == pytest.approx(1.0)
