"""Money for display: the model computes in unrounded float euros; round only here.

Rounding is to the cent, half up, after snapping binary noise at a millionth of
a euro: 13.31% × 55,050 = 7,327.155 shows as 7,327.16, as in rules/deductions.md §10,
and 4,950 + 7,327.155 (stored as 12,277.154999…) shows as 12,277.16.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
NOISE = Decimal("0.000001")


def to_cents(amount: float) -> float:
    """``amount`` rounded to the cent, half up (for display and comparison with the rules)."""
    if not math.isfinite(amount):
        return amount
    exact = Decimal(repr(float(amount))).quantize(NOISE)
    return float(exact.quantize(CENT, rounding=ROUND_HALF_UP))


def format_euro(amount: float, cents: bool = True) -> str:
    """Dutch notation: ``€ 1.234,56`` (``€ -840,00`` for a loss); whole euros with ``cents=False``."""
    if not math.isfinite(amount):
        return "—"
    if cents:
        text = f"{to_cents(amount):,.2f}"
    else:
        whole = Decimal(repr(float(amount))).quantize(NOISE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        text = f"{int(whole):,d}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_percent(fraction: float, decimals: int = 0) -> str:
    """Dutch notation: 0.127 → ``12,7%`` with ``decimals=1``."""
    return f"{fraction * 100:.{decimals}f}%".replace(".", ",")
