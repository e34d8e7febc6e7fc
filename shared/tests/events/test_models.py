"""Event models refuse illegal values at the edge: unknown fields, naive times, bad codes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts.envelope import EventData
from shared.contracts.events import decision, intake, partners, planning, prephase
from shared.contracts.events.catalogue import CATALOGUE
from shared.contracts.events.common import DecisionOutcome, LegalGround, Procedure, RejectionKind
from shared.contracts.values import Category, PriorityGroup, Stream
from shared.tools.examples import EXAMPLES, example

SPECS = {s.ce_type: s for s in CATALOGUE}


def _payload(model: type[EventData]) -> dict[str, Any]:
    return example(model).model_dump(mode="json")


@pytest.mark.parametrize("ce_type", sorted(SPECS))
def test_every_example_validates_from_json(ce_type: str) -> None:
    model = SPECS[ce_type].model
    payload = EXAMPLES[ce_type].model_dump(mode="json")
    assert model.model_validate(payload) == EXAMPLES[ce_type]


@pytest.mark.parametrize("ce_type", sorted(SPECS))
def test_unknown_fields_are_refused(ce_type: str) -> None:
    model = SPECS[ce_type].model
    payload = {**EXAMPLES[ce_type].model_dump(mode="json"), "motive": "a typo or a leak"}
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(payload)


@pytest.mark.parametrize("ce_type", sorted(SPECS))
def test_events_are_immutable(ce_type: str) -> None:
    event = EXAMPLES[ce_type]
    field = next(iter(type(event).model_fields))
    with pytest.raises(ValidationError, match="frozen"):
        setattr(event, field, None)


@pytest.mark.parametrize("ce_type", sorted(SPECS))
def test_every_message_is_documented(ce_type: str) -> None:
    model = SPECS[ce_type].model
    schema = model.model_json_schema()
    assert len(schema.get("description", "")) > 20, f"{model.__name__} needs a docstring"


def test_naive_datetime_is_refused() -> None:
    payload = {**_payload(intake.ApplicationRegistered), "lodged_at": "2026-06-12T09:00:00"}
    with pytest.raises(ValidationError, match="timezone"):
        intake.ApplicationRegistered.model_validate(payload)


def test_offset_datetime_is_accepted_and_kept() -> None:
    payload = {**_payload(intake.ApplicationRegistered), "lodged_at": "2026-06-12T09:00:00+02:00"}
    event = intake.ApplicationRegistered.model_validate(payload)
    assert event.lodged_at.utcoffset() is not None
    assert event.lodged_at.isoformat() == "2026-06-12T09:00:00+02:00"


@pytest.mark.parametrize("nationality", ["SY", "syr", "ZZZ", "SYRIA", ""])
def test_bad_nationality_is_refused(nationality: str) -> None:
    payload = {**_payload(intake.ApplicationRegistered), "nationality": nationality}
    with pytest.raises(ValidationError, match="nationality"):
        intake.ApplicationRegistered.model_validate(payload)


@pytest.mark.parametrize("nationality", ["XXA", "XXX", "AFG", "ERI"])
def test_stateless_and_iso_nationalities_are_accepted(nationality: str) -> None:
    payload = {**_payload(intake.ApplicationRegistered), "nationality": nationality}
    assert intake.ApplicationRegistered.model_validate(payload).nationality == nationality


@pytest.mark.parametrize("v_number", ["123456789", "12345678901", "12345abcde", " 1234567890"])
def test_bad_v_number_is_refused(v_number: str) -> None:
    payload = {**_payload(intake.ApplicationRegistered), "v_number": v_number}
    with pytest.raises(ValidationError, match="v_number"):
        intake.ApplicationRegistered.model_validate(payload)


def test_unknown_enum_value_is_refused() -> None:
    payload = {**_payload(prephase.LanguageIndicationRecorded), "result": "positive"}
    with pytest.raises(ValidationError, match="result"):
        prephase.LanguageIndicationRecorded.model_validate(payload)


@pytest.mark.parametrize("language", ["ar", "ARA", "zzq", "arab"])
def test_bad_language_code_is_refused(language: str) -> None:
    payload = {**_payload(prephase.LanguageIndicationRecorded), "language": language}
    with pytest.raises(ValidationError, match="language"):
        prephase.LanguageIndicationRecorded.model_validate(payload)


def test_legal_grounds_are_only_a_and_b() -> None:
    assert {g.value for g in LegalGround} == {"a", "b"}
    payload = {**_payload(partners.NidosDecisionSent), "legal_ground": "c"}
    with pytest.raises(ValidationError, match="legal_ground"):
        partners.NidosDecisionSent.model_validate(payload)


def _issued(**changes: Any) -> dict[str, Any]:
    return {**_payload(decision.DecisionIssueRecorded), **changes}


def test_a_grant_needs_its_legal_ground() -> None:
    payload = _issued(outcome="grant", rejection_kind=None, departure_period_days=None)
    with pytest.raises(ValidationError, match="legal ground"):
        decision.DecisionIssueRecorded.model_validate(payload)
    granted = decision.DecisionIssueRecorded.model_validate({**payload, "legal_ground": "a"})
    assert granted.outcome is DecisionOutcome.GRANT


def test_a_rejection_has_no_legal_ground_and_needs_a_departure_period() -> None:
    with pytest.raises(ValidationError, match="legal ground"):
        decision.DecisionIssueRecorded.model_validate(_issued(legal_ground="b"))
    # The input may leave it to configuration; the issued decision always carries it.
    unset = decision.DecisionIssueRecorded.model_validate(_issued(departure_period_days=None))
    assert unset.departure_period_days is None
    issued = {
        **example(decision.DecisionIssued).model_dump(mode="json"),
        "departure_period_days": None,
    }
    with pytest.raises(ValidationError, match="departure period"):
        decision.DecisionIssued.model_validate(issued)
    with pytest.raises(ValidationError, match="rejection_kind"):
        decision.DecisionIssueRecorded.model_validate(_issued(rejection_kind=None))


def test_inadmissible_has_no_rejection_kind() -> None:
    ok = decision.DecisionIssueRecorded.model_validate(
        _issued(outcome="inadmissible", rejection_kind=None)
    )
    assert ok.rejection_kind is None
    with pytest.raises(ValidationError, match="rejection_kind"):
        decision.DecisionIssueRecorded.model_validate(
            _issued(outcome="inadmissible", rejection_kind=RejectionKind.UNFOUNDED)
        )


def test_procedure_must_belong_to_the_stream() -> None:
    payload = {**_payload(intake.CaseRegistered), "procedure": Procedure.PACT_REGULAR}
    with pytest.raises(ValidationError, match="does not belong to the backlog stream"):
        intake.CaseRegistered.model_validate(payload)
    pact = {**payload, "stream": Stream.PACT, "category": None}
    assert intake.CaseRegistered.model_validate(pact).procedure.stream is Stream.PACT


def test_an_extension_is_a_deadline_change_not_a_procedure() -> None:
    assert "national_extended" not in {p.value for p in Procedure}


def test_case_registered_lists_its_priority_groups_sorted_once_each() -> None:
    payload = {
        **_payload(intake.CaseRegistered),
        "category": None,
        "priority_group": "nuisance",
        "priority_groups": ["unaccompanied_minor", "nuisance"],
    }
    registered = intake.CaseRegistered.model_validate(payload)
    assert registered.priority_groups == (PriorityGroup.NUISANCE, PriorityGroup.UNACCOMPANIED_MINOR)
    with pytest.raises(ValidationError, match="more than once"):
        intake.CaseRegistered.model_validate(
            {**payload, "priority_groups": ["nuisance", "nuisance"]}
        )
    with pytest.raises(ValidationError, match="not one of priority_groups"):
        intake.CaseRegistered.model_validate({**payload, "priority_group": "former_safe_country"})
    with pytest.raises(ValidationError, match="not one of priority_groups"):
        intake.CaseRegistered.model_validate({**payload, "priority_group": None})
    assert (
        intake.CaseRegistered.model_validate(_payload(intake.CaseRegistered)).priority_groups == ()
    )


@pytest.mark.parametrize("model", [intake.PriorityGroupJoined, intake.PriorityGroupLeft])
def test_a_group_change_says_where_the_case_is_handled_afterwards(
    model: type[EventData],
) -> None:
    payload = _payload(model)
    del payload["priority_group"]
    with pytest.raises(ValidationError, match="priority_group"):
        model.model_validate(payload)  # required, even when null


def test_a_case_that_joined_a_group_is_handled_in_a_group() -> None:
    with pytest.raises(ValidationError, match="handled in a priority group"):
        intake.PriorityGroupJoined(
            group=PriorityGroup.NUISANCE, reason="reported", priority_group=None
        )
    joined = intake.PriorityGroupJoined(
        group=PriorityGroup.FORMER_SAFE_COUNTRY,
        reason="country policy cp-2026-10",
        priority_group=PriorityGroup.NUISANCE,  # handled in a group of higher precedence
    )
    assert joined.priority_group is PriorityGroup.NUISANCE


def test_a_case_that_left_a_group_is_not_handled_in_it() -> None:
    with pytest.raises(ValidationError, match="not handled in it"):
        intake.PriorityGroupLeft(
            group=PriorityGroup.NUISANCE, reason="reassessed", priority_group=PriorityGroup.NUISANCE
        )


def test_a_deadline_change_reason_is_an_extension_ground_or_a_procedure_change() -> None:
    grounds = {g.value for g in intake.ExtensionGround}
    others = {"procedure_change", "suspension"}
    assert {r.value for r in intake.DeadlineChangeReason} == grounds | others
    for ground in intake.ExtensionGround:
        assert intake.DeadlineChangeReason.of_ground(ground) == ground.value
    payload = {**_payload(intake.LegalDeadlineChanged), "reason": "procedure_change"}
    changed = intake.LegalDeadlineChanged.model_validate(payload)
    assert changed.reason is intake.DeadlineChangeReason.PROCEDURE_CHANGE


def test_the_registration_moment_is_optional_and_must_be_aware() -> None:
    payload = _payload(intake.ApplicationRegistered)
    del payload["registered_at"]
    assert intake.ApplicationRegistered.model_validate(payload).registered_at is None
    with pytest.raises(ValidationError, match="registered_at"):
        intake.ApplicationRegistered.model_validate(
            {**payload, "registered_at": "2025-10-29T13:00:00"}
        )


def test_recategorisation_must_change_the_category() -> None:
    payload = {**_payload(intake.CaseRecategorised), "new_category": Category.B}
    with pytest.raises(ValidationError, match="must change"):
        intake.CaseRecategorised.model_validate(payload)


def test_country_policy_refuses_two_rules_for_the_same_nationality_and_sex() -> None:
    payload = _payload(intake.CountryPolicyPublished)
    payload["rules"] = [*payload["rules"], {"nationality": "SYR", "category": "D"}]
    with pytest.raises(ValidationError, match="two rules for SYR"):
        intake.CountryPolicyPublished.model_validate(payload)


def test_country_policy_defaults_unlisted_nationalities_to_outside() -> None:
    payload = _payload(intake.CountryPolicyPublished)
    del payload["default_category"]
    assert (
        intake.CountryPolicyPublished.model_validate(payload).default_category is Category.OUTSIDE
    )


@pytest.mark.parametrize("months", [0, 13, -1])
def test_deadline_extension_is_one_to_twelve_months(months: int) -> None:
    payload = {**_payload(intake.DeadlineExtensionGranted), "months": months}
    with pytest.raises(ValidationError, match="months"):
        intake.DeadlineExtensionGranted.model_validate(payload)


def test_no_show_needs_a_reason_and_attendance_has_none() -> None:
    with pytest.raises(ValidationError, match="no_show_reason"):
        prephase.PrephaseAttendanceRecorded(attended=False)
    with pytest.raises(ValidationError, match="no_show_reason"):
        prephase.PrephaseAttendanceRecorded(
            attended=True, no_show_reason=prephase.NoShowReason.EXCUSED
        )


def test_plan_cycle_lasts_about_three_months() -> None:
    payload = {**_payload(planning.PlanCycleProposed), "ends_on": "2027-09-30"}
    with pytest.raises(ValidationError, match="about three months"):
        planning.PlanCycleProposed.model_validate(payload)


def test_a_case_with_an_incomplete_file_is_not_released_to_decision() -> None:
    with pytest.raises(ValidationError, match="incomplete file"):
        planning.CaseReleased(
            stage=planning.ReleaseStage.DECISION,
            release_day=date(2026, 10, 14),
            team="team-1",
            file_complete=False,
        )
    with pytest.raises(ValidationError, match="cycle and cohort go together"):
        planning.CaseReleased(
            stage=planning.ReleaseStage.PREPHASE,
            release_day=date(2026, 10, 14),
            team="team-1",
            cycle="cycle-2026-4",
        )


def test_courts_receive_no_grants() -> None:
    with pytest.raises(ValidationError, match="refusals only"):
        partners.CourtsDecisionSent(
            outcome=DecisionOutcome.GRANT,
            sent_on=date(2026, 12, 1),
            appeal_period_days=28,
            court_district="amsterdam",
        )


def test_volume_forecast_adds_up() -> None:
    payload = {**_payload(partners.VolumeForecast), "expected_grants": 1}
    with pytest.raises(ValidationError, match="must equal"):
        partners.VolumeForecast.model_validate(payload)


def test_short_texts_are_bounded() -> None:
    with pytest.raises(ValidationError, match="reason"):
        intake.ApplicationWithdrawn(
            withdrawn_at=datetime.fromisoformat("2026-10-05T08:15:00+00:00"), reason="x" * 201
        )
