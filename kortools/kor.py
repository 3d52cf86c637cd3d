"""KOR eligibility, dates and warnings (rules/kor.md, art. 25 Wet OB 1968)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kortools import _validate as v
from kortools.errors import InputError
from kortools.money import format_euro
from kortools.parameters import Assumption, Source, check_tax_year, recording, value

# What counts for the threshold (kor.md §1 "What turnover counts").
COUNTED_KINDS = {
    "taxed": "geleverd tegen 21%, 9% of 0% in Nederland (ook export en intracommunautair)",
    "domestic_reverse_charge": "binnenlandse verleggingsregeling",
    "exempt_real_estate": "vrijgestelde levering of verhuur van onroerende zaken",
    "exempt_financial": "vrijgestelde financiële diensten",
    "exempt_insurance": "vrijgestelde verzekeringsdiensten",
    "exempt_payment_securities": "vrijgestelde betaalmiddelen en waardepapieren",
}
NOT_COUNTED_KINDS = {
    "exempt_other": "andere vrijgestelde omzet (zorg, sportlessen, schrijvers, ...)",
    "taxed_abroad": "omzet belast in een ander land",
    "private_use": "privégebruik",
    "sale_of_fixed_assets": "verkoop van eigen bedrijfsmiddelen",
}
SUPPLY_KINDS = (*COUNTED_KINDS, *NOT_COUNTED_KINDS)


@dataclass(frozen=True)
class Supply:
    """One supply: its date, the amount charged (excl. VAT; under the KOR the full amount) and kind."""

    date: dt.date
    amount: float
    kind: str = "taxed"

    def __post_init__(self):
        if not isinstance(self.date, dt.date):
            raise InputError("date", self.date, "allowed a datetime.date")
        object.__setattr__(self, "amount", v.amount("amount", self.amount))
        v.choice("kind", self.kind, SUPPLY_KINDS)

    @property
    def counts(self) -> bool:
        """Whether it counts for the KOR threshold (kor.md §1)."""
        return self.kind in COUNTED_KINDS


def counted_turnover(supplies: Iterable[Supply]) -> float:
    """KOR turnover: the sum of the supplies that count (kor.md §1)."""
    return sum((s.amount for s in supplies if s.counts), 0.0)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    threshold: float
    reasons: tuple[str, ...]  # English, why not eligible (empty when eligible)
    assumptions: tuple[Assumption, ...]


def kor_eligibility(year: int, turnover: float, previous_year_turnover: float) -> Eligibility:
    """Counted turnover ≤ threshold in ``year`` and, where the test applies, the year before.

    Exactly the threshold is still eligible ("niet meer dan", kor.md §1).
    """
    year = check_tax_year(year)
    turnover = v.amount("turnover", turnover)
    previous = v.amount("previous_year_turnover", previous_year_turnover)
    with recording() as used:
        threshold = float(value("kor_threshold", year))
        test_previous = value("kor_previous_year_test", year)
    reasons = []
    if turnover > threshold:
        reasons.append(f"turnover {turnover:,.2f} in {year} is above {threshold:,.0f}")
    if test_previous and previous > threshold:
        reasons.append(f"turnover {previous:,.2f} in {year - 1} is above {threshold:,.0f}")
    return Eligibility(not reasons, threshold, tuple(reasons), tuple(used.values()))


PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: A request must be received more than this many days before the period starts.
REQUEST_NOTICE_DAYS = 28


def _period_starts(after: dt.date, months: int):
    month = ((after.month - 1) // months) * months + 1
    start = dt.date(after.year, month, 1)
    while True:
        yield start
        month_index = start.month - 1 + months
        start = dt.date(start.year + month_index // 12, month_index % 12 + 1, 1)


def kor_start_date(request_date: dt.date, period: str = "quarter") -> dt.date:
    """First day of the first return period that starts more than 4 weeks after the request.

    kor.md §2: request 2 Feb → 1 Apr; for 1 Jan 2026 the request must be in by
    3 Dec 2025 (so 4 Dec is too late: "more than", see assumption kor_request_deadline).
    """
    if not isinstance(request_date, dt.date):
        raise InputError("request_date", request_date, "allowed a datetime.date")
    months = PERIOD_MONTHS[v.choice("period", period, PERIOD_MONTHS)]
    earliest = request_date + dt.timedelta(days=REQUEST_NOTICE_DAYS + 1)
    return next(s for s in _period_starts(request_date, months) if s >= earliest)


def kor_request_deadline(start: dt.date, period: str = "quarter") -> dt.date:
    """The last day a request to join (or leave) on ``start`` may be received: start − 29
    days, the inverse of :func:`kor_start_date` (kor-dates.md §1: 1 January 2027 → 3
    December 2026; 1 April 2027 → 3 March 2027, unconfirmed for other quarters).

    ``start`` must be the first day of a return period (a quarter, or a month for monthly
    filers)."""
    if not isinstance(start, dt.date):
        raise InputError("start", start, "allowed a datetime.date")
    months = PERIOD_MONTHS[v.choice("period", period, PERIOD_MONTHS)]
    if start.day != 1 or (start.month - 1) % months:
        raise InputError("start", start, f"allowed the first day of a {period} (e.g. 1 January, 1 April)")
    return start - dt.timedelta(days=REQUEST_NOTICE_DAYS + 1)


def start_in_force(planned: dt.date, on: dt.date, period: str = "quarter") -> dt.date:
    """The start of a KOR planned for ``planned`` as seen on ``on`` (issue #33): a day before
    ``on`` is a fact (the client joined then); a later one a plan, moved to the first period
    start a request made ``on`` still reaches when its deadline has passed (kor-dates.md §1)."""
    return planned if planned < on else max(planned, kor_start_date(on, period))


def whole_year_start(year: int, on: dt.date, period: str = "quarter") -> dt.date | None:
    """A whole-year plan (the KOR from ``year``) as seen on ``on``: the start it moves to when
    1 January's request deadline has passed; None when it stands as a whole year (1 January
    already past, a fact; or still in time)."""
    january = dt.date(year, 1, 1)
    start = start_in_force(january, on, period)
    return start if start != january else None


def kor_exit_date(request_date: dt.date, period: str = "quarter") -> dt.date:
    """First day without the KOR when leaving on request (kor.md §2, from 2025).

    The exit takes effect on the first day of a return period that starts more than 4
    weeks after the request (as joining, assumption kor_request_deadline): a request on
    1 March ends the KOR on 31 March, regular VAT from 1 April; on 4 March, from 1 July.
    Re-entry after that: :func:`kor_reentry_date`.
    """
    return kor_start_date(request_date, period)


def kor_reentry_date(exit_date: dt.date) -> dt.date:
    """Earliest date the KOR can start again after leaving on ``exit_date`` (kor.md §2).

    The rule of the exit year (parameter ``kor_reentry``): from 2025, 1 January of the
    exit year + 2 (unconfirmed detail); until 2024, 3 years after the exit date.
    """
    if not isinstance(exit_date, dt.date):
        raise InputError("exit_date", exit_date, "allowed a datetime.date")
    rule = value("kor_reentry", exit_date.year)
    if rule["counted_from"] == "exit_year_start":
        return dt.date(exit_date.year + rule["years"], 1, 1)
    try:
        return exit_date.replace(year=exit_date.year + rule["years"])
    except ValueError:  # 29 February
        return dt.date(exit_date.year + rule["years"], 3, 1)


@dataclass(frozen=True)
class ThresholdCrossing:
    """The first supply that takes the year's running total above the threshold (kor.md §1)."""

    date: dt.date
    index: int  # position in the supplies as given
    supply: Supply
    total_before: float
    total_after: float
    taxed_from_here: float  # counted turnover from this supply on, all taxed in full


def threshold_crossing(supplies: Iterable[Supply], year: int) -> ThresholdCrossing | None:
    """When the KOR ends during ``year``: cumulate counted supplies in date order (kor.md §1).

    The supply that takes the total above the threshold is itself taxed in full, and
    so is every later one. ``None`` when the year stays within the threshold.
    """
    year = check_tax_year(year)
    supplies = list(supplies)
    threshold = float(value("kor_threshold", year))
    ordered = sorted(
        ((i, s) for i, s in enumerate(supplies) if s.date.year == year and s.counts),
        key=lambda pair: (pair[1].date, pair[0]),
    )
    total = 0.0
    for position, (index, supply) in enumerate(ordered):
        if total + supply.amount > threshold:
            rest = sum(s.amount for _, s in ordered[position:])
            return ThresholdCrossing(supply.date, index, supply, total, total + supply.amount, rest)
        total += supply.amount
    return None


def registration_and_eu_warnings(
    year: int,
    turnover: float,
    kvk_registered: bool = True,
    eu_turnover: float | None = None,
    solar_panels_before_2023: bool = False,
) -> tuple[KorWarning, ...]:
    """The registratiedrempel (kor.md §5), the EU-KOR's union threshold (kor.md §6), and
    solar panels on a home bought before 2023 with the VAT reclaimed (a herziening case,
    deductions.md source s:rendement)."""
    found = []
    if solar_panels_before_2023:
        found.append(
            KorWarning(
                "solar_panels",
                "Zonnepanelen vóór 2023",
                "U kocht vóór 2023 zonnepanelen op uw woning en vroeg de btw terug: bij deelname aan de KOR "
                "kan die btw herzien worden. Neem de panelen op als investering (met de afgetrokken btw en "
                "het jaar van ingebruikname) om de herziening te zien.",
                False,
                Source(
                    "Rendement: Moet ik de btw op zonnepanelen herzien door de nieuwe KOR? (10-06-2020)",
                    "https://www.rendement.nl/",
                ),
            )
        )
    small = float(value("registration_threshold", year))
    if not kvk_registered and turnover <= small:
        found.append(
            KorWarning(
                "registratiedrempel",
                "Registratiedrempel",
                "U staat niet ingeschreven bij de KVK en uw omzet is niet meer dan "
                f"{format_euro(small, cents=False)}: u hoeft de KOR niet aan te vragen en geen "
                "btw-aangifte te doen.",
                False,
                Source("Besluit registratiedrempel (BWBR0045248)", "https://wetten.overheid.nl/BWBR0045248"),
            )
        )
    union = value("union_threshold", year) if eu_turnover is not None else None  # EU-KOR from 2025
    if union is not None and eu_turnover is not None and eu_turnover > union:
        found.append(
            KorWarning(
                "eu_kor",
                "Geen EU-KOR",
                f"Uw omzet in de hele EU ({format_euro(eu_turnover, cents=False)}) is meer dan "
                f"{format_euro(union, cents=False)}: de KOR in andere EU-landen (EU-KOR) kunt u niet "
                "gebruiken.",
                False,
                Source(
                    "Belastingdienst: Omzet die meetelt voor de EU-KOR",
                    "https://www.belastingdienst.nl/wps/wcm/connect/bldcontentnl/belastingdienst/zakelijk/btw/hoe_werkt_de_btw/kleineondernemersregeling/",
                ),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class KorWarning:
    """A reason the KOR may be a bad idea (KVK list, kor.md §4), as structured data."""

    code: str
    title: str  # Dutch, for the dashboard
    detail: str  # Dutch, with the numbers
    blocking: bool  # True: the KOR is not possible at all
    source: Source

    @property
    def text_nl(self) -> str:
        """The warning as one Dutch sentence: its title and its detail (the advice's reason)."""
        return f"{self.title}: {self.detail}"


KVK = Source(
    "KVK: Kleineondernemersregeling (KOR) gebruiken",
    "https://www.kvk.nl/geldzaken/kleineondernemersregeling-gebruiken",
)
#: 'Many business customers' from this share of sales (kortools' own limit, an assumption).
BUSINESS_SHARE_WARNING = 0.5


def kvk_warnings(
    consumer_sales: float,
    business_sales: float,
    kor_gain: float,
    planned_investment_vat: float = 0.0,
    herziening_due: float = 0.0,
    vat_taxed_rental: bool = False,
    foreign_or_reverse_charge: bool = False,
    kor_turnover: float = 0.0,
    threshold: float | None = None,
) -> tuple[KorWarning, ...]:
    """KVK's "when the KOR is a bad idea" list (kor.md §4) for one business, with numbers.

    The limits for "many" business customers and a "large" investment are kortools'
    own (assumption kvk_warning_heuristics).
    """
    sc = v.amount("consumer_sales", consumer_sales)
    sb = v.amount("business_sales", business_sales)
    gain = v.amount("kor_gain", kor_gain, allow_negative=True)
    investment_vat = v.amount("planned_investment_vat", planned_investment_vat)
    due = v.amount("herziening_due", herziening_due, allow_negative=True)
    found = []
    share = sb / (sc + sb) if sc + sb > 0 else 0.0
    if sb > 0 and (share >= BUSINESS_SHARE_WARNING or gain < 0):
        found.append(
            KorWarning(
                "many_business_customers",
                "Veel zakelijke klanten",
                f"{share:.0%} van de omzet gaat naar bedrijven. Zij trekken de btw af, dus de KOR "
                f"levert op hen niets op; u verliest wel de btw op uw kosten.",
                False,
                KVK,
            )
        )
    if investment_vat > 0 and investment_vat > max(gain, 0.0):
        found.append(
            KorWarning(
                "large_investment",
                "Grote investering gepland",
                f"Onder de KOR kunt u {format_euro(investment_vat)} btw op de geplande investering niet "
                f"terugvragen; dat is meer dan het KOR-voordeel van een jaar ({format_euro(max(gain, 0))}).",
                False,
                KVK,
            )
        )
    if due > 0:
        found.append(
            KorWarning(
                "herziening_due",
                "Btw op eerdere investeringen terugbetalen",
                f"Bij deelname moet u in totaal {format_euro(due)} afgetrokken btw terugbetalen "
                "(herziening).",
                False,
                KVK,
            )
        )
    if vat_taxed_rental:
        found.append(
            KorWarning(
                "vat_taxed_rental",
                "Verhuur van een pand met btw",
                "U verhuurt een pand belast met btw (optie belaste verhuur): "
                "dan kunt u de KOR niet gebruiken.",
                True,
                KVK,
            )
        )
    if foreign_or_reverse_charge:
        found.append(
            KorWarning(
                "foreign_or_reverse_charge",
                "Buitenlandse klanten of verlegde btw",
                "Bij verlegde btw of aankopen uit het buitenland doet u ook met de KOR een "
                "incidentele btw-aangifte.",
                False,
                KVK,
            )
        )
    if threshold is not None and kor_turnover > threshold:
        found.append(
            KorWarning(
                "threshold_crossed",
                "Omzetgrens overschreden",
                f"Onder de KOR telt alles wat u rekent als omzet: {format_euro(kor_turnover)} is meer dan "
                f"{format_euro(threshold)}. De KOR stopt dan direct tijdens het jaar.",
                True,
                Source(
                    "Belastingdienst / mkbservicedesk.nl: omzet onder de KOR",
                    "https://www.mkbservicedesk.nl/",
                ),
            )
        )
    return tuple(found)
