"""The entrepreneur deductions counted over consecutive years (rules/deductions.md §1–§3).

One year's rules are in :mod:`kortools.deductions`; here what runs across years: whether
the business is new (the 5-year lookback), the startersaftrek uses (at most 3), the
9-year pool of unused zelfstandigenaftrek, and the table of several years. On arrays,
one element per business, like the one-year rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kortools import _validate as v
from kortools.deductions import DEDUCTION_COLUMNS, DeductionInputs, Deductions, deduction_arrays
from kortools.errors import InputError
from kortools.inputs import DEDUCTION_INPUTS, DEDUCTION_YEARLY, INPUTS
from kortools.parameters import check_tax_year, recording, rule_assumption, value


def is_starter(year: int, business_start_year):
    """Not an entrepreneur in 1 or more of the preceding years (deductions.md §1, §3).

    A business started in X is a starter in X … X + window − 1 (window: 5 years).
    ``business_start_year``: a year, None, or an array of years (NaN: none).
    """
    if business_start_year is None:
        return False
    start = np.asarray(business_start_year, dtype=float)
    window = int(value("starter_window_years", year))
    starter = (start <= year) & (year < start + window)
    return bool(starter) if starter.ndim == 0 else starter


def starter_uses_before(business_start_year: int | None, first_year: int, max_uses: int) -> int:
    """Startersaftrek uses before ``first_year``: one a starter year, at most ``max_uses``.

    Assumes the urencriterium was met in every year since the start (recorded).
    """
    if business_start_year is None or business_start_year >= first_year:
        return 0
    uses = sum(is_starter(y, business_start_year) for y in range(business_start_year, first_year))
    if uses:
        rule_assumption("starter_uses_derived")
    return min(uses, max_uses)


@dataclass
class DeductionTrack:
    """The deductions of businesses year by year (deductions.md §2–§3), on arrays.

    Counts the startersaftrek uses (at most ``startersaftrek_max_uses`` within the
    starter years) and keeps the 9-year pool of unused zelfstandigenaftrek. Call
    :meth:`year` for consecutive years. ``business_start_year``: NaN (or None) where
    unknown; numbers for one business, arrays for many.
    """

    business_start_year: object = None
    starter_uses: object = 0
    aow: object = False
    disability: object = False
    hours_per_week: object = 0.0
    pool: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (origin year, remaining)
    sa_ao_uses: object = 0
    so_uses: object = 0

    def year(self, year, profit, hours, partner_hours=0.0, tax_year=None, **yearly) -> Deductions:
        """The deductions of ``year`` (figures of ``tax_year``, default ``year``); updates the track.

        ``yearly``: the year's other inputs the deductions read, by their names in the input
        catalogue (kortools.inputs ``DEDUCTION_YEARLY``: ``other_work_hours``, ``so_hours``,
        ``pregnancy_weeks``, …); one not given is at its default there.
        """
        refuse_unknown("DeductionTrack.year", yearly, DEDUCTION_YEARLY)
        given = {"hours": hours, "partner_hours": partner_hours, **yearly}
        inputs_of_year = {name: given.get(name, INPUTS[name].default) for name in DEDUCTION_YEARLY}
        tax_year = year if tax_year is None else tax_year
        start = np.nan if self.business_start_year is None else self.business_start_year
        with recording() as used:
            keep = int(value("za_carry_forward_years", tax_year))
            self.pool = [(origin, left) for origin, left in self.pool if year - origin <= keep]
            max_uses = int(value("startersaftrek_max_uses", tax_year))
            uses = np.asarray(self.starter_uses)
            starter = is_starter(year, start)
            inputs = DeductionInputs(
                profit=profit,
                starter=starter & (uses < max_uses),
                aow=self.aow,
                starter_uses=np.minimum(uses, max_uses),
                za_carry_forward=sum(
                    (left for _, left in self.pool), np.zeros_like(np.asarray(profit, dtype=float))
                ),
                disability=self.disability,
                sa_ao_uses=self.sa_ao_uses,
                so_uses=self.so_uses,
                hours_per_week=self.hours_per_week,
                new_business=starter,
                **inputs_of_year,
            )
            d = deduction_arrays(tax_year, inputs)
        self.starter_uses = uses + (np.asarray(d.startersaftrek) > 0)
        self.sa_ao_uses = np.asarray(self.sa_ao_uses) + (np.asarray(d.startersaftrek_ao) > 0)
        self.so_uses = np.asarray(self.so_uses) + (starter & (np.asarray(d.so_aftrek) > 0))
        taken = np.asarray(d.za_carry_forward_used)
        for i, (origin, left) in enumerate(self.pool):
            take = np.minimum(left, taken)
            self.pool[i] = (origin, left - take)
            taken = taken - take
        if np.any(np.asarray(d.za_unused) > 0):
            self.pool.append((year, np.asarray(d.za_unused)))
        return replace(d, assumptions=tuple(used.values()))


#: The deduction inputs of the catalogue the entry points take by name beside their own
#: keywords (hours, partner_hours, other_work_hours): so_hours, pregnancy_weeks, hours_per_week.
DEDUCTION_KEYWORDS = tuple(
    n for n in DEDUCTION_INPUTS if n not in ("hours", "partner_hours", "other_work_hours")
)


def refuse_unknown(function: str, inputs: Mapping[str, object], known: tuple[str, ...]) -> None:
    """A TypeError naming ``function``, the names of ``inputs`` not ``known`` and the known ones."""
    unknown = set(inputs) - set(known)
    if unknown:
        raise TypeError(f"{function}() got unexpected inputs {sorted(unknown)}; known: {known}")


def checked_deduction_inputs(function: str, inputs: dict[str, float]) -> dict[str, float]:
    """``inputs`` checked by the catalogue (name known, value in its range; an InputError
    names the input), else TypeError naming ``function`` and the known names."""
    refuse_unknown(function, inputs, DEDUCTION_KEYWORDS)
    return {name: INPUTS[name].check(name, value) for name, value in inputs.items()}


def deductions_frame(results: Iterable[Deductions], years: Iterable[int] | None = None) -> pd.DataFrame:
    """Deductions of several years as a table: indexed by year (default: each one's tax
    year), :data:`DEDUCTION_COLUMNS`."""
    results = list(results)
    frame = pd.DataFrame(
        {col: [getattr(d, col) for d in results] for col in DEDUCTION_COLUMNS},
        index=pd.Index([d.year for d in results] if years is None else list(years), name="year"),
    )
    frame["urencriterium_met"] = [d.urencriterium_met for d in results]
    frame.attrs["assumptions"] = tuple(dict.fromkeys(a for d in results for a in d.assumptions))
    return frame


def deductions_table(
    years: Iterable[int],
    profit: float,
    hours: float,
    starter: bool = False,
    aow: bool = False,
    partner_hours: float = 0.0,
    *,
    business_start_year: int | None = None,
    starter_uses: int = 0,
    other_work_hours: float = 0.0,
    **inputs: float,
) -> pd.DataFrame:
    """Deductions of one profile in each of ``years``, counted as consecutive years.

    ``starter``: the business started in the first of ``years`` (or in
    ``business_start_year``); the startersaftrek is then given in at most
    ``startersaftrek_max_uses`` of the starter years, ``starter_uses`` of them used
    before; ``other_work_hours``: hours in employment or other work (the urencriterium's
    "more than half" test, deductions.md §1); ``inputs``: the catalogue's other deduction
    inputs by name (kortools.inputs: ``so_hours``, ``pregnancy_weeks``, ``hours_per_week``),
    the same each year. Indexed by year; columns :data:`DEDUCTION_COLUMNS` plus
    ``urencriterium_met``; ``df.attrs["assumptions"]`` holds the unconfirmed values used.
    """
    years = sorted(years)
    if not years:
        raise InputError("years", years, "allowed at least one year with tax data")
    for year in years:
        check_tax_year(year)
    profit = v.amount("profit", profit, allow_negative=True)
    hours, partner_hours = v.hours("hours", hours), v.hours("partner_hours", partner_hours)
    other_work_hours = v.hours("other_work_hours", other_work_hours)
    more = checked_deduction_inputs("deductions_table", inputs)
    hours_per_week = more.pop("hours_per_week", INPUTS["hours_per_week"].default)
    starter, aow = v.flag("starter", starter), v.flag("aow", aow)
    start = business_start_year if business_start_year is not None else (years[0] if starter else None)
    uses = v.whole_number("starter_uses", starter_uses, 0, 10)
    track = DeductionTrack(start, uses, aow, hours_per_week=hours_per_week)
    with recording():
        rows = (
            track.year(y, profit, hours, partner_hours, other_work_hours=other_work_hours, **more)
            for y in years
        )
        return deductions_frame(d.row(0) for d in rows)
