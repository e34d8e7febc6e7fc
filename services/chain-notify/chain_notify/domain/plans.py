"""Plan-level notices: DT&V's return-information days, and the forecasts of a plan cycle
(COA, DT&V and the courts balance the chain on them: R10)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from chain_notify.domain.state import NotifyCase, NotifyConfig, ReturnDay
from shared.contracts.events.intake import CourtDistrict
from shared.contracts.events.partners import (
    CourtsAppealForecast,
    DtvReturnInformationPlanned,
    VolumeForecast,
    WeeklyAppeals,
)
from shared.contracts.events.planning import PlanCycleOpened, PrephaseLocationDayPlanned
from shared.contracts.topics import Partner, partner_topic
from shared.contracts.values import Stream
from shared.runtime.kit import Context, Decision, Emit, Outcome

DISTRICT_SHARES = "district_shares"
"""ctx.extras key: the stream's known cases per court district (loaded once per batch)."""


def return_day_key(stream: Stream | None, location_day: str) -> str:
    """The row key of a location day on a stream: a day is told per stream's topic."""
    return f"{stream}/{location_day}"


def location_day_planned(
    case: NotifyCase | None, event: PrephaseLocationDayPlanned, ctx: Context[NotifyConfig]
) -> Outcome[NotifyCase]:
    """DT&V: return information on this location day (keyed by location day, never by case).
    Told once per location day: a re-planned day (more places, say) is no news to DT&V."""
    if not event.return_information or ctx.stream is None:
        return Decision(None)
    key = return_day_key(ctx.stream, ctx.case_id)
    day: ReturnDay | None = ctx.rows["return_days"].get(key)
    if day is not None and day.notified:
        return Decision(None)
    notice = DtvReturnInformationPlanned(day=event.day, location=event.location)
    emit = Emit(notice, topic=partner_topic(ctx.stream, Partner.DTV), stream=ctx.stream)
    return Decision(None, [emit], rows=[ReturnDay(key=key, notified=True)])


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def weekly_refusals(event: PlanCycleOpened) -> dict[date, Decimal]:
    """Refusals expected per week: the week's expected decisions (all categories) times the
    cycle's expected share of refusals (1 - grant rate; R10)."""
    refusal_rate = Decimal(1) - Decimal(str(event.expected_grant_rate))
    weeks: dict[date, Decimal] = defaultdict(Decimal)
    for week in event.expected_decisions:
        weeks[week.week_of] += Decimal(week.decisions) * refusal_rate
    return dict(sorted(weeks.items()))


def apportion(total: int, weights: Mapping[CourtDistrict, int]) -> dict[CourtDistrict, int]:
    """Split a whole number over districts by weight, the parts adding up to the total (largest
    remainder; ties to the district first by name, so the result never depends on order)."""
    whole = sum(weights.values())
    if whole == 0 or total == 0:
        return dict.fromkeys(sorted(weights), 0)
    exact = {d: Decimal(total) * w / whole for d, w in weights.items()}
    parts = {d: int(v) for d, v in exact.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(exact, key=lambda d: (-(exact[d] - parts[d]), d.value))
    for district in by_remainder[:left]:
        parts[district] += 1
    return dict(sorted(parts.items()))


def appeal_forecast(
    event: PlanCycleOpened, shares: Mapping[CourtDistrict, int]
) -> list[CourtsAppealForecast]:
    """Per court district, the appeals to expect per week: refusals x the share appealed (the
    plan's: planning owns it), split over the districts as the stream's known cases are (their
    court district)."""
    weights = {d: n for d, n in shares.items() if n > 0}
    if not weights:
        return []
    appeal_share = Decimal(str(event.appeal_share))
    per_district: dict[CourtDistrict, list[WeeklyAppeals]] = {d: [] for d in sorted(weights)}
    for week, refusals in weekly_refusals(event).items():
        total = _round(refusals * appeal_share)
        for district, appeals in apportion(total, weights).items():
            per_district[district].append(WeeklyAppeals(week_of=week, expected_appeals=appeals))
    return [
        CourtsAppealForecast(cycle_revision=event.revision, court_district=d, weeks=tuple(weeks))
        for d, weeks in per_district.items()
    ]


def volume_forecast(event: PlanCycleOpened) -> VolumeForecast:
    """The cycle's decisions and the grants and refusals among them (COA, DT&V, courts)."""
    weekly = sum(w.decisions for w in event.expected_decisions)
    decisions = weekly if event.expected_decisions else event.planned_cases
    grants = _round(Decimal(decisions) * Decimal(str(event.expected_grant_rate)))
    return VolumeForecast(
        period_start=event.starts_on,
        period_end=event.ends_on,
        expected_decisions=decisions,
        expected_grants=grants,
        expected_refusals=decisions - grants,
    )


def plan_cycle_opened(
    case: NotifyCase | None, event: PlanCycleOpened, ctx: Context[NotifyConfig]
) -> Outcome[NotifyCase]:
    """Each revision of a cycle: the volume forecast to COA, DT&V and the courts, and the
    weekly appeal forecast per court district to the courts (none while no case of the stream
    has a court district: a split would be a guess)."""
    stream = ctx.stream or Stream.BACKLOG
    volume = volume_forecast(event)
    emit = [
        Emit(volume, topic=partner_topic(stream, p), stream=stream)
        for p in (Partner.COA, Partner.DTV, Partner.COURTS)
    ]
    shares: Mapping[CourtDistrict, int] = ctx.extras.get(DISTRICT_SHARES, {})
    emit += [
        Emit(f, topic=partner_topic(stream, Partner.COURTS), stream=stream)
        for f in appeal_forecast(event, shares)
    ]
    return Decision(None, emit)
