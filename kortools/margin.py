"""Margin with and without the KOR for a B2C/B2B mix (rules/margin.md).

Notation as in margin.md: ``Sc``/``Sb`` sales to consumers/businesses at today's
prices excl. VAT, ``r`` the VAT rate on sales, ``C`` costs excl. VAT that carry
VAT at ``r_in``, ``O`` costs without VAT. All money in euros as unrounded floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kortools import _validate as v
from kortools.parameters import Assumption, check_tax_year, recording, value

KEEP_CONSUMER_PRICES = "keep_consumer_prices"
KEEP_NET_PRICES = "keep_net_prices"
KEEP_MARGIN = "keep_margin"
POLICIES = (KEEP_CONSUMER_PRICES, KEEP_NET_PRICES, KEEP_MARGIN)


def vat_rates(year: int) -> tuple[float, float, float]:
    """The VAT rates on sales in ``year``: general, reduced, zero (kor.md §7), as fractions."""
    general, reduced, zero = (
        float(value(name, year)) for name in ("vat_rate_general", "vat_rate_reduced", "vat_rate_zero")
    )
    return general, reduced, zero


def regular_margin(sc, sb, c, o):
    """Regular VAT: VAT passes through, so margin = Sc + Sb − C − O (margin.md)."""
    return sc + sb - c - o


def kor_costs(c, o, r_in):
    """Under the KOR input VAT is a cost: C·(1 + r_in) + O (margin.md; kor.md §3)."""
    return c * (1 + r_in) + o


def kor_revenue_parts(sc, sb, c, r, r_in, policy: str):
    """Consumer and business revenue under the KOR for a pricing policy (margin.md table).

    ``keep_margin`` keeps consumer prices and sets the business revenue so the KOR
    margin equals the regular one: Sb' = Sb − r·Sc + r_in·C. A negative change is
    a price cut the KOR allows. Business revenue cannot go below 0, and with no
    business sales there is no price to change (``margin_kept`` is then False).
    """
    if policy == KEEP_NET_PRICES:
        return sc, sb
    consumer = sc * (1 + r)
    if policy == KEEP_CONSUMER_PRICES:
        return consumer, sb
    needed = sb - r * sc + r_in * c
    business = np.where(sb > 0, np.maximum(needed, 0.0), sb)
    return consumer, business


def break_even_consumer_sales(c, r, r_in):
    """Sc* = r_in·C / r: above it the KOR gains when consumer prices are kept (margin.md).

    Returns NaN where ``r`` is 0 and there is input VAT (no level of consumer sales breaks even).
    """
    lost = np.asarray(r_in * c, dtype=float)
    rate = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(lost == 0, 0.0, np.where(rate > 0, lost / np.where(rate > 0, rate, 1), np.nan))


def _margin_table(sc, sb, c, o, r, r_in, policy: str, threshold: float) -> dict[str, np.ndarray]:
    """Every margin figure for arrays (or scalars) of inputs: the one implementation."""
    consumer, business = kor_revenue_parts(sc, sb, c, r, r_in, policy)
    regular = regular_margin(sc, sb, c, o)
    kor_turnover = consumer + business
    kor = kor_turnover - kor_costs(c, o, r_in)
    business_change = business - sb
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        business_change_pct = np.where(sb > 0, business_change / np.where(sb > 0, sb, 1), np.nan)
    return {
        "regular_margin": regular,
        "kor_margin": kor,
        "gain": kor - regular,
        "regular_turnover": sc + sb,
        "consumers_pay_regular": sc * (1 + r),
        "consumers_pay_kor": consumer,
        "kor_turnover": kor_turnover,
        "within_threshold": kor_turnover <= threshold,
        "lost_input_vat": r_in * c,
        "b2b_price_change": business_change,
        "b2b_price_change_pct": business_change_pct,
        "break_even_consumer_sales": break_even_consumer_sales(c, r, r_in),
    }


@dataclass(frozen=True)
class MarginComparison:
    """Margin regular vs KOR for one year (margin.md); money in euros, unrounded."""

    year: int
    policy: str
    consumer_sales: float
    business_sales: float
    costs_with_vat: float
    costs_without_vat: float
    vat_rate: float
    input_vat_rate: float
    regular_margin: float
    kor_margin: float
    gain: float
    regular_turnover: float
    consumers_pay_regular: float  # Sc·(1 + r): consumers pay the price incl. VAT
    consumers_pay_kor: float  # what consumers pay under the KOR for the policy
    kor_turnover: float  # counted KOR turnover: the full amount charged (kor.md §1)
    threshold: float
    within_threshold: bool
    lost_input_vat: float
    b2b_price_change: float  # euros a year; keep_margin only, else 0
    b2b_price_change_pct: float | None  # None without business sales
    margin_kept: bool  # keep_margin: False when no business price can keep the margin
    break_even_consumer_sales: float | None  # None where no level breaks even (r = 0)
    assumptions: tuple[Assumption, ...]

    @property
    def threshold_excess(self) -> float:
        """Counted KOR turnover above the threshold (0 when within)."""
        return max(0.0, self.kor_turnover - self.threshold)


def _check_margin_inputs(vat_rate, input_vat_rate, policy, year) -> tuple[float, float, str, int]:
    return (
        v.rate("vat_rate", vat_rate),
        v.rate("input_vat_rate", input_vat_rate),
        v.choice("policy", policy, POLICIES),
        check_tax_year(year),
    )


def compare_margin(
    consumer_sales: float,
    business_sales: float,
    costs_with_vat: float,
    costs_without_vat: float = 0.0,
    vat_rate: float = 0.21,
    input_vat_rate: float = 0.21,
    policy: str = KEEP_CONSUMER_PRICES,
    year: int = 2025,
) -> MarginComparison:
    """Compare the yearly margin under regular VAT and under the KOR (rules/margin.md).

    Sales are at today's prices excluding VAT; ``costs_with_vat`` are excluding
    the VAT they carry at ``input_vat_rate``. The counted KOR turnover is tested
    against that year's threshold (rules/kor.md §1).
    """
    sc = v.amount("consumer_sales", consumer_sales)
    sb = v.amount("business_sales", business_sales)
    c = v.amount("costs_with_vat", costs_with_vat)
    o = v.amount("costs_without_vat", costs_without_vat)
    r, r_in, policy, year = _check_margin_inputs(vat_rate, input_vat_rate, policy, year)
    with recording() as used:
        threshold = float(value("kor_threshold", year))
    t = _margin_table(sc, sb, c, o, r, r_in, policy, threshold)
    inputs = {"consumer_sales": sc, "business_sales": sb, "costs_with_vat": c, "costs_without_vat": o}
    return margin_comparison(t, 0, year, policy, inputs, r, r_in, threshold, tuple(used.values()))


def margin_comparison(
    table: Mapping[str, np.ndarray],
    row: int,
    year: int,
    policy: str,
    inputs: Mapping[str, float],
    vat_rate: float,
    input_vat_rate: float,
    threshold: float,
    assumptions: tuple[Assumption, ...],
) -> MarginComparison:
    """Business ``row`` of a margin table (:func:`_margin_table`, arrays or numbers) as a
    :class:`MarginComparison`: :func:`compare_margin` and :func:`kortools.evaluate` both
    build theirs here."""

    def at(name: str) -> float:
        return float(np.asarray(table[name]).reshape(-1)[row])

    pct, break_even = at("b2b_price_change_pct"), at("break_even_consumer_sales")
    kor, regular = at("kor_margin"), at("regular_margin")
    return MarginComparison(
        year=year,
        policy=policy,
        consumer_sales=float(inputs["consumer_sales"]),
        business_sales=float(inputs["business_sales"]),
        costs_with_vat=float(inputs["costs_with_vat"]),
        costs_without_vat=float(inputs["costs_without_vat"]),
        vat_rate=float(vat_rate),
        input_vat_rate=float(input_vat_rate),
        regular_margin=regular,
        kor_margin=kor,
        gain=kor - regular,
        regular_turnover=at("regular_turnover"),
        consumers_pay_regular=at("consumers_pay_regular"),
        consumers_pay_kor=at("consumers_pay_kor"),
        kor_turnover=at("kor_turnover"),
        threshold=threshold,
        within_threshold=bool(np.asarray(table["within_threshold"]).reshape(-1)[row]),
        lost_input_vat=at("lost_input_vat"),
        b2b_price_change=at("b2b_price_change"),
        b2b_price_change_pct=None if np.isnan(pct) else pct,
        margin_kept=policy != KEEP_MARGIN or abs(kor - regular) <= 1e-6 * max(1.0, abs(regular)),
        break_even_consumer_sales=None if np.isnan(break_even) else break_even,
        assumptions=assumptions,
    )


def margin_sweep(
    consumer_sales,
    business_sales,
    costs_with_vat,
    costs_without_vat=0.0,
    vat_rate: float = 0.21,
    input_vat_rate: float = 0.21,
    policy: str = KEEP_CONSUMER_PRICES,
    year: int = 2025,
) -> pd.DataFrame:
    """:func:`compare_margin` for many cases at once: arrays in, one DataFrame row per case.

    The amounts broadcast against each other (numpy rules); no Python loop per case.
    """
    sc = v.amount_array("consumer_sales", consumer_sales)
    sb = v.amount_array("business_sales", business_sales)
    c = v.amount_array("costs_with_vat", costs_with_vat)
    o = v.amount_array("costs_without_vat", costs_without_vat)
    r, r_in, policy, year = _check_margin_inputs(vat_rate, input_vat_rate, policy, year)
    sc, sb, c, o = np.broadcast_arrays(sc, sb, c, o)
    threshold = float(value("kor_threshold", year))
    table = _margin_table(sc, sb, c, o, r, r_in, policy, threshold)
    inputs = {"consumer_sales": sc, "business_sales": sb, "costs_with_vat": c, "costs_without_vat": o}
    columns = {k: np.ravel(np.broadcast_to(a, sc.shape)) for k, a in {**inputs, **table}.items()}
    return pd.DataFrame(columns)


def gain_by_consumer_share(
    total_sales: float,
    costs_with_vat: float,
    costs_without_vat: float = 0.0,
    vat_rate: float = 0.21,
    input_vat_rate: float = 0.21,
    policy: str = KEEP_CONSUMER_PRICES,
    year: int = 2025,
    points: int = 101,
) -> pd.DataFrame:
    """KOR gain for consumer shares 0–100 % of ``total_sales`` (the break-even chart).

    Indexed by consumer share as a fraction 0..1.
    """
    total = v.amount("total_sales", total_sales)
    points = v.whole_number("points", points, 2, 100_001)
    share = np.linspace(0.0, 1.0, points)
    frame = margin_sweep(
        share * total,
        (1 - share) * total,
        costs_with_vat,
        costs_without_vat,
        vat_rate,
        input_vat_rate,
        policy,
        year,
    )
    frame.index = pd.Index(share, name="consumer_share")
    return frame
