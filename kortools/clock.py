"""The date kortools reasons from (issue #20): ``KORTOOLS_TODAY`` (YYYY-MM-DD) when set,
else the system date. Every rule that depends on today asks :func:`today`; every test
that depends on it sets the variable."""

from __future__ import annotations

import datetime as dt
import os

from kortools.errors import InputError

ENV_TODAY = "KORTOOLS_TODAY"


def today() -> dt.date:
    """``KORTOOLS_TODAY`` as a date when set, else the system date."""
    text = os.environ.get(ENV_TODAY, "").strip()
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(ENV_TODAY, text, "allowed a date as YYYY-MM-DD, e.g. 2026-12-01") from None
