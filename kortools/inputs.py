"""The numbers a scenario holds, declared once (issue #36 item 1).

One :class:`Input` per number: its name (the :class:`~kortools.scenario.Scenario` field,
the keyword of the entry points, the field of the record), its kind (range and unit), its
default, whether it may differ per year (``Scenario.overrides``), whether it belongs to
the entrepreneur (the record's :class:`~kortools.record.Entrepreneur`) and whether the
deductions read it per year, its Dutch label, and the dashboard's and the client list's
names for it. Read by name: the Scenario's checks and yearly fields, the record's two
builders (one scenario, a client list), the income side's call of the deductions and the
portfolio's columns; the dashboard's fields take their range and label here.
``tests/test_inputs.py`` holds the places that must name an input (the Scenario field,
the record field, the deduction keyword) to this list.

The limits are said once, here: :data:`MAX_AMOUNT` and :data:`MAX_HOURS` for the model
(kortools._validate), :data:`DASHBOARD_MAX_AMOUNT` for what the dashboard takes as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kortools._validate import MAX_AMOUNT, MAX_HOURS, number_in_range

#: The dashboard's largest typed amount: far above a KOR client (the threshold is € 20.000)
#: and any net-income question the dashboard answers, low enough that a figure typed once
#: too many is refused with its range instead of computed; the model takes up to MAX_AMOUNT.
DASHBOARD_MAX_AMOUNT = 1_000_000
MAX_WEEKS = 52
MAX_HOURS_A_WEEK = 168

#: kind: (low, high, what the error message says after the range)
KINDS: dict[str, tuple[float, float, str]] = {
    "amount": (0.0, MAX_AMOUNT, "euros"),
    "rate": (0.0, 1.0, "(a fraction: 0.21 means 21%)"),
    "hours": (0.0, MAX_HOURS, "hours a year"),
    "weeks": (0.0, MAX_WEEKS, "weeks"),
    "hours_a_week": (0.0, MAX_HOURS_A_WEEK, "hours"),
    "share": (0.0, 1.0, "(0.5: half)"),
    "growth": (-0.5, 1.0, "(a fraction a year: 0.05 is 5%)"),
}


@dataclass(frozen=True)
class Input:
    """One number of a scenario (see the module's docstring)."""

    name: str
    kind: str  # a key of KINDS: its range and unit
    default: float | None  # None: the scenario must give it
    label_nl: str
    yearly: bool = False  # may differ per year (Scenario.overrides)
    person: bool = False  # the entrepreneur's (record.Entrepreneur); else the business's
    deduction: bool = False  # the deductions read it (entrepreneur_deductions; yearly: DeductionTrack.year)
    url: str = ""  # the dashboard's name ("" none)
    column: str = ""  # the client list's column ("" none); the same every year
    rule: str = ""  # where the rules use it

    @property
    def low(self) -> float:
        return KINDS[self.kind][0]

    @property
    def high(self) -> float:
        return KINDS[self.kind][1]

    def check(self, field: str, value: Any) -> float:
        """``value`` as a float in this input's range, else an InputError naming ``field``."""
        low, high, what = KINDS[self.kind]
        return number_in_range(field, value, low, high, what)


def _deduction_hours(name: str, default: float, label_nl: str, **names: str) -> Input:
    """Hours of the entrepreneur a year that the deductions' hours tests read."""
    return Input(name, "hours", default, label_nl, yearly=True, person=True, deduction=True, **names)


INPUTS: dict[str, Input] = {
    i.name: i
    for i in (
        # the yearly ones in the order of Scenario.YEARLY_FIELDS
        Input(
            "consumer_sales",
            "amount",
            None,
            "Omzet aan consumenten",
            yearly=True,
            column="omzet_consumenten",
            rule="margin.md",
        ),
        Input(
            "business_sales",
            "amount",
            None,
            "Omzet aan bedrijven",
            yearly=True,
            column="omzet_bedrijven",
            rule="margin.md",
        ),
        Input(
            "costs_with_vat",
            "amount",
            None,
            "Kosten waarop u btw betaalt",
            yearly=True,
            url="kosten_btw",
            column="kosten_met_btw",
            rule="margin.md",
        ),
        Input(
            "costs_without_vat",
            "amount",
            0.0,
            "Kosten zonder btw",
            yearly=True,
            url="kosten_zonder",
            column="kosten_zonder_btw",
            rule="margin.md",
        ),
        _deduction_hours(
            "hours", 1225.0, "Uren per jaar", url="uren", column="uren", rule="deductions.md §1"
        ),
        _deduction_hours(
            "partner_hours",
            0.0,
            "Uren meewerkende partner",
            url="partner_uren",
            column="uren_partner",
            rule="deductions.md §5",
        ),
        Input(
            "vat_rate",
            "rate",
            0.21,
            "Btw-tarief verkopen",
            yearly=True,
            url="btw",
            column="btw_tarief",
            rule="margin.md",
        ),
        _deduction_hours(
            "other_work_hours",
            0.0,
            "Uren ander werk",
            url="uren_ander_werk",
            column="uren_ander_werk",
            rule="deductions.md §1",
        ),
        _deduction_hours("so_hours", 0.0, "Uren S&O-werk", column="uren_so", rule="deductions.md §6"),
        Input(
            "pregnancy_weeks",
            "weeks",
            0.0,
            "Weken zwangerschap",
            yearly=True,
            person=True,
            deduction=True,
            rule="deductions.md §1",
        ),
        Input(
            "other_income",
            "amount",
            0.0,
            "Loon of uitkering",
            yearly=True,
            person=True,
            url="ander_inkomen",
            rule="other-income.md",
        ),
        # the same in every year
        Input("input_vat_rate", "rate", 0.21, "Btw-tarief op de kosten", rule="margin.md"),
        Input(
            "hours_per_week",
            "hours_a_week",
            0.0,
            "Uren per week",
            person=True,
            deduction=True,
            rule="deductions.md §1 (zwangerschap)",
        ),
        Input("profit_share", "share", 1.0, "Winstaandeel", person=True, rule="other-income.md (vof)"),
        Input("growth", "growth", 0.0, "Groei omzet per jaar", url="groei", rule="kor.md (prognose)"),
    )
}

#: The inputs that may differ per year, in Scenario.YEARLY_FIELDS's order.
YEARLY = tuple(name for name, i in INPUTS.items() if i.yearly)
#: The business's yearly inputs (record.YearInputs: one array each, per year).
BUSINESS_YEARLY = tuple(name for name, i in INPUTS.items() if i.yearly and not i.person)
#: The entrepreneur's yearly inputs (record.Entrepreneur holds a list over the years).
PERSON_YEARLY = tuple(name for name, i in INPUTS.items() if i.person and i.yearly)
#: The entrepreneur's inputs that are the same every year (record.Entrepreneur: one array).
PERSON_FIXED = tuple(name for name, i in INPUTS.items() if i.person and not i.yearly)
#: The inputs a client list gives in a column of its own (kortools.portfolio_columns).
COLUMN_INPUTS = tuple(i for i in INPUTS.values() if i.column)
#: The entrepreneur's columns of a client list (empty: the catalogue's default).
PERSON_COLUMN_INPUTS = tuple(i for i in COLUMN_INPUTS if i.person)
#: The inputs the deductions read (entrepreneur_deductions' keywords).
DEDUCTION_INPUTS = tuple(name for name, i in INPUTS.items() if i.deduction)
#: The yearly ones (DeductionTrack.year's keywords).
DEDUCTION_YEARLY = tuple(name for name in DEDUCTION_INPUTS if INPUTS[name].yearly)


def input_named(name: str) -> Input:
    """The declaration of input ``name`` (KeyError names the known ones)."""
    try:
        return INPUTS[name]
    except KeyError:
        raise KeyError(f"no input {name!r}; known: {', '.join(INPUTS)}") from None


CHECKS: dict[str, Callable[[str, Any], float]] = {name: i.check for name, i in INPUTS.items()}
