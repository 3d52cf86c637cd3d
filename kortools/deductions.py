"""Entrepreneur deductions for an IB-ondernemer (eenmanszaak) by year (rules/deductions.md).

Order (deductions.md §9): profit W − ondernemersaftrek OA − mkb-winstvrijstelling
= taxable profit. Euros as unrounded floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from kortools import _validate as v
from kortools.errors import InputError
from kortools.income_tax import income_tax
from kortools.parameters import Assumption, check_tax_year, recording, rule_assumption, value


def urencriterium_met(year: int, hours: float, other_work_hours: float = 0.0, starter: bool = False) -> bool:
    """≥ 1,225 hours, and more than on other work unless a starter (deductions.md §1).

    The second test (grotendeelscriterium) is waived while the business is new
    (not an entrepreneur in 1 or more of the 5 preceding years): ``starter``.
    """
    enough = hours >= value("urencriterium_hours", year)
    return enough and (starter or hours > other_work_hours)


def aow_factor(year: int, aow: bool) -> float:
    """0.5 on zelfstandigenaftrek and startersaftrek at AOW age on 1 January (deductions.md §2)."""
    return float(value("aow_factor", year)) if aow else 1.0


def meewerkaftrek_rate(year: int, partner_hours: float) -> float:
    """Share of profit by the partner's unpaid hours, bands "≥ from, < next" (deductions.md §5)."""
    rate = 0.0
    if partner_hours <= 0:
        return rate
    for band in value("meewerkaftrek_bands", year):
        if partner_hours >= band["from_hours"]:
            rate = band["rate"]
    return rate


def mkb_winstvrijstelling(year: int, profit_after_oa: float) -> float:
    """pct × (W − OA), sign kept: negative on a loss, which it reduces (deductions.md §7)."""
    return float(value("mkb_winstvrijstelling", year)) * profit_after_oa


def tax_value(year: int, aow: bool, profit: float, ondernemersaftrek: float, mkb: float) -> float:
    """Income tax and Zvw the deductions save: net income with them minus without them.

    Computed in full both ways (inkomstenbelasting.md §2): with the credits, the AOW-age
    brackets and the tariefsaanpassing only on deductions in the top bracket; not one
    marginal rate.
    """
    without = income_tax(year, aow, profit, 0.0, 0.0)
    return without.total - income_tax(year, aow, profit, ondernemersaftrek, mkb).total


@dataclass(frozen=True)
class Deductions:
    """The deductions of one year (deductions.md); euros, unrounded."""

    year: int
    profit: float
    urencriterium_met: bool
    zelfstandigenaftrek: float
    startersaftrek: float
    meewerkaftrek: float
    za_carry_forward_used: float  # earlier unused zelfstandigenaftrek used this year
    za_unused: float  # this year's zelfstandigenaftrek lost to the cap: carries forward 9 years
    ondernemersaftrek: float
    mkb_winstvrijstelling: float
    taxable_profit: float
    tax_value: float  # income tax and Zvw saved by all deductions (see tax_value)
    assumptions: tuple[Assumption, ...]

    @property
    def total(self) -> float:
        """Ondernemersaftrek + mkb-winstvrijstelling (deductions.md §10 'deduction total')."""
        return self.ondernemersaftrek + self.mkb_winstvrijstelling


def entrepreneur_deductions(
    year: int,
    profit: float,
    hours: float,
    starter: bool = False,
    aow: bool = False,
    partner_hours: float = 0.0,
    *,
    other_work_hours: float = 0.0,
    starter_uses: int = 0,
    za_carry_forward: float = 0.0,
) -> Deductions:
    """Ondernemersaftrek and mkb-winstvrijstelling for one year (rules/deductions.md §1–§9).

    ``starter``: not an entrepreneur in 1 or more of the 5 preceding years (the
    startersaftrek conditions b–d); ``starter_uses``: times the startersaftrek was
    already used (at most 3 in all). ``za_carry_forward``: unused zelfstandigenaftrek
    of earlier years still available. ``aow``: AOW age reached before 1 January.
    """
    with recording() as used:
        return _deductions(
            check_tax_year(year),
            profit,
            hours,
            starter,
            aow,
            partner_hours,
            other_work_hours,
            starter_uses,
            za_carry_forward,
            used,
        )


def _deductions(
    year, profit, hours, starter, aow, partner_hours, other_work_hours, starter_uses, za_carry_forward, used
) -> Deductions:
    w = v.amount("profit", profit, allow_negative=True)
    hours = v.hours("hours", hours)
    partner_hours = v.hours("partner_hours", partner_hours)
    other_work_hours = v.hours("other_work_hours", other_work_hours)
    starter, aow = v.flag("starter", starter), v.flag("aow", aow)
    max_uses = int(value("startersaftrek_max_uses", year))
    starter_uses = v.whole_number("starter_uses", starter_uses, 0, max_uses)
    pool = v.amount("za_carry_forward", za_carry_forward)

    met = urencriterium_met(year, hours, other_work_hours, starter)
    factor = aow_factor(year, aow)
    full_za = float(value("zelfstandigenaftrek", year)) * factor if met else 0.0
    gets_sa = met and starter and starter_uses < max_uses
    sa = float(value("startersaftrek", year)) * factor if gets_sa else 0.0
    # The cap "not more than profit" does not apply when the startersaftrek applies (§2).
    za = full_za if gets_sa else min(full_za, max(0.0, w))
    carry_used = min(pool, max(0.0, w - full_za)) if met else 0.0
    meewerk = meewerkaftrek_rate(year, partner_hours) * max(0.0, w) if met else 0.0
    oa = za + sa + meewerk + carry_used
    mkb = mkb_winstvrijstelling(year, w - oa)
    taxable = w - oa - mkb

    saved = tax_value(year, aow, w, oa, mkb)
    rule_assumption("net_income_scope")
    if carry_used > 0:
        rule_assumption("za_carry_forward_use")
    if meewerk > 0 and not gets_sa and w - oa < 0:
        rule_assumption("loss_with_meewerkaftrek")
    return Deductions(
        year=year,
        profit=w,
        urencriterium_met=met,
        zelfstandigenaftrek=za,
        startersaftrek=sa,
        meewerkaftrek=meewerk,
        za_carry_forward_used=carry_used,
        za_unused=full_za - za,
        ondernemersaftrek=oa,
        mkb_winstvrijstelling=mkb,
        taxable_profit=taxable,
        tax_value=saved,
        assumptions=tuple(used.values()),
    )


DEDUCTION_COLUMNS = (
    "zelfstandigenaftrek",
    "startersaftrek",
    "meewerkaftrek",
    "ondernemersaftrek",
    "mkb_winstvrijstelling",
    "total",
    "taxable_profit",
    "tax_value",
)


def is_starter(year: int, business_start_year: int | None) -> bool:
    """Not an entrepreneur in 1 or more of the preceding years (deductions.md §1, §3).

    A business started in X is a starter in X … X + window − 1 (window: 5 years).
    """
    if business_start_year is None:
        return False
    return business_start_year <= year < business_start_year + int(value("starter_window_years", year))


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
    """The deductions of one business year by year (deductions.md §2–§3).

    Counts the startersaftrek uses (at most ``startersaftrek_max_uses`` within the
    starter years) and keeps the 9-year pool of unused zelfstandigenaftrek. Call
    :meth:`year` for consecutive years.
    """

    business_start_year: int | None = None
    starter_uses: int = 0
    aow: bool = False
    pool: list[list[float]] = field(default_factory=list)  # [origin year, remaining], oldest first

    def year(
        self,
        year: int,
        profit: float,
        hours: float,
        partner_hours: float = 0.0,
        tax_year: int | None = None,
    ) -> Deductions:
        """The deductions of ``year`` (figures of ``tax_year``, default ``year``); updates the track."""
        tax_year = year if tax_year is None else tax_year
        keep = int(value("za_carry_forward_years", tax_year))
        self.pool = [p for p in self.pool if year - p[0] <= keep and p[1] > 0]
        max_uses = int(value("startersaftrek_max_uses", tax_year))
        d = entrepreneur_deductions(
            tax_year,
            profit,
            hours,
            is_starter(year, self.business_start_year) and self.starter_uses < max_uses,
            self.aow,
            partner_hours,
            starter_uses=min(self.starter_uses, max_uses),
            za_carry_forward=sum(p[1] for p in self.pool),
        )
        self.starter_uses += d.startersaftrek > 0
        used = d.za_carry_forward_used
        for entry in self.pool:
            take = min(entry[1], used)
            entry[1] -= take
            used -= take
        if d.za_unused > 0:
            self.pool.append([year, d.za_unused])
        return d


def deductions_frame(results: Iterable[Deductions]) -> pd.DataFrame:
    """Deductions of several years as a table: indexed by year, :data:`DEDUCTION_COLUMNS`."""
    results = list(results)
    frame = pd.DataFrame(
        {col: [getattr(d, col) for d in results] for col in DEDUCTION_COLUMNS},
        index=pd.Index([d.year for d in results], name="year"),
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
) -> pd.DataFrame:
    """Deductions of one profile in each of ``years``, counted as consecutive years.

    ``starter``: the business started in the first of ``years`` (or in
    ``business_start_year``); the startersaftrek is then given in at most
    ``startersaftrek_max_uses`` of the starter years, ``starter_uses`` of them used
    before. Indexed by year; columns :data:`DEDUCTION_COLUMNS` plus
    ``urencriterium_met``; ``df.attrs["assumptions"]`` holds the unconfirmed values used.
    """
    years = sorted(years)
    if not years:
        raise InputError("years", years, "allowed at least one year with tax data")
    start = business_start_year if business_start_year is not None else (years[0] if starter else None)
    track = DeductionTrack(start, starter_uses, aow)
    with recording():
        return deductions_frame(track.year(y, profit, hours, partner_hours) for y in years)
