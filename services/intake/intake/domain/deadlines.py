"""The legal deadline of a case: which procedure, which term, which extensions, and why.

Every term carries its legal source, and the table is configuration (``DeadlineTerms``):
``DEFAULT_TERMS`` holds the terms of the domain reference; ``DEFAULT_TERMS.with_overrides``
or ``load_terms`` change them without code. Sources are short citations. A deadline's
basis is the citations of its term and extensions joined by " + ", and a configuration is
refused if that could exceed ``BASIS_MAX_LENGTH`` (the limit of a basis in the events).
The article references are our reading; legal staff should confirm them.

Counting: a term runs from the lodging date in Europe/Amsterdam, or from the registration
date for a term that says so (``ProcedureTerms.runs_from``; the border procedure, refused
without a registration moment); months are calendar months with end-of-month clamping; the
decision is due on (at the latest at the end of) the date computed. An extended deadline is
always recomputed from the start date with the total number of months, never from the
previous deadline, so clamping cannot drift (31 August + 6 months + 1 month would otherwise be
28 March instead of 31 March).

A term can include the appeal (``ProcedureTerms.includes_appeal``; the border procedure's
12 weeks run until the appeal is decided). Its deadline is then the end of the whole term, and
``decision_term`` says by when the first-instance decision itself is due
(``LegalDeadline.decision_due``). That split is set by the implementing law, so it is
configuration too; the default is an assumption (see ``BORDER_DECISION_TERM``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from intake.domain.dates import add_months, local_date, require_aware
from intake.domain.refusals import Refusal, RefusalKind
from shared.contracts.events.common import Procedure
from shared.contracts.events.intake import ExtensionGround
from shared.contracts.values import Stream


class TermUnit(StrEnum):
    MONTHS = "months"
    WEEKS = "weeks"


class TermStart(StrEnum):
    """The moment a term runs from."""

    LODGING = "lodging"
    REGISTRATION = "registration"


ORDINARY_GROUNDS = frozenset(
    {
        ExtensionGround.COMPLEX_CASE,
        ExtensionGround.MANY_APPLICATIONS,
        ExtensionGround.APPLICANT_DELAY,
    }
)
EXCEPTIONAL_GROUNDS = frozenset({ExtensionGround.EXCEPTIONAL})

BASIS_MAX_LENGTH = 120
Citation = Annotated[str, StringConstraints(min_length=3, max_length=60)]
"""A short legal citation, e.g. 'Vw 2000 art. 42(1)'."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExtensionAllowance(_Frozen):
    """How many months a term may be extended by in total, on which grounds, and why."""

    months: int = Field(ge=1)
    grounds: frozenset[ExtensionGround]
    source: Citation


class DecisionTerm(_Frozen):
    """Within a term that includes the appeal: how long after the start the first-instance
    decision is due, in the term's own unit, with its source."""

    length: int = Field(ge=1)
    source: Citation


class ProcedureTerms(_Frozen):
    """The decision term of one procedure."""

    length: int = Field(ge=1)
    unit: TermUnit = TermUnit.MONTHS
    runs_from: TermStart = Field(
        default=TermStart.LODGING,
        description="registration: counted from the registration moment, which the application "
        "must then give (no fallback to lodging: that would give a later deadline)",
    )
    source: Citation
    includes_appeal: bool = Field(
        default=False,
        description="the term runs until the appeal is decided too (the border procedure); "
        "then decision_term says when the decision itself is due",
    )
    decision_term: DecisionTerm | None = None
    extension: ExtensionAllowance | None = None
    exceptional: ExtensionAllowance | None = Field(
        default=None, description="a further extension for exceptional circumstances only"
    )
    maximum_months: int | None = Field(
        default=None, ge=1, description="absolute ceiling, term included"
    )
    maximum_source: Citation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureTerms:
        if self.unit is TermUnit.WEEKS and (self.extension or self.exceptional):
            raise ValueError("a term counted in weeks cannot have month extensions")
        if (self.maximum_months is None) != (self.maximum_source is None):
            raise ValueError("maximum_months and maximum_source go together")
        if self.includes_appeal != (self.decision_term is not None):
            # Without a decision term the whole term, appeal included, would pass for the
            # decision's: exactly the mistake the split is there to prevent.
            raise ValueError("a term that includes the appeal needs a decision_term, and only it")
        if self.decision_term is not None:
            if self.decision_term.length >= self.length:
                raise ValueError(
                    "the decision_term must be shorter than the term: the appeal needs time too"
                )
            if self.extension or self.exceptional:
                raise ValueError("a term that includes the appeal cannot be extended")
        return self

    def allowance_for(self, ground: ExtensionGround) -> ExtensionAllowance | None:
        for allowance in (self.extension, self.exceptional):
            if allowance is not None and ground in allowance.grounds:
                return allowance
        return None


class CollectiveExtension(_Frozen):
    """An extension granted at once for every application of one procedure lodged in a window,
    e.g. the 2022 decision that extended the national term by 9 months. It uses up the ordinary
    extension allowance with its ground, so the legal maxima keep holding."""

    procedure: Procedure
    lodged_from: date = Field(description="first lodging date covered (inclusive)")
    lodged_before: date = Field(description="first lodging date no longer covered (exclusive)")
    months: int = Field(ge=1)
    ground: ExtensionGround
    source: Citation
    description: str = ""
    enabled: bool = True


def _basis(citations: Iterable[str]) -> str:
    """Distinct citations in order of first use: 'Vw 2000 art. 42(1) + Vw 2000 art. 42(4)'."""
    return " + ".join(dict.fromkeys(citations))


class DeadlineTerms(_Frozen):
    procedures: dict[Procedure, ProcedureTerms]
    collective_extensions: tuple[CollectiveExtension, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> DeadlineTerms:
        missing = [p.value for p in Procedure if p not in self.procedures]
        if missing:
            raise ValueError(f"no terms for procedure(s) {', '.join(missing)}")
        for collective in self.collective_extensions:
            allowance = self.procedures[collective.procedure].allowance_for(collective.ground)
            if allowance is None or collective.months > allowance.months:
                raise ValueError(
                    f"collective extension '{collective.source}' does not fit the extension "
                    f"allowance of {collective.procedure.value}"
                )
        for procedure, term in self.procedures.items():
            longest = _basis(
                [
                    term.source,
                    *(c.source for c in self.collective_extensions if c.procedure is procedure),
                    *(a.source for a in (term.extension, term.exceptional) if a is not None),
                ]
            )
            if len(longest) > BASIS_MAX_LENGTH:
                raise ValueError(
                    f"the basis of {procedure.value} can reach {len(longest)} characters "
                    f"(at most {BASIS_MAX_LENGTH}): use shorter citations"
                )
        return self

    def of(self, procedure: Procedure) -> ProcedureTerms:
        return self.procedures[procedure]

    def with_overrides(self, overrides: Mapping[str, Any]) -> DeadlineTerms:
        """These terms with some values replaced (nested mappings merge), validated again."""
        return DeadlineTerms.model_validate(_merge(self.model_dump(mode="json"), overrides))


def _merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class TermsFileError(ValueError):
    """A deadline-terms file that cannot be used; the message names the file and the field."""


def load_terms(path: Path, base: DeadlineTerms | None = None) -> DeadlineTerms:
    """Terms from a TOML file whose tables override ``base`` (the default terms)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TermsFileError(f"{path}: {exc}") from exc
    try:
        return (base or DEFAULT_TERMS).with_overrides(data)
    except ValidationError as exc:
        raise TermsFileError(f"{path}: {exc}") from exc


_APR = "Reg. (EU) 2024/1348"

BORDER_DECISION_TERM = DecisionTerm(
    length=4, source="assumption: 4 weeks (Dir. 2013/32/EU art. 43)"
)
"""When the first-instance decision in the border procedure is due, within its 12 weeks.

An assumption until the implementing law sets it: the Regulation leaves the split between the
decision and the appeal to national law (its recital on the border procedure). Four weeks is
the border decision term under the Directive the Regulation replaces (art. 43(2)), the pace
the border process is built for today. It is deliberately early: it leaves 8 of the 12 weeks
for the appeal, and is only too late if the implementing law sets a decision term under four
weeks.
"""

DEFAULT_TERMS = DeadlineTerms(
    procedures={
        # Backlog: the national procedure (Vw 2000 art. 42, implementing Directive 2013/32/EU
        # art. 31): 6 months, up to 9 more on stated grounds, then exceptionally 3 more.
        Procedure.NATIONAL_REGULAR: ProcedureTerms(
            length=6,
            source="Vw 2000 art. 42(1)",
            extension=ExtensionAllowance(
                months=9, grounds=ORDINARY_GROUNDS, source="Vw 2000 art. 42(4)"
            ),
            exceptional=ExtensionAllowance(
                months=3, grounds=EXCEPTIONAL_GROUNDS, source="Vw 2000 art. 42, exceptional"
            ),
            # 6 + 9 + 3 = 18; 21 months is the Directive's absolute ceiling (postponement included).
            maximum_months=21,
            maximum_source="Dir. 2013/32/EU art. 31(5)",
        ),
        Procedure.PACT_ADMISSIBILITY: ProcedureTerms(
            length=2,
            source=f"{_APR} art. 35(1)",
            extension=ExtensionAllowance(
                months=2, grounds=ORDINARY_GROUNDS, source=f"{_APR} art. 35(2)"
            ),
        ),
        Procedure.PACT_ACCELERATED: ProcedureTerms(length=3, source=f"{_APR} art. 35(3)"),
        Procedure.PACT_REGULAR: ProcedureTerms(
            length=6,
            source=f"{_APR} art. 35(4)",
            extension=ExtensionAllowance(
                months=6, grounds=ORDINARY_GROUNDS, source=f"{_APR} art. 35(5)"
            ),
            exceptional=ExtensionAllowance(
                months=3, grounds=EXCEPTIONAL_GROUNDS, source=f"{_APR} art. 35(5), exceptional"
            ),
        ),
        # 12 weeks from registration, appeal included; the decision is due well before.
        Procedure.PACT_BORDER: ProcedureTerms(
            length=12,
            unit=TermUnit.WEEKS,
            runs_from=TermStart.REGISTRATION,
            source=f"{_APR} art. 51(2)",
            includes_appeal=True,
            decision_term=BORDER_DECISION_TERM,
        ),
    },
    collective_extensions=(
        CollectiveExtension(
            procedure=Procedure.NATIONAL_REGULAR,
            lodged_from=date(2022, 9, 27),
            lodged_before=date(2025, 1, 1),
            months=9,
            ground=ExtensionGround.MANY_APPLICATIONS,
            source="WBV 2022/22 (Vw 2000 art. 42(4))",
            description="2022 decision: the national term of applications lodged 27-09-2022 "
            "to 01-01-2025 extended by 9 months",
        ),
    ),
)


def choose_procedure(stream: Stream, *, nuisance: bool, border_procedure: bool) -> Procedure:
    """Backlog: the national procedure. Pact: border if so registered, else accelerated for
    nuisance-causing applicants (R7), else regular. Admissibility is not chosen at intake."""
    if stream is Stream.BACKLOG:
        return Procedure.NATIONAL_REGULAR
    if border_procedure:
        return Procedure.PACT_BORDER
    return Procedure.PACT_ACCELERATED if nuisance else Procedure.PACT_REGULAR


class GrantedExtension(_Frozen):
    months: int = Field(ge=1)
    ground: ExtensionGround
    source: Citation
    collective: bool = False


class GrantedSuspension(_Frozen):
    """A suspension of the term (opschorting): the deadline moves by ``days`` calendar days."""

    days: int = Field(ge=1)
    source: Citation


class LegalDeadline(_Frozen):
    """A case's deadline and everything needed to explain and extend it."""

    procedure: Procedure
    starts_on: date = Field(
        description="the date the term runs from, in Europe/Amsterdam: the lodging date, or the "
        "registration date for a term that runs from registration"
    )
    extensions: tuple[GrantedExtension, ...] = ()
    suspensions: tuple[GrantedSuspension, ...] = ()
    due: date = Field(
        description="the legal deadline; for a term that includes the appeal (the border "
        "procedure) the end of the whole term, appeal included"
    )
    basis: str = Field(
        max_length=BASIS_MAX_LENGTH, description="the citations the due date rests on"
    )
    decision_due: date | None = Field(
        default=None,
        description="for a term that includes the appeal: when the first-instance decision is "
        "due (before ``due``); None: the decision is due by ``due``",
    )
    decision_basis: str | None = Field(
        default=None, description="the source of ``decision_due``", max_length=BASIS_MAX_LENGTH
    )

    def months_extended(self, allowance: ExtensionAllowance) -> int:
        return sum(e.months for e in self.extensions if e.ground in allowance.grounds)

    @property
    def total_extension_months(self) -> int:
        return sum(e.months for e in self.extensions)


def _compute(
    procedure: Procedure,
    starts_on: date,
    extensions: tuple[GrantedExtension, ...],
    terms: DeadlineTerms,
    suspensions: tuple[GrantedSuspension, ...] = (),
) -> LegalDeadline:
    term = terms.of(procedure)
    decision = term.decision_term
    # A suspension stops the clock: its days come on top of the term, extensions included,
    # counted in calendar days after the months (so month-end clamping cannot eat them).
    suspended = timedelta(days=sum(s.days for s in suspensions))
    basis = _basis([term.source, *(e.source for e in extensions), *(s.source for s in suspensions)])
    decision_due = None if decision is None else _after(starts_on, decision.length, term.unit)
    return LegalDeadline(
        procedure=procedure,
        starts_on=starts_on,
        extensions=extensions,
        suspensions=suspensions,
        due=_after(starts_on, term.length + sum(e.months for e in extensions), term.unit)
        + suspended,
        basis=basis,
        decision_due=None if decision_due is None else decision_due + suspended,
        decision_basis=None
        if decision is None
        else _basis([decision.source, *(s.source for s in suspensions)]),
    )


def _after(starts_on: date, length: int, unit: TermUnit) -> date:
    if unit is TermUnit.WEEKS:
        return starts_on + timedelta(weeks=length)
    return add_months(starts_on, length)


def legal_deadline(
    procedure: Procedure,
    lodged_at: datetime,
    terms: DeadlineTerms = DEFAULT_TERMS,
    *,
    registered_at: datetime | None = None,
) -> LegalDeadline:
    """The deadline at registration, with any collective extension that covers the lodging date.

    A term that runs from registration (the border procedure) counts from ``registered_at``,
    and is refused without it: counting from lodging instead would give a later deadline
    than the law's. Every other term counts from the lodging moment.
    """
    lodged_on = local_date(require_aware(lodged_at, "lodged_at"))
    starts_on = lodged_on
    term = terms.of(procedure)
    if term.runs_from is TermStart.REGISTRATION:
        if registered_at is None:
            raise Refusal(
                RefusalKind.BORDER_PROCEDURE_WITHOUT_REGISTRATION,
                f"the {procedure.value.replace('_', ' ')} term runs from the registration "
                f"moment ({term.source}), and the application gives none (registered_at)",
            )
        starts_on = local_date(require_aware(registered_at, "registered_at"))
    collective = tuple(
        GrantedExtension(months=c.months, ground=c.ground, source=c.source, collective=True)
        for c in terms.collective_extensions
        if c.enabled and c.procedure is procedure and c.lodged_from <= lodged_on < c.lodged_before
    )
    return _compute(procedure, starts_on, collective, terms)


def extend(
    deadline: LegalDeadline,
    months: int,
    ground: ExtensionGround,
    terms: DeadlineTerms = DEFAULT_TERMS,
    *,
    today: date | None = None,
) -> LegalDeadline:
    """The deadline extended by ``months`` on ``ground``, or a Refusal that says which legal
    limit stops it. With ``today``, a deadline that has already passed cannot be extended: an
    extension must be granted while the term runs."""
    if months < 1:
        raise ValueError("an extension is at least one month")
    term = terms.of(deadline.procedure)
    name = deadline.procedure.value.replace("_", " ")
    if term.extension is None and term.exceptional is None:
        raise Refusal(
            RefusalKind.NO_EXTENSION_FOR_PROCEDURE,
            f"the {name} procedure has no extension ({term.source})",
        )
    allowance = term.allowance_for(ground)
    if allowance is None:
        allowed = sorted(
            g.value for a in (term.extension, term.exceptional) if a is not None for g in a.grounds
        )
        raise Refusal(
            RefusalKind.GROUND_NOT_ALLOWED,
            f"the {name} procedure cannot be extended on ground {ground.value}; "
            f"allowed grounds: {', '.join(allowed)}",
        )
    if today is not None and today > deadline.due:
        raise Refusal(
            RefusalKind.DEADLINE_ALREADY_PASSED,
            f"the deadline {deadline.due.isoformat()} has already passed; an extension must be "
            "granted before the term ends",
        )
    used = deadline.months_extended(allowance)
    if used + months > allowance.months:
        raise Refusal(
            RefusalKind.EXTENSION_BEYOND_MAXIMUM,
            f"an extension of {months} months on ground {ground.value} would make {used + months} "
            f"months where the law allows {allowance.months} ({allowance.source}); "
            f"{allowance.months - used} months remain",
        )
    total = term.length + deadline.total_extension_months + months
    if term.maximum_months is not None and total > term.maximum_months:
        raise Refusal(
            RefusalKind.EXTENSION_BEYOND_MAXIMUM,
            f"an extension of {months} months would make the term {total} months where the law "
            f"allows {term.maximum_months} ({term.maximum_source})",
        )
    granted = GrantedExtension(months=months, ground=ground, source=allowance.source)
    return _compute(
        deadline.procedure,
        deadline.starts_on,
        (*deadline.extensions, granted),
        terms,
        deadline.suspensions,
    )


def suspend(
    deadline: LegalDeadline,
    days: int,
    source: str,
    terms: DeadlineTerms = DEFAULT_TERMS,
    *,
    today: date | None = None,
) -> LegalDeadline:
    """The deadline suspended (opgeschort) by ``days`` calendar days on the legal basis
    ``source``, or a Refusal: the term must still run (with ``today``), and the deadline's
    basis must stay within what the events carry."""
    if days < 1:
        raise ValueError("a suspension is at least one day")
    if today is not None and today > deadline.due:
        raise Refusal(
            RefusalKind.DEADLINE_ALREADY_PASSED,
            f"the deadline {deadline.due.isoformat()} has already passed; a suspension must be "
            "granted before the term ends",
        )
    granted = GrantedSuspension(days=days, source=source)
    suspended = (*deadline.suspensions, granted)
    basis = _basis([deadline.basis, source])
    if len(basis) > BASIS_MAX_LENGTH:
        raise Refusal(
            RefusalKind.BASIS_TOO_LONG,
            f"the deadline's legal basis would be {len(basis)} characters (at most "
            f"{BASIS_MAX_LENGTH}): cite the suspension's basis shorter",
        )
    return _compute(deadline.procedure, deadline.starts_on, deadline.extensions, terms, suspended)


def switch_procedure(
    deadline: LegalDeadline, procedure: Procedure, terms: DeadlineTerms = DEFAULT_TERMS
) -> LegalDeadline:
    """The deadline under another procedure, counted from the same start date. Extensions the
    new procedure does not allow are dropped (callers only switch to a longer term). Both terms
    must run from the same moment (lodging or registration): the deadline keeps only its date."""
    if terms.of(procedure).runs_from is not terms.of(deadline.procedure).runs_from:
        raise ValueError(
            f"cannot switch from {deadline.procedure.value} to {procedure.value}: "
            "their terms run from different moments"
        )
    kept = tuple(e for e in deadline.extensions if terms.of(procedure).allowance_for(e.ground))
    return _compute(procedure, deadline.starts_on, kept, terms, deadline.suspensions)
