"""Which years the KOR really applies, year by year, for one business or many at once.

The rules of rules/kor.md §1–§2 composed over a scenario's years:
- the KOR applies in a chosen year only if the counted turnover of the previous year
  was within the threshold (where ``kor_previous_year_test`` holds) and no re-entry
  block from an earlier exit is running (``kor_reentry``);
- in the KOR the counted turnover is the full amount charged; the supply that takes
  the year's total above the threshold ends the KOR, that day and the rest of the
  year are regular VAT. Sales are spread evenly over the year (or by a monthly
  pattern) to find that day; the year is split pro rata by the sales before it;
- the KOR starts on 1 January of a year (a whole-year model, said as an assumption).

Everything here works on numpy arrays, one element per business, so the portfolio
run and :func:`kortools.evaluate` share one implementation. Euros, unrounded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from babel.dates import format_date

from kortools.parameters import rule_assumption, value

# Status codes of a year (``KorYears.code``), with their Dutch and English text.
NOT_CHOSEN, IN_KOR, CROSSED, PREVIOUS_TOO_HIGH, BARRED, NOT_POSSIBLE = range(6)
STATUS_NL = {
    NOT_POSSIBLE: "KOR niet mogelijk: btw-belaste verhuur",
    NOT_CHOSEN: "geen KOR gekozen",
    IN_KOR: "in KOR",
    CROSSED: "grens overschreden op {date}",
    PREVIOUS_TOO_HIGH: "omzet vorig jaar te hoog",
    BARRED: "nog niet toegestaan tot {date}",
}
STATUS_EN = {
    NOT_POSSIBLE: "KOR not possible: VAT-taxed rental",
    NOT_CHOSEN: "KOR not chosen",
    IN_KOR: "in KOR",
    CROSSED: "threshold crossed on {date}",
    PREVIOUS_TOO_HIGH: "turnover last year too high",
    BARRED: "not allowed until {date}",
}
#: Codes of years the business chose the KOR for but the rules (partly) refused it.
#: (NOT_POSSIBLE is not among them: it holds for every year, and its warning says why.)
REFUSED = (CROSSED, PREVIOUS_TOO_HIGH, BARRED)


def status_text(code: int, year: int, day: int, barred_until: int, dutch: bool = True) -> str:
    """The Dutch (or English) status of one year: the day is the crossing day of the year."""
    template = (STATUS_NL if dutch else STATUS_EN)[code]
    if code not in (CROSSED, BARRED):
        return template
    if code == CROSSED:
        date = dt.date(year, 1, 1) + dt.timedelta(days=day - 1)
    else:
        date = dt.date(barred_until, 1, 1)
    return template.format(date=date_words(date, dutch))


@functools.lru_cache(maxsize=4096)  # the portfolio asks for the same few dates 100,000 times
def date_words(date: dt.date, dutch: bool = True) -> str:
    """A date a person reads: ``21 december 2025`` (Babel, nl_NL), or ``21 December 2025``."""
    return format_date(date, "d MMMM y", locale="nl_NL" if dutch else "en_GB")


def cumulative_sales_by_day(year: int, monthly_weights: Sequence[float] | None = None) -> np.ndarray:
    """Share of the year's sales made by the end of each day (the last element is 1).

    Evenly spread over the days, or each month's weight spread evenly over its days.
    """
    days = 366 if calendar.isleap(year) else 365
    if monthly_weights is None:
        daily = np.full(days, 1.0 / days)
    else:
        weights = np.asarray(monthly_weights, dtype=float)
        weights = weights / weights.sum()
        lengths = [calendar.monthrange(year, m)[1] for m in range(1, 13)]
        daily = np.repeat(weights / lengths, lengths)
    cumulative = np.cumsum(daily)
    cumulative[-1] = 1.0
    return cumulative


def crossing(
    year: int, kor_turnover, threshold: float, monthly_weights=None
) -> tuple[np.ndarray, np.ndarray]:
    """(day of the crossing supply, share of sales before it) when in the KOR all year (kor.md §1).

    Day 0 and share 1 where the KOR turnover stays within the threshold ("niet meer
    dan": exactly the threshold is within). The crossing supply itself is taxed.
    """
    kor_turnover = np.asarray(kor_turnover, dtype=float)
    cumulative = cumulative_sales_by_day(year, monthly_weights)
    above = kor_turnover > threshold
    limit = np.divide(threshold, kor_turnover, out=np.ones_like(kor_turnover), where=above)
    index = np.searchsorted(cumulative, limit, side="right")  # first day whose total is above
    index = np.minimum(index, len(cumulative) - 1)
    before = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
    return np.where(above, index + 1, 0), np.where(above, before, 1.0)


def reentry_year(exit_year: int, crossing_day) -> np.ndarray:
    """First 1 January on or after the re-entry date of an exit on ``crossing_day`` (kor.md §2)."""
    rule = value("kor_reentry", exit_year)
    if rule["counted_from"] == "exit_year_start":
        return np.full(np.shape(crossing_day), exit_year + rule["years"])
    # Until 2024: the exit date + 3 years, so the next whole year after it unless it is 1 January.
    return exit_year + rule["years"] + (np.asarray(crossing_day) > 1)


@dataclass(frozen=True)
class KorYears:
    """Per year (a list over the years), arrays over businesses."""

    years: tuple[int, ...]
    share: list[np.ndarray]  # fraction of the year's sales (and costs) made under the KOR
    code: list[np.ndarray]  # status code (NOT_CHOSEN, IN_KOR, ...)
    day: list[np.ndarray]  # day of the year of the crossing supply (CROSSED), else 0
    barred_until: list[np.ndarray]  # first year the KOR may start again (BARRED)
    counted_turnover: list[np.ndarray]  # what counted for the threshold that year


def kor_years(
    years: Sequence[int],
    tax_years: Sequence[int],
    chosen: Sequence[np.ndarray],
    regular_turnover: Sequence[np.ndarray],
    kor_turnover: Sequence[np.ndarray],
    turnover_before: np.ndarray,
    monthly_weights: Sequence[float] | None = None,
    excluded: np.ndarray | None = None,
) -> KorYears:
    """Apply the KOR rules year by year (module docstring; rules/kor.md §1–§2).

    ``excluded``: businesses that cannot use the KOR at all (VAT-taxed rental of real
    estate, rules/kor.md §4): no year applies, their status says why.
    ``tax_years[i]`` is the year whose figures apply to ``years[i]``; ``chosen[i]`` says
    which businesses want the KOR that year; turnovers are counted turnover without and
    with the KOR (at the chosen prices) for a whole year; ``turnover_before`` is the
    counted turnover of the year before the first.
    """
    previous = np.asarray(turnover_before, dtype=float)
    blocked_until = np.full(previous.shape, np.iinfo(np.int64).min, dtype=np.int64)
    impossible = (
        np.zeros(previous.shape, dtype=bool) if excluded is None else np.asarray(excluded, dtype=bool)
    )
    out = KorYears(tuple(years), [], [], [], [], [])
    for year, tax_year, wanted, regular, kor in zip(
        years, tax_years, chosen, regular_turnover, kor_turnover, strict=True
    ):
        threshold = float(value("kor_threshold", tax_year))
        previous_ok = ~np.asarray(value("kor_previous_year_test", tax_year)) | (previous <= threshold)
        barred = year < blocked_until
        applies = wanted & ~impossible & ~barred & previous_ok
        day, before = crossing(year, kor, threshold, monthly_weights)
        crossed = applies & (day > 0)
        share = np.where(applies, before, 0.0)
        code = np.select(
            [~wanted, impossible, barred, ~previous_ok, crossed],
            [NOT_CHOSEN, NOT_POSSIBLE, BARRED, PREVIOUS_TOO_HIGH, CROSSED],
            IN_KOR,
        )
        if crossed.any():
            blocked_until = np.where(crossed, reentry_year(year, day), blocked_until)
            rule_assumption("sales_spread_evenly")
        if applies.any():
            rule_assumption("kor_join_1_january")
        if (wanted & barred).any():
            rule_assumption("kor_rejoin_when_allowed")
        counted = share * kor + (1 - share) * regular
        out.share.append(share)
        out.code.append(code)
        out.day.append(np.where(crossed, day, 0))
        out.barred_until.append(np.where(barred, blocked_until, 0))
        out.counted_turnover.append(counted)
        previous = counted
    return out
