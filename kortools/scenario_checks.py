"""The checks of a scenario's dated, asset and list inputs (called by ``Scenario``).

Each turns what a file, a link or a caller gives into the model's value, or raises
``InputError`` naming the field and what is allowed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from kortools import _validate as v
from kortools.errors import InputError
from kortools.herziening import Asset
from kortools.kor import PERIOD_MONTHS

_date = v.date  # kept under its old name for the scenario's checks


def _check_period_start(field: str, day: dt.date, period: str) -> None:
    """The first day of a return period: 1 January, April, July or October (a month: any 1st)."""
    months = PERIOD_MONTHS[period]
    if day.day != 1 or (day.month - 1) % months:
        starts = "the 1st of a month" if months == 1 else "1 January, 1 April, 1 July or 1 October"
        raise InputError(field, day, f"allowed the first day of a return period: {starts}")


def _check_period_end(field: str, day: dt.date, period: str) -> None:
    """The last day of a return period (the day after it starts one)."""
    try:
        _check_period_start(field, day + dt.timedelta(days=1), period)
    except InputError:
        ends = (
            "the last day of a month"
            if period == "month"
            else "31 March, 30 June, 30 September or 31 December"
        )
        raise InputError(field, day, f"allowed the last day of a return period: {ends}") from None


ASSET_KEYS = {"name", "kind", "first_use_year"}
AMOUNT_KEYS = {"vat": None, "amount_excl_vat": False, "amount_incl_vat": True}


def _asset(item: Any) -> Asset:
    """An Asset, or a mapping: name, kind, first_use_year and one of ``vat`` (the VAT on the
    invoice), ``amount_excl_vat`` or ``amount_incl_vat`` (at the general rate of that year)."""
    if isinstance(item, Asset):
        return item
    amounts = set(item) - ASSET_KEYS - {"first_use_date"} if isinstance(item, Mapping) else set()
    if (
        not isinstance(item, Mapping)
        or not set(item) >= ASSET_KEYS
        or len(amounts) != 1
        or not amounts <= set(AMOUNT_KEYS)
    ):
        raise InputError(
            "assets",
            item,
            "each asset needs name, kind, first_use_year and one of vat, amount_excl_vat, amount_incl_vat",
        )
    (key,) = amounts
    if key == "vat":
        return Asset(**item)
    base = {k: item[k] for k in ASSET_KEYS}
    bought = Asset.bought(**base, amount=item[key], including_vat=bool(AMOUNT_KEYS[key]))
    when = item.get("first_use_date")
    return (
        bought if when is None else Asset(bought.name, bought.kind, bought.first_use_year, bought.vat, when)
    )


def _check_assumption_keys(keys: Any) -> tuple[str, ...]:
    """Keys of data/assumptions.yaml the scenario's inputs rest on (e.g. from the books)."""
    from kortools.parameters import rule_assumptions

    if isinstance(keys, str) or not isinstance(keys, Iterable):
        raise InputError("assumption_keys", keys, "allowed a list of keys of data/assumptions.yaml")
    known = rule_assumptions()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise InputError("assumption_keys", unknown, "allowed keys of data/assumptions.yaml")
    return tuple(keys)


#: Most notes on the inputs a scenario carries, and the longest.
MAX_INPUT_NOTES, MAX_NOTE_CHARS = 20, 400


def _check_input_notes(notes: Any, field: str = "input_notes") -> tuple[tuple[str, str], ...]:
    """What was assumed about the inputs where they were read (e.g. a negative cost total
    from the books taken as € 0): pairs of texts (English, Dutch), shown as assumptions."""
    if isinstance(notes, str) or not isinstance(notes, Iterable):
        raise InputError(field, notes, "allowed a list of [English, Dutch] text pairs")
    checked = []
    for note in notes:
        pair = tuple(note) if isinstance(note, Iterable) and not isinstance(note, str) else ()
        if len(pair) != 2 or not all(isinstance(t, str) and 0 < len(t) <= MAX_NOTE_CHARS for t in pair):
            raise InputError(
                field, note, f"allowed [English, Dutch] texts of at most {MAX_NOTE_CHARS} characters"
            )
        checked.append((pair[0], pair[1]))
    if len(checked) > MAX_INPUT_NOTES:
        raise InputError(field, len(checked), f"allowed at most {MAX_INPUT_NOTES} notes")
    return tuple(checked)


def _check_monthly_sales(weights: Any) -> tuple[float, ...] | None:
    """12 non-negative weights, not all 0 (January first), or None for evenly spread sales."""
    if weights is None:
        return None
    if isinstance(weights, str | bytes | Mapping) or not isinstance(weights, Iterable):
        raise InputError("monthly_sales", weights, "allowed 12 numbers, January first")
    checked = tuple(v.amount("monthly_sales", x) for x in weights)
    if len(checked) != 12 or sum(checked) <= 0:
        raise InputError("monthly_sales", weights, "allowed 12 numbers, January first, not all 0")
    return checked
