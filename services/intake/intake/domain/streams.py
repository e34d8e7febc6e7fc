"""Which stream an application belongs to: R1 (the cut-off) and R3 (no stream hopping)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from intake.domain.dates import local_date, require_aware
from shared.contracts.values import Stream

PACT_START = date(2026, 6, 12)
PACT_START_SOURCE = "Regulation (EU) 2024/1348, art. 79: applies from 12 June 2026"


class CutOff(BaseModel):
    """The first day of the Pact stream (R1), the zone its dates are counted in, and its source.

    The comparison is made on the calendar date in ``timezone``: the Regulation applies from a
    date, and Dutch law counts dates in Dutch local time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: date = PACT_START
    timezone: str = "Europe/Amsterdam"
    source: str = Field(default=PACT_START_SOURCE, min_length=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        return local_date(moment, self.zone)


DEFAULT_CUTOFF = CutOff()


class PriorApplication(BaseModel):
    """An earlier application by the same applicant, as far as the stream rule needs to know."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    stream: Stream
    withdrawn: bool


def assign_stream(
    lodged_at: datetime, prior: PriorApplication | None, cutoff: CutOff = DEFAULT_CUTOFF
) -> Stream:
    """R1 and R3.

    R1: lodged (local date) before the cut-off date is backlog, on or after it is Pact.
    R3: a new application after a *withdrawn* backlog application stays backlog, whatever its
    own date. A decided earlier application does not count: what follows a decision is a new
    (subsequent) application and R1 applies to it. A backlog prior that was itself a re-lodging
    is in the backlog stream too, so the rule holds along a chain of withdrawals.
    """
    require_aware(lodged_at, "lodged_at")
    if prior is not None and prior.withdrawn and prior.stream is Stream.BACKLOG:
        return Stream.BACKLOG
    return Stream.BACKLOG if cutoff.local_date(lodged_at) < cutoff.effective_from else Stream.PACT
