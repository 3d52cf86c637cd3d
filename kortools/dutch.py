"""Dutch numbers in and out, read as a Dutch person means them (Babel, ``nl_NL``).

In Dutch the comma is the decimal sign and the dot groups thousands: ``16.500`` is
sixteen thousand five hundred and ``16.500,50`` has fifty cents. Accepted: ``16500``,
``16.500``, ``16.500,50``, ``16500,50``, ``€ 16.500,00``, ``€16.500``, ``-500`` where a
field allows negatives; rates as ``21``, ``21%``, ``21 %``, ``9,5%``. A form that could
mean two things is refused, never guessed: ``16,500`` (English thousands, or 16,5?) and
``1.5`` or ``12.34`` (an English decimal point). docs/model.md ("Dutch numbers in") has the full table.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from kortools.money import format_euro

LOCALE = "nl_NL"
#: A comma followed by exactly three digits and nothing else: thousands or decimals?
AMBIGUOUS_COMMA = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")
NUMBER_CHARACTERS = re.compile(r"^-?[0-9][0-9.,]*$")


def format_number_nl(number: float, decimals: int = 0) -> str:
    """``16500`` → ``16.500``; with ``decimals`` exactly that many (``16.500,50``)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(Decimal(repr(float(number))), format=pattern, locale=LOCALE)


def _clean(text: str, percent: bool) -> str:
    text = SPACES.sub("", text)
    if text.startswith("€"):
        text = text[1:]
    elif text.startswith("-€"):
        text = "-" + text[2:]
    if percent and text.endswith("%"):
        text = text[:-1]
    whole_euros = re.fullmatch(r"(-?[0-9][0-9.]*),[-–—]{1,2}", text)  # 16.500,- : whole euros
    return whole_euros[1] if whole_euros else text


def read_number_nl(raw: object, *, percent: bool = False) -> float:
    """The number a Dutch person means by ``raw`` (text or a number); ``ValueError`` with a
    Dutch reason when it is empty, not a number or could mean two things."""
    if isinstance(raw, bool):
        raise ValueError("geen getal")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError("geen getal")
        return float(raw)
    text = _clean(str(raw), percent)
    if not text:
        raise ValueError("leeg")
    if len(text) > 30:
        raise ValueError("te lang")
    if not NUMBER_CHARACTERS.match(text):  # no exponents, letters or other signs
        raise ValueError("geen getal")
    if AMBIGUOUS_COMMA.match(text):
        whole, rest = text.rsplit(",", 1)
        raise ValueError(
            f"niet eenduidig: bedoelt u {format_number_nl(float(whole.replace(',', '')) * 1000 + int(rest))} "
            f"of {whole},{rest[:2]}? Schrijf duizendtallen met een punt en decimalen met een komma"
        )
    try:
        number = parse_decimal(text, locale=LOCALE, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        if re.fullmatch(r"-?[0-9]+\.[0-9]{1,2}|-?[0-9]+\.[0-9]{4,}", text):
            raise ValueError(
                "niet eenduidig: een punt scheidt in het Nederlands duizendtallen; gebruik een komma voor "
                "decimalen"
            ) from None
        raise ValueError("geen getal") from None
    if not number.is_finite():
        raise ValueError("geen getal")
    return float(number)


def amount_range_nl(low: float, high: float) -> str:
    """``vul een bedrag in tussen € 0 en € 1.000.000`` (whole euros)."""
    return f"vul een bedrag in tussen {euro_nl(low)} en {euro_nl(high)}"


def euro_nl(amount: float) -> str:
    """``€ 16.500`` for whole euros, else ``€ 16.500,50`` (kortools.money, the one formatter)."""
    return format_euro(amount, cents=None)


def read_numbers_nl(texts, *, percent: bool = False):
    """:func:`read_number_nl` for a pandas Series of texts: (numbers, Dutch reasons).

    Plain digits are read in one vectorised step; the rest cell by cell. A cell that is
    not a number gets NaN and its reason; an empty cell NaN and no reason.
    """
    import pandas as pd

    texts = texts.astype("string").str.strip()
    numbers = pd.Series(float("nan"), index=texts.index)
    reasons = pd.Series(pd.NA, index=texts.index, dtype="string")

    def matches(pattern: str):
        return texts.str.fullmatch(pattern).fillna(False).astype(bool)

    # Unambiguous Dutch forms read in one step: 16500, 16500,50 (not 16,500), 16.500,50.
    plain = matches(r"-?[0-9]{1,15}")
    numbers[plain] = pd.to_numeric(texts[plain])
    decimal = matches(r"-?[0-9]{1,15},[0-9]{1,6}") & ~matches(AMBIGUOUS_COMMA.pattern[1:-1])
    numbers[decimal] = pd.to_numeric(texts[decimal].str.replace(",", ".", regex=False))
    grouped = matches(r"-?[0-9]{1,3}(\.[0-9]{3}){1,4}(,[0-9]{1,6})?")
    numbers[grouped] = pd.to_numeric(
        texts[grouped].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    )
    plain = plain | decimal | grouped
    for index, text in texts[~plain & texts.notna() & (texts != "")].items():
        try:
            numbers[index] = read_number_nl(text, percent=percent)
        except ValueError as reason:
            reasons[index] = f"‘{text[:30]}’ is {reason}"
    return numbers, reasons
