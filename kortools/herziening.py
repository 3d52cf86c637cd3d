"""Herziening: revising investment VAT when joining or leaving the KOR (rules/herziening.md).

The KOR is modelled in whole calendar years ``kor_start_year..kor_last_year``.
Amounts are signed: + is VAT to repay (joining), − is an extra deduction
(leaving with goods bought under the KOR). Euros, unrounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kortools import _validate as v
from kortools.errors import InputError
from kortools.parameters import Assumption, rule_assumption, value

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


def revision_period(asset: Asset) -> int:
    """Years in the revision period, first-use year included (herziening.md §Which assets).

    Looked up for the asset's year of first use (the data start with the KOR of 2020; the
    5- and 10-year periods held before that too).
    """
    period = value("herziening_period", max(asset.first_use_year, FIRST_KOR_YEAR))[asset.kind]
    if period is None or (asset.kind == INVESTMENT_SERVICE and asset.first_use_year < 2026):
        raise InputError(
            f"kind of {asset.name}",
            asset.kind,
            "investment services on real estate are revised only when first used from 2026",
        )
    return period


def in_period(asset: Asset, year: int, period: int) -> bool:
    """first_use_year < year ≤ first_use_year + period − 1 (herziening.md §Pseudocode)."""
    return asset.first_use_year < year <= asset.first_use_year + period - 1


def yearly_share(asset: Asset, year: int, kor_years: range, period: int) -> float:
    """Signed share of ``asset`` for ``year``: +VAT/period repaid, −VAT/period extra deduction.

    Bought before the KOR (VAT deducted): repay the share for each KOR year in the
    period. Bought under the KOR (nothing deducted): an extra deduction for each
    year after the KOR that is still in the period.
    """
    if not in_period(asset, year, period):
        return 0.0
    share = asset.vat / period
    bought_under_kor = asset.first_use_year in kor_years
    if asset.first_use_year < kor_years.start and year in kor_years:
        return share
    if bought_under_kor and year >= kor_years.stop:
        return -share
    return 0.0


def below_minimum(total: float, minimum: float) -> bool:
    """The €500 rule: a bookyear's total under ``minimum`` is skipped (`< 500`, herziening.md)."""
    return abs(total) < minimum


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
    assets: Iterable[Asset], kor_start_year: int, kor_last_year: int | None = None
) -> pd.DataFrame:
    """Yearly herziening for joining (and leaving) the KOR (rules/herziening.md).

    Returns a DataFrame indexed by year (int) with one column per asset (its signed
    share), ``gross`` (the bookyear total), ``payable`` (after the €500 rule: 0 when
    ``|gross| < 500``, all or nothing over all assets) and ``below_minimum``.
    The years run from ``kor_start_year`` to the last year with any share;
    ``kor_last_year=None`` means the KOR does not end. ``df.attrs["assumptions"]``
    lists the unconfirmed rules the schedule depends on.
    """
    assets = _check_assets(assets)
    kor_years = _check_kor_years(kor_start_year, kor_last_year)
    periods = {a.name: revision_period(a) for a in assets}
    last = max([kor_years.start] + [a.first_use_year + periods[a.name] - 1 for a in assets])
    years = range(kor_years.start, last + 1)
    rows = {a.name: [yearly_share(a, y, kor_years, periods[a.name]) for y in years] for a in assets}
    gross = [sum(shares) for shares in zip(*rows.values(), strict=True)] or [0.0] * len(years)
    minimum = {y: float(value("herziening_minimum", y)) for y in years}
    below = [below_minimum(g, minimum[y]) and g != 0 for y, g in zip(years, gross, strict=True)]
    payable = [0.0 if skip else g for g, skip in zip(gross, below, strict=True)]
    frame = pd.DataFrame(
        {**rows, "gross": gross, "payable": payable, "below_minimum": below},
        index=pd.Index(list(years), name="year"),
    )
    frame = frame.astype({name: float for name in [*rows, "gross", "payable"]})
    frame.attrs["assumptions"] = herziening_assumptions(assets, kor_years, frame, minimum)
    return frame


def herziening_assumptions(
    assets: tuple[Asset, ...], kor_years: range, frame: pd.DataFrame, minimum: dict[int, float]
) -> tuple[Assumption, ...]:
    """The unconfirmed rules (herziening.md) this schedule relies on."""
    keys = ["herziening_whole_years"]
    if any(a.first_use_year == kor_years.start for a in assets):
        keys.append("herziening_same_year_asset")
    if any(a.kind == INVESTMENT_SERVICE for a in assets):
        keys.append("herziening_investment_service_500")
    if any(abs(abs(g) - minimum[y]) < 0.005 for y, g in zip(frame.index, frame["gross"], strict=True)):
        keys.append("herziening_500_boundary")
    return tuple(rule_assumption(k) for k in keys)
