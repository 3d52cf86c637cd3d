"""Tax parameters as data: load ``data/parameters/*.yaml`` and look values up by year.

Every value carries its source and its status (:data:`STATUSES`: ``wet``,
``voorstel``, ``onbevestigd``, ``aangenomen``; rules/tax-2027.md). A lookup for a year
without data raises :class:`~kortools.errors.InputError` naming the years that
exist (see ``data/parameters/README.md``). Files are read once per data folder.

The data folder is ``data/`` of the checkout (or the packaged copy), or the folder
named by the environment variable ``KORTOOLS_DATA_DIR`` when kortools is imported, or
by :func:`use_data_dir` in a running process.

Assumptions are recorded, not listed by hand: every lookup of a value that is not
law (status other than ``wet``) and every :func:`rule_assumption` is recorded by the
innermost :func:`recording` block (and every block around it), so a result lists exactly
what it used.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kortools.errors import InputError
from kortools.money import format_euro

#: Environment variable naming another data folder (same layout as ``data/``).
DATA_DIR_VARIABLE = "KORTOOLS_DATA_DIR"


_chosen_data_dir: str | None = os.environ.get(DATA_DIR_VARIABLE) or None


def use_data_dir(folder: str | os.PathLike | None) -> None:
    """Read the tax data from ``folder`` from now on (``None``: the shipped ``data/``).

    ``$KORTOOLS_DATA_DIR`` does the same when kortools is imported.
    """
    global _chosen_data_dir
    _chosen_data_dir = None if folder is None else str(folder)


def data_dir() -> Path:
    """The data folder: :func:`use_data_dir` / ``$KORTOOLS_DATA_DIR`` if set; else
    ``kortools/_data`` in a wheel, ``../data`` in a checkout."""
    return _data_dir(_chosen_data_dir)


@cache
def _data_dir(chosen: str | None) -> Path:
    if chosen:
        return Path(chosen)
    packaged = Path(__file__).parent / "_data"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "data"


#: A value's status, strongest first (rules/tax-2027.md, issue #34): ``wet`` enacted;
#: ``onbevestigd`` law read from secondary sources only, or derived; ``aangenomen`` no figure
#: found, an earlier year's used; ``voorstel`` in a bill, not yet law. A year's status is its
#: weakest: a proposal comes last because until the vote every figure of that year's law may
#: still change, the ones the bill does not touch included (an amendment can add them).
STATUSES = ("wet", "onbevestigd", "aangenomen", "voorstel")


def weakest(statuses) -> str:
    """The weakest of ``statuses`` in the order of :data:`STATUSES` (``wet`` when empty)."""
    return max(statuses, key=STATUSES.index, default="wet")


def status_nl(status: str, proposal: str = "", like_year: int | None = None) -> str:
    """The Dutch words shown next to a figure of ``status`` (rules/tax-2027.md): nothing for
    law, "voorlopig (voorstel Belastingplan 2027)", "aangenomen gelijk aan 2026", "onbevestigd"."""
    if status == "voorstel":
        return f"voorlopig (voorstel {proposal})" if proposal else "voorlopig (voorstel, nog geen wet)"
    if status == "aangenomen":
        return f"aangenomen gelijk aan {like_year}" if like_year is not None else "aangenomen"
    if status == "onbevestigd":
        return "onbevestigd"
    return ""


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
    # a tax figure's parts, for a short list (the report groups one figure's years): its Dutch
    # name, its value in Dutch notation without the note, and the year it is used for
    label_nl: str = ""
    value_nl: str = ""
    year: int | None = None
    status: str = ""  # a tax figure's status (STATUSES); "" for a rule in words
    status_nl: str = ""  # its Dutch words (status_nl()), e.g. "voorlopig (voorstel Belastingplan 2027)"


_used: ContextVar[dict[str, Assumption] | None] = ContextVar("kortools_assumptions_used", default=None)


@contextmanager
def recording() -> Iterator[dict[str, Assumption]]:
    """Collect the assumptions used inside the block, by key, in order of first use.

    Blocks nest: what an inner block records is recorded by the outer one too.
    """
    outer = _used.get()
    used: dict[str, Assumption] = {}
    token = _used.set(used)
    try:
        yield used
    finally:
        _used.reset(token)
        if outer is not None:
            for key, assumption in used.items():
                outer.setdefault(key, assumption)


def record(assumption: Assumption) -> Assumption:
    """Note that the computation under way rests on ``assumption`` (see :func:`recording`)."""
    used = _used.get()
    if used is not None:
        used.setdefault(assumption.key, assumption)
    return assumption


@dataclass(frozen=True)
class ParameterValue:
    name: str
    description: str
    label_nl: str
    unit: str
    since: int  # first year this value holds
    value: Any
    source: Source
    status: str  # one of STATUSES
    note: str
    note_nl: str
    proposal: str = ""  # the bill a ``voorstel`` is in, e.g. "Belastingplan 2027"
    like_year: int | None = None  # ``aangenomen``: the year whose figure is used

    @property
    def confirmed(self) -> bool:
        """Law (status ``wet``); kept for callers of the yes/no flag before issue #34."""
        return self.status == "wet"

    @property
    def status_nl(self) -> str:
        """The Dutch words shown next to a figure resting on this value (:func:`status_nl`)."""
        return status_nl(self.status, self.proposal, self.like_year)

    def assumption(self, year: int) -> Assumption:
        """This value, used for ``year``, as an assumption to show the user, with its status."""
        note = f" ({self.note})" if self.note else ""
        note_nl = f" ({self.note_nl})" if self.note_nl else ""
        return Assumption(
            key=f"{self.name}:{year}",
            text=f"{self.description}, {year}: {json.dumps(self.value)} [{self.status}]{note}",
            text_nl=f"{self.label_nl} {year}: {format_value_nl(self.value, self.unit)} — "
            f"{self.status_nl}{note_nl}",
            source=self.source,
            label_nl=self.label_nl,
            value_nl=format_value_nl(self.value, self.unit),
            year=year,
            status=self.status,
            status_nl=self.status_nl,
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
    if unit == "credit":
        return (
            f"{format_euro(value['max'], cents=False)}, min {_percent_nl(value['phase_out_rate'])} boven "
            f"{format_euro(value['phase_out_from'], cents=False)} (AOW-leeftijd: "
            f"{format_euro(value['aow_max'], cents=False)}, min {_percent_nl(value['aow_phase_out_rate'])})"
        )
    if unit == "credit_bands":
        return "; ".join(
            f"vanaf {format_euro(b['from'], cents=False)}: {format_euro(b['base'], cents=False)} "
            f"{'+' if b['rate'] >= 0 else '−'} {_percent_nl(abs(b['rate']))}"
            for b in value
        )
    if unit == "amounts":
        return " / ".join(format_euro(x, cents=False) for x in value)
    if unit == "so":
        return (
            f"{format_euro(value['amount'], cents=False)}, starters + "
            f"{format_euro(value['starter_extra'], cents=False)}, vanaf {value['min_hours']:.0f} uur S&O"
        )
    if unit == "reentry":
        if value["counted_from"] == "exit_year_start":
            return f"vanaf 1 januari van het {value['years']}e jaar na het afmeldjaar"
        return f"{value['years']} jaar na de afmelddatum"
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
    checked_through: int | None  # the last year the sources were checked for (None: a standing rule)
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
        if self.carried_forward(year, current):
            return replace(
                current,
                status="aangenomen",
                like_year=current.like_year if current.status == "aangenomen" else self.checked_through,
                note=f"carried forward from {current.since}; not yet checked for {year}",
                note_nl=f"overgenomen van {current.since}; voor {year} nog niet gecontroleerd",
            )
        return current

    def carried_forward(self, year: int, current: ParameterValue) -> bool:
        """``year`` gets its value only by carrying an earlier entry past ``checked_through``."""
        return self.checked_through is not None and year > self.checked_through and current.since < year


def _status_of(entry: dict[str, Any]) -> str:
    """An entry's ``status``; a file from before issue #34 says ``confirmed`` (true: law,
    false: onbevestigd) or nothing (law)."""
    if "status" in entry:
        return entry["status"]
    return "wet" if entry.get("confirmed", True) else "onbevestigd"


def _parse_parameter(name: str, doc: dict[str, Any]) -> Parameter:
    values = []
    for key, entry in doc["values"].items():
        since = dt.date.fromisoformat(str(key)).year
        status = _status_of(entry)
        values.append(
            ParameterValue(
                name=name,
                description=doc["description"],
                label_nl=doc["label_nl"],
                unit=doc["unit"],
                since=since,
                value=entry["value"],
                source=Source(**entry["source"]),
                status=status,
                note=entry.get("note", ""),
                note_nl=entry.get("note_nl", ""),
                proposal=entry.get("proposal", ""),
                like_year=entry.get("like_year", since - 1 if status == "aangenomen" else None),
            )
        )
    return Parameter(
        name=name,
        description=doc["description"],
        rule=doc["rule"],
        unit=doc["unit"],
        valid_through=doc["valid_through"],
        checked_through=doc.get("checked_through", doc["valid_through"]),
        values=tuple(sorted(values, key=lambda v: v.since)),
    )


# libyaml's safe loader when PyYAML has it (the wheels do): the same safe subset, about
# ten times faster; reading the tax data was half of building a dashboard.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """A YAML document with the safe loader (no Python objects), libyaml's when present."""
    return yaml.load(text, Loader=_YAML_LOADER)


def read_parameter_file(path: Path) -> dict[str, Any]:
    """The raw document of one parameter file, date keys as ISO strings (as the schema expects)."""
    doc = load_yaml(path.read_text(encoding="utf-8"))
    if isinstance(doc, dict) and isinstance(doc.get("values"), dict):
        doc["values"] = {str(k): v for k, v in doc["values"].items()}
    if isinstance(doc, dict) and doc.get("updated") is not None:
        doc["updated"] = str(doc["updated"])
    return doc


def all_parameters() -> dict[str, Parameter]:
    """Every parameter in the data folder's ``parameters/``, by file name."""
    return _parameters_in(data_dir())


@cache
def _parameters_in(folder: Path) -> dict[str, Parameter]:
    return {
        path.stem: _parse_parameter(path.stem, read_parameter_file(path))
        for path in sorted((folder / "parameters").glob("*.yaml"))
    }


def parameter(name: str, year: int) -> ParameterValue:
    """The value of parameter ``name`` for ``year``, with its source and status; one that is
    not law (status other than ``wet``) is recorded as an assumption (see :func:`recording`)."""
    entry = all_parameters()[name].at(year)
    if entry.status != "wet":
        used = _used.get()
        key = f"{name}:{year}"
        if used is not None and key not in used:
            used[key] = _assumption_of(entry, year)
    return entry


_assumptions_made: dict[tuple, Assumption] = {}


def _assumption_of(entry: ParameterValue, year: int) -> Assumption:
    """``entry.assumption(year)``, made once per value and year (it formats Dutch text)."""
    key = (id(all_parameters()), entry.name, entry.since, entry.status, entry.note, year)
    if key not in _assumptions_made:
        _assumptions_made[key] = entry.assumption(year)
    return _assumptions_made[key]


def parameter_status(name: str, year: int) -> str:
    """The status of parameter ``name`` for ``year``: ``wet``, ``voorstel``, ``onbevestigd``
    or ``aangenomen`` (rules/tax-2027.md; issue #34). A year after the last with data is
    ``aangenomen`` (a result uses the last year's figures for it); before the first, an
    InputError as for :func:`value`. Not recorded as used."""
    if name not in all_parameters():
        raise InputError("name", name, "allowed the name of a file in data/parameters, e.g. startersaftrek")
    p = all_parameters()[name]
    whole = isinstance(year, int) and not isinstance(year, bool)
    if whole and p.valid_through is not None and year > p.valid_through:
        return "aangenomen"
    return p.at(year).status


def year_status(assumptions, year: int, tax_year: int | None = None) -> tuple[str, str]:
    """(status, Dutch words) of the tax figures a result used for ``year``: the weakest of the
    values recorded for its tax year (``tax_year``, default ``year``). A year past the data
    uses the last year's figures: ``aangenomen``, "aangenomen gelijk aan <that year>".

    The Dutch words are shown next to the figure (issue #34 item 3): a proposal's and an
    assumed figure's; an ``onbevestigd`` value (law read from a secondary source) is listed
    with its source under the assumptions, not beside every figure.
    """
    used = tax_year if tax_year is not None else year
    if used != year:
        return "aangenomen", status_nl("aangenomen", like_year=used)
    of_year = [a for a in assumptions if a.year == used and a.status]
    if not of_year:
        return "wet", ""
    worst = max(of_year, key=lambda a: STATUSES.index(a.status))
    return worst.status, ("" if worst.status == "onbevestigd" else worst.status_nl)


def value(name: str, year: int) -> Any:
    """Just the value of parameter ``name`` for ``year`` (STYLE.md: one ``value(name, year)``)."""
    return parameter(name, year).value


def tax_years() -> range:
    """The years for which every yearly parameter has data (``data/parameters``)."""
    return _tax_years_in(data_dir())


@cache
def _tax_years_in(folder: Path) -> range:
    yearly = [p for p in _parameters_in(folder).values() if p.valid_through is not None]
    through = [p.valid_through for p in yearly if p.valid_through is not None]
    return range(max(p.first_year for p in yearly), min(through) + 1)


def tax_year_for(year: int, extrapolate: bool = True, field: str = "year") -> int:
    """The year whose tax figures apply to ``year``: itself, or the last year with data.

    Years after the last year with data use that year's figures when ``extrapolate``
    (the caller records the assumption); otherwise, and before the first year, InputError.
    """
    available = tax_years()
    if year in available:
        return year
    if extrapolate and year > available[-1]:
        return available[-1]
    raise InputError(
        field, year, f"no tax data for that year; years with data: {available[0]}–{available[-1]}"
    )


def check_tax_year(year: Any, field: str = "year") -> int:
    """Raise InputError unless every yearly parameter has data for ``year``."""
    years = tax_years()
    if isinstance(year, bool) or not isinstance(year, int) or year not in years:
        raise InputError(field, year, f"no tax data for that year; years with data: {years[0]}–{years[-1]}")
    return year


def read_tax_data() -> None:
    """Read every file of the data folder now, instead of at the first lookup.

    A pre-heated dashboard kernel calls this (importing ``kortools.ui``) before its
    visitor arrives, so the visitor does not wait for it.
    """
    all_parameters()
    rule_assumptions()


def rule_assumptions() -> dict[str, Assumption]:
    """The unconfirmed rules in ``data/assumptions.yaml``, by key."""
    return _rule_assumptions_in(data_dir())


@cache
def _rule_assumptions_in(folder: Path) -> dict[str, Assumption]:
    doc = load_yaml((folder / "assumptions.yaml").read_text(encoding="utf-8"))
    return {
        key: Assumption(key=key, text=e["en"], text_nl=e["nl"], source=Source(**e["source"]))
        for key, e in doc.items()
    }


def rule_assumption(key: str) -> Assumption:
    """The unconfirmed rule ``key``, recorded as used by the computation under way."""
    return record(rule_assumptions()[key])
