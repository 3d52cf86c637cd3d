"""Validation at the boundary of the public functions (STYLE.md: validate once, raise InputError)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np

from kortools.errors import InputError

#: Largest amount accepted, in euros. Far above any KOR business, low enough that
#: no product or sum in the model can overflow to infinity.
MAX_AMOUNT = 1e12
MAX_HOURS = 8784.0  # hours in a leap year


def _as_float(field: str, value: Any, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | np.number):
        raise InputError(field, value, f"must be a number; {allowed}")
    number = float(value)
    if math.isnan(number):
        raise InputError(field, value, f"is not a number (NaN); {allowed}")
    return number


def number_in_range(field: str, value: Any, low: float, high: float, what: str = "") -> float:
    """Return ``value`` as a float if ``low <= value <= high``, else raise InputError."""
    allowed = f"allowed {low:,.10g} to {high:,.10g}{' ' + what if what else ''}"
    number = _as_float(field, value, allowed)
    if not low <= number <= high:
        raise InputError(field, value, allowed, low=low, high=high)
    return number


def amount(field: str, value: Any, *, allow_negative: bool = False) -> float:
    """An amount in euros: finite, at most MAX_AMOUNT in size, non-negative unless allowed."""
    low = -MAX_AMOUNT if allow_negative else 0.0
    return number_in_range(field, value, low, MAX_AMOUNT, "euros")


def rate(field: str, value: Any) -> float:
    """A rate as a fraction from 0 to 1 (0.21 for 21%)."""
    return number_in_range(field, value, 0.0, 1.0, "(a fraction: 0.21 means 21%)")


def hours(field: str, value: Any) -> float:
    return number_in_range(field, value, 0.0, MAX_HOURS, "hours a year")


def whole_number(field: str, value: Any, low: int, high: int) -> int:
    allowed = f"allowed a whole number from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(field, value, allowed, low=low, high=high)
    if not low <= int(value) <= high:
        raise InputError(field, value, allowed, low=low, high=high)
    return int(value)


def flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise InputError(field, value, "allowed True or False")
    return bool(value)


def choice(field: str, value: Any, options: Iterable[str]) -> str:
    options = tuple(options)
    if not any(value == option and type(value) is type(option) for option in options):
        raise InputError(field, value, "allowed one of " + ", ".join(repr(o) for o in options))
    return value


def text(field: str, value: Any, max_length: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InputError(field, value, f"allowed a non-empty text of at most {max_length} characters")
    return value


def amount_array(field: str, values: Any) -> np.ndarray:
    """Vector version of :func:`amount`: every element finite and 0..MAX_AMOUNT."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InputError(field, values, "must be numbers (euros)") from None
    bad = ~np.isfinite(array) | (array < 0) | (array > MAX_AMOUNT)
    if bad.any():
        first = array[bad].flat[0]
        raise InputError(field, first, f"every element allowed 0 to {MAX_AMOUNT:,.0f} euros")
    return array


def date(field: str, value: Any) -> dt.date:
    """A date, or its ISO text (``2027-01-01``, as JSON and YAML hold it)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(field, value, "allowed a date (YYYY-MM-DD, e.g. 2027-01-01)")
