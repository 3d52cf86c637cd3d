"""Scenarios side by side, and where the difference between the KOR and regular VAT comes from.

:func:`compare_scenarios` puts up to four evaluated scenarios in one table by (scenario,
year); :func:`explain_difference` splits one scenario's KOR-minus-regular difference in
net income into named parts that add up to it exactly (margin.md, herziening.md,
deductions.md, inkomstenbelasting.md). Euros, unrounded.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kortools.errors import InputError
from kortools.evaluation import ScenarioResult, evaluate
from kortools.income_tax import income_tax
from kortools.scenario import Scenario

MAX_VARIANTS = 4
COMPARE_COLUMNS = (
    "kor_applies",
    "kor_status",
    "regular_net_income",
    "kor_net_income",
    "net_difference",
    "cumulative_net_difference",
    "difference",
    "herziening",
    "lost_investment_vat",
)
#: The parts of the difference, in the order a waterfall shows them (Dutch labels beside).
PARTS = {
    "vat_on_sales_kept": "Btw op verkopen die u houdt",
    "price_change_passed_on": "Prijsverandering voor klanten",
    "input_vat_lost": "Btw op kosten niet aftrekbaar",
    "investment_vat_lost": "Btw op investeringen niet aftrekbaar",
    "herziening": "Herziening",
    "tax_on_extra_profit": "Belasting en Zvw over de extra winst",
    "deductions_change": "Verandering aftrekposten",
}


def compare_scenarios(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """1 to 4 scenarios (distinct names) in one table indexed by (scenario name, year);
    every figure is :func:`kortools.evaluate`'s (columns :data:`COMPARE_COLUMNS`)."""
    scenarios = list(scenarios)
    if not 1 <= len(scenarios) <= MAX_VARIANTS:
        raise InputError("scenarios", len(scenarios), f"allowed 1 to {MAX_VARIANTS} scenarios")
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise InputError("scenarios", s, "each must be a kortools.Scenario")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("scenarios", names, "the scenarios need distinct names")
    tables = {s.name: evaluate(s).table[list(COMPARE_COLUMNS)] for s in scenarios}
    return pd.concat(tables, names=["scenario", "year"])


def explain_difference(result: ScenarioResult, year: int | None = None) -> pd.Series:
    """KOR minus regular net income of ``year`` (or all years summed), split into parts.

    Per year, with ``share`` the part of the year under the KOR (kor.md §1):
    VAT on sales kept = share × r × (Sc + Sb); price change passed on to customers =
    share × (KOR turnover − (Sc + Sb)(1 + r)); input VAT lost = −share × r_in × C
    (together the margin gain, margin.md); investment VAT lost and herziening (minus);
    income tax and Zvw on the extra profit = −(T(W_kor, D_reg) − T(W_reg, D_reg)) and
    the deductions' change = T(W_kor, D_reg) − T(W_kor, D_kor), with T the income tax plus
    Zvw (inkomstenbelasting.md) and D a year's ondernemersaftrek and mkb-winstvrijstelling.
    The parts add up to ``net_difference`` (for a bv, without income tax: to ``difference``);
    the Series' name is that total.
    """
    years = list(result.table.index)
    if year is not None and year not in years:
        raise InputError("year", year, f"allowed one of the scenario's years {years[0]}–{years[-1]}")
    chosen = years if year is None else [year]
    parts = pd.DataFrame([_parts(result, y) for y in chosen], index=chosen).sum()
    column = "net_difference" if result.income is not None else "difference"
    parts.name = float(result.table.loc[chosen, column].sum())
    return parts


def _parts(result: ScenarioResult, year: int) -> dict[str, float]:
    columns = ["kor_share", "lost_investment_vat", "herziening"]
    share, lost, herziening = (float(x) for x in result.table.loc[year, columns].to_numpy(dtype=float))
    m = result.margins[year]
    sales = m.consumer_sales + m.business_sales
    # A vof partner's net income holds the partner's share of the profit (a bv: no income side).
    own = result.scenario.profit_share if result.income is not None else 1.0
    parts = {
        "vat_on_sales_kept": own * share * m.vat_rate * sales,
        "price_change_passed_on": own * share * (m.kor_turnover - sales * (1 + m.vat_rate)),
        "input_vat_lost": -own * share * m.lost_input_vat,
        "investment_vat_lost": -own * lost,
        "herziening": -own * herziening,
        "tax_on_extra_profit": 0.0,
        "deductions_change": 0.0,
    }
    if result.income is not None:
        regular, kor = result.deductions[year]
        tax_year = result.scenario.tax_year(year)
        aow = result.scenario.aow
        mixed = _tax(tax_year, aow, kor.profit, regular)  # the KOR profit with the regular deductions
        parts["tax_on_extra_profit"] = -(mixed - _tax(tax_year, aow, regular.profit, regular))
        parts["deductions_change"] = mixed - _tax(tax_year, aow, kor.profit, kor)
    return parts


def _tax(year: int, aow: bool, profit: float, deductions) -> float:
    """Income tax plus Zvw on ``profit`` with the ondernemersaftrek and mkb of ``deductions``."""
    t = income_tax(year, aow, profit, deductions.ondernemersaftrek, deductions.mkb_winstvrijstelling)
    return float(np.asarray(t.total))
