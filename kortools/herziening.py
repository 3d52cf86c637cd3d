"""Herziening: revising investment VAT when joining or leaving the KOR (rules/herziening.md).

The yearly revision compares the right to deduct in a year with the deduction made
in the year of first use. Under the KOR there is no right to deduct, so with ``share``
the fraction of a year under the KOR, the revision of a year in the period is
VAT / period × (share(year) − share(first-use year)): + is VAT to repay (joining),
− is an extra deduction (leaving with goods bought under the KOR). A year with the
KOR for part of the year is revised pro rata (unconfirmed). Euros, unrounded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kortools import _validate as v
from kortools.errors import InputError
from kortools.kor_years import days_in
from kortools.parameters import recording, rule_assumption, tax_year_for, value

MOVABLE = "movable"
IMMOVABLE = "immovable"
INVESTMENT_SERVICE = "investment_service"
ASSET_KINDS = (MOVABLE, IMMOVABLE, INVESTMENT_SERVICE)

#: The KOR with herziening on joining exists from 1 January 2020 (art. 25 Wet OB, new KOR).
FIRST_KOR_YEAR = 2020
LAST_YEAR = 2100
#: Column names of the schedule that are not assets.
TOTAL_COLUMNS = ("gross", "payable", "below_minimum")


@dataclass(frozen=True)
class Asset:
    """An investment: ``vat`` is the VAT on its invoice, in euros.

    Whether that VAT was deducted follows from the KOR years: it was, unless the
    asset was first used in a KOR year (rules/herziening.md §How it runs).
    """

    name: str
    kind: str
    first_use_year: int
    vat: float
    #: the day of first use (issue #33): one first used outside the KOR period (before its
    #: start, after its exit) is regular, its VAT deducted in full; None: by the year's share
    first_use_date: dt.date | None = None

    def __post_init__(self):
        v.text("asset name", self.name, max_length=80)
        if self.name in TOTAL_COLUMNS:
            raise InputError("asset name", self.name, f"must not be one of {TOTAL_COLUMNS}")
        v.choice(f"kind of {self.name}", self.kind, ASSET_KINDS)
        object.__setattr__(
            self,
            "first_use_year",
            v.whole_number(f"first_use_year of {self.name}", self.first_use_year, 1950, LAST_YEAR),
        )
        object.__setattr__(self, "vat", v.amount(f"vat of {self.name}", self.vat))
        if self.first_use_date is not None:
            day = v.date(f"first_use_date of {self.name}", self.first_use_date)
            if day.year != self.first_use_year:
                raise InputError(
                    f"first_use_date of {self.name}",
                    day,
                    f"allowed a day of first_use_year {self.first_use_year}",
                )
            object.__setattr__(self, "first_use_date", day)

    @classmethod
    def bought(
        cls, name: str, kind: str, first_use_year: int, amount: float, *, including_vat: bool = False
    ) -> Asset:
        """An investment of ``amount`` at the general VAT rate of ``first_use_year``, the amount
        excl. VAT (or incl. it, ``including_vat``): its VAT is worked out (kor.md §7)."""
        year = v.whole_number(f"first_use_year of {name}", first_use_year, 1950, LAST_YEAR)
        rate = float(value("vat_rate_general", tax_year_for(year)))
        amount = v.amount(f"amount of {name}", amount)
        vat = amount * rate / (1 + rate) if including_vat else amount * rate
        return cls(name, kind, year, vat)

    def planned(self, today_year: int) -> bool:
        """First used this year or later (a plan), seen from ``today_year``; else a past one."""
        return self.first_use_year >= today_year


def revision_period(asset: Asset) -> int:
    """Years in the revision period, first-use year included (herziening.md §Which assets).

    Looked up for the asset's year of first use (the data start with the KOR of 2020; the
    5- and 10-year periods held before that too).
    """
    periods = value("herziening_period", max(asset.first_use_year, FIRST_KOR_YEAR))
    if periods[asset.kind] is None:
        first = first_year_revised(asset.kind)
        raise InputError(
            f"kind of {asset.name}",
            asset.kind,
            f"investment services on real estate are revised only when first used from {first}",
        )
    return periods[asset.kind]


def _period_values():
    from kortools.parameters import all_parameters

    return all_parameters()["herziening_period"].values


def investment_vat(price_excl_vat: float, year: int) -> float:
    """The VAT on an investment bought at the general rate in ``year`` (kor.md §7)."""
    return v.amount("price_excl_vat", price_excl_vat) * float(value("vat_rate_general", tax_year_for(year)))


def investment_price(vat: float, year: int) -> float:
    """The price excl. VAT of an investment whose VAT at the general rate of ``year`` is ``vat``."""
    return v.amount("vat", vat) / float(value("vat_rate_general", tax_year_for(year)))


def periods_by_kind(year: int) -> dict[str, int | None]:
    """The revision period of each asset kind first used in ``year`` (None: not revised)."""
    return dict(value("herziening_period", max(year, FIRST_KOR_YEAR)))


def first_year_revised(kind: str) -> int:
    """The first year of first use for which assets of ``kind`` are revised."""
    return min(p.since for p in _period_values() if p.value[kind] is not None)


def longest_revision_period() -> int:
    """The longest revision period in the data, in years (10: immovable property)."""
    return max(p for entry in _period_values() for p in entry.value.values() if p is not None)


def revision_periods(kinds, first_use_years) -> np.ndarray:
    """:func:`revision_period` for arrays of asset kinds and years of first use (one per business)."""
    kinds, first_use_years = np.asarray(kinds), np.asarray(first_use_years, dtype=int)
    periods = np.zeros(len(kinds), dtype=int)
    for kind, year in {(k, int(y)) for k, y in zip(kinds, first_use_years, strict=True)}:
        at = (kinds == kind) & (first_use_years == year)
        periods[at] = revision_period(Asset("asset", str(kind), year, 0.0))
    return periods


def revision_amounts(vat, first_use_year, period, year: int, share_in_year, share_in_first_use_year):
    """VAT / period × (share(year) − share(first use)) where first use < year ≤ first use + period − 1.

    Arrays or numbers (herziening.md §Pseudocode, generalised to part years).
    """
    inside = (first_use_year < year) & (year <= first_use_year + period - 1)
    return np.where(inside, vat / period * (share_in_year - share_in_first_use_year), 0.0)


def herziening_minimum(year: int) -> float:
    """The de-minimis amount of ``year`` (€500: herziening.md; deductions.md §11)."""
    return float(value("herziening_minimum", max(FIRST_KOR_YEAR, year)))


def schedule_minimum(schedule: pd.DataFrame) -> float:
    """The de-minimis amount a herziening schedule was made with (:func:`schedule_frame`
    puts it on the frame; else that of its first year)."""
    return float(schedule.attrs.get("minimum", herziening_minimum(int(schedule.index[0]))))


def payable_after_minimum(gross, year: int):
    """The €500 rule: a bookyear whose total is under the minimum is skipped (`< 500`)."""
    return np.where(np.abs(gross) < herziening_minimum(year), 0.0, gross)


def yearly_share(asset: Asset, year: int, kor_share: Callable[[int], float], period: int) -> float:
    """Signed revision of ``asset`` for ``year``: + repaid, − extra deduction (module docstring)."""
    return float(
        revision_amounts(
            asset.vat, asset.first_use_year, period, year, kor_share(year), kor_share(asset.first_use_year)
        )
    )


def kor_share_by_date(start: dt.date, end: dt.date | None, last_year: int) -> dict[int, float]:
    """Each year's share under a KOR from ``start`` to ``end`` (its last day; None: it goes
    on), ``start``'s year to ``last_year``, the sales spread evenly over the days: the
    ``kor_share`` of :func:`herziening_schedule` for a KOR by date (kor-dates.md §5; a part
    year is revised pro rata, herziening.md, unconfirmed). 1 April–31 December 2027:
    275 / 365."""
    if not isinstance(start, dt.date):
        raise InputError("start", start, "allowed a datetime.date")
    if end is not None and (not isinstance(end, dt.date) or end < start):
        raise InputError("end", end, f"allowed a date on or after the start ({start.isoformat()}), or None")
    shares = {}
    for year in range(start.year, max(last_year, start.year) + 1):
        first = max(start, dt.date(year, 1, 1))
        last = dt.date(year, 12, 31) if end is None else min(end, dt.date(year, 12, 31))
        days = (last - first).days + 1
        shares[year] = max(0, days) / days_in(year)
    return shares


def _check_kor_years(kor_start_year, kor_last_year) -> range:
    start = v.whole_number("kor_start_year", kor_start_year, FIRST_KOR_YEAR, LAST_YEAR)
    if kor_last_year is None:
        return range(start, LAST_YEAR + 1)
    last = v.whole_number("kor_last_year", kor_last_year, FIRST_KOR_YEAR, LAST_YEAR)
    if last < start:
        raise InputError("kor_last_year", kor_last_year, f"must be kor_start_year ({start}) or later")
    return range(start, last + 1)


def _check_assets(assets: Iterable[Asset]) -> tuple[Asset, ...]:
    if isinstance(assets, Asset):
        assets = (assets,)
    assets = tuple(assets)
    for asset in assets:
        if not isinstance(asset, Asset):
            raise InputError("assets", asset, "each must be a kortools.Asset")
    names = [a.name for a in assets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError("assets", duplicates, "asset names must be unique")
    return assets


def herziening_schedule(
    assets: Iterable[Asset],
    kor_start_year: int,
    kor_last_year: int | None = None,
    *,
    kor_share: Mapping[int, float] | None = None,
    last_year: int | None = None,
) -> pd.DataFrame:
    """Yearly herziening for joining (and leaving) the KOR (rules/herziening.md).

    Returns a DataFrame indexed by year (int) with one column per asset (its signed
    share), ``gross`` (the bookyear total), ``payable`` (after the €500 rule: 0 when
    ``|gross| < 500``, all or nothing over all assets) and ``below_minimum``.
    The KOR applies in ``kor_start_year..kor_last_year`` (``None``: it does not end), or,
    given ``kor_share`` (year → fraction of the year under the KOR, absent years 0),
    where that says. The years run from ``kor_start_year`` to the last year with any
    share (or ``last_year``). ``df.attrs["assumptions"]`` lists the unconfirmed rules
    and figures the schedule used.
    """
    assets = _check_assets(assets)
    kor_years = _check_kor_years(kor_start_year, kor_last_year)
    share = (lambda y: float(y in kor_years)) if kor_share is None else (lambda y: kor_share.get(y, 0.0))
    with recording() as used:
        periods = {a.name: revision_period(a) for a in assets}
        last = max([kor_years.start] + [a.first_use_year + periods[a.name] - 1 for a in assets])
        years = range(kor_years.start, max(last, last_year or last) + 1)
        rows = {a.name: [yearly_share(a, y, share, periods[a.name]) for y in years] for a in assets}
        frame = schedule_frame(assets, list(years), rows, share)
    frame.attrs["assumptions"] = tuple(used.values())
    return frame


def schedule_frame(
    assets: tuple[Asset, ...],
    years: list[int],
    rows: Mapping[str, Sequence[float]],
    kor_share: Callable[[int], float],
) -> pd.DataFrame:
    """The schedule's table from each asset's revision per year (the one shape of it, for
    :func:`herziening_schedule` and for :func:`kortools.evaluate`, which has the revisions
    from its arrays): per asset, ``gross``, ``payable`` after the minimum, ``below_minimum``.
    The unconfirmed rules it rests on are recorded (the caller puts them on the frame)."""
    gross = [sum(shares) for shares in zip(*rows.values(), strict=True)] or [0.0] * len(years)
    payable = [float(payable_after_minimum(g, y)) for y, g in zip(years, gross, strict=True)]
    below = [p == 0 and g != 0 for g, p in zip(gross, payable, strict=True)]
    amounts = {name: np.asarray(values, dtype=float) for name, values in {**rows, "gross": gross}.items()}
    frame = pd.DataFrame(
        {
            **amounts,
            "payable": np.asarray(payable, dtype=float),
            "below_minimum": np.asarray(below, dtype=bool),
        },
        index=pd.Index(list(years), name="year"),
    )
    herziening_assumptions(assets, kor_share, frame)
    frame.attrs["minimum"] = herziening_minimum(years[0])  # for the words around it
    return frame


def herziening_assumptions(
    assets: tuple[Asset, ...], kor_share: Callable[[int], float], frame: pd.DataFrame
) -> None:
    """Record the unconfirmed rules (herziening.md) this schedule relies on."""
    if not assets:
        return
    if any(0 < kor_share(y) < 1 for y in frame.index):  # a start, an exit or a crossing in a year
        rule_assumption("herziening_part_year")
    else:
        rule_assumption("herziening_whole_years")
    if any(kor_share(a.first_use_year) > 0 and kor_share(a.first_use_year - 1) == 0 for a in assets):
        rule_assumption("herziening_same_year_asset")
    if any(a.kind == INVESTMENT_SERVICE for a in assets):
        rule_assumption("herziening_investment_service_500")
    for year, gross in zip(frame.index, frame["gross"], strict=True):
        if abs(abs(gross) - herziening_minimum(year)) < 0.005:
            rule_assumption("herziening_500_boundary")
