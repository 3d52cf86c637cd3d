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

    def net_income(self, variant: str, i: int) -> np.ndarray:
        """profit − income tax − Zvw of ``variant`` ("regular" or "kor") in year ``i``."""
        d, tax = (self.regular, self.regular_tax) if variant == "regular" else (self.kor, self.kor_tax)
        return np.asarray(d[i].profit) - np.asarray(tax[i].income_tax) - np.asarray(tax[i].zvw)

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
    out = IncomeYears([], [], [], [])
    results = {"regular": (out.regular, out.regular_tax), "kor": (out.kor, out.kor_tax)}
    for i, (year, tax_year) in enumerate(zip(vat.years, tax_years, strict=True)):
        regular_profit = vat.regular_margin[i]
        profits = {"regular": regular_profit, "kor": regular_profit + vat.difference(i)}
        for variant, (deductions, taxes) in results.items():
            profit = p.profit_share * profits[variant]
            d = tracks[variant].year(
                year,
                profit,
                p.hours[i],
                p.partner_hours[i],
                tax_year,
                other_work_hours=p.other_work_hours[i],
                so_hours=p.so_hours[i],
                pregnancy_weeks=p.pregnancy_weeks[i],
            )
            deductions.append(d)
            taxes.append(income_tax(tax_year, p.aow, profit, d.ondernemersaftrek, d.mkb_winstvrijstelling))
    return out
