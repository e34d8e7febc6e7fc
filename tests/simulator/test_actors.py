"""The simulated caseworkers without servers: deciders take up what planning released to
decision (not what hearing reported ready), and a file planning holds is completed a few
working days later on the prephase's input (docs/adr/0029)."""

from __future__ import annotations

from datetime import date

from shared.contracts.events import decision as d
from shared.contracts.events import hearing as h
from shared.contracts.events import intake as i
from shared.contracts.events import planning as pl
from shared.contracts.events import prephase as pp
from shared.contracts.events.common import Procedure
from shared.contracts.topics import Stage, stage_input
from shared.contracts.values import Category, Stream
from shared.runtime.calendar import add_working_days
from simulator.actors import FILE_DAYS, Actors
from simulator.world import WorldConfig

DAY = date(2026, 11, 2)  # a Monday
CONFIG = WorldConfig(
    seed=7,
    scale=30 / 54_000,
    starts=date(2026, 6, 1),
    ends=date(2026, 12, 31),
    pact_per_year=0,
)


def registered_case(actors: Actors) -> str:
    """The first backlog applicant, registered by intake in category D."""
    applicant = next(a for day in sorted(actors._backlog) for a in actors._backlog[day])
    actors.act(applicant.registered_on)  # the desk sends the registration
    registration = i.CaseRegistered(
        v_number=applicant.application.v_number,
        nationality=applicant.application.nationality,
        stream=Stream.BACKLOG,
        lodged_at=applicant.application.lodged_at,
        procedure=Procedure.NATIONAL_REGULAR,
        category=Category.D,
        policy_version="cp-sim-1",
        deadline=date(2027, 6, 1),
        deadline_basis="Vw 2000 art. 42(1)",
        minor_on_lodging=False,
        unaccompanied=False,
    )
    actors.observe(i.CaseRegistered, applicant.case_id, registration, applicant.registered_on)
    return applicant.case_id


def drafts(out: list[object]) -> list[str]:
    return [o.subject for o in out if isinstance(o.data, d.DecisionDraftRecorded)]  # type: ignore[attr-defined]


def test_deciders_start_on_planning_release_not_on_readiness() -> None:
    actors = Actors(CONFIG)
    case_id = registered_case(actors)
    actors.observe(h.ReadyForDecision, case_id, h.ReadyForDecision(ready_on=DAY, heard=True), DAY)
    assert drafts(actors.act(DAY)) == []  # ready, not released: decision would refuse
    release = pl.CaseReleased(stage=pl.ReleaseStage.DECISION, release_day=DAY, team="t-1")
    actors.observe(pl.CaseReleased, case_id, release, DAY)
    actors.observe(pl.CaseReleased, case_id, release, DAY)  # a second release: queued once
    assert drafts(actors.act(add_working_days(DAY, 1))) == [case_id]


def test_a_held_file_is_completed_after_a_few_working_days() -> None:
    actors = Actors(CONFIG)
    case_id = registered_case(actors)
    actors.observe(h.ReadyForDecision, case_id, h.ReadyForDecision(ready_on=DAY, heard=True), DAY)
    held = pl.ReleaseHeld(
        stage=pl.ReleaseStage.DECISION,
        missing_items=(pl.FileItem.LANGUAGE_INDICATION, pl.FileItem.ORIGIN_INVESTIGATION),
    )
    actors.observe(pl.ReleaseHeld, case_id, held, DAY)
    due = add_working_days(DAY, FILE_DAYS)
    days = [date.fromordinal(DAY.toordinal() + n) for n in range(1, (due - DAY).days)]
    assert [o for day in days for o in actors.act(day) if o.subject == case_id] == []
    sent = [o for o in actors.act(due) if o.subject == case_id]
    assert [type(o.data) for o in sent] == [
        pp.LanguageIndicationRecorded,
        pp.OriginInvestigationRecorded,
    ]
    assert {o.topic for o in sent} == {stage_input(Stream.BACKLOG, Stage.PREPHASE)}
    assert actors.counts["held files completed"] == 1
