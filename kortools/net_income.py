"""Net income of an IB-ondernemer: what the entrepreneur keeps after income tax and Zvw
(rules/inkomstenbelasting.md §2, with rules/deductions.md for the deductions)."""

from __future__ import annotations

from dataclasses import dataclass

from kortools.deductions import Deductions, entrepreneur_deductions
from kortools.income_tax import IncomeTax, income_tax
from kortools.parameters import Assumption, recording

#: The step of profit over which :attr:`NetIncome.marginal_rate` is measured (euros).
MARGINAL_STEP = 100.0


@dataclass(frozen=True)
class NetIncome:
    """One year's net income (inkomstenbelasting.md §2); euros, unrounded."""

    year: int
    profit: float
    deductions: Deductions
    tax: IncomeTax
    marginal_rate: float  # the share of the next €100 of profit that goes to income tax and Zvw
    assumptions: tuple[Assumption, ...]

    @property
    def taxable_profit(self) -> float:
        return self.deductions.taxable_profit

    @property
    def box1_tax(self) -> float:
        """Tariff plus tariefsaanpassing, before the heffingskortingen."""
        return self.tax.box1_tax

    @property
    def algemene_heffingskorting(self) -> float:
        return self.tax.algemene_heffingskorting

    @property
    def arbeidskorting(self) -> float:
        return self.tax.arbeidskorting

    @property
    def income_tax(self) -> float:
        """After the heffingskortingen, never below 0 (the credits are not paid out)."""
        return self.tax.income_tax

    @property
    def zvw(self) -> float:
        return self.tax.zvw

    @property
    def net_income(self) -> float:
        """profit − income tax − Zvw."""
        return self.profit - self.tax.income_tax - self.tax.zvw


def _tax_of(year, profit, hours, starter, aow, partner_hours, other_work_hours, starter_uses):
    d = entrepreneur_deductions(
        year,
        profit,
        hours,
        starter,
        aow,
        partner_hours,
        other_work_hours=other_work_hours,
        starter_uses=starter_uses,
    )
    return d, income_tax(d.year, aow, d.profit, d.ondernemersaftrek, d.mkb_winstvrijstelling)


def net_income(
    year: int,
    profit: float,
    hours: float,
    *,
    starter: bool = False,
    aow: bool = False,
    partner_hours: float = 0.0,
    other_work_hours: float = 0.0,
    starter_uses: int = 0,
) -> NetIncome:
    """What an IB-ondernemer keeps of ``profit`` in ``year`` (inkomstenbelasting.md §2).

    Deductions as :func:`kortools.entrepreneur_deductions` (``starter``, ``aow``: AOW age
    reached before 1 January, ``partner_hours``, ``other_work_hours``, ``starter_uses``).
    Profit is taken as the only box-1 income (an assumption, recorded).
    """
    args = (hours, starter, aow, partner_hours, other_work_hours, starter_uses)
    with recording() as used:
        d, tax = _tax_of(year, profit, *args)
        _, next_tax = _tax_of(year, d.profit + MARGINAL_STEP, *args)
    marginal = (next_tax.total - tax.total) / MARGINAL_STEP
    return NetIncome(d.year, d.profit, d, tax, marginal, tuple(used.values()))
