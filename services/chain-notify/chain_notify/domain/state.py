"""What chain-notify keeps per case: just enough to address each partner and to cancel or move
what it told them. No motive, account, 1F/NV fact or health datum ever enters this state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from shared.contracts.events.common import DecisionOutcome
from shared.contracts.events.intake import CourtDistrict
from shared.contracts.events.partners import AppointmentKind
from shared.contracts.values import Stream


class Appointment(BaseModel):
    """An appointment a partner was (or will be) told about."""

    model_config = ConfigDict(frozen=True)

    kind: AppointmentKind
    day: date
    starts_at: datetime | None
    location: str


class HeldCourtsNotice(BaseModel):
    """A refusal's notice to the courts, held until the applicant's court district is known:
    the courts' own fields but the district (no V-number, nothing else of the decision)."""

    model_config = ConfigDict(frozen=True)

    outcome: DecisionOutcome
    sent_on: date
    appeal_period_days: int
    since: datetime  # when it was held (service clock): operators see how long it waits


class NotifyCase(BaseModel):
    """One case as chain-notify knows it."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    stream: Stream
    v_number: str
    unaccompanied: bool
    reception_location: str | None = None
    lawyer: str | None = None
    court_district: CourtDistrict | None = None
    transports: tuple[date, ...] = ()  # days COA was asked to transport the applicant
    guardian_days: tuple[Appointment, ...] = ()  # prephase days Nidos was told about
    hearing: Appointment | None = None
    review: Appointment | None = None
    decided: bool = False
    withdrawn: bool = False
    courts_held: HeldCourtsNotice | None = None  # the courts' part of a refusal, waiting

    @property
    def appointments(self) -> tuple[Appointment, ...]:
        """The hearing and review, in that order (what the lawyer and Nidos attend)."""
        return tuple(a for a in (self.hearing, self.review) if a is not None)


class ReturnDay(BaseModel):
    """A prephase location day on which DT&V was told to give return information."""

    model_config = ConfigDict(frozen=True)

    key: str  # the location day: LOCATION-YYYY-MM-DD
    notified: bool = False


@dataclass(frozen=True)
class NotifyConfig:
    """Chain-notify's settings the domain reads: none so far. The appeal share of the courts'
    forecast comes with each plan cycle (PlanCycleOpened.appeal_share): planning owns it."""


DEFAULT_CONFIG = NotifyConfig()
