"""Entrepreneur deductions for an IB-ondernemer (eenmanszaak) by year (rules/deductions.md).

Order (deductions.md §9): profit W − ondernemersaftrek OA − mkb-winstvrijstelling
= taxable profit. Euros as unrounded floats. The rules are written once on numpy
arrays (one element per business, :func:`deduction_arrays`); the public functions
check their input and call them for one business, the portfolio for many.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, TypeAlias

import numpy as np

from kortools import _validate as v
from kortools.errors import InputError
from kortools.income_tax import income_tax
from kortools.parameters import Assumption, check_tax_year, recording, rule_assumption, value


def urencriterium_met(year: int, hours, other_work_hours=0.0, starter=False):
    """≥ 1,225 hours, and more than on other work unless a starter (deductions.md §1).

    The second test (grotendeelscriterium) is waived while the business is new
    (not an entrepreneur in 1 or more of the 5 preceding years): ``starter``.
    """
    hours = np.asarray(hours, dtype=float)
    enough = hours >= value("urencriterium_hours", year)
    return enough & (np.asarray(starter, dtype=bool) | (hours > other_work_hours))


def aow_factor(year: int, aow):
    """0.5 on zelfstandigenaftrek and startersaftrek at AOW age on 1 January (deductions.md §2)."""
    aow = np.asarray(aow, dtype=bool)
    return np.where(aow, float(value("aow_factor", year)) if aow.any() else 1.0, 1.0)


def meewerkaftrek_rate(year: int, partner_hours):
    """Share of profit by the partner's unpaid hours, bands "≥ from, < next" (deductions.md §5)."""
    partner_hours = np.asarray(partner_hours, dtype=float)
    rate = np.zeros_like(partner_hours)
    if not np.any(partner_hours > 0):
        return rate
    for band in value("meewerkaftrek_bands", year):
        rate = np.where(partner_hours >= band["from_hours"], band["rate"], rate)
    return rate


def mkb_winstvrijstelling(year: int, profit_after_oa):
    """pct × (W − OA), sign kept: negative on a loss, which it reduces (deductions.md §7)."""
    return float(value("mkb_winstvrijstelling", year)) * profit_after_oa


def tax_value(year: int, aow, profit, ondernemersaftrek, mkb):
    """Income tax and Zvw the deductions save: net income with them minus without them.

    Computed in full both ways (inkomstenbelasting.md §2): with the credits, the AOW-age
    brackets and the tariefsaanpassing only on deductions in the top bracket; not one
    marginal rate.
    """
    without = income_tax(year, aow, profit, 0.0, 0.0)
    return without.total - income_tax(year, aow, profit, ondernemersaftrek, mkb).total


@dataclass(frozen=True)
class DeductionPart:
    """One part of the deductions, declared once: the :class:`Deductions` field, its Dutch
    and English label, its rule and its colour in the charts. The tables, charts, the PDF
    and the portfolio iterate :data:`ONDERNEMERSAFTREK_PARTS` / :data:`DEDUCTION_PARTS`; a
    new part is one line there and its rule in :func:`deduction_arrays`."""

    name: str
    label_nl: str
    label_en: str
    rule: str
    colour: str  # its bar in the deductions chart (issue #36 item 1: the part carries it)


#: The parts of the ondernemersaftrek (deductions.md §9: OA = their sum), in order.
ONDERNEMERSAFTREK_PARTS = (
    DeductionPart(
        "zelfstandigenaftrek", "Zelfstandigenaftrek", "Self-employed deduction", "deductions.md §2", "#4e79a7"
    ),
    DeductionPart("startersaftrek", "Startersaftrek", "Starters' deduction", "deductions.md §3", "#59a14f"),
    DeductionPart(
        "startersaftrek_ao",
        "Startersaftrek bij arbeidsongeschiktheid",
        "Starters' deduction with a disability benefit",
        "deductions.md §4",
        "#76b7b2",
    ),
    DeductionPart(
        "meewerkaftrek", "Meewerkaftrek", "Partner's work deduction", "deductions.md §5", "#b07aa1"
    ),
    DeductionPart("so_aftrek", "S&O-aftrek", "R&D deduction", "deductions.md §6", "#9c755f"),
    DeductionPart(
        "za_carry_forward_used",
        "Zelfstandigenaftrek uit eerdere jaren",
        "Self-employed deduction carried forward",
        "deductions.md §2",
        "#ff9da7",
    ),
)
MKB_PART = DeductionPart(
    "mkb_winstvrijstelling", "Mkb-winstvrijstelling", "SME profit exemption", "deductions.md §7", "#edc948"
)
#: Every part of the total deductions: the ondernemersaftrek's, then the mkb-winstvrijstelling.
DEDUCTION_PARTS = (*ONDERNEMERSAFTREK_PARTS, MKB_PART)


#: A figure of one business (a float, or a bool) or of many (an array; ``Deductions.row``).
FloatOrArray: TypeAlias = Any


@dataclass(frozen=True)
class Deductions:
    """The deductions of one year (deductions.md); euros, unrounded. Plain numbers for one
    business; arrays, one element per business, from :func:`deduction_arrays`."""

    year: int
    profit: FloatOrArray
    urencriterium_met: FloatOrArray
    zelfstandigenaftrek: FloatOrArray
    startersaftrek: FloatOrArray
    meewerkaftrek: FloatOrArray
    za_carry_forward_used: FloatOrArray  # earlier unused zelfstandigenaftrek used this year
    za_unused: FloatOrArray  # this year's zelfstandigenaftrek lost to the cap: carries forward 9 years
    ondernemersaftrek: FloatOrArray
    mkb_winstvrijstelling: FloatOrArray
    taxable_profit: FloatOrArray
    assumptions: tuple[Assumption, ...]
    aow: FloatOrArray = False
    startersaftrek_ao: FloatOrArray = 0.0  # startersaftrek bij arbeidsongeschiktheid (§4)
    so_aftrek: FloatOrArray = 0.0  # S&O-aftrek, starters' extra included (§6)
    counted_hours: FloatOrArray = 0.0  # hours for the hours tests, pregnancy weeks included (§1)

    @property
    def tax_value(self) -> float:
        """Income tax and Zvw saved by all deductions (:func:`tax_value`, computed when asked)."""
        return tax_value(self.year, self.aow, self.profit, self.ondernemersaftrek, self.mkb_winstvrijstelling)

    @property
    def total(self) -> float:
        """Ondernemersaftrek + mkb-winstvrijstelling (deductions.md §10 'deduction total')."""
        return self.ondernemersaftrek + self.mkb_winstvrijstelling

    def row(self, i: int) -> Deductions:
        """Business ``i`` of an array result (:func:`deduction_arrays`), as plain numbers."""

        def pick(x):
            return np.asarray(x).reshape(-1)[i].item()

        plain = {f: pick(getattr(self, f)) for f in ARRAY_FIELDS}
        return replace(self, **plain)


#: The fields that hold one figure per business (all but the year and the assumptions).
ARRAY_FIELDS = tuple(f.name for f in fields(Deductions) if f.name not in ("year", "assumptions"))


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
    disability_benefit: bool = False,
    sa_ao_uses: int = 0,
    so_hours: float = 0.0,
    so_uses: int = 0,
    pregnancy_weeks: float = 0.0,
    hours_per_week: float = 0.0,
) -> Deductions:
    """Ondernemersaftrek and mkb-winstvrijstelling for one year (rules/deductions.md §1–§9).

    ``starter``: not an entrepreneur in 1 or more of the 5 preceding years (the
    startersaftrek conditions b–d); ``starter_uses``: times the startersaftrek was
    already used (at most 3 in all). ``za_carry_forward``: unused zelfstandigenaftrek
    of earlier years still available. ``aow``: AOW age reached before 1 January.
    ``other_work_hours``: hours of other work (the second hours test, waived for a
    starter). ``disability_benefit``: entitled to an arbeidsongeschiktheidsuitkering
    (the startersaftrek bij arbeidsongeschiktheid, §4; ``sa_ao_uses`` earlier uses);
    ``so_hours``: hours of S&O work with an S&O-verklaring (§6; ``so_uses`` earlier
    uses); ``pregnancy_weeks`` not worked because of pregnancy count as
    ``hours_per_week`` each, at most 16 weeks (§1).
    """
    with recording() as used:
        year = check_tax_year(year)
        inputs = DeductionInputs(
            profit=v.amount("profit", profit, allow_negative=True),
            hours=v.hours("hours", hours),
            starter=v.flag("starter", starter),
            aow=v.flag("aow", aow),
            partner_hours=v.hours("partner_hours", partner_hours),
            other_work_hours=v.hours("other_work_hours", other_work_hours),
            starter_uses=v.whole_number(
                "starter_uses", starter_uses, 0, int(value("startersaftrek_max_uses", year))
            ),
            za_carry_forward=v.amount("za_carry_forward", za_carry_forward),
            disability=v.flag("disability_benefit", disability_benefit),
            sa_ao_uses=v.whole_number("sa_ao_uses", sa_ao_uses, 0, 10),
            so_hours=v.hours("so_hours", so_hours),
            so_uses=v.whole_number("so_uses", so_uses, 0, 10),
            pregnancy_weeks=v.number_in_range("pregnancy_weeks", pregnancy_weeks, 0, 52, "weeks"),
            hours_per_week=v.number_in_range("hours_per_week", hours_per_week, 0, 168, "hours a week"),
        )
        checked = deduction_arrays(year, inputs)
    return replace(checked.row(0), assumptions=tuple(used.values()))


def counted_hours(year: int, hours, pregnancy_weeks=0.0, hours_per_week=0.0):
    """Hours for the hours tests: weeks not worked because of pregnancy count, at most 16 (§1)."""
    weeks = np.asarray(pregnancy_weeks, dtype=float)
    if not np.any(weeks > 0):
        return np.asarray(hours, dtype=float)
    rule_assumption("pregnancy_hours")
    return hours + np.minimum(weeks, float(value("pregnancy_weeks", year))) * hours_per_week


def startersaftrek_ao(year: int, profit, counted, met, starter, aow, disability, uses):
    """Startersaftrek bij arbeidsongeschiktheid (§4): a starter with a disability benefit who
    works 800 but not 1,225 hours; 12,000 / 8,000 / 4,000 by earlier uses, capped at profit."""
    eligible = np.asarray(disability, dtype=bool) & starter & ~met & ~aow
    if not eligible.any():
        return np.zeros_like(profit)
    eligible = eligible & (counted >= float(value("reduced_hours_test", year)))
    amounts = value("startersaftrek_ao", year)
    uses = np.asarray(uses)
    amount = np.where(uses < len(amounts), np.asarray(amounts)[np.minimum(uses, len(amounts) - 1)], 0.0)
    rule_assumption("startersaftrek_ao_conditions")
    return np.where(eligible, np.minimum(amount, np.maximum(0.0, profit)), 0.0)


def so_aftrek(year: int, met, so_hours, starter, so_uses):
    """S&O-aftrek (§6): urencriterium met and at least 500 S&O hours; starters (at most 2
    earlier uses in the starter years) get the extra. No cap to profit was found."""
    so_hours = np.asarray(so_hours, dtype=float)
    if not np.any(so_hours > 0):
        return np.zeros(np.shape(met))
    figures = value("so_aftrek", year)
    if figures is None:
        raise InputError("so_hours", float(np.max(so_hours)), f"no S&O-aftrek figure for {year}")
    rule_assumption("so_aftrek_no_cap")
    eligible = met & (so_hours >= figures["min_hours"])
    extra = np.where(starter & (np.asarray(so_uses) <= 2), figures["starter_extra"], 0.0)
    return np.where(eligible, figures["amount"] + extra, 0.0)


@dataclass(frozen=True)
class DeductionInputs:
    """One year's inputs of the deductions, numbers or arrays over businesses (§1–§9).

    ``starter``: may get the startersaftrek (§3 b–d, earlier uses included);
    ``new_business``: not an entrepreneur in 1 or more of the 5 preceding years (None:
    ``starter``), which waives the second hours test (§1) and opens the SA-AO (§4) and the
    S&O starters' extra (§6) whatever the startersaftrek uses. ``starter_uses``,
    ``sa_ao_uses``, ``so_uses``: earlier uses; ``za_carry_forward``: unused
    zelfstandigenaftrek of earlier years still available.
    """

    profit: FloatOrArray
    hours: FloatOrArray
    starter: FloatOrArray = False
    aow: FloatOrArray = False
    partner_hours: FloatOrArray = 0.0
    other_work_hours: FloatOrArray = 0.0
    starter_uses: FloatOrArray = 0
    za_carry_forward: FloatOrArray = 0.0
    disability: FloatOrArray = False
    sa_ao_uses: FloatOrArray = 0
    so_hours: FloatOrArray = 0.0
    so_uses: FloatOrArray = 0
    pregnancy_weeks: FloatOrArray = 0.0
    hours_per_week: FloatOrArray = 0.0
    new_business: FloatOrArray = None


def deduction_arrays(year: int, x: DeductionInputs) -> Deductions:
    """The deductions of ``year`` on arrays (or numbers), one element per business (§1–§9),
    from the year's inputs ``x``.

    No input checks: the callers check. Returns a :class:`Deductions` of arrays
    (``.row(i)`` gives one business); the unconfirmed values and rules used are recorded.
    """
    w = np.asarray(x.profit, dtype=float)
    starter, aow = np.asarray(x.starter, dtype=bool), np.asarray(x.aow, dtype=bool)
    new = starter if x.new_business is None else np.asarray(x.new_business, dtype=bool)
    max_uses = int(value("startersaftrek_max_uses", year))
    hours = counted_hours(year, x.hours, x.pregnancy_weeks, x.hours_per_week)
    met = urencriterium_met(year, hours, x.other_work_hours, new)
    factor = aow_factor(year, aow)
    full_za = np.where(met, float(value("zelfstandigenaftrek", year)) * factor, 0.0) if met.any() else 0.0 * w
    gets_sa = met & starter & (np.asarray(x.starter_uses) < max_uses)
    sa = np.where(gets_sa, float(value("startersaftrek", year)) * factor, 0.0) if gets_sa.any() else 0.0 * w
    # The cap "not more than profit" does not apply when the startersaftrek applies (§2).
    za = np.where(gets_sa, full_za, np.minimum(full_za, np.maximum(0.0, w)))
    carry_used = np.where(met, np.minimum(x.za_carry_forward, np.maximum(0.0, w - full_za)), 0.0)
    meewerk = np.where(met, meewerkaftrek_rate(year, x.partner_hours) * np.maximum(0.0, w), 0.0)
    sa_ao = startersaftrek_ao(year, w, hours, met, new, aow, x.disability, x.sa_ao_uses)
    so = so_aftrek(year, met, x.so_hours, new, x.so_uses)
    parts = {
        "zelfstandigenaftrek": za,
        "startersaftrek": sa,
        "startersaftrek_ao": sa_ao,
        "meewerkaftrek": meewerk,
        "so_aftrek": so,
        "za_carry_forward_used": carry_used,
    }
    oa = sum((np.asarray(parts[p.name], dtype=float) for p in ONDERNEMERSAFTREK_PARTS), np.zeros_like(w))
    mkb = mkb_winstvrijstelling(year, w - oa)
    taxable = w - oa - mkb

    rule_assumption("net_income_scope")
    if np.any(carry_used > 0):
        rule_assumption("za_carry_forward_use")
    if np.any((meewerk > 0) & ~gets_sa & (w - oa < 0)):
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
        assumptions=(),
        aow=aow,
        startersaftrek_ao=sa_ao,
        so_aftrek=so,
        counted_hours=hours,
    )


DEDUCTION_COLUMNS = (
    "profit",
    *(p.name for p in ONDERNEMERSAFTREK_PARTS),
    "ondernemersaftrek",
    "mkb_winstvrijstelling",
    "total",
    "taxable_profit",
    "tax_value",
)
