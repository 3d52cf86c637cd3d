"""Evaluate a scenario year by year: regular VAT against the KOR where the KOR applies.

Per year: margin (margin.md), whether and for what share of the year the KOR
applies (kor.md §1–§2), investment VAT lost under the KOR, herziening
(herziening.md), profit, entrepreneur deductions (deductions.md) and taxable
profit for both variants, and the cumulative difference in profit. Euros as
unrounded floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kortools.advice import Advice, AdviceFigures, build_advice
from kortools.deduction_years import deductions_frame
from kortools.deductions import Deductions
from kortools.herziening import herziening_schedule, revision_period
from kortools.income_tax import IncomeTax
from kortools.income_years import Entrepreneur, IncomeYears, income_by_year
from kortools.kor import KorWarning, kvk_warnings, registration_and_eu_warnings
from kortools.kor_years import CROSSED, status_text
from kortools.margin import MarginComparison, compare_margin
from kortools.parameters import (
    Assumption,
    record,
    recording,
    rule_assumption,
    rule_assumptions,
    tax_year_for,
    tax_years,
)
from kortools.scenario import Scenario
from kortools.yearly import AssetArrays, VatYears, YearInputs, vat_by_year

COMPARISON_COLUMNS = (
    "in_kor",
    "kor_applies",
    "kor_share",
    "kor_status",
    "kor_status_en",
    "regular_margin",
    "kor_margin",
    "margin_gain",
    "lost_investment_vat",
    "herziening",
    "regular_profit",
    "kor_profit",
    "regular_deductions",
    "kor_deductions",
    "regular_taxable_profit",
    "kor_taxable_profit",
    "kor_turnover",
    "threshold",
    "within_threshold",
    "difference",
    "cumulative_difference",
    "regular_income_tax",
    "kor_income_tax",
    "regular_zvw",
    "kor_zvw",
    "regular_net_income",
    "kor_net_income",
    "net_difference",
    "cumulative_net_difference",
)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    table: pd.DataFrame  # one row per year; see COMPARISON_COLUMNS
    margins: dict[int, MarginComparison]  # the margin had the KOR applied the whole year
    herziening: pd.DataFrame  # herziening_schedule of the scenario's assets, as the KOR applied
    warnings: tuple[KorWarning, ...]
    assumptions: tuple[Assumption, ...]  # exactly the unconfirmed rules and figures used
    deductions: Mapping[int, tuple[Deductions, Deductions]]  # per year: (regular, KOR)
    herziening_after_last_year: float  # still due after the last year if the KOR goes on
    vat: VatYears  # the yearly VAT figures as arrays of one (kortools.yearly)
    income: IncomeYears | None  # the yearly deductions, income tax and net income (None: a bv)

    @property
    def net_total_difference(self) -> float:
        """What the entrepreneur keeps more with the KOR over all years, after income tax and Zvw."""
        return float(self.table["net_difference"].sum())

    @property
    def total_difference(self) -> float:
        """KOR minus regular profit over all years (euros)."""
        return float(self.table["difference"].sum())

    @property
    def kor_years(self) -> tuple[int, ...]:
        """The years in which the KOR applies (for the whole year or part of it)."""
        return tuple(int(y) for y in self.table.index[self.table["kor_applies"]])

    @property
    def advice_figures(self) -> AdviceFigures:
        """What :func:`kortools.advise` decides on (the portfolio builds the same per client)."""
        return advice_figures(self.vat, self.income, 0, self.warnings)

    def deductions_table(self, variant: str = "kor") -> pd.DataFrame:
        """The deductions of each year of one variant (``"kor"`` or ``"regular"``), as counted."""
        index = {"regular": 0, "kor": 1}[variant]
        return deductions_frame((pair[index] for pair in self.deductions.values()), self.deductions)


def advice_figures(
    vat: VatYears, income: IncomeYears | None, row: int, warnings: tuple[KorWarning, ...]
) -> AdviceFigures:
    """The :class:`AdviceFigures` of business ``row`` in ``vat``."""
    plan = vat.kor
    codes = tuple(int(c[row]) for c in plan.code)
    texts = [
        [
            status_text(code, year, int(day[row]), int(until[row]), dutch)
            for code, year, day, until in zip(codes, vat.years, plan.day, plan.barred_until, strict=True)
        ]
        for dutch in (True, False)
    ]
    return AdviceFigures(
        years=vat.years,
        share=tuple(float(x[row]) for x in plan.share),
        code=codes,
        turnover_before=float(vat.turnover_before[row]),
        status_nl=tuple(texts[0]),
        status_en=tuple(texts[1]),
        counted_turnover=tuple(float(x[row]) for x in plan.counted_turnover),
        kor_turnover=tuple(float(x[row]) for x in vat.kor_turnover),
        threshold=tuple(vat.threshold),
        margin_gain=tuple(float(x[row]) for x in vat.margin_gain),
        herziening=tuple(float(x[row]) for x in vat.herziening),
        lost_investment_vat=tuple(float(x[row]) for x in vat.lost_investment_vat),
        herziening_after=float(vat.herziening_after[row]),
        warnings=warnings,
        net_difference=tuple(
            float(income.net_difference(i)[row]) if income is not None else np.nan
            for i in range(len(vat.years))
        ),
    )


def _one(x: float) -> np.ndarray:
    return np.array([float(x)])


def vat_years_of(s: Scenario) -> VatYears:
    """The VAT side of ``s`` year by year (kortools.yearly), for this one business."""
    years = list(s.years)
    inputs = [s.inputs(y) for y in years]
    first = inputs[0]
    before = s.previous_year_turnover
    if before is None:
        before = first["consumer_sales"] + first["business_sales"]
        if s.kor_start_year == s.first_year:
            rule_assumption("turnover_before_first_year")
    assets = [
        AssetArrays(_one(a.vat), np.array([a.first_use_year]), np.array([revision_period(a)]))
        for a in s.assets
    ]
    return vat_by_year(
        years,
        [s.tax_year(y) for y in years],
        [YearInputs(**{k: _one(i[k]) for k in YearInputs.__dataclass_fields__}) for i in inputs],
        _one(s.input_vat_rate),
        s.policy,
        [np.array([y in s.kor_years]) for y in years],
        _one(before),
        assets,
        np.array([s.kor_continues and not s.vat_taxed_rental]),
        s.monthly_sales,
        excluded=np.array([s.vat_taxed_rental]),
    )


def evaluate(scenario: Scenario) -> ScenarioResult:
    """Evaluate ``scenario`` year by year, regular VAT vs the KOR where it applies (module docstring)."""
    s = scenario
    with recording() as used:
        vat = vat_years_of(s)
        margins = {y: _margin(s, y) for y in s.years}
        share = {y: float(vat.kor.share[i][0]) for i, y in enumerate(s.years)}
        going_on = float(s.kor_continues and share[s.last_year] == 1.0)  # as kortools.yearly
        after = dict.fromkeys(vat.herziening_after_years, going_on)
        schedule = herziening_schedule(
            s.assets, s.first_year, kor_share={**share, **after}, last_year=s.last_year
        )
        income = income_years_of(s, vat)
        table, deductions = _table(s, vat, income)
        _extrapolation(s)
        start = s.kor_start_year - s.first_year
        warnings = scenario_warnings(vat, 0, start, s.vat_taxed_rental, s.foreign_or_reverse_charge)
        first = s.inputs(s.kor_start_year)
        warnings += registration_and_eu_warnings(
            s.tax_year(s.kor_start_year),
            first["consumer_sales"] + first["business_sales"],
            s.kvk_registered,
            s.eu_turnover,
            s.solar_panels_before_2023,
        )
        if {w.code for w in warnings} & {"many_business_customers", "large_investment"}:
            rule_assumption("kvk_warning_heuristics")
        if s.foreign_or_reverse_charge:
            rule_assumption("incidental_returns")
    return ScenarioResult(
        s,
        table,
        margins,
        schedule,
        warnings,
        tuple(used.values()),
        deductions,
        float(vat.herziening_after[0]),
        vat,
        income,
    )


def _margin(s: Scenario, year: int) -> MarginComparison:
    i = s.inputs(year)
    return compare_margin(
        i["consumer_sales"],
        i["business_sales"],
        i["costs_with_vat"],
        i["costs_without_vat"],
        i["vat_rate"],
        s.input_vat_rate,
        s.policy,
        s.tax_year(year),
    )


#: The income side of a bv: not computed (NaN), see income_years_of.
NO_TAX = IncomeTax(*([np.nan] * 7))


def _no_deductions() -> Deductions:
    nan = np.nan
    return Deductions(0, nan, False, nan, nan, nan, nan, nan, nan, nan, nan, ())


NO_DEDUCTIONS = _no_deductions()


def person_of(s: Scenario, years: list[int], n: int) -> Entrepreneur:
    """The entrepreneur of ``s`` in ``years``, each value repeated for ``n`` businesses."""
    inputs = [s.inputs(y) for y in years]

    def full(x) -> np.ndarray:
        return np.full(n, x)

    def yearly(name: str) -> list[np.ndarray]:
        return [full(float(i[name])) for i in inputs]

    return Entrepreneur(
        hours=yearly("hours"),
        partner_hours=yearly("partner_hours"),
        other_work_hours=yearly("other_work_hours"),
        so_hours=yearly("so_hours"),
        pregnancy_weeks=yearly("pregnancy_weeks"),
        aow=full(s.aow),
        business_start_year=full(np.nan if s.business_start_year is None else float(s.business_start_year)),
        starter_uses_before=full(s.starter_uses_before),
        disability_benefit=full(s.disability_benefit),
        hours_per_week=full(float(s.hours_per_week)),
        profit_share=full(float(s.profit_share)),
    )


def income_years_of(s: Scenario, vat: VatYears) -> IncomeYears | None:
    """The income side of ``s`` year by year (kortools.income_years), for this one business.

    ``None`` for a bv: it pays vennootschapsbelasting, no ondernemersaftrek and no IB
    mkb-winstvrijstelling (deductions.md §1); kortools then compares the VAT only.
    """
    if s.legal_form == "bv":
        rule_assumption("bv_vat_only")
        return None
    person = person_of(s, list(s.years), 1)
    return income_by_year(vat, [s.tax_year(y) for y in s.years], person)


def _table(
    s: Scenario, vat: VatYears, income: IncomeYears | None
) -> tuple[pd.DataFrame, dict[int, tuple[Deductions, Deductions]]]:
    rows, deductions = [], {}
    for i, year in enumerate(s.years):
        plan = vat.kor
        code, share = int(plan.code[i][0]), float(plan.share[i][0])
        regular = float(vat.regular_margin[i][0])
        gain = float(vat.margin_gain[i][0])
        lost, revision = float(vat.lost_investment_vat[i][0]), float(vat.herziening[i][0])
        kor_profit = regular + gain - lost - revision
        if income is not None:
            pair = (income.regular[i].row(0), income.kor[i].row(0))
            taxes = (income.regular_tax[i].row(0), income.kor_tax[i].row(0))
            deductions[year] = pair
            net = (
                float(income.net_income("regular", i)[0]),
                float(income.net_income("kor", i)[0]),
                float(income.net_difference(i)[0]),
            )
        else:  # a bv: no income side (see income_years_of)
            pair = (NO_DEDUCTIONS, NO_DEDUCTIONS)
            taxes = (NO_TAX, NO_TAX)
            net = (np.nan, np.nan, np.nan)
        status = [
            status_text(code, year, int(plan.day[i][0]), int(plan.barred_until[i][0]), dutch)
            for dutch in (True, False)
        ]
        counted = float(plan.counted_turnover[i][0])
        rows.append(
            {
                "in_kor": share > 0,
                "kor_applies": share > 0,
                "kor_share": share,
                "kor_status": status[0],
                "kor_status_en": status[1],
                "regular_margin": regular,
                "kor_margin": regular + gain,
                "margin_gain": gain,
                "lost_investment_vat": lost,
                "herziening": revision,
                "regular_profit": regular,
                "kor_profit": kor_profit,
                "regular_deductions": pair[0].total,
                "kor_deductions": pair[1].total,
                "regular_taxable_profit": pair[0].taxable_profit,
                "kor_taxable_profit": pair[1].taxable_profit,
                "kor_turnover": counted,
                "threshold": vat.threshold[i],
                "within_threshold": counted <= vat.threshold[i] and code != CROSSED,
                "difference": kor_profit - regular,
                "regular_income_tax": taxes[0].income_tax,
                "kor_income_tax": taxes[1].income_tax,
                "regular_zvw": taxes[0].zvw,
                "kor_zvw": taxes[1].zvw,
                "regular_net_income": net[0],
                "kor_net_income": net[1],
                "net_difference": net[2],
            }
        )
    table = pd.DataFrame(rows, index=pd.Index(list(s.years), name="year"))
    table["cumulative_difference"] = table["difference"].cumsum()
    table["cumulative_net_difference"] = table["net_difference"].cumsum(skipna=False)
    assert set(table.columns) == set(COMPARISON_COLUMNS)
    return table[list(COMPARISON_COLUMNS)], deductions


def _extrapolation(s: Scenario) -> None:
    """Record that years after the last year with tax data use that year's figures."""
    beyond = [y for y in s.years if s.tax_year(y) != y]
    if not beyond:
        return
    last = tax_years()[-1]
    record(
        Assumption(
            "tax_data_extrapolated",
            f"Years {beyond[0]}–{beyond[-1]} use the tax figures of {last} (no data yet).",
            f"Voor {beyond[0]}–{beyond[-1]} zijn de belastingcijfers van {last} gebruikt "
            "(nog geen gegevens).",
            rule_assumptions()["net_income_scope"].source,
        )
    )


def scenario_warnings(
    vat: VatYears, row: int, kor_start: int, vat_taxed_rental: bool, foreign_or_reverse_charge: bool
) -> tuple[KorWarning, ...]:
    """KVK's warnings (kor.md §4) for business ``row``, with the first chosen KOR year's figures.

    ``kor_start``: the index of that year. Planned investment VAT: what the KOR years
    cost in investment VAT; herziening due: the total to repay, after the last year
    too; the threshold: the year the KOR turnover went furthest above it while in the KOR.
    """
    i = kor_start
    sales = vat.inputs[i]
    planned = float(sum(x[row] for x in vat.lost_investment_vat))
    due = float(sum(max(0.0, x[row]) for x in vat.herziening) + vat.herziening_after_due[row])
    crossed = [j for j, code in enumerate(vat.kor.code) if code[row] == CROSSED]
    worst = max(crossed, key=lambda j: vat.kor_turnover[j][row], default=None)
    return kvk_warnings(
        float(sales.consumer_sales[row]),
        float(sales.business_sales[row]),
        float(vat.full_year_gain[i][row]),
        planned,
        due,
        vat_taxed_rental,
        foreign_or_reverse_charge,
        float(vat.kor_turnover[worst if worst is not None else i][row]),
        vat.threshold[worst] if worst is not None else None,
    )


def advise_many(
    first_year: int,
    years: int,
    policy: str,
    inputs: YearInputs,
    previous_year_turnover: np.ndarray,
    assets: list[AssetArrays],
) -> tuple[VatYears, IncomeYears, list[tuple[Advice, tuple[KorWarning, ...]]]]:
    """The advice and KVK warnings of many businesses with constant yearly inputs, KOR from ``first_year``.

    What ``advise(evaluate(Scenario(...)))`` gives for each, the KOR chosen for every
    year of ``first_year .. first_year + years − 1`` (and going on), computed on arrays.
    """
    year_range = range(first_year, first_year + years)
    n = len(previous_year_turnover)
    with recording():
        vat = vat_by_year(
            list(year_range),
            [tax_year_for(y) for y in year_range],
            [inputs] * years,
            np.full(n, Scenario.__dataclass_fields__["input_vat_rate"].default),
            policy,
            [np.ones(n, dtype=bool)] * years,
            previous_year_turnover,
            assets,
            np.ones(n, dtype=bool),
        )
        defaults = Scenario.__dataclass_fields__
        zero = np.zeros(n)
        person = Entrepreneur(
            hours=[np.full(n, defaults["hours"].default)] * years,
            partner_hours=[zero] * years,
            other_work_hours=[zero] * years,
            so_hours=[zero] * years,
            pregnancy_weeks=[zero] * years,
            aow=np.zeros(n, dtype=bool),
            business_start_year=np.full(n, np.nan),
            starter_uses_before=np.zeros(n, dtype=int),
            disability_benefit=np.zeros(n, dtype=bool),
            hours_per_week=zero,
            profit_share=np.ones(n),
        )
        income = income_by_year(vat, [tax_year_for(y) for y in year_range], person)
        advice = []
        for row in range(n):
            warnings = scenario_warnings(vat, row, 0, False, False)
            advice.append((build_advice(advice_figures(vat, income, row, warnings)), warnings))
    return vat, income, advice


__all__ = ["COMPARISON_COLUMNS", "ScenarioResult", "advise_many", "evaluate", "vat_years_of"]
