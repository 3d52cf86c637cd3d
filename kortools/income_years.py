"""The income side of a scenario year by year, for one business or many at once (arrays).

Per year and variant (regular VAT, KOR): the profit from the VAT side
(``kortools.yearly``), the entrepreneur deductions counted over the years
(deductions.md: startersaftrek uses, the zelfstandigenaftrek carry-forward), the income
tax and Zvw (inkomstenbelasting.md), and what the entrepreneur keeps. One
implementation for :func:`kortools.evaluate` and the portfolio run. Euros, unrounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kortools.deduction_years import DeductionTrack
from kortools.deductions import Deductions
from kortools.income_tax import IncomeTax, income_tax
from kortools.inputs import DEDUCTION_YEARLY
from kortools.other_income import record_other_income, split_other_income
from kortools.record import Businesses, Entrepreneur
from kortools.yearly import VatYears

__all__ = ["Entrepreneur", "IncomeYears", "income_by_year"]  # Entrepreneur: kortools.record


@dataclass(frozen=True)
class IncomeYears:
    """Per year (lists over the years), each a result on arrays over businesses."""

    regular: list[Deductions]
    kor: list[Deductions]
    regular_tax: list[IncomeTax]
    kor_tax: list[IncomeTax]
    other_income: list[np.ndarray]  # the wage or benefit beside the business, per year

    def net_income(self, variant: str, i: int) -> np.ndarray:
        """profit + other income − income tax − Zvw of ``variant`` ("regular" or "kor") in
        year ``i`` (other-income.md §1 (e): the tax on the total, the wage fixed)."""
        d, tax = (self.regular, self.regular_tax) if variant == "regular" else (self.kor, self.kor_tax)
        kept = np.asarray(d[i].profit) - np.asarray(tax[i].income_tax) - np.asarray(tax[i].zvw)
        return kept + self.other_income[i]

    def net_difference(self, i: int) -> np.ndarray:
        """What the entrepreneur keeps more with the KOR in year ``i`` (net, after tax and Zvw)."""
        return self.net_income("kor", i) - self.net_income("regular", i)


def income_by_year(vat: VatYears, b: Businesses) -> IncomeYears:
    """Deductions, income tax and net income of both variants, year by year (module
    docstring), of the record's entrepreneurs (``b.person``: not None, not a bv)."""
    if b.person is None:
        raise ValueError("a bv has no income side (kortools.evaluation.income_years_of)")
    p, tax_years = b.person, b.tax_years
    tracks = {
        variant: DeductionTrack(
            p.business_start_year, p.starter_uses_before, p.aow, p.disability_benefit, p.hours_per_week
        )
        for variant in ("regular", "kor")
    }
    out = IncomeYears([], [], [], [], [])
    results = {"regular": (out.regular, out.regular_tax), "kor": (out.kor, out.kor_tax)}
    for i, (year, tax_year) in enumerate(zip(vat.years, tax_years, strict=True)):
        regular_profit = vat.regular_margin[i]
        other = p.other_income[i] if p.other_income else np.zeros_like(regular_profit)
        wage, benefit, benefit_is_work = split_other_income(other, p.other_income_kind)
        out.other_income.append(other)
        record_other_income(other, benefit, p.other_income_kind)
        profits = {"regular": regular_profit, "kor": regular_profit + vat.difference(i)}
        for variant, (deductions, taxes) in results.items():
            profit = p.profit_share * profits[variant]
            yearly = {name: p.inputs[name][i] for name in DEDUCTION_YEARLY}
            d = tracks[variant].year(year, profit, tax_year=tax_year, **yearly)
            deductions.append(d)
            oa, mkb = d.ondernemersaftrek, d.mkb_winstvrijstelling
            taxes.append(income_tax(tax_year, p.aow, profit, oa, mkb, wage, benefit, benefit_is_work))
    return out
