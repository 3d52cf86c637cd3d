"""Which years the KOR really applies, year by year, for one business or many at once.

The rules of rules/kor.md §1–§2 composed over a scenario's years:
- the KOR applies in a chosen year only if the counted turnover of the previous year
  was within the threshold (where ``kor_previous_year_test`` holds) and no re-entry
  block from an earlier exit is running (``kor_reentry``);
- in the KOR the counted turnover is the full amount charged; the supply that takes
  the year's total above the threshold ends the KOR, that day and the rest of the
  year are regular VAT. Sales are spread evenly over the year (or by a monthly
  pattern) to find that day; the year is split pro rata by the sales before it;
- the KOR starts on the first day of a return period and may end on the last day of
  one (kor-dates.md); a part year is split by the sales before the start and after the
  end (§5), and a voluntary exit blocks re-entry (§4).

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
NOT_CHOSEN, IN_KOR, CROSSED, PREVIOUS_TOO_HIGH, BARRED, NOT_POSSIBLE, TOO_LATE, AFTER_EXIT = range(8)
STATUS_NL = {
    NOT_POSSIBLE: "KOR niet mogelijk: btw-belaste verhuur",
    NOT_CHOSEN: "geen KOR gekozen",
    IN_KOR: "in KOR",
    CROSSED: "grens overschreden op {date}",
    PREVIOUS_TOO_HIGH: "omzet vorig jaar te hoog",
    BARRED: "nog niet toegestaan tot {date}",
    TOO_LATE: "aanmelden te laat: KOR pas vanaf {date}",
    AFTER_EXIT: "afgemeld; weer mogelijk vanaf {date}",
}
STATUS_EN = {
    NOT_POSSIBLE: "KOR not possible: VAT-taxed rental",
    NOT_CHOSEN: "KOR not chosen",
    IN_KOR: "in KOR",
    CROSSED: "threshold crossed on {date}",
    PREVIOUS_TOO_HIGH: "turnover last year too high",
    BARRED: "not allowed until {date}",
    TOO_LATE: "request too late: KOR only from {date}",
    AFTER_EXIT: "left the KOR; possible again from {date}",
}
#: Codes of years the business chose the KOR for but the rules (partly) refused it.
#: (NOT_POSSIBLE is not among them: it holds for every year, and its warning says why.)
REFUSED = (CROSSED, PREVIOUS_TOO_HIGH, BARRED, TOO_LATE)


def day_date(year: int, day: int) -> dt.date:
    """Day ``day`` of ``year`` (1 = 1 January) as a date."""
    return dt.date(year, 1, 1) + dt.timedelta(days=int(day) - 1)


def status_text(
    code: int,
    year: int,
    day: int,
    barred_until: int,
    dutch: bool = True,
    from_day: int = 1,
    until_day: int = 366,
    moved_to: int = 0,
) -> str:
    """The Dutch (or English) status of one year: ``day`` is the crossing day of the year,
    ``from_day``/``until_day`` the days the KOR was wanted (a part year says them),
    ``moved_to`` the start a late request moved the KOR to (a date ordinal)."""
    template = (STATUS_NL if dutch else STATUS_EN)[code]
    if code == IN_KOR:
        return template + _part_year_words(year, from_day, until_day, dutch)
    if code not in (CROSSED, BARRED, TOO_LATE, AFTER_EXIT):
        return template
    if code == CROSSED:
        date = day_date(year, day)
    elif code == TOO_LATE:
        date = dt.date.fromordinal(moved_to)
    else:
        date = dt.date(barred_until, 1, 1)
    return template.format(date=date_words(date, dutch))


def _part_year_words(year: int, from_day: int, until_day: int, dutch: bool) -> str:
    words = ""
    if from_day > 1:
        words += (" vanaf " if dutch else " from ") + date_words(day_date(year, from_day), dutch)
    if until_day < days_in(year):
        words += (" tot en met " if dutch else " up to ") + date_words(day_date(year, until_day), dutch)
    return words


def days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


@functools.lru_cache(maxsize=4096)  # the portfolio asks for the same few dates 100,000 times
def date_words(date: dt.date, dutch: bool = True) -> str:
    """A date a person reads: ``21 december 2025`` (Babel, nl_NL), or ``21 December 2025``."""
    return format_date(date, "d MMMM y", locale="nl_NL" if dutch else "en_GB")


def cumulative_sales_by_day(year: int, monthly_weights: Sequence[float] | None = None) -> np.ndarray:
    """Share of the year's sales made by the end of each day (the last element is 1).

    Evenly spread over the days, or each month's weight spread evenly over its days.
    """
    days = days_in(year)
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
    year: int, kor_turnover, threshold: float, monthly_weights=None, regular_turnover=0.0, from_day=1
) -> tuple[np.ndarray, np.ndarray]:
    """(day of the crossing supply, share of the year's sales before it) when in the KOR
    from ``from_day`` to the end of the year (kor.md §1; kor-dates.md §5).

    Before ``from_day`` the sales count at ``regular_turnover`` (excl. VAT), after it at
    ``kor_turnover`` (the whole price): the calendar year's total is tested. Day 0 and
    share 1 where the total stays within the threshold ("niet meer dan": exactly the
    threshold is within). The crossing supply itself is taxed; where the total is already
    above the threshold before the start, the crossing day is the start (share before it).
    """
    kor_turnover = np.asarray(kor_turnover, dtype=float)
    cumulative = cumulative_sales_by_day(year, monthly_weights)
    start = _share_before(cumulative, from_day)
    before_start = np.asarray(regular_turnover, dtype=float) * start
    total = before_start + kor_turnover * (1 - start)
    above = total > threshold
    with np.errstate(over="ignore"):  # a tiny KOR turnover: the limit is past the year's end
        rest = np.divide(
            threshold - before_start, kor_turnover, out=np.zeros_like(total), where=kor_turnover > 0
        )
    limit = np.where(above, start + np.maximum(rest, 0.0), 1.0)
    index = np.searchsorted(cumulative, limit, side="right")  # first day whose total is above
    index = np.maximum(np.minimum(index, len(cumulative) - 1), np.asarray(from_day) - 1)
    before = np.where(index > 0, cumulative[np.maximum(index - 1, 0)], 0.0)
    return np.where(above, index + 1, 0), np.where(above, before, 1.0)


def _share_before(cumulative: np.ndarray, day) -> np.ndarray:
    """The share of the year's sales made before day ``day`` (1 = 1 January: 0)."""
    day = np.asarray(day)
    return np.where(day > 1, cumulative[np.maximum(day - 2, 0)], 0.0)


def reentry_year(exit_year: int, crossing_day) -> np.ndarray:
    """First 1 January on or after the re-entry date of an exit on ``crossing_day`` (kor.md §2)."""
    rule = value("kor_reentry", exit_year)
    if rule["counted_from"] == "exit_year_start":
        return np.full(np.shape(crossing_day), exit_year + rule["years"])
    # Until 2024: the exit date + 3 years, so the next whole year after it unless it is 1 January.
    return exit_year + rule["years"] + (np.asarray(crossing_day) > 1)


@dataclass(frozen=True)
class KorDates:
    """The KOR by date (kor-dates.md), arrays over businesses; per-year fields are tuples over
    the years. Built by :func:`kortools.record.businesses_of` from ``Scenario.kor_start`` etc."""

    from_day: tuple[np.ndarray, ...]  # the day of the year the KOR is wanted from (1: 1 January)
    until_day: tuple[np.ndarray, ...]  # the last day of the year it is wanted
    late: tuple[np.ndarray, ...]  # the plan wanted this year, a late request moved the start past it
    moved_to: np.ndarray  # the start the late request moved the KOR to (date ordinal; 0: none)
    exit_year: np.ndarray  # the year of the first day without the KOR after a voluntary exit (0: none)
    reentry_year: np.ndarray  # the first year the KOR may start again after it (kor-dates.md §4)


@dataclass(frozen=True)
class KorYears:
    """Per year (a list over the years), arrays over businesses."""

    years: tuple[int, ...]
    share: list[np.ndarray]  # fraction of the year's sales (and costs) made under the KOR
    code: list[np.ndarray]  # status code (NOT_CHOSEN, IN_KOR, ...)
    day: list[np.ndarray]  # day of the year of the crossing supply (CROSSED), else 0
    barred_until: list[np.ndarray]  # first year the KOR may start again (BARRED, AFTER_EXIT)
    counted_turnover: list[np.ndarray]  # what counted for the threshold that year
    from_day: list[np.ndarray]  # the day of the year the KOR was wanted from (1: 1 January)
    until_day: list[np.ndarray]  # the last day it was wanted (the year's last day: all year)
    moved_to: np.ndarray  # the start a late request moved the KOR to (a date ordinal; 0: none)


def kor_years(
    years: Sequence[int],
    tax_years: Sequence[int],
    chosen: Sequence[np.ndarray],
    regular_turnover: Sequence[np.ndarray],
    kor_turnover: Sequence[np.ndarray],
    turnover_before: np.ndarray,
    monthly_weights: Sequence[float] | None = None,
    excluded: np.ndarray | None = None,
    dates: KorDates | None = None,
) -> KorYears:
    """Apply the KOR rules year by year (module docstring; rules/kor.md §1–§2).

    ``excluded``: businesses that cannot use the KOR at all (VAT-taxed rental of real
    estate, rules/kor.md §4): no year applies, their status says why.
    ``tax_years[i]`` is the year whose figures apply to ``years[i]``; ``chosen[i]`` says
    which businesses want the KOR that year; turnovers are counted turnover without and
    with the KOR (at the chosen prices) for a whole year; ``turnover_before`` is the
    counted turnover of the year before the first. ``dates``: the days of each year the
    KOR is wanted, a start moved by a late request, a voluntary exit (kor-dates.md);
    None: whole years.
    """
    previous = np.asarray(turnover_before, dtype=float)
    blocked_until = np.full(previous.shape, np.iinfo(np.int64).min, dtype=np.int64)
    impossible = (
        np.zeros(previous.shape, dtype=bool) if excluded is None else np.asarray(excluded, dtype=bool)
    )
    no_date = np.zeros(previous.shape, dtype=np.int64)
    out = KorYears(tuple(years), [], [], [], [], [], [], [], no_date if dates is None else dates.moved_to)
    for i, (year, tax_year, wanted, regular, kor) in enumerate(
        zip(years, tax_years, chosen, regular_turnover, kor_turnover, strict=True)
    ):
        last_day = days_in(year)
        from_day = np.ones(previous.shape, dtype=np.int64) if dates is None else dates.from_day[i]
        until_day = np.full(previous.shape, last_day) if dates is None else dates.until_day[i]
        threshold = float(value("kor_threshold", tax_year))
        previous_ok = ~np.asarray(value("kor_previous_year_test", tax_year)) | (previous <= threshold)
        barred = year < blocked_until
        applies = wanted & ~impossible & ~barred & previous_ok
        day, before = crossing(year, kor, threshold, monthly_weights, regular, from_day)
        crossed = applies & (day > 0) & (day <= until_day)
        cumulative = cumulative_sales_by_day(year, monthly_weights)
        start = _share_before(cumulative, from_day)
        end = np.where(crossed, before, cumulative[np.asarray(until_day) - 1])
        share = np.where(applies, np.maximum(end - start, 0.0), 0.0)
        late = np.zeros(previous.shape, dtype=bool) if dates is None else dates.late[i] & ~wanted
        after_exit = _after_exit(dates, year, wanted)
        code = np.select(
            [late, after_exit, ~wanted, impossible, barred, ~previous_ok, crossed],
            [TOO_LATE, AFTER_EXIT, NOT_CHOSEN, NOT_POSSIBLE, BARRED, PREVIOUS_TOO_HIGH, CROSSED],
            IN_KOR,
        )
        if crossed.any():
            blocked_until = np.where(crossed, reentry_year(year, day), blocked_until)
            rule_assumption("sales_spread_evenly")
        if applies.any():
            rule_assumption("kor_join_1_january" if dates is None else "kor_request_deadline")
        if (applies & ((from_day > 1) | (until_day < last_day))).any():
            rule_assumption("herziening_part_year")
        if (wanted & barred).any():
            rule_assumption("kor_rejoin_when_allowed")
        counted = share * kor + (1 - share) * regular
        out.share.append(share)
        out.code.append(code)
        out.day.append(np.where(crossed, day, 0))
        out.barred_until.append(
            np.where(
                barred, blocked_until, np.where(after_exit, 0 if dates is None else dates.reentry_year, 0)
            )
        )
        out.counted_turnover.append(counted)
        out.from_day.append(from_day)
        out.until_day.append(until_day)
        previous = counted
    return out


def _after_exit(dates: KorDates | None, year: int, wanted: np.ndarray) -> np.ndarray:
    """Years not wanted after a voluntary exit, within its re-entry block (kor-dates.md §4)."""
    if dates is None:
        return np.zeros(np.shape(wanted), dtype=bool)
    exited = dates.exit_year > 0
    return exited & ~wanted & (year >= dates.exit_year) & (year < dates.reentry_year)
