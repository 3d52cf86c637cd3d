"""Net income of an IB-ondernemer: what the entrepreneur keeps after income tax and Zvw
(rules/inkomstenbelasting.md §2, with rules/deductions.md for the deductions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kortools import _validate as v
from kortools.deduction_years import checked_deduction_inputs, deductions_table
from kortools.deductions import Deductions, entrepreneur_deductions
from kortools.income_tax import IncomeTax, income_tax
from kortools.other_income import BY_KEY, record_other_income, split_other_income
from kortools.parameters import Assumption, recording, year_status

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
    other_income: float = 0.0  # a wage or benefit beside the business (other-income.md)

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
        """profit + other income − income tax − Zvw (the tax on the total, other-income.md §1)."""
        return self.profit + self.other_income - self.tax.income_tax - self.tax.zvw


def _tax_of(year, profit, hours, starter, aow, partner_hours, starter_uses, more, other):
    d = entrepreneur_deductions(
        year, profit, hours, starter, aow, partner_hours, starter_uses=starter_uses, **more
    )
    return d, income_tax(d.year, aow, d.profit, d.ondernemersaftrek, d.mkb_winstvrijstelling, *other)


def _other_income(amount: float, kind: str) -> tuple[float, tuple]:
    """The checked wage or benefit beside the business and its split into (wage, benefit,
    the benefit is arbeidsinkomen) for :func:`income_tax` (other-income.md §1)."""
    amount = v.amount("other_income", amount)
    v.choice("other_income_kind", kind, BY_KEY)
    return amount, split_other_income(amount, kind)


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
    other_income: float = 0.0,
    other_income_kind: str = "loon",
    **inputs: float,
) -> NetIncome:
    """What an IB-ondernemer keeps of ``profit`` in ``year`` (inkomstenbelasting.md §2).

    Deductions as :func:`kortools.entrepreneur_deductions` (``starter``, ``aow``: AOW age
    reached before 1 January, ``partner_hours``, ``other_work_hours``, ``starter_uses``);
    ``inputs``: the entrepreneur's other inputs the deductions read, by their names in the
    input catalogue (kortools.inputs: ``so_hours``, ``pregnancy_weeks``,
    ``hours_per_week``; issue #36 item 1).
    ``other_income``: a wage or benefit of ``other_income_kind`` beside the business
    (other-income.md §1): one tariff, one set of credits on the total; employment hours go
    in ``other_work_hours`` (the urencriterium). Without it, profit is the only box-1
    income (an assumption, recorded).
    """
    other_income, other = _other_income(other_income, other_income_kind)
    more = {"other_work_hours": other_work_hours, **checked_deduction_inputs("net_income", inputs)}
    args = (hours, starter, aow, partner_hours, starter_uses, more, other)
    with recording() as used:
        record_other_income(other_income, other[1], other_income_kind)
        d, tax = _tax_of(year, profit, *args)
        _, next_tax = _tax_of(year, d.profit + MARGINAL_STEP, *args)
    marginal = (next_tax.total - tax.total) / MARGINAL_STEP
    return NetIncome(d.year, d.profit, d, tax, marginal, tuple(used.values()), other_income)


def net_income_table(
    years,
    profit: float,
    hours: float,
    starter: bool = False,
    aow: bool = False,
    partner_hours: float = 0.0,
    *,
    other_income: float = 0.0,
    other_income_kind: str = "loon",
    other_work_hours: float = 0.0,
    **inputs: float,
) -> pd.DataFrame:
    """Net income of one profile in each of ``years``, counted as consecutive years
    (the startersaftrek at most 3 times, as :func:`kortools.deductions_table`); with a wage
    or benefit beside the business as :func:`net_income` (``other_income``,
    ``other_income_kind``, ``other_work_hours``; other-income.md §1); ``inputs``: the
    catalogue's other deduction inputs by name, as :func:`kortools.deductions_table`.

    Indexed by year; columns ``taxable_profit``, ``box1_tax``,
    ``algemene_heffingskorting``, ``arbeidskorting``, ``income_tax``, ``zvw``,
    ``net_income``, ``tax_status`` and its Dutch words ``tax_status_nl`` (the weakest status
    of the year's tax figures, parameters.year_status). ``df.attrs["assumptions"]``: the
    values that are not law and the unconfirmed rules used;
    ``df.attrs["deductions"]``: the :func:`kortools.deductions_table` of the same years.
    """
    other_income, other = _other_income(other_income, other_income_kind)
    more: dict[str, Any] = {"other_work_hours": other_work_hours}
    more |= checked_deduction_inputs("net_income_table", inputs)
    deductions = deductions_table(years, profit, hours, starter, aow, partner_hours, **more)
    with recording() as used:
        record_other_income(other_income, other[1], other_income_kind)
        rows = {}
        for year in deductions.index:
            d = deductions.loc[year]
            parts = (d["profit"], d["ondernemersaftrek"], d["mkb_winstvrijstelling"])
            tax = income_tax(int(year), aow, *parts, *other)
            rows[int(year)] = {
                "taxable_profit": d["taxable_profit"],
                "box1_tax": tax.box1_tax,
                "algemene_heffingskorting": tax.algemene_heffingskorting,
                "arbeidskorting": tax.arbeidskorting,
                "income_tax": tax.income_tax,
                "zvw": tax.zvw,
                "net_income": d["profit"] + other_income - tax.income_tax - tax.zvw,
            }
    assumptions = tuple(dict.fromkeys([*deductions.attrs["assumptions"], *used.values()]))
    for year, row in rows.items():  # the status of the year's tax figures (issue #34)
        row["tax_status"], row["tax_status_nl"] = year_status(assumptions, year)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "year"
    frame.attrs["assumptions"] = assumptions
    frame.attrs["deductions"] = deductions  # the deductions_table it rests on
    return frame


def net_by_turnover(scenario, turnovers=None) -> pd.DataFrame:
    """Net income with and without the KOR against turnover, for the first chosen KOR year.

    The case of ``scenario`` with its yearly sales scaled to each turnover (the consumer
    share, costs, prices, hours and person kept; no investments), the same turnover the
    year before: so above the threshold the previous-year test bars the KOR (the cliff
    at €20,000, kor.md §1), and where the KOR turnover at the chosen prices crosses it,
    the year is split (the rules of ``kt.evaluate``). Turnovers default to €0–€40,000 in
    steps of €250. Columns: ``turnover``, ``regular_net_income``, ``kor_net_income``,
    ``net_difference``, ``kor_share``; ``df.attrs["threshold"]``, ``["year"]``,
    ``["tax_status"]`` and ``["tax_status_nl"]`` (the year's tax figures, issue #34).
    """
    from kortools.income_years import income_by_year
    from kortools.record import Businesses, person_of, year_inputs
    from kortools.yearly import vat_by_year

    s = scenario
    t = np.arange(0.0, 40_000.0 + 1, 250.0) if turnovers is None else np.asarray(turnovers, dtype=float)
    year = s.kor_start_year
    tax_year = s.tax_year(year)
    i = s.inputs(year)
    sales = i["consumer_sales"] + i["business_sales"]
    share = i["consumer_sales"] / sales if sales > 0 else 1.0
    n = len(t)

    def full(x):
        return np.full(n, float(x))

    turnover = {"consumer_sales": t * share, "business_sales": t * (1 - share)}
    inputs = year_inputs(n, lambda name: turnover.get(name, i[name]))
    record = Businesses(
        years=(year,),
        tax_years=(tax_year,),
        sales=(inputs,),
        input_vat_rate=full(s.input_vat_rate),
        policy=s.policy,
        chosen=(np.ones(n, bool),),
        turnover_before=t,
        assets=(),
        kor_continues=np.zeros(n, bool),
        excluded=np.full(n, s.vat_taxed_rental),
        person=person_of(s, [year], n),
    )
    with recording() as used:
        vat = vat_by_year(record)
        income = income_by_year(vat, record)
    status, status_words = year_status(tuple(used.values()), year, tax_year)
    regular, kor = income.net_income("regular", 0), income.net_income("kor", 0)
    frame = pd.DataFrame(
        {
            "turnover": t,
            "regular_net_income": regular,
            "kor_net_income": kor,
            "net_difference": kor - regular,
            "kor_share": vat.kor.share[0],
        }
    )
    frame.attrs.update(threshold=vat.threshold[0], year=year, tax_status=status, tax_status_nl=status_words)
    return frame
