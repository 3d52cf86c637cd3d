"""The record of the businesses: every input of n businesses, as arrays (issue #19).

The one way inputs reach the rules. :func:`businesses_of` builds it for one
:class:`~kortools.scenario.Scenario` (n = 1, what :func:`kortools.evaluate` runs); the
portfolio builds it for thousands of client rows (``kortools.portfolio``). The VAT side
(:func:`kortools.yearly.vat_by_year`) and the income side
(:func:`kortools.income_years.income_by_year`) read their fields from it, and nothing
else: a new input of the entrepreneur is declared in the input catalogue
(kortools.inputs) only; the one builder (:func:`entrepreneur`) fills it in by its name
and its rule reads it by that name.

Plain frozen dataclasses of numpy arrays, one element per business; yearly fields are
tuples over the years. Euros, unrounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kortools.herziening import revision_period
from kortools.inputs import BUSINESS_YEARLY, INPUTS, PERSON_FIXED, PERSON_YEARLY
from kortools.kor import kor_reentry_date
from kortools.kor_years import KorDates, days_in
from kortools.parameters import rule_assumption
from kortools.scenario import Scenario


@dataclass(frozen=True)
class YearInputs:
    """One year's sales and costs, arrays over businesses (excl. VAT, euros a year)."""

    consumer_sales: np.ndarray
    business_sales: np.ndarray
    costs_with_vat: np.ndarray
    costs_without_vat: np.ndarray
    vat_rate: np.ndarray  # on sales, this year (a fraction)


def year_inputs(n: int, value: Callable[[str], Any]) -> YearInputs:
    """One year's sales and costs of ``n`` businesses, the one builder (issue #36 item 1):
    each of the business's yearly inputs of the catalogue (kortools.inputs
    ``BUSINESS_YEARLY``) is ``value(name)``, one number for all or one per business."""
    return YearInputs(**{name: _full(n, value(name)) for name in BUSINESS_YEARLY})


def _full(n: int, x: Any, dtype: Any = float) -> np.ndarray:
    """``x`` (one value, or one per business) as an array of ``n``."""
    return np.broadcast_to(np.asarray(x, dtype=dtype), (n,)).copy()


@dataclass(frozen=True)
class AssetArrays:
    """One investment per business: VAT on the invoice, year of first use, revision period."""

    vat: np.ndarray
    first_use_year: np.ndarray
    period: np.ndarray
    #: 1 where first used inside the KOR period as chosen, 0 outside it (issue #33: a day of
    #: first use); None: the share of the year of first use decides
    in_kor_at_first_use: np.ndarray | None = None


@dataclass(frozen=True)
class Entrepreneur:
    """Who earns the profit, arrays over businesses.

    ``inputs``: every input of the catalogue that is the entrepreneur's (kortools.inputs,
    ``person``), by its name: a list over the years for a yearly one (``hours``,
    ``so_hours``, ``other_income``, …), one array for the others (``hours_per_week``;
    ``profit_share``: the part of the business's profit that is this person's, a vof
    partner's share, 1 for an eenmanszaak); read as attributes too (``person.hours``).
    ``business_start_year``: NaN where unknown.
    """

    inputs: Mapping[str, Any]
    aow: np.ndarray
    business_start_year: np.ndarray
    starter_uses_before: np.ndarray
    disability_benefit: np.ndarray
    other_income_kind: str = "loon"

    def __getattr__(self, name: str) -> Any:
        """An input by its catalogue name (``person.so_hours``)."""
        inputs = self.__dict__.get("inputs", {})
        if name in inputs:
            return inputs[name]
        raise AttributeError(f"{type(self).__name__!r} has no input {name!r}")


@dataclass(frozen=True)
class Businesses:
    """n businesses over the same years: their sales, costs, investments, KOR choice and
    the entrepreneur behind them (``person``; None for a bv: no income side)."""

    years: tuple[int, ...]
    tax_years: tuple[int, ...]  # whose tax figures apply to each year
    sales: tuple[YearInputs, ...]
    input_vat_rate: np.ndarray
    policy: str
    chosen: tuple[np.ndarray, ...]  # per year: the KOR is wanted
    turnover_before: np.ndarray  # counted turnover of the year before the first
    assets: tuple[AssetArrays, ...]
    kor_continues: np.ndarray  # the KOR goes on after the last year
    excluded: np.ndarray  # the KOR is not possible at all (VAT-taxed rental, kor.md §4)
    person: Entrepreneur | None
    monthly_weights: tuple[float, ...] | None = None
    kor_dates: KorDates | None = None  # the KOR by date (kor-dates.md); None: whole years

    @property
    def n(self) -> int:
        return len(self.turnover_before)


def _one(x: float) -> np.ndarray:
    return np.array([float(x)])


def entrepreneur(
    years: Sequence[int],
    n: int,
    value: Callable[[str, int], Any],
    *,
    aow: Any = False,
    business_start_year: Any = np.nan,
    starter_uses_before: Any = 0,
    disability_benefit: Any = False,
    other_income_kind: str = "loon",
) -> Entrepreneur:
    """The one builder of the entrepreneur of ``n`` businesses in ``years`` (issue #36 item 1):
    every input of the catalogue that is the entrepreneur's (kortools.inputs, ``person``)
    is ``value(name, year)``, one number for all ``n`` or one per business; the rest are
    the keywords, likewise. :func:`person_of` fills it from a scenario (n = 1, or one
    scenario repeated), the portfolio from a client list (:func:`default_person`)."""
    inputs: dict[str, Any] = {name: [_full(n, value(name, y)) for y in years] for name in PERSON_YEARLY}
    inputs |= {name: _full(n, value(name, years[0])) for name in PERSON_FIXED}
    return Entrepreneur(
        inputs,
        aow=_full(n, aow, bool),
        business_start_year=_full(n, business_start_year),
        starter_uses_before=_full(n, starter_uses_before, int),
        disability_benefit=_full(n, disability_benefit, bool),
        other_income_kind=other_income_kind,
    )


def person_of(s: Scenario, years: Sequence[int], n: int = 1) -> Entrepreneur:
    """The entrepreneur of ``s`` in ``years``, each value repeated for ``n`` businesses."""
    inputs = {y: s.inputs(y) for y in years}
    return entrepreneur(
        years,
        n,
        lambda name, year: inputs[year][name] if name in inputs[year] else getattr(s, name),
        aow=s.aow,
        business_start_year=np.nan if s.business_start_year is None else s.business_start_year,
        starter_uses_before=s.starter_uses_before,
        disability_benefit=s.disability_benefit,
        other_income_kind=s.other_income_kind,
    )


def default_person(
    years: Sequence[int], n: int, given: Mapping[str, np.ndarray] | None = None
) -> Entrepreneur:
    """An entrepreneur for ``n`` businesses (a client list): the inputs ``given`` (name →
    one value per business, the same every year), every other input at its default
    (kortools.inputs)."""
    given = given or {}
    return entrepreneur(years, n, lambda name, _: given.get(name, INPUTS[name].default or 0.0))


def businesses_of(s: Scenario) -> Businesses:
    """The record of one scenario (n = 1): what :func:`kortools.evaluate` computes on."""
    years = tuple(s.years)
    inputs = [s.inputs(y) for y in years]
    before = s.previous_year_turnover
    if before is None:
        before = s.history_turnover
    if before is None:
        before = inputs[0]["consumer_sales"] + inputs[0]["business_sales"]
        if s.kor_start_year == s.first_year:
            rule_assumption("turnover_before_first_year")
    return Businesses(
        years=years,
        tax_years=tuple(s.tax_year(y) for y in years),
        sales=tuple(year_inputs(1, i.__getitem__) for i in inputs),
        input_vat_rate=_one(s.input_vat_rate),
        policy=s.policy,
        chosen=tuple(np.array([y in s.kor_years or _restarted(s, y)]) for y in years),
        turnover_before=_one(before),
        assets=tuple(
            AssetArrays(
                _one(a.vat),
                np.array([a.first_use_year]),
                np.array([revision_period(a)]),
                None if a.first_use_date is None else np.array([float(s.in_kor_on(a.first_use_date))]),
            )
            for a in s.assets
        ),
        kor_continues=np.array([s.kor_continues and not s.vat_taxed_rental]),
        excluded=np.array([s.vat_taxed_rental]),
        person=None if s.legal_form == "bv" else person_of(s, years),
        monthly_weights=s.monthly_sales,
        kor_dates=kor_dates_of(s, years),
    )


def _restarted(s: Scenario, year: int) -> bool:
    """The KOR is chosen again in ``year`` after a second start (``kor_restart``)."""
    again = s.kor_restart_from
    return again is not None and year >= again.year


def kor_dates_of(s: Scenario, years: Sequence[int]) -> KorDates | None:
    """The days of each year the KOR of ``s`` is wanted, a start moved by a late request
    and a voluntary exit's re-entry block (kor-dates.md §1, §4, §5); None: whole years."""
    start, end = s.kor_from, s.kor_until
    if start is None and end is None:
        return None
    moved = s.kor_start_moved
    from_day, until_day, late = [], [], []
    again = s.kor_restart_from
    for year in years:
        if again is not None and again.year == year:  # the second start's year
            from_day.append(np.array([_day_of_year(again)]))
            until_day.append(np.array([days_in(year)]))
            late.append(np.array([False]))
            continue
        from_day.append(np.array([_day_of_year(start) if start and start.year == year else 1]))
        until_day.append(np.array([_day_of_year(end) if end and end.year == year else days_in(year)]))
        planned = s.kor_planned_start.year if moved and s.kor_planned_start else year + 1
        late.append(np.array([moved and start is not None and planned <= year < start.year]))
    exit_year = reentry = 0
    if end is not None:
        exit_day = end + dt.timedelta(days=1)
        again = kor_reentry_date(exit_day)
        exit_year, reentry = exit_day.year, again.year + (again != dt.date(again.year, 1, 1))
        rule_assumption("kor_reentry_block")
    return KorDates(
        from_day=tuple(from_day),
        until_day=tuple(until_day),
        late=tuple(late),
        moved_to=np.array([start.toordinal() if moved and start else 0]),
        exit_year=np.array([exit_year]),
        reentry_year=np.array([reentry]),
    )


def _day_of_year(day: dt.date) -> int:
    return day.timetuple().tm_yday
