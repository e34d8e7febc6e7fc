"""Legal deadlines: procedure choice, terms with sources, extensions and their caps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intake.domain import (
    BORDER_DECISION_TERM,
    DEFAULT_TERMS,
    ExtensionGround,
    LegalDeadline,
    Procedure,
    Refusal,
    RefusalKind,
    add_months,
    choose_procedure,
    extend,
    legal_deadline,
    load_terms,
)
from intake.domain.deadlines import BASIS_MAX_LENGTH, TermsFileError, TermStart, switch_procedure
from shared.contracts.events.intake import LegalDeadlineChanged
from shared.contracts.values import Stream

CEST = timezone(timedelta(hours=2))
ORDINARY = [
    ExtensionGround.COMPLEX_CASE,
    ExtensionGround.MANY_APPLICATIONS,
    ExtensionGround.APPLICANT_DELAY,
]


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stream", "nuisance", "border", "procedure"),
    [
        (Stream.BACKLOG, False, False, Procedure.NATIONAL_REGULAR),
        (Stream.BACKLOG, True, False, Procedure.NATIONAL_REGULAR),
        (Stream.BACKLOG, False, True, Procedure.NATIONAL_REGULAR),  # border is Pact only
        (Stream.PACT, False, False, Procedure.PACT_REGULAR),
        (Stream.PACT, True, False, Procedure.PACT_ACCELERATED),
        (Stream.PACT, False, True, Procedure.PACT_BORDER),
        (Stream.PACT, True, True, Procedure.PACT_BORDER),
    ],
)
def test_procedure_choice(
    stream: Stream, nuisance: bool, border: bool, procedure: Procedure
) -> None:
    assert choose_procedure(stream, nuisance=nuisance, border_procedure=border) is procedure


APR = "Reg. (EU) 2024/1348"


@pytest.mark.parametrize(
    ("procedure", "lodged", "due", "basis"),
    [
        (Procedure.NATIONAL_REGULAR, date(2026, 3, 2), date(2026, 9, 2), "Vw 2000 art. 42(1)"),
        (Procedure.PACT_REGULAR, date(2026, 6, 12), date(2026, 12, 12), f"{APR} art. 35(4)"),
        (Procedure.PACT_ACCELERATED, date(2026, 6, 12), date(2026, 9, 12), f"{APR} art. 35(3)"),
        (Procedure.PACT_ADMISSIBILITY, date(2026, 6, 12), date(2026, 8, 12), f"{APR} art. 35(1)"),
        (Procedure.PACT_BORDER, date(2026, 6, 12), date(2026, 9, 4), f"{APR} art. 51(2)"),
        (Procedure.PACT_REGULAR, date(2026, 8, 31), date(2027, 2, 28), f"{APR} art. 35(4)"),
    ],
)
def test_each_term_with_its_legal_source(
    procedure: Procedure, lodged: date, due: date, basis: str
) -> None:
    # Registered at the lodging moment, so the border term starts on the same day.
    deadline = legal_deadline(procedure, at(lodged), registered_at=at(lodged))
    assert deadline.due == due
    assert deadline.starts_on == lodged
    assert deadline.basis == basis


def test_the_term_starts_on_the_amsterdam_lodging_date() -> None:
    # 23:30 UTC on 30 June is 01:30 on 1 July in Amsterdam.
    deadline = legal_deadline(Procedure.PACT_REGULAR, datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert deadline.starts_on == date(2026, 7, 1)
    assert deadline.due == date(2027, 1, 1)


def test_the_border_term_runs_from_registration() -> None:
    assert DEFAULT_TERMS.of(Procedure.PACT_BORDER).runs_from is TermStart.REGISTRATION
    # 22:30 UTC on 30 June is 00:30 on 1 July in Amsterdam: registered on 1 July.
    registered = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    deadline = legal_deadline(
        Procedure.PACT_BORDER, at(date(2026, 7, 10)), registered_at=registered
    )
    assert deadline.starts_on == date(2026, 7, 1)
    assert deadline.due == date(2026, 7, 1) + timedelta(weeks=12)


def test_a_border_term_without_a_registration_moment_is_refused() -> None:
    # Counting from lodging instead would give a deadline later than the law's.
    with pytest.raises(Refusal) as refusal:
        legal_deadline(Procedure.PACT_BORDER, at(date(2026, 7, 10)))
    assert refusal.value.kind is RefusalKind.BORDER_PROCEDURE_WITHOUT_REGISTRATION
    assert refusal.value.kind.value == "border_procedure_without_registration"
    assert "registered_at" in refusal.value.reason
    assert "art. 51(2)" in refusal.value.reason


def test_the_border_deadline_includes_the_appeal_and_the_decision_is_due_earlier() -> None:
    border = DEFAULT_TERMS.of(Procedure.PACT_BORDER)
    assert border.includes_appeal
    assert border.decision_term == BORDER_DECISION_TERM
    assert BORDER_DECISION_TERM.length == 4
    assert "assumption" in BORDER_DECISION_TERM.source
    registered = at(date(2026, 7, 1))
    deadline = legal_deadline(Procedure.PACT_BORDER, at(date(2026, 7, 3)), registered_at=registered)
    assert deadline.due == date(2026, 9, 23)  # 12 weeks: the end of the appeal too
    assert deadline.decision_due == date(2026, 7, 29)  # 4 weeks: the decision itself
    assert deadline.decision_basis == BORDER_DECISION_TERM.source
    assert deadline.basis == f"{APR} art. 51(2)"  # what is published stays the legal term


@pytest.mark.parametrize("procedure", [p for p in Procedure if p is not Procedure.PACT_BORDER])
def test_other_terms_are_decision_terms_only(procedure: Procedure) -> None:
    assert not DEFAULT_TERMS.of(procedure).includes_appeal
    deadline = legal_deadline(procedure, at(date(2026, 7, 1)))
    assert (deadline.decision_due, deadline.decision_basis) == (None, None)


def test_the_border_decision_term_is_configuration(tmp_path: Path) -> None:
    path = tmp_path / "terms.toml"
    path.write_text(
        '[procedures.pact_border.decision_term]\nlength = 6\nsource = "Implementing act art. Y"\n',
        encoding="utf-8",
    )
    deadline = legal_deadline(
        Procedure.PACT_BORDER,
        at(date(2026, 7, 1)),
        load_terms(path),
        registered_at=at(date(2026, 7, 1)),
    )
    assert deadline.decision_due == date(2026, 8, 12)
    assert deadline.decision_basis == "Implementing act art. Y"
    assert deadline.due == date(2026, 9, 23)


@pytest.mark.parametrize(
    ("border", "message"),
    [
        ({"decision_term": None}, "needs a decision_term"),
        ({"decision_term": {"length": 12}}, "shorter than the term"),
        ({"includes_appeal": False}, "needs a decision_term, and only it"),
    ],
)
def test_an_inconsistent_decision_term_is_refused(border: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DEFAULT_TERMS.with_overrides({"procedures": {"pact_border": border}})


@pytest.mark.parametrize(
    "procedure", [p for p in Procedure if DEFAULT_TERMS.of(p).runs_from is TermStart.LODGING]
)
def test_other_terms_ignore_the_registration_moment(procedure: Procedure) -> None:
    registered = at(date(2026, 7, 1))
    lodged = at(date(2026, 7, 10))
    assert legal_deadline(procedure, lodged, registered_at=registered) == legal_deadline(
        procedure, lodged
    )


def test_where_a_term_runs_from_is_configuration() -> None:
    terms = DEFAULT_TERMS.with_overrides(
        {"procedures": {"pact_regular": {"runs_from": "registration"}}}
    )
    deadline = legal_deadline(
        Procedure.PACT_REGULAR, at(date(2026, 7, 10)), terms, registered_at=at(date(2026, 7, 1))
    )
    assert deadline.due == date(2027, 1, 1)


def test_a_procedure_switch_keeps_the_start_and_refuses_terms_with_another_start() -> None:
    accelerated = legal_deadline(Procedure.PACT_ACCELERATED, at(date(2026, 7, 1)))
    regular = switch_procedure(accelerated, Procedure.PACT_REGULAR)
    assert (regular.starts_on, regular.due) == (date(2026, 7, 1), date(2027, 1, 1))
    with pytest.raises(ValueError, match="different moments"):
        switch_procedure(accelerated, Procedure.PACT_BORDER)


@pytest.mark.parametrize(
    ("lodged", "covered"),
    [
        (date(2022, 9, 26), False),
        (date(2022, 9, 27), True),
        (date(2024, 12, 31), True),
        (date(2025, 1, 1), False),
    ],
)
def test_the_2022_collective_extension_covers_its_window(lodged: date, covered: bool) -> None:
    deadline = legal_deadline(Procedure.NATIONAL_REGULAR, at(lodged))
    assert deadline.due == add_months(lodged, 15 if covered else 6)
    assert ("WBV 2022/22" in deadline.basis) is covered


def test_the_2022_extension_can_be_switched_off() -> None:
    terms = DEFAULT_TERMS.with_overrides(
        {
            "collective_extensions": [
                {**DEFAULT_TERMS.collective_extensions[0].model_dump(), "enabled": False}
            ]
        }
    )
    deadline = legal_deadline(Procedure.NATIONAL_REGULAR, at(date(2023, 5, 1)), terms)
    assert deadline.due == date(2023, 11, 1)


def test_the_2022_extension_uses_up_the_ordinary_national_extension() -> None:
    deadline = legal_deadline(Procedure.NATIONAL_REGULAR, at(date(2023, 5, 1)))
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.COMPLEX_CASE)
    assert refusal.value.kind is RefusalKind.EXTENSION_BEYOND_MAXIMUM
    assert extend(deadline, 3, ExtensionGround.EXCEPTIONAL).due == date(2024, 11, 1)  # 18 months


def test_a_national_term_extends_by_9_then_exceptionally_3() -> None:
    deadline = legal_deadline(Procedure.NATIONAL_REGULAR, at(date(2026, 3, 2)))
    deadline = extend(deadline, 6, ExtensionGround.COMPLEX_CASE)
    assert deadline.due == date(2027, 3, 2)
    deadline = extend(deadline, 3, ExtensionGround.MANY_APPLICATIONS)
    assert deadline.due == date(2027, 6, 2)
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.APPLICANT_DELAY)
    assert refusal.value.kind is RefusalKind.EXTENSION_BEYOND_MAXIMUM
    assert "allows 9" in refusal.value.reason
    assert "0 months remain" in refusal.value.reason
    deadline = extend(deadline, 3, ExtensionGround.EXCEPTIONAL)
    assert deadline.due == date(2027, 9, 2)  # 18 months after lodging
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.EXCEPTIONAL)
    assert refusal.value.kind is RefusalKind.EXTENSION_BEYOND_MAXIMUM
    assert "art. 42" in deadline.basis
    assert (
        deadline.basis == "Vw 2000 art. 42(1) + Vw 2000 art. 42(4) + Vw 2000 art. 42, exceptional"
    )


def test_the_absolute_maximum_of_21_months_holds_when_allowances_would_exceed_it() -> None:
    national = DEFAULT_TERMS.of(Procedure.NATIONAL_REGULAR)
    assert national.maximum_months == 21
    terms = DEFAULT_TERMS.with_overrides(
        {
            "procedures": {
                "national_regular": {"extension": {"months": 12}, "exceptional": {"months": 6}}
            }
        }
    )
    deadline = extend(
        legal_deadline(Procedure.NATIONAL_REGULAR, at(date(2026, 3, 2)), terms),
        12,
        ORDINARY[0],
        terms,
    )
    deadline = extend(deadline, 3, ExtensionGround.EXCEPTIONAL, terms)  # 21 months
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.EXCEPTIONAL, terms)
    assert refusal.value.kind is RefusalKind.EXTENSION_BEYOND_MAXIMUM
    assert "31(5)" in refusal.value.reason


def test_a_pact_regular_term_extends_by_6_then_exceptionally_3() -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 6, 12)))
    deadline = extend(deadline, 6, ExtensionGround.MANY_APPLICATIONS)
    assert deadline.due == date(2027, 6, 12)
    with pytest.raises(Refusal):
        extend(deadline, 1, ExtensionGround.COMPLEX_CASE)
    deadline = extend(deadline, 3, ExtensionGround.EXCEPTIONAL)
    assert deadline.due == date(2027, 9, 12)


def test_an_extension_larger_than_the_allowance_is_refused_at_once() -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 6, 12)))
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 7, ExtensionGround.COMPLEX_CASE)
    assert "6 months remain" in refusal.value.reason


@pytest.mark.parametrize("procedure", [Procedure.PACT_ACCELERATED, Procedure.PACT_BORDER])
def test_accelerated_and_border_terms_cannot_be_extended(procedure: Procedure) -> None:
    deadline = legal_deadline(procedure, at(date(2026, 6, 12)), registered_at=at(date(2026, 6, 12)))
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.COMPLEX_CASE)
    assert refusal.value.kind is RefusalKind.NO_EXTENSION_FOR_PROCEDURE


def test_admissibility_has_no_exceptional_extension() -> None:
    deadline = legal_deadline(Procedure.PACT_ADMISSIBILITY, at(date(2026, 6, 12)))
    assert extend(deadline, 2, ExtensionGround.COMPLEX_CASE).due == date(2026, 10, 12)
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ExtensionGround.EXCEPTIONAL)
    assert refusal.value.kind is RefusalKind.GROUND_NOT_ALLOWED


def test_a_deadline_that_has_passed_cannot_be_extended() -> None:
    deadline = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 6, 12)))
    assert extend(deadline, 1, ORDINARY[0], today=date(2026, 12, 12)).due == date(2027, 1, 12)
    with pytest.raises(Refusal) as refusal:
        extend(deadline, 1, ORDINARY[0], today=date(2026, 12, 13))
    assert refusal.value.kind is RefusalKind.DEADLINE_ALREADY_PASSED


requests = st.lists(
    st.tuples(st.integers(min_value=1, max_value=12), st.sampled_from(list(ExtensionGround))),
    max_size=8,
)


@settings(deadline=None)
@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.sampled_from([Procedure.NATIONAL_REGULAR, Procedure.PACT_REGULAR]),
    requests,
)
def test_extensions_never_exceed_the_caps_and_never_drift(
    lodged: date, procedure: Procedure, asked: list[tuple[int, ExtensionGround]]
) -> None:
    terms = DEFAULT_TERMS.of(procedure)
    assert terms.extension is not None
    assert terms.exceptional is not None
    deadline: LegalDeadline = legal_deadline(procedure, at(lodged))
    refused = []
    for months, ground in asked:
        try:
            deadline = extend(deadline, months, ground)
        except Refusal as refusal:
            refused.append(refusal.kind)
    assert set(refused) <= {RefusalKind.EXTENSION_BEYOND_MAXIMUM}
    assert deadline.months_extended(terms.extension) <= terms.extension.months
    assert deadline.months_extended(terms.exceptional) <= terms.exceptional.months
    # Always counted from the lodging date with the total: no clamping drift.
    assert deadline.due == add_months(lodged, terms.length + deadline.total_extension_months)


def test_terms_can_be_overridden_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "terms.toml"
    path.write_text(
        '[procedures.pact_accelerated]\nlength = 2\nsource = "test: 2 months"\n', encoding="utf-8"
    )
    terms = load_terms(path)
    deadline = legal_deadline(Procedure.PACT_ACCELERATED, at(date(2026, 6, 12)), terms)
    assert deadline.due == date(2026, 8, 12)
    assert deadline.basis == "test: 2 months"
    # Everything not overridden keeps its default.
    assert terms.of(Procedure.PACT_REGULAR) == DEFAULT_TERMS.of(Procedure.PACT_REGULAR)


def test_a_broken_terms_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "terms.toml"
    path.write_text("[procedures.pact_border]\nlength = 0\n", encoding="utf-8")
    with pytest.raises(TermsFileError, match=r"terms\.toml"):
        load_terms(path)


def test_inconsistent_terms_are_refused() -> None:
    with pytest.raises(ValidationError, match="weeks cannot have month extensions"):
        DEFAULT_TERMS.with_overrides(
            {
                "procedures": {
                    "pact_border": {
                        "extension": {
                            "months": 1,
                            "grounds": ["complex_case"],
                            "source": "test art. 1",
                        }
                    }
                }
            }
        )
    with pytest.raises(ValidationError, match="does not fit"):
        DEFAULT_TERMS.with_overrides(
            {"procedures": {"national_regular": {"extension": {"months": 3}}}}
        )


def test_a_naive_lodging_moment_has_no_deadline() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        legal_deadline(Procedure.PACT_REGULAR, datetime(2026, 6, 12, 12, 0))  # noqa: DTZ001


def test_a_moment_just_after_midnight_in_amsterdam_counts_from_that_day() -> None:
    moment = datetime(2026, 6, 12, 0, 5, tzinfo=CEST)
    assert legal_deadline(Procedure.PACT_ACCELERATED, moment).due == date(2026, 9, 12)
    border = legal_deadline(Procedure.PACT_BORDER, moment, registered_at=moment)
    assert border.due == date(2026, 6, 12) + timedelta(weeks=12)


def test_a_basis_always_fits_the_event_limit_and_long_citations_are_refused() -> None:
    basis = LegalDeadlineChanged.model_json_schema()["properties"]["basis"]
    assert BASIS_MAX_LENGTH == basis["maxLength"] == 120
    longest = legal_deadline(Procedure.PACT_REGULAR, at(date(2026, 6, 12)))
    longest = extend(longest, 6, ExtensionGround.COMPLEX_CASE)
    longest = extend(longest, 3, ExtensionGround.EXCEPTIONAL)
    assert len(longest.basis) <= BASIS_MAX_LENGTH
    # Each citation is within its own limit (60), but together they would exceed 120.
    term = "Regulation (EU) 2024/1348 of 14 May 2024, article 35(4)"
    extension = "Regulation (EU) 2024/1348 of 14 May 2024, article 35(5)"
    with pytest.raises(ValidationError, match="can reach"):
        DEFAULT_TERMS.with_overrides(
            {"procedures": {"pact_regular": {"source": term, "extension": {"source": extension}}}}
        )
