"""Box-1 income tax, heffingskortingen and the Zvw bijdrage of an IB-ondernemer
(rules/inkomstenbelasting.md; Wet IB 2001 art. 2.10, 8.10, 8.11; Zvw art. 43, 45).

Scope (inkomstenbelasting.md): one resident person, the whole year an IB-ondernemer,
no fiscal partner; profit the only box-1 income, or beside a wage or benefit
(other-income.md). Order (§2): belastbare winst
BW = W − OA − MKB; tariff on BW; tariefsaanpassing on the deductions in the top
bracket; algemene heffingskorting on BW, arbeidskorting on W; tax after credits
never below 0 (credits are not paid out); Zvw on BW up to its maximum;
net = W − tax − Zvw. Euros, unrounded. Every function takes numbers or numpy arrays
(one element per business), so one implementation serves one case and a portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kortools.parameters import value


@dataclass(frozen=True)
class IncomeTax:
    """The income tax and Zvw of one year for a profit and its deductions (euros, unrounded;
    floats for one business, arrays for many)."""

    tariff: float
    tariefsaanpassing: float
    box1_tax: float  # tariff + tariefsaanpassing, before credits
    algemene_heffingskorting: float  # entitled to, before the cap
    arbeidskorting: float  # entitled to, before the cap
    income_tax: float  # after credits, never below 0
    zvw: float

    @property
    def total(self) -> float:
        """Income tax after credits plus the Zvw bijdrage."""
        return self.income_tax + self.zvw

    def row(self, i: int) -> IncomeTax:
        """Business ``i`` of an array result, as floats."""
        return IncomeTax(*(float(np.asarray(getattr(self, f))[i]) for f in self.__dataclass_fields__))


def brackets(year: int, aow: bool) -> list[dict]:
    """The box-1 brackets of ``year``, at AOW age or below it (§3)."""
    return value("box1_brackets_aow" if aow else "box1_brackets", year)


def _on_brackets(table: list[dict], income):
    tax, bottom = np.zeros_like(income), 0.0
    for bracket in table:
        top = np.inf if bracket["upto"] is None else float(bracket["upto"])
        tax = tax + np.maximum(0.0, np.minimum(income, top) - bottom) * bracket["rate"]
        bottom = top
    return tax


def tariff(year: int, aow, taxable):
    """Box-1 tariff on ``taxable`` (at least 0), bracket by bracket, by AOW age (§3)."""
    income = np.maximum(0.0, np.asarray(taxable, dtype=float))
    aow = np.asarray(aow, dtype=bool)
    below = _on_brackets(brackets(year, False), income) if not aow.all() else 0.0
    at_aow = _on_brackets(brackets(year, True), income) if aow.any() else 0.0
    return np.where(aow, at_aow, below)


def top_bracket(year: int) -> tuple[float, float]:
    """(threshold, rate) of the top bracket (below AOW age; the same at AOW age, §3)."""
    table = brackets(year, False)
    return float(table[-2]["upto"]), float(table[-1]["rate"])


def tariefsaanpassing(year: int, income_before, deductions):
    """Extra tax on the deductions in the top bracket (§4; art. 2.10 lid 2).

    (top rate − deduction rate cap) × min(D, max(0, I − threshold)), with D the
    ondernemersaftrek plus a positive mkb-winstvrijstelling and I the income before them.
    """
    threshold, top_rate = top_bracket(year)
    over = np.maximum(0.0, np.asarray(income_before, dtype=float) - threshold)
    base = np.minimum(np.maximum(0.0, deductions), over)
    if not np.any(base > 0):
        return np.zeros_like(base)
    return (top_rate - float(value("deduction_rate_cap", year))) * base


def algemene_heffingskorting(year: int, aow, income):
    """max − rate × (income − start), not below 0, nil from the top-bracket threshold (§5)."""
    c = value("algemene_heffingskorting", year)
    aow = np.asarray(aow, dtype=bool)
    maximum = np.where(aow, c["aow_max"], c["max"])
    rate = np.where(aow, c["aow_phase_out_rate"], c["phase_out_rate"])
    income = np.asarray(income, dtype=float)
    credit = np.maximum(0.0, maximum - rate * np.maximum(0.0, income - c["phase_out_from"]))
    return np.where(income >= top_bracket(year)[0], 0.0, credit)


def _on_credit_bands(table: list[dict], x):
    credit = np.zeros_like(x)
    for band in table:
        credit = np.where(x >= band["from"], band["base"] + band["rate"] * (x - band["from"]), credit)
    return np.maximum(0.0, credit)


def arbeidskorting(year: int, aow, arbeidsinkomen):
    """base + rate × (x − from) in the band of x = profit before deductions, not below 0 (§6)."""
    x = np.maximum(0.0, np.asarray(arbeidsinkomen, dtype=float))
    aow = np.asarray(aow, dtype=bool)
    below = _on_credit_bands(value("arbeidskorting", year), x) if not aow.all() else 0.0
    at_aow = _on_credit_bands(value("arbeidskorting_aow", year), x) if aow.any() else 0.0
    return np.where(aow, at_aow, below)


def zvw(year: int, taxable, other_income=0.0):
    """Inkomensafhankelijke bijdrage Zvw: rate × BW, BW from 0 to the maximum (§7), the room
    reduced by a wage or benefit (Zvw art. 43 lid 5; other-income.md §1 (d))."""
    room = np.maximum(0.0, float(value("zvw_max_income", year)) - np.asarray(other_income, dtype=float))
    base = np.minimum(np.maximum(0.0, np.asarray(taxable, dtype=float)), room)
    return float(value("zvw_rate", year)) * base


def income_tax(
    year: int, aow, profit, ondernemersaftrek, mkb, wage=0.0, benefit=0.0, benefit_is_work=False
) -> IncomeTax:
    """Box-1 tax, credits and Zvw for profit W with its ondernemersaftrek and mkb-winstvrijstelling (§2).

    With a ``wage`` L or ``benefit`` U beside the business (other-income.md §1): one
    tariff on L + U + BW, the tariefsaanpassing on L + U + W, one algemene heffingskorting
    on L + U + BW, one arbeidskorting on L + W (+ U where the benefit is arbeidsinkomen,
    ``benefit_is_work``), the credits capped by the tax on the total, the Zvw room reduced
    by L + U. The result is the tax on the total: the wage's loonheffing is a prepayment of it.
    Floats in, floats out; arrays in (one element per business), arrays out.
    """
    profit, oa, mkb = (np.asarray(x, dtype=float) for x in (profit, ondernemersaftrek, mkb))
    wage, benefit = np.asarray(wage, dtype=float), np.asarray(benefit, dtype=float)
    other = wage + benefit
    taxable = profit - oa - mkb
    on_tariff = tariff(year, aow, other + taxable)
    extra = tariefsaanpassing(year, other + profit, oa + np.maximum(mkb, 0.0))
    box1 = on_tariff + extra
    ahk = algemene_heffingskorting(year, aow, other + taxable)
    ak = arbeidskorting(year, aow, wage + profit + np.where(benefit_is_work, benefit, 0.0))
    parts = (on_tariff, extra, box1, ahk, ak, np.maximum(0.0, box1 - ahk - ak), zvw(year, taxable, other))
    shape = np.broadcast(profit, wage, benefit).shape
    if not shape:
        return IncomeTax(*(float(x) for x in parts))
    return IncomeTax(*(np.broadcast_to(x, shape) for x in parts))  # type: ignore[arg-type]  # arrays
