"""The forecast's inputs, read from planning's tables (the arithmetic is domain/forecast.py)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from planning import persistence as db
from planning.domain.capacity import days_per_working_day, month_bounds
from planning.domain.config import PlanningConfig
from planning.domain.forecast import ForecastInputs
from planning.domain.model import PoolStatus
from planning.domain.rates import observed_grant_rates
from planning.domain.triage import observed_pact_per_day


async def forecast_inputs(
    session: AsyncSession, today: date, config: PlanningConfig
) -> ForecastInputs:
    capacities = await db.capacities(session)
    since = today - timedelta(days=config.triage_window_days)
    observed = observed_pact_per_day(
        await db.pact_registered_since(session, since), config.triage_window_days
    )
    operational = sorted(m for m, c in capacities.items() if c.prephase_location_operational)
    counts = await db.pool_counts(session)
    return ForecastInputs(
        start=today,
        pool=await db.pool_summary(session),
        caseworkers={  # a month with a team changed mid-month: as it ends
            m: days_per_working_day(c.on(month_bounds(m)[1]), config) for m, c in capacities.items()
        },
        pact_per_day=observed if observed is not None else config.pact_annual_forecast / 365,
        prephase_operational_from=operational[0] if operational else None,
        held=counts.get(PoolStatus.HELD.value, 0),
        observed_grant_rates=observed_grant_rates(await db.decision_counts(session), config),
    )
