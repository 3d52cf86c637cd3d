"""Tax parameters as data: load ``data/parameters/*.yaml`` and look values up by year.

Every value carries its source and whether it is confirmed. A lookup for a year
without data raises :class:`~kortools.errors.InputError` naming the years that
exist (see ``data/parameters/README.md``). Files are read once and cached.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kortools.errors import InputError
from kortools.money import format_euro


def data_dir() -> Path:
    """The ``data/`` folder: packaged as ``kortools/_data`` in a wheel, ``../data`` in a checkout."""
    packaged = Path(__file__).parent / "_data"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class Source:
    title: str
    href: str


@dataclass(frozen=True)
class Assumption:
    """An unconfirmed fact the result depends on: shown to the user, never hidden."""

    key: str
    text: str  # English
    text_nl: str  # Dutch, for the dashboard
    source: Source


@dataclass(frozen=True)
class ParameterValue:
    name: str
    description: str
    label_nl: str
    unit: str
    since: int  # first year this value holds
    value: Any
    source: Source
    confirmed: bool
    note: str
    note_nl: str

    def assumption(self, year: int) -> Assumption:
        """This value, used for ``year``, as an assumption to show the user."""
        note = f" ({self.note})" if self.note else ""
        note_nl = f" ({self.note_nl})" if self.note_nl else ""
        return Assumption(
            key=f"{self.name}:{year}",
            text=f"{self.description}, {year}: {json.dumps(self.value)}{note}",
            text_nl=f"{self.label_nl} {year}: {format_value_nl(self.value, self.unit)}{note_nl}",
            source=self.source,
        )


def _percent_nl(fraction: float) -> str:
    """0.127 → 12,7%; 0.2 → 20%; at most two decimals, no trailing zeros."""
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",") + "%"


def format_value_nl(value: Any, unit: str) -> str:
    """A parameter value in Dutch notation, by unit (for the dashboard and the report)."""
    if value is None:
        return "niet van toepassing"
    if unit == "EUR":
        return format_euro(value, cents=value != int(value))
    if unit == "rate":
        return _percent_nl(value)
    if unit == "brackets":
        parts = [
            f"{_percent_nl(b['rate'])} tot {format_euro(b['upto'], cents=False)}"
            if b["upto"] is not None
            else f"daarboven {_percent_nl(b['rate'])}"
            for b in value
        ]
        return "; ".join(parts)
    if unit == "bands":
        return "; ".join(f"{_percent_nl(b['rate'])} vanaf {b['from_hours']:.0f} uur" for b in value)
    if unit == "boolean":
        return "ja" if value else "nee"
    if unit == "periods":
        return ", ".join(f"{k}: {v} jaar" for k, v in value.items() if v is not None)
    return f"{value}"


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    rule: str
    unit: str
    valid_through: int | None
    values: tuple[ParameterValue, ...]  # sorted by ``since``

    @property
    def first_year(self) -> int:
        return self.values[0].since

    def years_text(self) -> str:
        end = self.valid_through if self.valid_through is not None else "onwards"
        return f"{self.first_year}–{end}" if self.valid_through else f"{self.first_year} {end}"

    def at(self, year: int) -> ParameterValue:
        """The value in force on 1 January of ``year``."""
        if isinstance(year, bool) or not isinstance(year, int):
            raise InputError("year", year, "allowed a whole year such as 2025")
        last = self.valid_through
        if year < self.first_year or (last is not None and year > last):
            raise InputError(
                "year",
                year,
                f"no tax data for {self.name} in {year}; years with data: {self.years_text()}",
            )
        current = self.values[0]
        for candidate in self.values:
            if candidate.since <= year:
                current = candidate
        return current


def _parse_parameter(name: str, doc: dict[str, Any]) -> Parameter:
    values = []
    for key, entry in doc["values"].items():
        since = dt.date.fromisoformat(str(key)).year
        values.append(
            ParameterValue(
                name=name,
                description=doc["description"],
                label_nl=doc["label_nl"],
                unit=doc["unit"],
                since=since,
                value=entry["value"],
                source=Source(**entry["source"]),
                confirmed=entry.get("confirmed", True),
                note=entry.get("note", ""),
                note_nl=entry.get("note_nl", ""),
            )
        )
    return Parameter(
        name=name,
        description=doc["description"],
        rule=doc["rule"],
        unit=doc["unit"],
        valid_through=doc["valid_through"],
        values=tuple(sorted(values, key=lambda v: v.since)),
    )


def read_parameter_file(path: Path) -> dict[str, Any]:
    """The raw document of one parameter file, date keys as ISO strings (as the schema expects)."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(doc, dict) and isinstance(doc.get("values"), dict):
        doc["values"] = {str(k): v for k, v in doc["values"].items()}
    if isinstance(doc, dict) and doc.get("updated") is not None:
        doc["updated"] = str(doc["updated"])
    return doc


@cache
def all_parameters() -> dict[str, Parameter]:
    """Every parameter in ``data/parameters``, by file name."""
    folder = data_dir() / "parameters"
    return {
        path.stem: _parse_parameter(path.stem, read_parameter_file(path))
        for path in sorted(folder.glob("*.yaml"))
    }


def parameter(name: str, year: int) -> ParameterValue:
    """The value of parameter ``name`` for ``year``, with its source."""
    return all_parameters()[name].at(year)


def value(name: str, year: int) -> Any:
    """Just the value of parameter ``name`` for ``year`` (STYLE.md: one ``value(name, year)``)."""
    return parameter(name, year).value


@cache
def tax_years() -> range:
    """The years for which every yearly parameter has data (2023–2027 today)."""
    yearly = [p for p in all_parameters().values() if p.valid_through is not None]
    return range(max(p.first_year for p in yearly), min(p.valid_through for p in yearly) + 1)


def check_tax_year(year: Any, field: str = "year") -> int:
    """Raise InputError unless every yearly parameter has data for ``year``."""
    years = tax_years()
    if isinstance(year, bool) or not isinstance(year, int) or year not in years:
        raise InputError(field, year, f"no tax data for that year; years with data: {years[0]}–{years[-1]}")
    return year


@cache
def rule_assumptions() -> dict[str, Assumption]:
    """The unconfirmed rules in ``data/assumptions.yaml``, by key."""
    doc = yaml.safe_load((data_dir() / "assumptions.yaml").read_text(encoding="utf-8"))
    return {
        key: Assumption(key=key, text=e["en"], text_nl=e["nl"], source=Source(**e["source"]))
        for key, e in doc.items()
    }


def rule_assumption(key: str) -> Assumption:
    return rule_assumptions()[key]


@cache
def unconfirmed(year: int, *names: str) -> tuple[Assumption, ...]:
    """Assumptions for each of ``names`` whose value for ``year`` is unconfirmed."""
    found = []
    for name in names:
        entry = parameter(name, year)
        if not entry.confirmed:
            found.append(entry.assumption(year))
    return tuple(found)
