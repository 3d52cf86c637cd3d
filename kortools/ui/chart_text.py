"""Each chart's figures in Dutch words: the text alternative of its image (issue #22 item 1,
WCAG 1.1.1). A screen reader says what a sighted reader sees: the amounts, not "a chart".
The words are built from the same figures the chart draws; none is computed here."""

from __future__ import annotations

import pandas as pd

from kortools.money import format_euro, format_percent


def _euro(amount: float) -> str:
    return format_euro(amount, cents=False)


def _gain_words(gain: float) -> str:
    return f"KOR-{'voordeel' if gain >= 0 else 'nadeel'} {_euro(abs(gain))}"


def margin_alt(regular_margin: float, kor_margin: float, gain: float, when: str = "per jaar") -> str:
    """The chart's title and bars: ``Marge 2026: KOR-voordeel € 960; € 12.800 gewoon, …``."""
    return f"Marge {when}: {_gain_words(gain)}; {_euro(regular_margin)} gewoon, {_euro(kor_margin)} met KOR."


def break_even_alt(share: float, gain: float, crossing_share: float | None) -> str:
    """The gain against the consumer share: where the client is and where it turns."""
    where = (
        "het KOR-voordeel verandert niet van teken tussen 0% en 100% consumenten"
        if crossing_share is None
        else f"omslagpunt bij {format_percent(crossing_share)} consumenten"
    )
    now = f"nu {format_percent(share)} consumenten, {_gain_words(gain)} per jaar"
    return f"Wanneer loont de KOR: {now}; {where}."


def by_year(values: pd.Series) -> str:
    """ "2026 € 840, 2027 € 840" (the index are years)."""
    return ", ".join(f"{year} {_euro(float(amount))}" for year, amount in values.items())


def herziening_alt(schedule: pd.DataFrame) -> str:
    if schedule.empty or not schedule["payable"].any():
        return "Herziening per jaar: niets terug te betalen."
    total = float(schedule["payable"].sum())
    return f"Herziening per jaar (terugbetalen): {by_year(schedule['payable'])}; in totaal {_euro(total)}."


def cumulative_alt(table: pd.DataFrame) -> str:
    years = "; ".join(
        f"{year}: {_euro(row.regular_profit)} gewoon, {_euro(row.kor_profit)} met KOR"
        for year, row in table.iterrows()
    )
    total = float(table["cumulative_difference"].iloc[-1]) if len(table) else 0.0
    return f"Winst per jaar. {years}. Verschil opgeteld: {_euro(total)}."


def net_by_turnover_alt(frame: pd.DataFrame, turnover: float) -> str:
    """The net incomes at the turnover nearest the client's, and the threshold."""
    row = frame.iloc[(frame["turnover"] - turnover).abs().argmin()]
    return (
        f"Netto inkomen bij meer of minder omzet ({frame.attrs['year']}): bij {_euro(row.turnover)} omzet "
        f"{_euro(row.regular_net_income)} zonder KOR en {_euro(row.kor_net_income)} met KOR; "
        f"omzetgrens {_euro(frame.attrs['threshold'])}."
    )


def deductions_alt(table: pd.DataFrame, parts: list[tuple[str, str]]) -> str:
    """``parts``: (column, Dutch label) of the parts the chart stacks."""
    shown = "; ".join(f"{label}: {by_year(table[column])}" for column, label in parts)
    return f"Aftrekposten per jaar. {shown}. Belastbare winst: {by_year(table['taxable_profit'])}."


def variants_alt(cumulative: dict[str, pd.Series]) -> str:
    last = "; ".join(
        f"{name} {_euro(float(s.iloc[-1]))} tot en met {s.index[-1]}"
        for name, s in cumulative.items()
        if len(s)
    )
    return f"Varianten, netto voordeel van de KOR opgeteld: {last}."


def waterfall_alt(parts: pd.Series, labels: dict[str, str], title: str) -> str:
    shown = ", ".join(f"{labels.get(str(k), str(k))} {_euro(float(v))}" for k, v in parts.items())
    return f"{title}: {shown}; netto {_euro(float(parts.name))}."  # type: ignore[arg-type]
