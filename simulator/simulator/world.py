"""The outside world as data: who applies when, the country policy, the planners' capacity.

Plain functions over a frozen configuration and a seed: the same seed and settings give the
same applications, policy and capacity, whatever the machine or the wall clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from shared.contracts.events.common import Sex
from shared.contracts.events.intake import (
    ApplicantLogisticsRecorded,
    ApplicationRegistered,
    CountryPolicyPublished,
    CountryPolicyRule,
    CourtDistrict,
)
from shared.contracts.events.planning import (
    CapacityDeclared,
    CaseworkerCapacity,
    InterpreterPlaces,
    PrephaseLocationCapacity,
    Specialism,
    TeamCapacity,
)
from shared.contracts.values import Category
from shared.runtime.calendar import working_days_in

CUT_OFF = date(2026, 6, 12)  # R1: from this day, new applications are Pact cases
TARGET = date(2029, 6, 12)  # R5: the backlog's first decisions by then
BACKLOG_FULL = 54_000  # R5
PACT_FULL_PER_YEAR = 25_000  # R4's planning assumption

# The plan's category mix (R7 table of the domain): A 39%, B 17%, C 8%, D 28%, about 8% outside.
CATEGORY_SHARES: dict[Category, float] = {
    Category.A: 0.39,
    Category.B: 0.17,
    Category.C: 0.08,
    Category.D: 0.28,
    Category.OUTSIDE: 0.08,
}
# Illustrative country policy: which nationalities fall in which category.
NATIONALITIES: dict[Category, tuple[str, ...]] = {
    Category.A: ("SYR", "YEM", "ERI"),
    Category.B: ("AFG",),
    Category.C: ("MAR", "DZA", "TUN"),
    Category.D: ("IRQ", "IRN", "TUR", "SOM"),
    Category.OUTSIDE: ("NGA", "COL"),
}
FORMER_SAFE = "GEO"  # a former safe country of origin: a priority group (R7)
LANGUAGES: dict[str, str] = {
    "SYR": "ara",
    "YEM": "ara",
    "ERI": "tir",
    "AFG": "prs",
    "MAR": "ara",
    "DZA": "ara",
    "TUN": "ara",
    "IRQ": "ara",
    "IRN": "fas",
    "TUR": "tur",
    "SOM": "som",
    "NGA": "eng",
    "COL": "spa",
    "GEO": "kat",
}
RECEPTION = ("coa-budel", "coa-ter-apel", "coa-zweeloo")
# The district court whose region holds each reception location: it hears the applicant's
# appeals, so the courts are told of a refusal there (chain-notify waits for it until known).
COURT_DISTRICT: dict[str, CourtDistrict] = {
    "coa-budel": CourtDistrict.OOST_BRABANT,
    "coa-ter-apel": CourtDistrict.NOORD_NEDERLAND,
    "coa-zweeloo": CourtDistrict.NOORD_NEDERLAND,
}
PREPHASE_LOCATIONS = ("prephase-zwolle", "prephase-budel")
TEAMS = ("team-amv-1", "team-general-1", "team-general-2", "team-syria-1")
HEARING_LOCATION = "ind-den-bosch"
POLICY_VERSION = "cp-sim-1"


@dataclass(frozen=True)
class Rates:
    """How applicants and caseworkers behave (shares per case, drawn per case from the seed)."""

    unaccompanied: float = 0.05  # AMV (R7)
    nuisance: float = 0.01
    former_safe: float = 0.02
    prephase_no_show: float = 0.06
    hearing_no_show: float = 0.03
    withdrawal: float = 0.02
    hearing_obstacle: float = 0.02  # a long-term obstacle before the hearing
    exclusion_signal: float = 0.01  # 1F/NV signal at the prephase
    exclusion_confirmed: float = 0.2  # of the signals, the unit confirms
    language_inconsistent: float = 0.1
    origin_doubtful: float = 0.08
    grants: dict[str, float] = field(
        default_factory=lambda: {
            "A": 0.2,
            "B": 0.9,
            "C": 0.1,
            "D": 0.5,
            "outside": 0.4,
            "pact": 0.35,
            "priority": 0.3,
        }
    )


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 2026
    scale: float = 0.1
    starts: date = date(2026, 5, 4)  # before the cut-off
    ends: date = date(2029, 7, 2)  # past the target
    pact_per_year: int = PACT_FULL_PER_YEAR
    above_triage: bool = False  # run the Pact inflow 40% above the triage threshold (R4)
    operational_from: date = date(2026, 11, 2)  # the prephase location is fully operational
    unlimited: bool = False  # unlimited caseworker capacity (the whole-pipeline benchmark)
    backlog_registration_days: int = 10  # the backlog is taken over in the first days
    rates: Rates = field(default_factory=Rates)

    @property
    def backlog_cases(self) -> int:
        return round(BACKLOG_FULL * self.scale)

    @property
    def pact_per_day(self) -> float:
        yearly = self.pact_per_year * (1.4 if self.above_triage else 1.0)
        return yearly * self.scale / 365

    @property
    def days(self) -> int:
        return (self.ends - self.starts).days + 1

    @property
    def hearing_caseworkers(self) -> int:
        """Caseworkers per team who hear cases: enough to clear the backlog by the target
        beside the Pact (about 19 hearings a working day at a tenth)."""
        return max(1, math.ceil(60 * self.scale))

    @property
    def decisions_per_day(self) -> int:
        """Drafts the deciders start a working day; the unlimited mode has no bound."""
        return 1_000_000 if self.unlimited else max(2, math.ceil(230 * self.scale))


@dataclass(frozen=True)
class Applicant:
    """One application as the desk registers it, with the applicant's logistics."""

    case_id: str
    registered_on: date
    application: ApplicationRegistered
    logistics: ApplicantLogisticsRecorded
    language: str


def rng(seed: int, *parts: object) -> random.Random:
    """A random stream of its own per purpose and case: reproducible in any order of use."""
    return random.Random("/".join([str(seed), *map(str, parts)]))


def moment(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def country_policy(effective_from: date) -> CountryPolicyPublished:
    rules = tuple(
        CountryPolicyRule(nationality=n, category=category)
        for category, nationalities in NATIONALITIES.items()
        if category is not Category.OUTSIDE
        for n in nationalities
    )
    return CountryPolicyPublished(
        policy_version=POLICY_VERSION,
        effective_from=effective_from,
        rules=rules,
        default_category=Category.OUTSIDE,
        former_safe_countries=(FORMER_SAFE,),
    )


def _pick_category(draw: random.Random) -> Category:
    x = draw.random()
    for category, share in CATEGORY_SHARES.items():
        if x < share:
            return category
        x -= share
    return Category.OUTSIDE


def applicant(
    config: WorldConfig, case_id: str, number: int, lodged: datetime, on: date
) -> Applicant:
    draw = rng(config.seed, "applicant", case_id)
    rates = config.rates
    nationality = draw.choice(NATIONALITIES[_pick_category(draw)])
    if draw.random() < rates.former_safe:
        nationality = FORMER_SAFE
    unaccompanied = draw.random() < rates.unaccompanied
    age = draw.randint(15, 17) if unaccompanied else draw.randint(18, 60)
    born = lodged.date() - timedelta(days=365 * age + draw.randint(0, 300))
    application = ApplicationRegistered(
        v_number=f"{number:010d}",
        nationality=nationality,
        sex=draw.choice((Sex.MALE, Sex.MALE, Sex.FEMALE)),
        date_of_birth=born,
        lodged_at=lodged,
        unaccompanied=unaccompanied,
        nuisance=draw.random() < rates.nuisance,
    )
    language = LANGUAGES[nationality]
    reception = draw.choice(RECEPTION)
    logistics = ApplicantLogisticsRecorded(
        interpreter_languages=(language,) if language != "eng" else (),
        reception_location=reception,
        lawyer=f"lawyer-{draw.randint(1, 400):04d}",
        court_district=COURT_DISTRICT[reception],
    )
    return Applicant(case_id, on, application, logistics, language)


def backlog(config: WorldConfig) -> list[Applicant]:
    """The backlog the programme takes over: lodged over the years before the cut-off, more of
    them recently, registered in this system in the first days of the run."""
    draw = rng(config.seed, "backlog")
    span = (CUT_OFF - date(2023, 1, 1)).days
    days = max(1, config.backlog_registration_days)
    out = []
    for n in range(config.backlog_cases):
        lodged_day = CUT_OFF - timedelta(days=1 + int(span * draw.random() ** 1.6))
        lodged = moment(min(lodged_day, config.starts - timedelta(days=1)), 9)
        on = config.starts + timedelta(days=1 + n % days)
        out.append(applicant(config, f"bl-{n + 1:06d}", 1_000_000_000 + n + 1, lodged, on))
    return out


def seasonal(day: date) -> float:
    """More applications in late summer and autumn, fewer in winter (mean 1 over a year)."""
    return 1.0 + 0.3 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 120) / 365)


def pact_on(config: WorldConfig, day: date, first_number: int) -> list[Applicant]:
    """The Pact applications lodged on a day (none before the cut-off)."""
    if day < CUT_OFF:
        return []
    draw = rng(config.seed, "pact", day.isoformat())
    expected = config.pact_per_day * seasonal(day)
    count = int(expected) + (1 if draw.random() < expected - int(expected) else 0)
    return [
        applicant(
            config,
            f"pa-{day:%Y%m%d}-{i + 1:03d}",
            2_000_000_000 + first_number + i,
            moment(day, 7),
            day,
        )
        for i in range(count)
    ]


def capacity(config: WorldConfig, month_start: date) -> CapacityDeclared:
    """What the planners declare for a month: teams, rates, prephase locations (R11-R13)."""
    last = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    working = len(working_days_in(month_start, last))
    # The unlimited mode (the benchmark) declares 20 times the plan's people and places, as
    # its roster has 20 times the caseworkers: far above any day's demand.
    boost = 20 if config.unlimited else 1
    per_team = config.hearing_caseworkers * boost
    sizes = {team: per_team for team in TEAMS} | {
        "team-amv-1": max(1, config.hearing_caseworkers // 4) * boost
    }
    teams = tuple(
        TeamCapacity(
            team=team,
            caseworkers=sizes[team],
            hours_per_week=36,
            unaccompanied_minors=team == "team-amv-1",
            nationalities=("SYR", "YEM") if team == "team-syria-1" else (),
            location=HEARING_LOCATION,
            members=caseworkers(team, sizes[team]),
        )
        for team in TEAMS
    )
    hearing_workers = sum(t.caseworkers for t in teams)
    places = max(4, math.ceil(70 * config.scale)) * boost
    languages = sorted(set(LANGUAGES.values()) - {"eng"})
    locations = tuple(
        PrephaseLocationCapacity(
            location=location,
            places_per_day=places,
            interpreters=tuple(
                InterpreterPlaces(language=lang, places=places) for lang in languages
            ),
            return_information_weekdays=(1, 3),
        )
        for location in PREPHASE_LOCATIONS
    )
    # Hearing interpreters for every language, one per caseworker a day: never the bottleneck
    # of the simulated plan (the language indication may name English too).
    hearing_interpreters = tuple(
        InterpreterPlaces(language=lang, places=hearing_workers)
        for lang in sorted(set(LANGUAGES.values()))
    )
    return CapacityDeclared(
        prephase_places=places * len(locations) * working,
        hearing_days=hearing_workers * working,
        decision_days=config.decisions_per_day * working // 2 if not config.unlimited else 99_999,
        prephase_location_operational=month_start >= config.operational_from.replace(day=1),
        teams=teams,
        prephase_locations=locations,
        hearing_interpreters=hearing_interpreters,
    )


def caseworkers(team: str, count: int) -> tuple[CaseworkerCapacity, ...]:
    """The named caseworkers of a team as the planners declare them (planning publishes them to
    hearing as its roster): every one of them with every specialism."""
    every = tuple(Specialism)
    return tuple(
        CaseworkerCapacity(caseworker=f"cw-{team[5:]}-{n + 1:03d}", specialisms=every)
        for n in range(count)
    )
