"""Box-1 income tax, heffingskortingen and the Zvw bijdrage of an IB-ondernemer
(rules/inkomstenbelasting.md; Wet IB 2001 art. 2.10, 8.10, 8.11; Zvw art. 43, 45).

Scope (inkomstenbelasting.md): one resident person, the whole year an IB-ondernemer,
profit the only box-1 income, no fiscal partner. Order (§2): belastbare winst
BW = W − OA − MKB; tariff on BW; tariefsaanpassing on the deductions in the top
bracket; algemene heffingskorting on BW, arbeidskorting on W; tax after credits
never below 0 (credits are not paid out); Zvw on BW up to its maximum;
net = W − tax − Zvw. Euros, unrounded.
"""

from __future__ import annotations

from dataclasses import dataclass

from kortools.parameters import value


@dataclass(frozen=True)
class IncomeTax:
    """The income tax and Zvw of one year for a profit and its deductions (euros, unrounded)."""

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


def brackets(year: int, aow: bool) -> list[dict]:
    """The box-1 brackets of ``year``, at AOW age or below it (§3)."""
    return value("box1_brackets_aow" if aow else "box1_brackets", year)


def tariff(year: int, aow: bool, taxable: float) -> float:
    """Box-1 tariff on ``taxable`` (at least 0), bracket by bracket (§3)."""
    income, bottom, tax = max(0.0, taxable), 0.0, 0.0
    for bracket in brackets(year, aow):
        top = float("inf") if bracket["upto"] is None else float(bracket["upto"])
        tax += max(0.0, min(income, top) - bottom) * bracket["rate"]
        bottom = top
    return tax


def top_bracket(year: int) -> tuple[float, float]:
    """(threshold, rate) of the top bracket (below AOW age; the same at AOW age, §3)."""
    table = brackets(year, False)
    return float(table[-2]["upto"]), float(table[-1]["rate"])


def tariefsaanpassing(year: int, income_before: float, deductions: float) -> float:
    """Extra tax on the deductions in the top bracket (§4; art. 2.10 lid 2).

    (top rate − deduction rate cap) × min(D, max(0, I − threshold)), with D the
    ondernemersaftrek plus a positive mkb-winstvrijstelling and I the income before them.
    """
    threshold, top_rate = top_bracket(year)
    if income_before <= threshold or deductions <= 0:
        return 0.0
    rate = top_rate - float(value("deduction_rate_cap", year))
    return rate * min(deductions, income_before - threshold)


def algemene_heffingskorting(year: int, aow: bool, income: float) -> float:
    """max − rate × (income − start), not below 0, nil from the top-bracket threshold (§5)."""
    c = value("algemene_heffingskorting", year)
    maximum, rate = (c["aow_max"], c["aow_phase_out_rate"]) if aow else (c["max"], c["phase_out_rate"])
    if income >= top_bracket(year)[0]:
        return 0.0
    return max(0.0, maximum - rate * max(0.0, income - c["phase_out_from"]))


def arbeidskorting(year: int, aow: bool, arbeidsinkomen: float) -> float:
    """base + rate × (x − from) in the band of x = profit before deductions, not below 0 (§6)."""
    x = max(0.0, arbeidsinkomen)
    credit = 0.0
    for band in value("arbeidskorting_aow" if aow else "arbeidskorting", year):
        if x >= band["from"]:
            credit = band["base"] + band["rate"] * (x - band["from"])
    return max(0.0, credit)


def zvw(year: int, taxable: float) -> float:
    """Inkomensafhankelijke bijdrage Zvw: rate × BW, BW from 0 to the maximum (§7)."""
    base = min(max(0.0, taxable), float(value("zvw_max_income", year)))
    return float(value("zvw_rate", year)) * base


def income_tax(year: int, aow: bool, profit: float, ondernemersaftrek: float, mkb: float) -> IncomeTax:
    """Box-1 tax, credits and Zvw for profit W with its ondernemersaftrek and mkb-winstvrijstelling (§2)."""
    taxable = profit - ondernemersaftrek - mkb
    on_tariff = tariff(year, aow, taxable)
    extra = tariefsaanpassing(year, profit, ondernemersaftrek + max(mkb, 0.0))
    box1 = on_tariff + extra
    ahk = algemene_heffingskorting(year, aow, taxable)
    ak = arbeidskorting(year, aow, profit)
    return IncomeTax(
        tariff=on_tariff,
        tariefsaanpassing=extra,
        box1_tax=box1,
        algemene_heffingskorting=ahk,
        arbeidskorting=ak,
        income_tax=max(0.0, box1 - ahk - ak),
        zvw=zvw(year, taxable),
    )
