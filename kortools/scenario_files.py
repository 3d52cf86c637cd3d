"""Scenarios as files (YAML or JSON), the shipped examples, and a new case from today."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any

import yaml

from kortools import _validate as v
from kortools.clock import today
from kortools.errors import InputError
from kortools.files import atomic_write
from kortools.kor import kor_start_date
from kortools.parameters import load_yaml
from kortools.scenario import Scenario


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario from a YAML (.yaml/.yml) or JSON (.json) file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("scenario file", str(path), f"could not be read: {error}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        first_line = str(error).splitlines()[0]
        raise InputError(
            "scenario file", str(path), f"is not valid {path.suffix[1:].upper()}: {first_line}"
        ) from None
    return Scenario.from_dict(data)


def _plain(value: Any) -> Any:
    """Make a value safe for JSON/YAML: floats that are whole stay floats, NaN refused."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError("scenario", value, "cannot save a non-finite number")
    if isinstance(value, dt.date):
        return value.isoformat()  # JSON has no dates; YAML reads the text back as a date
    return value


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> Path:
    """Write ``scenario`` as YAML or JSON (by suffix), atomically: a crash leaves the old file."""
    path = Path(path)
    data = {k: _plain(x) for k, x in scenario.to_dict().items()}
    if path.suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif path.suffix in (".yaml", ".yml"):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    else:
        raise InputError("scenario file", str(path), "allowed suffixes: .yaml, .yml, .json")
    return atomic_write(path, text)


#: How many years a new case covers, from the current year (a revision period of movables).
NEW_CASE_YEARS = 5


def new_scenario(name: str = "Nieuwe klant") -> Scenario:
    """A blank new case from ``kt.today()``: the current year first, five years, no sales or
    costs yet, the KOR planned from the first start a request made today still reaches
    (kor-dates.md §1; 1 December 2026 → 1 January 2027) (issue #20)."""
    on = today()
    start = kor_start_date(on)
    first = on.year
    return Scenario(
        name=name,
        first_year=first,
        last_year=max(first + NEW_CASE_YEARS - 1, start.year),
        consumer_sales=0.0,
        business_sales=0.0,
        costs_with_vat=0.0,
        kor_start=start,
    )


def example_scenarios() -> dict[str, Path]:
    """The example scenario files shipped in ``data/scenarios``, by file stem."""
    from kortools.parameters import data_dir

    return {p.stem: p for p in sorted((data_dir() / "scenarios").glob("*.yaml"))}


#: The year the shipped examples are written as of: an example lives today, its years
#: moved by as many years as today is past this one (issue #33).
EXAMPLES_WRITTEN_IN = 2026
YEAR_FIELDS = ("first_year", "last_year", "kor_start_year", "kor_last_year", "business_start_year")
DATE_FIELDS = ("kor_start", "kor_since", "kor_end")


def example_scenario(name: str) -> Scenario:
    """Load a shipped example scenario by name (see :func:`example_scenarios`), dated from
    ``kt.today()``: its years and dates move by as many years as today is past
    :data:`EXAMPLES_WRITTEN_IN`, so "a client in the KOR since last year" stays one."""
    examples = example_scenarios()
    scenario = load_scenario(examples[v.choice("example", name, examples)])
    return moved_by_years(scenario, today().year - EXAMPLES_WRITTEN_IN)


def moved_by_years(scenario: Scenario, years: int) -> Scenario:
    """The same case ``years`` later: every year, date and per-year figure moved."""
    if years == 0:
        return scenario
    data = scenario.to_dict()
    for name in YEAR_FIELDS:
        if data.get(name) is not None:
            data[name] += years
    for name in DATE_FIELDS:
        if data.get(name) is not None:
            data[name] = _later(data[name], years)
    data["overrides"] = {year + years: values for year, values in data["overrides"].items()}
    for asset in data["assets"]:
        asset["first_use_year"] += years
        if asset.get("first_use_date") is not None:
            asset["first_use_date"] = _later(asset["first_use_date"], years)
    data.pop("as_of", None)
    return Scenario.from_dict(data)


def _later(day: dt.date, years: int) -> dt.date:
    return (
        day.replace(year=day.year + years)
        if not (day.month == 2 and day.day == 29)
        else day.replace(year=day.year + years, day=28)
    )
