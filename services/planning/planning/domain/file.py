"""A case's file (R12): deciders always get complete files.

Planning knows a file from the prephase's outcomes: PrephaseCompleted says which findings were
recorded, and a written account, a language indication or an origin investigation recorded
later adds to it. What a decider needs depends on the case's category (the same findings the
prephase requires to complete: a category that changed after the prephase may need more). A
case that had no prephase (a Pact case sent straight to the hearing) has its file put together
by the hearing, whose readiness vouches for it: planning holds nothing back there. A hearing
held covers the written account: the decider has the applicant's account in its report.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts.events.planning import FileItem
from shared.contracts.events.prephase import (
    LanguageIndicationCompleted,
    OriginInvestigationCompleted,
    PrephaseCompleted,
    WrittenAccountReceived,
)
from shared.contracts.values import Category

from .model import PoolCase

_ACCOUNT = FileItem.WRITTEN_ACCOUNT
_LANGUAGE = FileItem.LANGUAGE_INDICATION
_ORIGIN = FileItem.ORIGIN_INVESTIGATION

DECIDER_NEEDS: Mapping[Category | None, frozenset[FileItem]] = {
    # A: a short targeted hearing on the account, the nationality confirmed by the language.
    Category.A: frozenset({_LANGUAGE, _ACCOUNT}),
    # B: group membership rests on the language and the origin.
    Category.B: frozenset({_LANGUAGE, _ORIGIN}),
    # C: usually a rejection on the account.
    Category.C: frozenset({_ACCOUNT}),
    # D: an individual assessment needs everything.
    Category.D: frozenset({_LANGUAGE, _ORIGIN, _ACCOUNT}),
    Category.OUTSIDE: frozenset({_LANGUAGE, _ACCOUNT}),
    None: frozenset({_ACCOUNT}),  # a priority group's case without a category (R7)
}
"""What a decider needs in the file, by the case's category."""

ItemRecorded = WrittenAccountReceived | LanguageIndicationCompleted | OriginInvestigationCompleted


def recorded_in_prephase(event: PrephaseCompleted) -> tuple[FileItem, ...]:
    """The file items the prephase completed with (an inconclusive finding is a finding)."""
    items = []
    if event.written_account:
        items.append(_ACCOUNT)
    if event.language_indication is not None:
        items.append(_LANGUAGE)
    if event.origin is not None:
        items.append(_ORIGIN)
    return tuple(items)


def item_of(event: ItemRecorded) -> FileItem:
    if isinstance(event, WrittenAccountReceived):
        return _ACCOUNT
    if isinstance(event, LanguageIndicationCompleted):
        return _LANGUAGE
    return _ORIGIN


def with_items(case: PoolCase, items: tuple[FileItem, ...], *, prephase_done: bool) -> PoolCase:
    """The case with these items in its file (kept in a fixed order)."""
    have = tuple(i for i in FileItem if i in items or i in case.file_items)
    return case.model_copy(
        update={"file_items": have, "file_known": case.file_known or prephase_done}
    )


def after_hearing(case: PoolCase, *, heard: bool) -> PoolCase:
    """The file when hearing is done: a hearing held gives the decider the account."""
    if not heard or _ACCOUNT in case.file_items:
        return case
    return with_items(case, (_ACCOUNT,), prephase_done=False)


def missing_items(case: PoolCase) -> tuple[FileItem, ...]:
    """What a decider would miss in the case's file now, in a fixed order; nothing for a case
    whose file planning does not know (no prephase: the hearing put it together)."""
    if not case.file_known:
        return ()
    needs = DECIDER_NEEDS.get(case.category, DECIDER_NEEDS[None])
    return tuple(i for i in FileItem if i in needs and i not in case.file_items)
