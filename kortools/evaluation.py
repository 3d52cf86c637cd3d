"""Evaluate a scenario year by year: regular VAT against the KOR where the KOR applies.

Per year: margin (margin.md), whether and for what share of the year the KOR
applies (kor.md §1–§2), investment VAT lost under the KOR, herziening
(herziening.md), profit, entrepreneur deductions (deductions.md) and taxable
profit for both variants, and the cumulative difference in profit. Euros as
unrounded floats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from kortools.advice import Advice, AdviceFigures, build_advice
from kortools.columns import COMPARISON_COLUMNS
from kortools.deduction_years import deductions_frame
from kortools.deductions import Deductions
from kortools.herziening import schedule_frame
from kortools.income_tax import IncomeTax
from kortools.income_years import IncomeYears, income_by_year
from kortools.kor import KorWarning, kor_request_deadline, kvk_warnings, registration_and_eu_warnings
from kortools.kor_years import CROSSED, date_words, status_text
from kortools.margin import MarginComparison, margin_comparison
from kortools.parameters import (
    Assumption,
    Source,
    recording,
    rule_assumption,
    rule_assumptions,
    tax_years,
    value,
    year_status,
)
from kortools.parameters import record as note_assumption
from kortools.record import Businesses, businesses_of
from kortools.scenario import Scenario
from kortools.yearly import VatYears, vat_by_year

#: Where a note on the inputs comes from: the rules of reading them (the books' today).
INPUT_NOTE_SOURCE = Source(
    "kortools, rules/auditfile.md: zo gelezen uit de invoer",
    "https://odb.belastingdienst.nl/documentatie/xml-auditfile-financieel-xaf-4-0-3/",
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
    def shown_year(self) -> int:
        """The year the headline figures are shown for: the first in which the KOR applies
        (else the first chosen): the margin chart, the threshold and the table agree on it."""
        return self.kor_years[0] if self.kor_years else self.scenario.kor_start_year

    def year_margin(self, year: int) -> tuple[float, float, float, float]:
        """(regular margin, KOR margin, gain, KOR share) of ``year`` as the table has them:
        a split year's, not a full-year figure (issue #20 item 7)."""
        t = self.table
        names = ("regular_margin", "kor_margin", "margin_gain", "kor_share")
        regular, kor, gain, share = (float(t.at[year, n]) for n in names)  # type: ignore[arg-type]
        return regular, kor, gain, share

    @property
    def advice_figures(self) -> AdviceFigures:
        """What :func:`kortools.advise` decides on (the portfolio builds the same per client)."""
        figures = with_moved_dates(self.scenario, advice_figures(self.vat, self.income, 0, self.warnings))
        status, words = tuple(self.table["tax_status"]), tuple(self.table["tax_status_nl"])
        return replace(figures, tax_status=status, tax_status_nl=words)

    def deductions_table(self, variant: str = "kor") -> pd.DataFrame:
        """The deductions of each year of one variant (``"kor"`` or ``"regular"``), as counted."""
        index = {"regular": 0, "kor": 1}[variant]
        return deductions_frame((pair[index] for pair in self.deductions.values()), self.deductions)


def with_moved_dates(s: Scenario, figures: AdviceFigures) -> AdviceFigures:
    """The status of the year a late request moved the start or exit to says why (issue #33
    item 4): "in KOR vanaf 1 april 2027 (aanmelden voor 1 januari 2027 kon niet meer:
    uiterlijk 3 december 2026)"."""
    nl, en = list(figures.status_nl), list(figures.status_en)
    moves = []
    if s.kor_start_moved and s.kor_planned_start is not None and s.kor_from is not None:
        moves.append((s.kor_from.year, "aanmelden", "joining", s.kor_planned_start))
    if s.kor_end_moved and s.kor_planned_end is not None:
        last = s.kor_until or dt.date(s.last_year, 12, 31)
        moves.append((last.year, "afmelden", "leaving", s.kor_planned_end + dt.timedelta(days=1)))
    for year, word, word_en, planned in moves:
        if year not in figures.years:
            continue
        i = figures.years.index(year)
        deadline = kor_request_deadline(planned, s.return_period)
        nl[i] += f" ({word} voor {date_words(planned)} kon niet meer: uiterlijk {date_words(deadline)})"
        en[i] += f" ({word_en} for {date_words(planned, False)} too late: by {date_words(deadline, False)})"
    calendar = Calendar((s.kor_from,), (s.in_kor,), s.next_kor_start, s.next_kor_exit)
    return _on_calendar(replace(figures, status_nl=tuple(nl), status_en=tuple(en)), calendar, 0)


def advice_figures(
    vat: VatYears, income: IncomeYears | None, row: int, warnings: tuple[KorWarning, ...]
) -> AdviceFigures:
    """The :class:`AdviceFigures` of business ``row`` in ``vat``."""
    plan = vat.kor
    codes = tuple(int(c[row]) for c in plan.code)
    texts = [
        [
            status_text(
                code,
                year,
                int(day[row]),
                int(until[row]),
                dutch,
                int(start[row]),
                int(end[row]),
                int(plan.moved_to[row]),
            )
            for code, year, day, until, start, end in zip(
                codes, vat.years, plan.day, plan.barred_until, plan.from_day, plan.until_day, strict=True
            )
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


def vat_years_of(s: Scenario) -> VatYears:
    """The VAT side of ``s`` year by year (kortools.yearly), for this one business."""
    return vat_by_year(businesses_of(s))


def evaluate(scenario: Scenario) -> ScenarioResult:
    """Evaluate ``scenario`` year by year, regular VAT vs the KOR where it applies (module docstring)."""
    s = scenario
    with recording() as used:
        record = businesses_of(s)
        vat = vat_by_year(record)
        margins = {y: _margin(s, vat, i) for i, y in enumerate(s.years)}
        schedule = _schedule(s, vat)
        income = income_years_of(record, vat)
        table, deductions = _table(s, vat, income)
        _extrapolation(s)
        for key in s.assumption_keys:  # e.g. the books' (kortools.books)
            rule_assumption(key)
        for number, (text_en, text_nl) in enumerate((*s.input_notes, *s.input_warnings), start=1):
            note_assumption(Assumption(f"input_note_{number}", text_en, text_nl, INPUT_NOTE_SOURCE))
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
        warnings += tuple(
            KorWarning("check_inputs", "Controleer de invoer", text_nl, False, INPUT_NOTE_SOURCE)
            for _, text_nl in s.input_warnings
        )
        if {w.code for w in warnings} & {"many_business_customers", "large_investment"}:
            rule_assumption("kvk_warning_heuristics")
        if s.foreign_or_reverse_charge:
            rule_assumption("incidental_returns")
    table = with_tax_status(table, s, tuple(used.values()))
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


def _margin(s: Scenario, vat: VatYears, i: int) -> MarginComparison:
    """Year ``i``'s margins, from the arrays ``vat`` was computed with (row 0)."""
    tax_year = s.tax_year(vat.years[i])
    with recording() as used:
        value("kor_threshold", tax_year)  # what compare_margin records for the year
    sales = vat.inputs[i]
    amounts = ("consumer_sales", "business_sales", "costs_with_vat", "costs_without_vat")
    inputs = {k: float(getattr(sales, k)[0]) for k in amounts}
    return margin_comparison(
        vat.margin_tables[i],
        0,
        tax_year,
        s.policy,
        inputs,
        float(sales.vat_rate[0]),
        s.input_vat_rate,
        vat.threshold[i],
        tuple(used.values()),
    )


def _schedule(s: Scenario, vat: VatYears) -> pd.DataFrame:
    """The herziening schedule of the assets from the arrays ``vat`` was computed with:
    the scenario's years, then the years after the last until every revision period ends."""
    years = [*vat.years, *vat.herziening_after_years]
    rows = {a.name: [float(year[k][0]) for year in vat.herziening_by_asset] for k, a in enumerate(s.assets)}
    share = {y: float(vat.kor.share[i][0]) for i, y in enumerate(vat.years)}
    share |= dict.fromkeys(vat.herziening_after_years, float(vat.share_after[0]))
    with recording() as used:
        frame = schedule_frame(s.assets, years, rows, lambda y: share.get(y, 0.0))
    frame.attrs["assumptions"] = tuple(used.values())
    return frame


#: The income side of a bv: not computed (NaN), see income_years_of.
NO_TAX = IncomeTax(*([np.nan] * 7))


def _no_deductions() -> Deductions:
    nan = np.nan
    return Deductions(0, nan, False, nan, nan, nan, nan, nan, nan, nan, nan, ())


NO_DEDUCTIONS = _no_deductions()


def income_years_of(record: Businesses, vat: VatYears) -> IncomeYears | None:
    """The income side of the record's businesses year by year (kortools.income_years).

    ``None`` for a bv (no ``person``): it pays vennootschapsbelasting, no
    ondernemersaftrek and no IB mkb-winstvrijstelling (deductions.md §1); kortools then
    compares the VAT only.
    """
    if record.person is None:
        rule_assumption("bv_vat_only")
        return None
    return income_by_year(vat, record)


def _table(
    s: Scenario, vat: VatYears, income: IncomeYears | None
) -> tuple[pd.DataFrame, dict[int, tuple[Deductions, Deductions]]]:
    rows, deductions = [], {}
    figures = with_moved_dates(s, advice_figures(vat, income, 0, ()))  # the status words, as advised
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
        status = [figures.status_nl[i], figures.status_en[i]]
        counted = float(plan.counted_turnover[i][0])
        rows.append(
            {
                "basis": s.basis(year),
                "turnover": s.turnover(year),
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
    assert set(table.columns) == set(COMPARISON_COLUMNS) - {"tax_status", "tax_status_nl"}
    return table, deductions


def with_tax_status(table: pd.DataFrame, s: Scenario, used: tuple[Assumption, ...]) -> pd.DataFrame:
    """``table`` with each year's ``tax_status`` and its Dutch words ``tax_status_nl``: the
    weakest status of the tax figures that year used (parameters.year_status; issue #34)."""
    marks = [year_status(used, y, s.tax_year(y)) for y in table.index]
    table = table.copy()
    table["tax_status"] = [status for status, _ in marks]
    table["tax_status_nl"] = [words for _, words in marks]
    return table[list(COMPARISON_COLUMNS)]


def _extrapolation(s: Scenario) -> None:
    """Record that years after the last year with tax data use that year's figures."""
    beyond = [y for y in s.years if s.tax_year(y) != y]
    if not beyond:
        return
    last = tax_years()[-1]
    note_assumption(
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


@dataclass(frozen=True)
class Calendar:
    """The calendar of many businesses seen from one day (issue #33): each one's start in
    force (None: whole years from 1 January of the first KOR year), whether it is in the KOR
    that day, and the first start and exit a request made that day reaches."""

    starts: tuple[dt.date | None, ...]
    in_kor: tuple[bool, ...]
    next_start: dt.date
    next_exit: dt.date


def advise_many(
    record: Businesses, calendar: Calendar | None = None
) -> tuple[VatYears, IncomeYears, list[tuple[Advice, tuple[KorWarning, ...]]]]:
    """The advice and KVK warnings of many businesses (the portfolio's record).

    What ``advise(evaluate(Scenario(...)))`` gives for each business, on the same arrays
    (the 500-random-clients test compares them figure by figure); ``calendar``: the dates
    the action is taken on (as :func:`with_moved_dates` gives a scenario's).
    """
    with recording() as used:
        vat = vat_by_year(record)
        income = income_by_year(vat, record)
    found = tuple(used.values())
    marks = [year_status(found, y, t) for y, t in zip(vat.years, record.tax_years, strict=True)]
    status, words = tuple(m[0] for m in marks), tuple(m[1] for m in marks)
    with recording():
        advice = []
        for row in range(record.n):
            warnings = scenario_warnings(vat, row, 0, False, False)
            figures = advice_figures(vat, income, row, warnings)
            figures = replace(figures, tax_status=status, tax_status_nl=words)
            if calendar is not None:
                figures = _on_calendar(figures, calendar, row)
            advice.append((build_advice(figures), warnings))
    return vat, income, advice


def _on_calendar(figures: AdviceFigures, calendar: Calendar, row: int) -> AdviceFigures:
    """Business ``row``'s figures with its calendar: in the KOR or not, the first start and exit
    still reachable, and the first KOR day of the table (the first year with a share, on the
    start in force when it is that year's, else 1 January)."""
    start = calendar.starts[row]
    year = next((y for y, share in zip(figures.years, figures.share, strict=True) if share > 0), None)
    first = (
        None if year is None else (start if start is not None and start.year == year else dt.date(year, 1, 1))
    )
    return replace(
        figures,
        in_kor=calendar.in_kor[row],
        next_start=calendar.next_start,
        next_exit=calendar.next_exit,
        first_kor_day=first,
    )


def _compare(self: Scenario) -> pd.DataFrame:
    """The per-year comparison table: deprecated, use ``kt.evaluate(scenario).table``.

    Kept working for older code as ``Scenario.compare``, set here (the evaluation imports the
    scenario, never the reverse: no import cycle, issue #36); ``kt.Scenario`` is read
    through this module so the method is there.
    """
    import warnings

    warnings.warn("Scenario.compare() is deprecated: use kt.evaluate(scenario).table", DeprecationWarning, 2)
    return evaluate(self).table


Scenario.compare = _compare  # type: ignore[attr-defined]

__all__ = ["COMPARISON_COLUMNS", "Calendar", "ScenarioResult", "advise_many", "evaluate", "vat_years_of"]
