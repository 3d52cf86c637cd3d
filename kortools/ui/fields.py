"""A dashboard field, declared once: its kind, range, Dutch label and help build the
control's label, parse the typed or URL value (Dutch notation, ``kortools.dutch``) and
write the Dutch message next to the control."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from kortools.dutch import amount_range_nl, euro_nl, format_number_nl, read_number_nl
from kortools.inputs import DASHBOARD_MAX_AMOUNT, input_named
from kortools.money import format_amount

# --- query-string and input parsing ---------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A dashboard input, declared once: kind, range, Dutch label and help, and its control.

    The URL name is the key it is declared under. From this one declaration the app builds
    the control (``App.field``), its label with the error line, the parser for typed and
    URL values, the Dutch message and the share link. ``field`` names the Scenario field
    the value is, one to one (a choice's value through ``options``); the value and the
    scenario then map both ways (:func:`to_model`, :func:`from_model`), and a model
    error on that field is shown next to this control. Fields that combine several
    inputs (turnover and consumer share, the investments) leave it empty and are mapped
    by named functions beside their declaration.
    """

    # "float" (an amount) | "percent" (a number of %, decimals allowed) | "int" | "choice" | "bool" |
    # "text" (low: 1 = required, high: most characters)
    kind: str
    low: float = 0
    high: float = 0
    options: Mapping[str, Any] | None = None
    label: str = ""
    help: str = ""
    widget: str = ""  # "" (by kind) | "slider" | "toggle" | "dropdown" | "bounded"
    choices: tuple[tuple[str, Any], ...] = ()  # (shown, value) for a toggle or dropdown
    description: str = ""  # a checkbox's text
    width: str = ""
    field: str = ""  # the kortools.Scenario field this value is, one to one ("" if derived)
    optional: bool = False  # an empty value is None (e.g. a year without its own turnover)
    unit: str = ""  # "%": a trailing % is read (consumenten=90%, groei=3,5 %)
    usual_from: float = 0  # an amount: below it (but above 0) the read value is questioned (issue #35)

    def to_model(self, value: Any) -> Any:
        """The Scenario field's value for the control's ``value`` (a choice: its option)."""
        return (self.options or {})[value] if self.kind == "choice" else value

    def from_model(self, model: Any) -> Any:
        """The control's value for the Scenario field's value (a choice: the nearest option)."""
        if self.kind != "choice":
            return int(model) if self.kind == "int" and model is not None else model
        options = self.options or {}
        if all(isinstance(v, int | float) for v in options.values()):
            return min(options, key=lambda k: abs(options[k] - model))
        return next((k for k, v in options.items() if v == model), None)

    def allowed_nl(self) -> str:
        if self.kind == "choice":
            return "kies uit " + ", ".join(self.options or {})
        if self.kind == "text":
            return f"vul een tekst in van hoogstens {self.high:.0f} tekens"
        if self.kind == "bool":
            return "kies ja of nee"
        if self.kind == "float":
            return amount_range_nl(self.low, self.high)
        if self.kind == "percent":
            low, high = (format_number_nl(x) for x in (self.low, self.high))
            return f"vul een percentage in van {low} tot en met {high} (decimalen met een komma: 3,5)"
        low, high = (whole_nl(x) for x in (self.low, self.high))
        return f"vul een heel getal in van {low} tot en met {high}"

    def text_of(self, value: Any) -> str:
        """What a text control shows for ``value``: ``16.500`` (an amount), ``3,5`` (a
        percentage), ``1225`` or ``2024`` (a whole number), as the parser reads it back."""
        if value is None or isinstance(value, str):
            return "" if value is None else value
        if self.kind == "percent":
            return format_number_nl(round(float(value), 6), 6).rstrip("0").rstrip(",")
        if self.kind == "int":
            return f"{int(value)}"
        return amount_text(value)

    def parse(self, raw: Any) -> Any:
        """The value from text or a control; raises ValueError with a Dutch message (no label).

        Numbers are read as a Dutch person means them (``kortools.dutch``): ``16.500`` is
        sixteen thousand five hundred; what could mean two things is refused.
        """
        if self.optional and (raw is None or str(raw).strip() == ""):
            return None
        if self.kind == "choice":
            key, options = str(raw).strip(), self.options or {}
            if key not in options and key.endswith("%") and key[:-1].strip() in options:
                key = key[:-1].strip()  # btw=21% is the option 21
            if key not in options and f"{key}-01-01" in options:
                key = f"{key}-01-01"  # a date field given a year (an older link): 1 January
            if key not in options:
                raise ValueError(f"‘{_shown(raw)}’ kan niet; {self.allowed_nl()}")
            keys = [value for _words, value in self.choices]
            if keys and key not in keys:  # an alias (an older link's "0" or year): the shown key
                key = next((k for k in keys if options.get(k) == options[key]), key)
            return key
        if self.kind == "text":
            text = str(raw).strip()
            if len(text) > self.high or (self.low and not text):
                raise ValueError(self.allowed_nl())
            return text
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("ja", "1", "true"):
                return True
            if str(raw).lower() in ("nee", "0", "false"):
                return False
            raise ValueError(f"‘{_shown(raw)}’ kan niet; {self.allowed_nl()}")
        try:
            number = read_number_nl(raw, percent=self.kind == "percent" or self.unit == "%")
        except ValueError as reason:
            what = "" if str(reason) == "leeg" else f"‘{_shown(raw)}’ is {reason}; "
            raise ValueError(f"{what}{self.allowed_nl()}") from None
        if self.kind == "int" and not number.is_integer():
            raise ValueError(f"{format_number_nl(number, 2)} is geen heel getal; {self.allowed_nl()}")
        if not self.low <= number <= self.high:
            shown = {"float": euro_nl(number), "percent": f"{format_number_nl(number, 2)}%"}.get(
                self.kind, whole_nl(number)
            )
            raise ValueError(f"{shown} kan niet; {self.allowed_nl()}")
        return int(number) if self.kind == "int" else number

    def read_nl(self, typed: str) -> str | None:
        """What a typed value was read as, where that is not plain from what was typed
        (``= € 16,50``, ``= 3,5%``), and a question where an amount is unusually small
        (``bedoelt u € 16.500?``); None where there is nothing to say or it does not parse."""
        typed = typed.strip()
        try:
            value = self.parse(typed)
        except ValueError:
            return None
        if value is None or self.kind not in ("float", "percent", "int"):
            return None
        if self.kind == "percent":
            shown = f"= {self.text_of(value)}%"
        elif self.kind == "float":
            shown = "= " + euro_nl(value)
        else:
            shown = f"= {value}"
        note = None if typed == self.text_of(value) else shown
        if self.usual_from and 0 < value < self.usual_from:
            note = f"{shown} — bedoelt u {euro_nl(value * 1000)}?"
        return note


def whole_nl(number: float) -> str:
    """A whole number in Dutch: ``1.000.000``; under 10.000 (years, hours) without a dot."""
    return format_number_nl(number) if abs(number) >= 10_000 else f"{number:.0f}"


def _shown(raw: Any) -> str:
    shown = str(raw).strip()
    return shown if len(shown) <= 40 else shown[:37] + "…"


def amount_text(value: float) -> str:
    """An amount for a text field: ``16.500`` or ``16.500,50`` (kortools.money)."""
    return format_amount(value, cents=None)


def parse_inputs(raw: Mapping[str, Any], specs: Mapping[str, FieldSpec]) -> tuple[dict, dict]:
    """(valid values, Dutch error messages) for the known fields in ``raw``; unknown ones ignored."""
    values, errors = {}, {}
    for name, spec in specs.items():
        if name not in raw:
            continue
        try:
            values[name] = spec.parse(raw[name])
        except ValueError as reason:
            errors[name] = f"{spec.label or name}: {reason}."
    return values, errors


def parse_query(query: str, specs: Mapping[str, FieldSpec]) -> tuple[dict, dict]:
    return parse_inputs(dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)), specs)


def input_field(name: str, help: str = "", **extra: Any) -> FieldSpec:
    """The dashboard field of the catalogue's input ``name`` (kortools.inputs): its label, its
    range (hours: whole hours to the model's limit; amounts: to the dashboard's) and its
    Scenario field; ``help`` and ``extra`` are the page's own words and layout."""
    declared = input_named(name)
    kinds = {"hours": ("int", declared.high), "amount": ("float", DASHBOARD_MAX_AMOUNT)}
    if declared.kind not in kinds:
        raise ValueError(f"{name}: no dashboard field for an input of kind {declared.kind!r}")
    kind, high = kinds[declared.kind]
    return FieldSpec(kind, 0, high, label=declared.label_nl, help=help, field=name, **extra)
