"""Intake: registration, withdrawal and re-lodging; stream, category and deadline (R1, R3, R7, R8).

Input (what the registration desk and caseworkers publish) arrives on the stream-less
topic ``ind.intake.input.v1``, because the stream is intake's to decide. Country policy
(landenbeleid) arrives on ``ind.intake.policy.input.v1``. Intake answers on the stream's
``ind.<stream>.intake.events.v1``. shared.contracts.events.catalogue has the full routing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, model_validator

from shared.contracts.envelope import EventData
from shared.contracts.events.common import LanguageCode, LocationId, Part, Procedure, Sex, ShortText
from shared.contracts.values import CaseId, Category, Nationality, PriorityGroup, Stream, VNumber

PolicyVersion = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")]
"""Id of a country policy version (e.g. 'cp-2026-10'); the key of the policy topics."""

LegalBasis = Annotated[str, StringConstraints(min_length=3, max_length=120)]
"""The legal source of a time limit, e.g. 'Vw 2000 art. 42(1)' (the national term) or
'Reg. (EU) 2024/1348 art. 35(4)' (the Pact regular term); several are joined by ' + '."""


class ExtensionGround(StrEnum):
    """Why a decision term is extended (Vw 2000 art. 42(4); Reg. (EU) 2024/1348 art. 35(5))."""

    COMPLEX_CASE = "complex_case"
    MANY_APPLICATIONS = "many_applications"
    APPLICANT_DELAY = "applicant_delay"
    EXCEPTIONAL = "exceptional"


class DeadlineChangeReason(StrEnum):
    """Why a legal deadline moved: an extension on its ground (the values of ExtensionGround),
    a suspension of the term (opschorting, DeadlineSuspensionGranted), or a change of
    procedure (e.g. a Pact case that leaves the nuisance group moves from the
    accelerated to the regular procedure, Reg. (EU) 2024/1348 art. 35(3) to 35(4))."""

    COMPLEX_CASE = "complex_case"
    MANY_APPLICATIONS = "many_applications"
    APPLICANT_DELAY = "applicant_delay"
    EXCEPTIONAL = "exceptional"
    PROCEDURE_CHANGE = "procedure_change"
    SUSPENSION = "suspension"

    @classmethod
    def of_ground(cls, ground: ExtensionGround) -> DeadlineChangeReason:
        """The reason of a deadline change that an extension on ``ground`` caused."""
        return cls(ground.value)


class RecategorisationReason(StrEnum):
    """Why a case moved between backlog categories."""

    POLICY_CHANGE = "policy_change"
    PREPHASE_OUTCOME = "prephase_outcome"
    PRIORITY_GROUP_CHANGE = "priority_group_change"


class CourtDistrict(StrEnum):
    """The district court (rechtbank) whose region hears the applicant's appeals."""

    AMSTERDAM = "amsterdam"
    DEN_HAAG = "den-haag"
    GELDERLAND = "gelderland"
    LIMBURG = "limburg"
    MIDDEN_NEDERLAND = "midden-nederland"
    NOORD_HOLLAND = "noord-holland"
    NOORD_NEDERLAND = "noord-nederland"
    OOST_BRABANT = "oost-brabant"
    OVERIJSSEL = "overijssel"
    ROTTERDAM = "rotterdam"
    ZEELAND_WEST_BRABANT = "zeeland-west-brabant"


class LogisticsPart(StrEnum):
    """One part of the applicant's logistics; each stage and partner keeps only its own."""

    INTERPRETER_LANGUAGES = "interpreter_languages"
    RECEPTION_LOCATION = "reception_location"
    LAWYER = "lawyer"
    COURT_DISTRICT = "court_district"


LawyerId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$"),
    Field(description="code of the lawyer in the legal-aid register (no name)"),
]
"""The lawyer's code in the legal-aid (Raad voor Rechtsbijstand) register; never a name."""


class _LogisticsFields(EventData):
    """What ApplicantLogisticsRecorded shares with its answer ApplicantLogisticsChanged."""

    interpreter_languages: tuple[LanguageCode, ...] = Field(
        max_length=5,
        description="languages an interpreter may use, most preferred first; empty: none needed",
    )
    reception_location: LocationId | None = Field(
        description="the COA reception location the applicant lives at; absent: not in reception"
    )
    lawyer: LawyerId | None = Field(description="the applicant's lawyer; absent: none yet")
    court_district: CourtDistrict | None = Field(
        description="the district court for appeals; absent: not yet known"
    )

    @model_validator(mode="after")
    def _languages_once(self) -> _LogisticsFields:
        if len(set(self.interpreter_languages)) != len(self.interpreter_languages):
            raise ValueError("an interpreter language is listed more than once")
        return self


# --- input -----------------------------------------------------------------------------


class ApplicationRegistered(EventData):
    """An asylum application was registered at the desk (input; key = the application's case id).

    Intake assigns the stream (R1 cut-off 12 June 2026, R3 no stream hopping on
    re-lodging), the category or priority group (R7) and the legal deadline, and
    answers with CaseRegistered.
    """

    event_type = "nl.ind.intake.application-registered"

    v_number: VNumber
    nationality: Nationality
    sex: Sex
    date_of_birth: date
    lodged_at: AwareDatetime = Field(
        description="when the application was lodged; the legal clock starts here"
    )
    registered_at: AwareDatetime | None = Field(
        default=None,
        description="when the application was registered at the desk; the border procedure's "
        "12 weeks run from here (Reg. 2024/1348 art. 51); absent: the lodging moment",
    )
    unaccompanied: bool = Field(description="an unaccompanied minor (AMV) as registered")
    nuisance: bool = Field(
        description="flagged at registration as causing nuisance (overlastgevend)"
    )
    border_procedure: bool = Field(
        default=False, description="Pact only: the applicant is in the border procedure"
    )
    previous_case_id: CaseId | None = Field(
        default=None, description="the withdrawn case this application re-lodges (R3), if any"
    )


class ApplicationWithdrawn(EventData):
    """The applicant withdrew the application (input; key = case id); answer: CaseWithdrawn."""

    event_type = "nl.ind.intake.application-withdrawn"

    withdrawn_at: AwareDatetime
    reason: ShortText | None = Field(default=None, description="short, without personal detail")


class ApplicantLogisticsRecorded(_LogisticsFields):
    """The registration desk recorded the applicant's logistics (input; key = case id).

    The whole current picture, every time. Intake answers with ApplicantLogisticsChanged when
    something changed, and nothing when nothing did; refused for a case intake does not know
    or that is no longer open.
    """

    event_type = "nl.ind.intake.applicant-logistics-recorded"


class PriorityGroupReassessed(EventData):
    """A caseworker found that a case is, or is not, in a priority group (input; key = case id).

    Example: an age assessment shows the applicant is not a minor. Answered with
    PriorityGroupJoined or PriorityGroupLeft (and CaseRecategorised where that follows).
    """

    event_type = "nl.ind.intake.priority-group-reassessed"

    group: PriorityGroup
    member: bool = Field(description="true: the case is in the group; false: it is not")
    reason: ShortText


class DeadlineExtensionGranted(EventData):
    """The decision term of a case was extended, on a stated ground (input; key = case id).

    Answered with LegalDeadlineChanged; refused when the extension exceeds what the
    case's procedure allows.
    """

    event_type = "nl.ind.intake.deadline-extension-granted"

    months: int = Field(ge=1, le=12)
    ground: ExtensionGround
    note: ShortText | None = None


class DeadlineSuspensionGranted(EventData):
    """The decision term of a case was suspended (opschorting) for a number of days, on a stated
    legal basis (input; key = case id), e.g. while the applicant supplies missing documents
    (Awb art. 4:15). The deadline moves by that many calendar days; answered with
    LegalDeadlineChanged (reason suspension); refused for a case that is not open or whose
    deadline has already passed."""

    event_type = "nl.ind.intake.deadline-suspension-granted"

    days: int = Field(ge=1, le=366, description="calendar days the term is suspended by")
    basis: Annotated[str, StringConstraints(min_length=3, max_length=60)] = Field(
        description="the legal basis of the suspension, e.g. 'Awb art. 4:15(1)(a)'"
    )
    note: ShortText | None = None


class CountryPolicyRule(Part):
    """One line of country policy: a nationality (optionally with sex) and its backlog category."""

    nationality: Nationality
    sex: Sex | None = Field(default=None, description="absent: the rule holds for every sex")
    category: Category


class CountryPolicyPublished(EventData):
    """A policy officer published a version of country policy (input; key = policy version).

    Published on ``ind.intake.policy.input.v1``. Intake adopts it from ``effective_from``,
    answers with CountryPolicyAdopted and re-categorises open backlog cases
    (CaseRecategorised, reason policy_change).
    """

    event_type = "nl.ind.intake.country-policy-published"

    # Not ``version``: that name is the message's schema version (EventData.version).
    policy_version: PolicyVersion = Field(description="the policy version id; also the key")
    effective_from: date
    rules: tuple[CountryPolicyRule, ...] = Field(min_length=1)
    default_category: Category = Field(
        default=Category.OUTSIDE, description="category of nationalities no rule names"
    )
    former_safe_countries: tuple[Nationality, ...] = Field(
        default=(),
        description="nationalities in the priority group 'former safe countries of origin' (R7)",
    )

    @model_validator(mode="after")
    def _one_rule_per_nationality_and_sex(self) -> CountryPolicyPublished:
        seen: set[tuple[str, Sex | None]] = set()
        for rule in self.rules:
            key = (rule.nationality, rule.sex)
            if key in seen:
                raise ValueError(f"two rules for {rule.nationality} (sex {rule.sex})")
            seen.add(key)
        return self


# --- output ----------------------------------------------------------------------------


def _sorted_groups(groups: tuple[PriorityGroup, ...]) -> tuple[PriorityGroup, ...]:
    if len(set(groups)) != len(groups):
        raise ValueError("a priority group is listed more than once")
    return tuple(sorted(groups))


_DECISION_DUE = (
    "when the decision itself is due, where the procedure's deadline includes the appeal "
    "(border procedure); absent: the deadline is the decision's"
)
_DECISION_DUE_BASIS = "the legal source of decision_due, or its stated assumption"


def _check_decision_due(
    decision_due: date | None, basis: LegalBasis | None, deadline: date, deadline_field: str
) -> None:
    """decision_due and decision_due_basis go together, and the decision is due by the deadline."""
    if (decision_due is None) != (basis is None):
        raise ValueError("decision_due and decision_due_basis go together: both or neither")
    if decision_due is not None and decision_due > deadline:
        raise ValueError(
            f"decision_due {decision_due.isoformat()} lies after {deadline_field} "
            f"{deadline.isoformat()}"
        )


class CaseRegistered(EventData):
    """Intake registered a case in its stream, with its procedure, category and legal deadline."""

    event_type = "nl.ind.intake.case-registered"

    v_number: VNumber
    nationality: Nationality
    stream: Stream
    lodged_at: AwareDatetime
    procedure: Procedure
    category: Category | None = Field(
        default=None, description="backlog category; absent for Pact cases and priority groups"
    )
    priority_group: PriorityGroup | None = Field(
        default=None,
        description="the priority group the case is handled in: the first of its groups in "
        "R7 precedence (nuisance, unaccompanied minor, former safe country), if any",
    )
    priority_groups: Annotated[tuple[PriorityGroup, ...], AfterValidator(_sorted_groups)] = Field(
        default=(),
        description="every priority group the case belongs to (R7), sorted by value; "
        "the case is handled in priority_group",
    )
    policy_version: PolicyVersion = Field(
        description="the country policy version the category follows"
    )
    deadline: date = Field(description="the legal decision deadline")
    deadline_basis: LegalBasis
    minor_on_lodging: bool
    unaccompanied: bool
    relodged_from: CaseId | None = Field(
        default=None, description="the withdrawn case this one re-lodges (R3), if any"
    )
    decision_due: date | None = Field(default=None, description=_DECISION_DUE)
    decision_due_basis: LegalBasis | None = Field(default=None, description=_DECISION_DUE_BASIS)

    @model_validator(mode="after")
    def _decision_due_by_deadline(self) -> CaseRegistered:
        _check_decision_due(self.decision_due, self.decision_due_basis, self.deadline, "deadline")
        return self

    @model_validator(mode="after")
    def _procedure_matches_stream(self) -> CaseRegistered:
        if self.procedure.stream is not self.stream:
            raise ValueError(
                f"procedure {self.procedure} does not belong to the {self.stream} stream"
            )
        return self

    @model_validator(mode="after")
    def _handled_in_one_of_its_groups(self) -> CaseRegistered:
        if self.priority_groups and self.priority_group not in self.priority_groups:
            raise ValueError(
                f"priority_group {self.priority_group} is not one of priority_groups "
                f"{', '.join(self.priority_groups)}"
            )
        return self


class CaseRecategorised(EventData):
    """A case moved to another backlog category (policy change, or R8 after the prephase)."""

    event_type = "nl.ind.intake.case-recategorised"

    old_category: Category | None
    new_category: Category | None
    reason: RecategorisationReason
    policy_version: PolicyVersion | None = Field(
        default=None, description="the policy version that caused it, if any"
    )

    @model_validator(mode="after")
    def _moves(self) -> CaseRecategorised:
        if self.old_category == self.new_category:
            raise ValueError("a re-categorisation must change the category")
        return self


_HANDLED_IN = (
    "the priority group the case is handled in afterwards (R7 precedence: nuisance, "
    "unaccompanied minor, former safe country); null: in no group, so back in its category"
)


class PriorityGroupJoined(EventData):
    """A case joined a priority group (R7); ``priority_group`` says where it is handled now."""

    event_type = "nl.ind.intake.priority-group-joined"

    group: PriorityGroup
    reason: ShortText
    priority_group: PriorityGroup | None = Field(description=_HANDLED_IN)

    @model_validator(mode="after")
    def _in_a_group(self) -> PriorityGroupJoined:
        if self.priority_group is None:
            raise ValueError("a case that joined a group is handled in a priority group")
        return self


class PriorityGroupLeft(EventData):
    """A case left a priority group (R7), e.g. an age assessment found an adult.

    ``priority_group`` says where it is handled now; null when it is in no group any more.
    """

    event_type = "nl.ind.intake.priority-group-left"

    group: PriorityGroup
    reason: ShortText
    priority_group: PriorityGroup | None = Field(description=_HANDLED_IN)

    @model_validator(mode="after")
    def _not_in_the_group_it_left(self) -> PriorityGroupLeft:
        if self.priority_group == self.group:
            raise ValueError(f"a case that left {self.group} is not handled in it")
        return self


class LegalDeadlineChanged(EventData):
    """The legal decision deadline of a case moved, after an extension or a change of procedure."""

    event_type = "nl.ind.intake.legal-deadline-changed"

    old_deadline: date
    new_deadline: date
    reason: DeadlineChangeReason
    basis: LegalBasis
    decision_due: date | None = Field(default=None, description=_DECISION_DUE)
    decision_due_basis: LegalBasis | None = Field(default=None, description=_DECISION_DUE_BASIS)

    @model_validator(mode="after")
    def _decision_due_by_deadline(self) -> LegalDeadlineChanged:
        _check_decision_due(
            self.decision_due, self.decision_due_basis, self.new_deadline, "new_deadline"
        )
        return self


class CaseWithdrawn(EventData):
    """A case ended by withdrawal; every stage stops work on it."""

    event_type = "nl.ind.intake.case-withdrawn"

    withdrawn_at: AwareDatetime


class ApplicantLogisticsChanged(_LogisticsFields):
    """The applicant's logistics changed: what stages plan around (interpreter, COA location,
    lawyer, court district). Every stage keeps only the parts it needs; chain-notify passes
    each partner only its own part."""

    event_type = "nl.ind.intake.applicant-logistics-changed"

    changed: tuple[LogisticsPart, ...] = Field(
        min_length=1, description="the parts that differ from what was known before"
    )


class CountryPolicyAdopted(EventData):
    """Intake adopted a country policy version (output on ``ind.intake.policy.events.v1``).

    The answer to CountryPolicyPublished; the re-categorisations follow as
    CaseRecategorised on each stream's intake events topic.
    """

    event_type = "nl.ind.intake.country-policy-adopted"

    policy_version: PolicyVersion
    effective_from: date
    adopted_at: AwareDatetime
    cases_recategorised: int = Field(
        ge=0, description="open cases whose category changed, both streams"
    )
