"""The one exception type for bad input to kortools."""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Bad input: names the field, the value given and what is allowed.

    ``field``, ``value`` and ``allowed`` (and ``low`` and ``high`` where the value must lie
    in a range) are kept as attributes so a user interface can write its own message
    next to the right control without reading this one.
    """

    def __init__(
        self,
        field: str,
        value: Any,
        allowed: str,
        message: str | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
    ):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.low = low
        self.high = high
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(message or f"{field} = {shown}: {allowed}")
