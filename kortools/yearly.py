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


@dataclass(frozen=True)
class AssetArrays:
    """One investment per business: VAT on the invoice, year of first use, revision period."""

    vat: np.ndarray
    first_use_year: np.ndarray
    period: np.ndarray


@dataclass(frozen=True)
class YearInputs:
    """One year's inputs, arrays over businesses (excl. VAT, euros a year)."""

    consumer_sales: np.ndarray
    business_sales: np.ndarray
    costs_with_vat: np.ndarray
    costs_without_vat: np.ndarray
    vat_rate: np.ndarray  # on sales, this year (a fraction)


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

    def difference(self, i: int) -> np.ndarray:
        """KOR minus regular profit in year ``i``."""
        return self.margin_gain[i] - self.lost_investment_vat[i] - self.herziening[i]


def vat_by_year(
    years: Sequence[int],
    tax_years: Sequence[int],
    inputs: Sequence[YearInputs],
    input_vat_rate: np.ndarray,
    policy: str,
    chosen: Sequence[np.ndarray],
    turnover_before: np.ndarray,
    assets: Sequence[AssetArrays],
    kor_continues: np.ndarray,
    monthly_weights: Sequence[float] | None = None,
    excluded: np.ndarray | None = None,
) -> VatYears:
    """Every VAT figure of the scenario years (module docstring).

    ``chosen[i]``: the businesses that want the KOR in ``years[i]``; ``kor_continues``:
    the KOR does not end with the last year, so herziening after it is still due;
    ``excluded``: businesses that cannot use the KOR at all (kortools.kor_years).
    """
    thresholds = [float(value("kor_threshold", t)) for t in tax_years]
    tables = [
        _margin_table(
            i.consumer_sales,
            i.business_sales,
            i.costs_with_vat,
            i.costs_without_vat,
            i.vat_rate,
            input_vat_rate,
            policy,
            threshold,
        )
        for i, threshold in zip(inputs, thresholds, strict=True)
    ]
    regular_turnover = [np.asarray(t["regular_turnover"], dtype=float) for t in tables]
    kor_turnover = [np.asarray(t["kor_turnover"], dtype=float) for t in tables]
    plan = kor_years(
        years, tax_years, chosen, regular_turnover, kor_turnover, turnover_before, monthly_weights, excluded
    )
    share = plan.share
    lost = [
        sum((np.where(a.first_use_year == y, a.vat * s, 0.0) for a in assets), np.zeros_like(s))
        for y, s in zip(years, share, strict=True)
    ]
    if any(np.any(x > 0) for x in lost):
        rule_assumption("investment_vat_as_cost")
    herziening = [_herziening(assets, years, share, i, y) for i, y in enumerate(years)]
    after_years, after, after_due = _herziening_after(assets, years, share, kor_continues)
    return VatYears(
        years=tuple(years),
        inputs=tuple(inputs),
        kor=plan,
        turnover_before=np.asarray(turnover_before, dtype=float),
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
    )


def _share_in(years: Sequence[int], share: Sequence[np.ndarray], year) -> np.ndarray:
    """The KOR share of ``year`` (an array of years, one per business); 0 outside the scenario."""
    year = np.asarray(year)
    found = np.zeros(np.broadcast(year, share[0]).shape)
    for y, s in zip(years, share, strict=True):
        found = np.where(year == y, s, found)
    return found


def _herziening(assets, years, share, i: int, year: int) -> np.ndarray:
    gross = sum(
        (
            revision_amounts(
                a.vat, a.first_use_year, a.period, year, share[i], _share_in(years, share, a.first_use_year)
            )
            for a in assets
        ),
        np.zeros_like(share[i]),
    )
    return payable_after_minimum(gross, year)


def _herziening_after(assets, years, share, kor_continues) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Herziening after the last year, the KOR going on where it applied all of the last year.

    Returns the years, the signed total and the total of the years with something to repay.
    """
    total = np.zeros_like(share[-1])
    due = np.zeros_like(total)
    ends = [int(np.max(a.first_use_year + a.period - 1)) for a in assets if len(a.vat)]
    after = list(range(years[-1] + 1, max([years[-1], *ends]) + 1))
    continuing = np.where(kor_continues & (share[-1] == 1.0), 1.0, 0.0)
    for year in after:
        gross = sum(
            (
                revision_amounts(
                    a.vat,
                    a.first_use_year,
                    a.period,
                    year,
                    continuing,
                    _share_in(years, share, a.first_use_year),
                )
                for a in assets
            ),
            np.zeros_like(total),
        )
        payable = payable_after_minimum(gross, year)
        total = total + payable
        due = due + np.maximum(payable, 0.0)
    if np.any(total != 0):
        rule_assumption("herziening_after_scenario")
    return after, total, due
