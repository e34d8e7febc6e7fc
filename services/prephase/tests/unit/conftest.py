"""Builders for the prephase domain tests: a case at some point of its prephase, a context."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from prephase.domain import (
    DEFAULT_CONFIG,
    Invitation,
    Logistics,
    PrephaseCase,
    PrephaseConfig,
    Status,
)
from shared.contracts.values import Category, Stream
from shared.runtime.kit import Context

# A fixed "now" (a Monday); tests never read the wall clock.
NOW = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
DAY = date(2026, 10, 19)

CaseMaker = Callable[..., PrephaseCase]
CtxMaker = Callable[..., Context[PrephaseConfig]]


def make_case(case_id: str = "case-1", **update: Any) -> PrephaseCase:
    fields: dict[str, Any] = {
        "case_id": case_id,
        "stream": Stream.BACKLOG,
        "category": Category.A,
        "priority_group": None,
        "lodged_at": datetime(2025, 3, 1, 9, tzinfo=UTC),
    }
    return PrephaseCase(**(fields | update))


def invited_case(case_id: str = "case-1", **update: Any) -> PrephaseCase:
    invitation = Invitation(
        location="prephase-zwolle",
        day=DAY,
        interpreter_language="ara",
        return_information=False,
        transport_from="coa-budel",
        guardian=False,
    )
    fields: dict[str, Any] = {
        "status": Status.INVITED,
        "release_day": date(2026, 10, 12),
        "logistics": Logistics(interpreter_languages=("ara",), reception_location="coa-budel"),
        "invitation": invitation,
        "invitations": 1,
    }
    return make_case(case_id, **(fields | update))


def make_ctx(
    case_id: str = "case-1",
    *,
    now: datetime = NOW,
    config: PrephaseConfig = DEFAULT_CONFIG,
    stream: Stream | None = Stream.BACKLOG,
    extras: dict[str, Any] | None = None,
) -> Context[PrephaseConfig]:
    return Context(
        case_id=case_id,
        now=now,
        config=config,
        actor="caseworker:cw-1",
        stream=stream,
        topic="ind.backlog.prephase.input.v1",
        cases=None,  # type: ignore[arg-type]  # prephase's rules never look at other cases
        extras=extras or {},
        rows={},
    )


@pytest.fixture
def case() -> CaseMaker:
    return make_case


@pytest.fixture
def invited() -> CaseMaker:
    return invited_case


@pytest.fixture
def ctx() -> CtxMaker:
    return make_ctx
