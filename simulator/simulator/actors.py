"""The people around the system: desk staff, planners, caseworkers, deciders and applicants.

`Actors` sees the services' events (`observe`) and says what the outside world sends on a
day (`act`). No I/O and no wall clock: every choice comes from the seed, the case and the
step (`world.rng`), and work is taken up in a fixed order (priority, lodging moment, case
id), so reading the topics in another order gives the same inputs.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from shared.contracts.envelope import EventData
from shared.contracts.events import decision as d
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import planning as pl
from shared.contracts.events import prephase as pp
from shared.contracts.events.common import DecisionOutcome, LegalGround, ObstacleKind, RejectionKind
from shared.contracts.topics import (
    PLANNING_INPUT,
    POLICY_INPUT,
    REGISTRATION_INPUT,
    Stage,
    stage_input,
)
from shared.contracts.values import Stream
from shared.runtime.calendar import add_working_days, is_working_day

from .world import (
    Applicant,
    WorldConfig,
    backlog,
    capacity,
    country_policy,
    moment,
    pact_on,
    rng,
)

DESK = "caseworker:desk-01"
PREPHASE_WORKER = "caseworker:cw-prephase-01"
FILE_DAYS = 3
"""Working days a caseworker takes to record what planning says a held file lacks."""
PLANNER = "planner:pl-01"
POLICY = "policy-officer:po-01"


@dataclass(frozen=True)
class Outgoing:
    """One input the outside world sends: its topic (without prefix), data, key and sender."""

    topic: str
    data: EventData
    subject: str
    stream: Stream | None
    actor: str


@dataclass
class Case:
    """What the outside world knows of a case (its own notes, not the system's figures)."""

    case_id: str
    applicant: Applicant
    stream: Stream | None = None
    category: str | None = None
    priority: str | None = None
    stage: Stage = Stage.INTAKE
    status: str = "waiting"  # waiting, in_progress, done
    invited_on: date | None = None
    hearing_on: date | None = None
    review_on: date | None = None
    ready_on: date | None = None
    drafted: DecisionOutcome | None = None
    steps: int = 0  # a counter per case: each new choice draws from a new stream
    closed: bool = False  # decided or withdrawn
    held: bool = False
    queued: bool = False  # released to decision: in the deciders' queue
    lacks: tuple[pl.FileItem, ...] = ()  # what planning holds the release to decision for
    recorded_late: tuple[pl.FileItem, ...] = ()  # of those, what a caseworker has recorded

    def draw(self, seed: int, what: str) -> float:
        self.steps += 1
        return rng(seed, self.case_id, what, self.steps).random()

    @property
    def order(self) -> tuple[int, int, datetime, str]:
        # Priority groups first, then the Pact (R2), then the lodging moment and the case id.
        return (
            0 if self.priority else 1,
            0 if self.stream is Stream.PACT else 1,
            self.applicant.application.lodged_at,
            self.case_id,
        )


@dataclass
class Actors:
    config: WorldConfig
    cases: dict[str, Case] = field(default_factory=dict)
    agenda: dict[date, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    decision_queue: list[tuple[Any, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    _backlog: dict[date, list[Applicant]] = field(default_factory=dict)
    _pact_number: int = 0

    def __post_init__(self) -> None:
        by_day: dict[date, list[Applicant]] = defaultdict(list)
        for a in backlog(self.config):
            by_day[a.registered_on].append(a)
        self._backlog = dict(by_day)

    # --- what the world sends on a day ------------------------------------------------------

    def act(self, day: date) -> list[Outgoing]:
        out: list[Outgoing] = []
        if day == self.config.starts:
            out.append(Outgoing(POLICY_INPUT, country_policy(day), "cp-sim-1", None, POLICY))
            out += self._capacity(day)
            out += self._capacity(_next_month(day))
        elif day.day == 1:
            out += self._capacity(_next_month(day))
        arrivals = self._backlog.pop(day, []) + pact_on(self.config, day, self._pact_number)
        self._pact_number += sum(1 for a in arrivals if a.case_id.startswith("pa-"))
        for a in arrivals:
            self.cases[a.case_id] = Case(a.case_id, a)
            out.append(Outgoing(REGISTRATION_INPUT, a.application, a.case_id, None, DESK))
            self.counts["registrations sent"] += 1
        for kind, case_id in sorted(self.agenda.pop(day, [])):
            case = self.cases[case_id]
            if not case.closed:
                out += getattr(self, f"_{kind}")(case, day)
        if is_working_day(day):
            out += self._decide(day)
        return out

    def act_again(self, day: date) -> list[Outgoing]:
        """What the people do later the same day, on what the system answered meanwhile."""
        out: list[Outgoing] = []
        for kind, case_id in sorted(self.agenda.pop(day, [])):
            case = self.cases[case_id]
            if not case.closed:
                out += getattr(self, f"_{kind}")(case, day)
        return out

    def _capacity(self, month: date) -> list[Outgoing]:
        declared = capacity(self.config, month)
        return [Outgoing(PLANNING_INPUT, declared, f"{month:%Y-%m}", None, PLANNER)]

    def _later(self, day: date, kind: str, case: Case) -> None:
        self.agenda[day].append((kind, case.case_id))

    # --- what the world learns from the system ----------------------------------------------

    def observe(self, event_type: type[EventData], subject: str, data: Any, day: date) -> None:
        case = self.cases.get(subject)
        if case is None or case.closed:
            return
        handler = _OBSERVERS.get(event_type)
        if handler is not None:
            handler(self, case, data, day)

    def _registered(self, case: Case, data: i.CaseRegistered, day: date) -> None:
        case.stream = data.stream
        case.category = data.category.value if data.category else None
        case.priority = data.priority_group.value if data.priority_group else None
        case.stage, case.status = Stage.PLANNING, "waiting"
        self._later(day + timedelta(days=1), "logistics", case)
        if case.draw(self.config.seed, "withdraws") < self.config.rates.withdrawal:
            after = 30 + int(case.draw(self.config.seed, "withdraw-after") * 500)
            self._later(day + timedelta(days=after), "withdraw", case)
        if case.stream is Stream.PACT:
            case.stage = Stage.HEARING

    def _recategorised(self, case: Case, data: i.CaseRecategorised, day: date) -> None:
        case.category = data.new_category.value if data.new_category else None

    def _released(self, case: Case, data: pl.CaseReleased, day: date) -> None:
        case.stage = Stage(data.stage.value)
        case.status = "waiting"
        # Deciders take up what planning released to them, not what hearing reported ready:
        # decision refuses a draft before the release (docs/adr/0029).
        if data.stage is pl.ReleaseStage.DECISION and not case.queued:
            case.queued, case.lacks = True, ()
            heapq.heappush(self.decision_queue, (case.order, case.case_id))

    def _release_held(self, case: Case, data: pl.ReleaseHeld, day: date) -> None:
        """Planning holds the release to decision for missing file items: a caseworker records
        them a few working days later, as late additions to the prephase's file."""
        if data.stage is not pl.ReleaseStage.DECISION or case.queued:
            return
        new = tuple(i for i in data.missing_items if i not in case.lacks)
        if not new:
            return  # told again what is on its way already
        case.lacks += new  # planning says again when a category change needs more
        self._later(add_working_days(day, FILE_DAYS), "complete_file", case)

    def _invited(self, case: Case, data: pp.PrephaseInvited, day: date) -> None:
        case.stage, case.status, case.invited_on = Stage.PREPHASE, "in_progress", data.day
        self._later(data.day, "prephase_day", case)

    def _invitation_cancelled(self, case: Case, data: Any, day: date) -> None:
        case.invited_on = None

    def _prephase_completed(self, case: Case, data: pp.PrephaseCompleted, day: date) -> None:
        case.stage, case.status = Stage.HEARING, "waiting"

    def _hearing_planned(self, case: Case, data: h.HearingPlanned, day: date) -> None:
        held_on = data.starts_at.date()
        case.stage, case.status = Stage.HEARING, "in_progress"
        case.hearing_on, case.review_on = held_on, data.review_on
        self._later(held_on, "hearing_day", case)

    def _hearing_cancelled(self, case: Case, data: Any, day: date) -> None:
        case.hearing_on = None

    def _hearing_held(self, case: Case, data: h.HearingHeld, day: date) -> None:
        review = case.review_on or add_working_days(data.held_on, 1)
        self._later(max(review, day + timedelta(days=1)), "review", case)

    def _ready(self, case: Case, data: Any, day: date) -> None:
        if case.ready_on is not None:
            return
        case.ready_on = day
        if not case.queued:  # waits for planning's release to decision
            case.stage, case.status = Stage.DECISION, "waiting"

    def _on_hold(self, case: Case, data: Any, day: date) -> None:
        case.held = True

    def _resumed(self, case: Case, data: Any, day: date) -> None:
        case.held = False

    def _issued(self, case: Case, data: d.DecisionIssued, day: date) -> None:
        case.stage, case.status, case.closed = Stage.DECISION, "done", True

    def _withdrawn(self, case: Case, data: Any, day: date) -> None:
        case.status, case.closed = "done", True

    # --- the people's steps -----------------------------------------------------------------

    def _logistics(self, case: Case, day: date) -> list[Outgoing]:
        a = case.applicant
        return [Outgoing(REGISTRATION_INPUT, a.logistics, case.case_id, None, DESK)]

    def _withdraw(self, case: Case, day: date) -> list[Outgoing]:
        data = i.ApplicationWithdrawn(withdrawn_at=moment(day, 8), reason="applicant withdrew")
        return [Outgoing(REGISTRATION_INPUT, data, case.case_id, None, DESK)]

    def _input(self, case: Case, stage: Stage, data: EventData, actor: str) -> Outgoing:
        assert case.stream is not None
        return Outgoing(stage_input(case.stream, stage), data, case.case_id, case.stream, actor)

    def _prephase_day(self, case: Case, day: date) -> list[Outgoing]:
        if case.invited_on != day or case.stage is not Stage.PREPHASE:
            return []
        seed, rates = self.config.seed, self.config.rates
        worker = "caseworker:cw-prephase-01"
        if case.draw(seed, "prephase-no-show") < rates.prephase_no_show:
            no_show = pp.PrephaseAttendanceRecorded(
                day=day, attended=False, no_show_reason=pp.NoShowReason.UNEXCUSED
            )
            return [self._input(case, Stage.PREPHASE, no_show, worker)]
        nationality = case.applicant.application.nationality
        consistent = case.draw(seed, "language") >= rates.language_inconsistent
        plausible = case.draw(seed, "origin") >= rates.origin_doubtful
        steps: list[EventData] = [
            pp.PrephaseAttendanceRecorded(day=day, attended=True),
            pp.DocumentsRecorded(
                documents=(
                    pp.HandedInDocument(
                        kind=pp.DocumentKind.PASSPORT,
                        original=case.draw(seed, "passport") < 0.6,
                        issuing_country=nationality,
                    ),
                )
            ),
            pp.LanguageIndicationRecorded(
                result=pp.LanguageIndicationResult.CONSISTENT
                if consistent
                else pp.LanguageIndicationResult.INCONSISTENT,
                language=case.applicant.language,
            ),
            pp.OriginInvestigationRecorded(
                result=pp.OriginFinding.PLAUSIBLE if plausible else pp.OriginFinding.DOUBTFUL
            ),
            pp.WrittenAccountRecorded(
                received_on=day,
                language=case.applicant.language,
                pages=1 + int(case.draw(seed, "pages") * 12),
                translation_needed=case.applicant.language != "eng",
            ),
            pp.ReturnInformationRecorded(given_on=day, given_by=pp.ReturnInformant.IND),
        ]
        if case.draw(seed, "exclusion") < rates.exclusion_signal:
            steps.append(pp.ExclusionSignalRecorded(signalled_on=day))
            self._later(add_working_days(day, 20), "screening", case)
        else:
            self._later(add_working_days(day, 1), "complete_prephase", case)
        return [self._input(case, Stage.PREPHASE, s, worker) for s in steps]

    def _screening(self, case: Case, day: date) -> list[Outgoing]:
        confirmed = case.draw(self.config.seed, "screening") < self.config.rates.exclusion_confirmed
        outcome = (
            pp.ExclusionScreeningOutcome.INDICATIONS_CONFIRMED
            if confirmed
            else pp.ExclusionScreeningOutcome.NO_INDICATIONS
        )
        if not confirmed:
            self._later(add_working_days(day, 1), "complete_prephase", case)
        data = pp.ExclusionScreeningRecorded(outcome=outcome)
        return [self._input(case, Stage.PREPHASE, data, "caseworker:cw-prephase-01")]

    def _complete_prephase(self, case: Case, day: date) -> list[Outgoing]:
        data = pp.PrephaseCompletionRecorded(completed_on=day)
        return [self._input(case, Stage.PREPHASE, data, "caseworker:cw-prephase-01")]

    def _complete_file(self, case: Case, day: date) -> list[Outgoing]:
        """The items a held file lacks, recorded on the prephase's input (late additions)."""
        todo = tuple(i for i in case.lacks if i not in case.recorded_late)
        if case.queued or not todo:
            return []
        case.recorded_late += todo
        seed, language = self.config.seed, case.applicant.language
        steps: list[EventData] = []
        for item in todo:
            if item is pl.FileItem.WRITTEN_ACCOUNT:
                steps.append(
                    pp.WrittenAccountRecorded(
                        received_on=day,
                        language=language,
                        pages=1 + int(case.draw(seed, "late-pages") * 12),
                        translation_needed=language != "eng",
                    )
                )
            elif item is pl.FileItem.LANGUAGE_INDICATION:
                steps.append(
                    pp.LanguageIndicationRecorded(
                        result=pp.LanguageIndicationResult.CONSISTENT, language=language
                    )
                )
            else:
                steps.append(pp.OriginInvestigationRecorded(result=pp.OriginFinding.PLAUSIBLE))
        self.counts["held files completed"] += 1
        return [self._input(case, Stage.PREPHASE, s, PREPHASE_WORKER) for s in steps]

    def _hearing_day(self, case: Case, day: date) -> list[Outgoing]:
        if case.hearing_on != day:
            return []
        seed, rates = self.config.seed, self.config.rates
        worker = "caseworker:cw-hearing-01"
        if case.draw(seed, "obstacle") < rates.hearing_obstacle:
            obstacle = h.HearingObstacleRecorded(
                obstacle=ObstacleKind.INVESTIGATION_ABROAD, review_on=day + timedelta(days=90)
            )
            self._later(
                day + timedelta(days=60 + int(case.draw(seed, "hold") * 120)), "clear", case
            )
            return [self._input(case, Stage.HEARING, obstacle, worker)]
        if case.draw(seed, "hearing-no-show") < rates.hearing_no_show:
            return [self._input(case, Stage.HEARING, h.HearingNoShowRecorded(day=day), worker)]
        held = h.HearingHeldRecorded(
            held_on=day,
            kind=h.HearingKind.FIRST,
            duration_minutes=90 + int(case.draw(seed, "duration") * 150),
            interpreter_language=None,
            lawyer_present=True,
        )
        return [self._input(case, Stage.HEARING, held, worker)]

    def _clear(self, case: Case, day: date) -> list[Outgoing]:
        data = h.HearingObstacleCleared(cleared_on=day)
        return [self._input(case, Stage.HEARING, data, "caseworker:cw-hearing-01")]

    def _review(self, case: Case, day: date) -> list[Outgoing]:
        data = h.CorrectionsRecorded(received_on=day, submitted=True)
        return [self._input(case, Stage.HEARING, data, "caseworker:cw-hearing-01")]

    def _decide(self, day: date) -> list[Outgoing]:
        """Deciders draft the day's files in the fixed order; a second decider reviews the next
        working day and the drafter issues it (four eyes)."""
        out = []
        budget = self.config.decisions_per_day
        while self.decision_queue and budget > 0:
            _, case_id = heapq.heappop(self.decision_queue)
            case = self.cases[case_id]
            if case.closed or case.drafted is not None:
                continue
            budget -= 1
            outcome, ground = self._outcome(case)
            case.drafted = outcome
            case.status = "in_progress"
            draft = d.DecisionDraftRecorded(
                proposed_outcome=outcome,
                proposed_legal_ground=ground,
                standardised=self._standardised(case, outcome),
                rejection_kind=RejectionKind.UNFOUNDED
                if outcome is not DecisionOutcome.GRANT
                else None,
            )
            out.append(self._input(case, Stage.DECISION, draft, "decider:dc-01"))
            self._later(add_working_days(day, 1), "issue", case)
        return out

    def _outcome(self, case: Case) -> tuple[DecisionOutcome, LegalGround | None]:
        key = "pact" if case.stream is Stream.PACT else case.category or "priority"
        share = self.config.rates.grants.get(key, 0.4)
        if case.draw(self.config.seed, "grant") < share:
            return DecisionOutcome.GRANT, LegalGround.A if case.category == "B" else LegalGround.B
        return DecisionOutcome.REJECTION, None

    def _standardised(self, case: Case, outcome: DecisionOutcome) -> bool:
        if case.stream is not Stream.BACKLOG or case.priority:
            return False
        return (case.category, outcome) in {
            ("A", DecisionOutcome.REJECTION),
            ("B", DecisionOutcome.GRANT),
        }

    def _issue(self, case: Case, day: date) -> list[Outgoing]:
        outcome = case.drafted
        if outcome is None:
            return []
        grant = outcome is DecisionOutcome.GRANT
        review = d.DecisionReviewRecorded(approved=True)
        issue = d.DecisionIssueRecorded(
            outcome=outcome,
            legal_ground=(LegalGround.A if case.category == "B" else LegalGround.B)
            if grant
            else None,
            rejection_kind=None if grant else RejectionKind.UNFOUNDED,
            standardised=self._standardised(case, outcome),
            issued_on=day,
            sent_at=moment(day, 9),
        )
        return [
            self._input(case, Stage.DECISION, review, "decider:dc-02"),
            self._input(case, Stage.DECISION, issue, "decider:dc-01"),
        ]

    # --- the progress display ---------------------------------------------------------------

    def progress(self) -> dict[tuple[Stage, Stream], Counter[str]]:
        table: dict[tuple[Stage, Stream], Counter[str]] = defaultdict(Counter)
        for case in self.cases.values():
            if case.stream is not None:
                table[(case.stage, case.stream)][case.status] += 1
        return table


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


_OBSERVERS: dict[type[EventData], Any] = {
    i.CaseRegistered: Actors._registered,
    i.CaseRecategorised: Actors._recategorised,
    i.CaseWithdrawn: Actors._withdrawn,
    pl.CaseReleased: Actors._released,
    pl.ReleaseHeld: Actors._release_held,
    pp.PrephaseInvited: Actors._invited,
    pp.PrephaseInvitationCancelled: Actors._invitation_cancelled,
    pp.PrephaseCompleted: Actors._prephase_completed,
    h.HearingPlanned: Actors._hearing_planned,
    h.HearingCancelled: Actors._hearing_cancelled,
    h.HearingHeld: Actors._hearing_held,
    h.ReadyForDecision: Actors._ready,
    h.HearingWaived: Actors._ready,
    h.HearingOnHold: Actors._on_hold,
    h.HearingResumed: Actors._resumed,
    d.DecisionIssued: Actors._issued,
}

OBSERVED_MODELS = tuple(_OBSERVERS)
OBSERVED_TYPES = frozenset(t.ce_type() for t in _OBSERVERS)
"""The event types the people act on (the simulator decodes only these)."""
