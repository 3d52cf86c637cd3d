"""The VAT side of a scenario year by year, for one business or many at once (arrays).

Per year: the margin without and with the KOR (rules/margin.md), whether and for
what share of the year the KOR applies (rules/kor.md, :mod:`kortools.kor_years`),
investment VAT lost under the KOR, the herziening (rules/herziening.md) and the
difference in profit. :func:`kortools.evaluate` calls it for one business and the
portfolio run for a whole client list: one implementation. Euros, unrounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kortools.herziening import payable_after_minimum, revision_amounts
from kortools.kor_years import KorYears, kor_years
from kortools.margin import _margin_table
from kortools.parameters import rule_assumption, value
from kortools.record import AssetArrays, Businesses, YearInputs

__all__ = ["AssetArrays", "VatYears", "YearInputs", "vat_by_year"]  # the first two: kortools.record


@dataclass(frozen=True)
class VatYears:
    """Per year (lists over the years) arrays over businesses; see the module docstring."""

    years: tuple[int, ...]
    inputs: tuple[YearInputs, ...]
    kor: KorYears
    turnover_before: np.ndarray
    threshold: list[float]
    regular_margin: list[np.ndarray]
    full_year_gain: list[np.ndarray]  # KOR margin − regular margin had the KOR applied all year
    margin_gain: list[np.ndarray]  # the same for the share of the year the KOR applies
    regular_turnover: list[np.ndarray]
    kor_turnover: list[np.ndarray]  # counted turnover for a whole year at the KOR prices
    lost_investment_vat: list[np.ndarray]
    herziening: list[np.ndarray]  # payable (€500 rule applied), + repay, − extra deduction
    herziening_after: np.ndarray  # payable in the years after the last, the KOR continuing
    herziening_after_due: np.ndarray  # the same, only the years with something to repay
    herziening_after_years: list[int]
    margin_tables: list[dict[str, np.ndarray]]  # every margin figure of each year (margin.py)
    herziening_by_asset: list[list[np.ndarray]]  # per year (scenario years, then after), per asset
    share_after: np.ndarray  # the KOR share of the years after the last (1: it goes on all year)

    def difference(self, i: int) -> np.ndarray:
        """KOR minus regular profit in year ``i``."""
        return self.margin_gain[i] - self.lost_investment_vat[i] - self.herziening[i]


def vat_by_year(b: Businesses) -> VatYears:
    """Every VAT figure of the businesses' years (module docstring), from the record."""
    thresholds = [float(value("kor_threshold", t)) for t in b.tax_years]
    tables = [
        _margin_table(
            i.consumer_sales,
            i.business_sales,
            i.costs_with_vat,
            i.costs_without_vat,
            i.vat_rate,
            b.input_vat_rate,
            b.policy,
            threshold,
        )
        for i, threshold in zip(b.sales, thresholds, strict=True)
    ]
    regular_turnover = [np.asarray(t["regular_turnover"], dtype=float) for t in tables]
    kor_turnover = [np.asarray(t["kor_turnover"], dtype=float) for t in tables]
    plan = kor_years(
        b.years,
        b.tax_years,
        b.chosen,
        regular_turnover,
        kor_turnover,
        b.turnover_before,
        b.monthly_weights,
        b.excluded,
        b.kor_dates,
    )
    share = plan.share
    years = list(b.years)
    lost = [
        sum(
            (np.where(a.first_use_year == y, a.vat * _at_first_use(a, s), 0.0) for a in b.assets),
            np.zeros_like(s),
        )
        for y, s in zip(years, share, strict=True)
    ]
    if any(np.any(x > 0) for x in lost):
        rule_assumption("investment_vat_as_cost")
    by_asset = [_revisions(b.assets, years, share, share[i], y) for i, y in enumerate(years)]
    herziening = [payable_after_minimum(_total(r, share[0]), y) for r, y in zip(by_asset, years, strict=True)]
    continuing = np.where(b.kor_continues & (share[-1] == 1.0), 1.0, 0.0)
    after_years, after_by_asset, after, after_due = _herziening_after(b.assets, years, share, continuing)
    return VatYears(
        years=b.years,
        inputs=b.sales,
        kor=plan,
        turnover_before=np.asarray(b.turnover_before, dtype=float),
        threshold=thresholds,
        regular_margin=[np.asarray(t["regular_margin"], dtype=float) for t in tables],
        full_year_gain=[np.asarray(t["gain"], dtype=float) for t in tables],
        margin_gain=[s * t["gain"] for s, t in zip(share, tables, strict=True)],
        regular_turnover=regular_turnover,
        kor_turnover=kor_turnover,
        lost_investment_vat=lost,
        herziening=herziening,
        herziening_after=after,
        herziening_after_due=after_due,
        herziening_after_years=after_years,
        margin_tables=tables,
        herziening_by_asset=[*by_asset, *after_by_asset],
        share_after=continuing,
    )


def _share_in(years: Sequence[int], share: Sequence[np.ndarray], year) -> np.ndarray:
    """The KOR share of ``year`` (an array of years, one per business); 0 outside the scenario."""
    year = np.asarray(year)
    found = np.zeros(np.broadcast(year, share[0]).shape)
    for y, s in zip(years, share, strict=True):
        found = np.where(year == y, s, found)
    return found


def _at_first_use(asset, share_of_year: np.ndarray) -> np.ndarray:
    """The KOR share an asset was first used under: its day's (in the KOR period or not, where
    the KOR applied that year at all: issue #33), else the share of its year."""
    if asset.in_kor_at_first_use is None:
        return share_of_year
    return asset.in_kor_at_first_use * (np.asarray(share_of_year) > 0)


def _revisions(assets, years, share, share_now, year: int) -> list[np.ndarray]:
    """Each asset's signed revision in ``year`` (herziening.md), the KOR share being ``share_now``."""
    return [
        revision_amounts(
            a.vat,
            a.first_use_year,
            a.period,
            year,
            share_now,
            _at_first_use(a, _share_in(years, share, a.first_use_year)),
        )
        for a in assets
    ]


def _total(revisions: list[np.ndarray], like: np.ndarray) -> np.ndarray:
    return sum(revisions, np.zeros_like(like))


def _herziening_after(assets, years, share, continuing):
    """Herziening after the last year, the KOR share of those years being ``continuing``
    (it goes on where it applied all of the last year).

    Returns the years, each year's revision per asset, the signed total and the total of
    the years with something to repay.
    """
    total = np.zeros_like(share[-1])
    due = np.zeros_like(total)
    ends = [int(np.max(a.first_use_year + a.period - 1)) for a in assets if len(a.vat)]
    after = list(range(years[-1] + 1, max([years[-1], *ends]) + 1))
    by_asset = []
    for year in after:
        revisions = _revisions(assets, years, share, continuing, year)
        by_asset.append(revisions)
        payable = payable_after_minimum(_total(revisions, total), year)
        total = total + payable
        due = due + np.maximum(payable, 0.0)
    if np.any(total != 0):
        rule_assumption("herziening_after_scenario")
    return after, by_asset, total, due
