"""A business over several years, regular VAT vs the KOR, with load and save.

Per year: margin (margin.md), herziening (herziening.md), profit, entrepreneur
deductions (deductions.md) and taxable profit, for both variants, and the
cumulative difference in profit. Euros as unrounded floats.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kortools import _validate as v
from kortools.deductions import entrepreneur_deductions
from kortools.errors import InputError
from kortools.herziening import Asset, herziening_schedule
from kortools.kor import KorWarning, kvk_warnings
from kortools.margin import POLICIES, MarginComparison, compare_margin
from kortools.parameters import Assumption, rule_assumption, tax_years, value

#: Inputs a scenario may set differently for one year (``overrides``).
YEARLY_FIELDS = (
    "consumer_sales",
    "business_sales",
    "costs_with_vat",
    "costs_without_vat",
    "hours",
    "partner_hours",
)
MAX_YEARS = 15


@dataclass(frozen=True)
class Scenario:
    """One business from ``first_year`` to ``last_year``; the KOR in ``kor_start_year..kor_last_year``.

    Sales are yearly, at today's prices excl. VAT; ``overrides`` sets any of
    :data:`YEARLY_FIELDS` for single years (``{2026: {"consumer_sales": 15000}}``).
    ``business_start_year`` drives the startersaftrek (the first 5 years).
    ``assume_last_tax_year``: years after the last year with tax data use that
    year's figures, shown as an assumption; off, such a year is an error.
    """

    name: str
    first_year: int
    last_year: int
    consumer_sales: float
    business_sales: float
    costs_with_vat: float
    costs_without_vat: float = 0.0
    vat_rate: float = 0.21
    input_vat_rate: float = 0.21
    policy: str = "keep_consumer_prices"
    kor_start_year: int | None = None  # None: from first_year
    kor_last_year: int | None = None  # None: until last_year
    assets: tuple[Asset, ...] = ()
    hours: float = 1225.0
    partner_hours: float = 0.0
    aow: bool = False
    business_start_year: int | None = None
    vat_taxed_rental: bool = False
    foreign_or_reverse_charge: bool = False
    assume_last_tax_year: bool = False
    description: str = ""
    overrides: Mapping[int, Mapping[str, float]] = field(default_factory=dict)

    def __post_init__(self):
        set_ = object.__setattr__
        v.text("name", self.name, 120)
        first = v.whole_number("first_year", self.first_year, 2000, 2100)
        last = v.whole_number("last_year", self.last_year, first, first + MAX_YEARS - 1)
        set_(self, "first_year", first)
        set_(self, "last_year", last)
        for name in ("consumer_sales", "business_sales", "costs_with_vat", "costs_without_vat"):
            set_(self, name, v.amount(name, getattr(self, name)))
        set_(self, "vat_rate", v.rate("vat_rate", self.vat_rate))
        set_(self, "input_vat_rate", v.rate("input_vat_rate", self.input_vat_rate))
        v.choice("policy", self.policy, POLICIES)
        start = first if self.kor_start_year is None else self.kor_start_year
        set_(self, "kor_start_year", v.whole_number("kor_start_year", start, first, last))
        end = last if self.kor_last_year is None else self.kor_last_year
        set_(self, "kor_last_year", v.whole_number("kor_last_year", end, self.kor_start_year, last))
        if isinstance(self.assets, str | bytes | Mapping) or not isinstance(self.assets, Iterable):
            raise InputError("assets", self.assets, "allowed a list of assets")
        set_(self, "assets", tuple(_asset(a) for a in self.assets))
        set_(self, "hours", v.hours("hours", self.hours))
        set_(self, "partner_hours", v.hours("partner_hours", self.partner_hours))
        for name in ("aow", "vat_taxed_rental", "foreign_or_reverse_charge", "assume_last_tax_year"):
            set_(self, name, v.flag(name, getattr(self, name)))
        if self.business_start_year is not None:
            v.whole_number("business_start_year", self.business_start_year, 1900, last)
        if not isinstance(self.description, str):
            raise InputError("description", self.description, "allowed a text")
        set_(self, "overrides", _check_overrides(self.overrides, first, last))
        for year in self.years:
            self.tax_year(year)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def kor_years(self) -> range:
        return range(self.kor_start_year, self.kor_last_year + 1)

    def tax_year(self, year: int) -> int:
        """The year whose tax figures apply to ``year`` (see ``assume_last_tax_year``)."""
        available = tax_years()
        if year in available:
            return year
        if self.assume_last_tax_year and year > available[-1]:
            return available[-1]
        raise InputError(
            "last_year" if year > available[-1] else "first_year",
            year,
            f"no tax data for that year; years with data: {available[0]}–{available[-1]}",
        )

    def inputs(self, year: int) -> dict[str, float]:
        """The yearly inputs for ``year``, overrides applied."""
        base = {name: getattr(self, name) for name in YEARLY_FIELDS}
        return {**base, **self.overrides.get(year, {})}

    def is_starter(self, year: int) -> bool:
        """Not an entrepreneur in 1 or more of the 5 preceding years (deductions.md §1, §3)."""
        start = self.business_start_year
        return start is not None and start <= year < start + 5

    def compare(self) -> pd.DataFrame:
        """The per-year comparison table (see :func:`evaluate`)."""
        return evaluate(self).table

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["assets"] = [
            {"name": a.name, "kind": a.kind, "first_use_year": a.first_use_year, "vat": a.vat}
            for a in self.assets
        ]
        data["overrides"] = {int(y): dict(o) for y, o in self.overrides.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        if not isinstance(data, Mapping):
            raise InputError("scenario", type(data).__name__, "allowed a mapping of fields")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError("scenario", unknown, "unknown field(s); allowed: " + ", ".join(sorted(known)))
        missing = [
            n
            for n in ("name", "first_year", "last_year", "consumer_sales", "business_sales", "costs_with_vat")
            if n not in data
        ]
        if missing:
            raise InputError("scenario", missing, "missing required field(s)")
        return cls(**data)


def _asset(item: Any) -> Asset:
    if isinstance(item, Asset):
        return item
    if not isinstance(item, Mapping) or set(item) != {"name", "kind", "first_use_year", "vat"}:
        raise InputError("assets", item, "each asset needs exactly name, kind, first_use_year, vat")
    return Asset(**item)


def _check_overrides(overrides: Any, first: int, last: int) -> dict[int, dict[str, float]]:
    if not isinstance(overrides, Mapping):
        raise InputError("overrides", overrides, "allowed a mapping year -> {field: value}")
    checked: dict[int, dict[str, float]] = {}
    for year, values in overrides.items():
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise InputError("overrides", year, "keys must be years") from None
        v.whole_number("overrides year", year, first, last)
        if not isinstance(values, Mapping) or set(values) - set(YEARLY_FIELDS):
            raise InputError(f"overrides {year}", values, "allowed fields: " + ", ".join(YEARLY_FIELDS))
        checked[year] = {
            k: (v.hours if "hours" in k else v.amount)(f"{k} ({year})", x) for k, x in values.items()
        }
    return checked


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    table: pd.DataFrame  # one row per year; see COMPARISON_COLUMNS
    margins: dict[int, MarginComparison]
    herziening: pd.DataFrame  # herziening_schedule of the scenario's assets
    warnings: tuple[KorWarning, ...]
    assumptions: tuple[Assumption, ...]

    @property
    def total_difference(self) -> float:
        """KOR minus regular profit over all years (euros)."""
        return float(self.table["difference"].sum())


COMPARISON_COLUMNS = (
    "in_kor",
    "regular_margin",
    "kor_margin",
    "lost_investment_vat",
    "herziening",
    "regular_profit",
    "kor_profit",
    "regular_deductions",
    "kor_deductions",
    "regular_taxable_profit",
    "kor_taxable_profit",
    "kor_turnover",
    "within_threshold",
    "difference",
    "cumulative_difference",
)


class _DeductionTrack:
    """Deductions of one variant year by year: starter uses and the 9-year ZA carry-forward."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.starter_uses = 0
        self.pool: list[list[float]] = []  # [origin year, remaining], oldest first

    def year(self, year: int, profit: float, inputs: Mapping[str, float]):
        s = self.scenario
        tax_year = s.tax_year(year)
        keep = int(value("za_carry_forward_years", tax_year))
        self.pool = [p for p in self.pool if year - p[0] <= keep and p[1] > 0]
        max_uses = int(value("startersaftrek_max_uses", tax_year))
        d = entrepreneur_deductions(
            tax_year,
            profit,
            inputs["hours"],
            s.is_starter(year) and self.starter_uses < max_uses,
            s.aow,
            inputs["partner_hours"],
            starter_uses=min(self.starter_uses, max_uses),
            za_carry_forward=sum(p[1] for p in self.pool),
        )
        self.starter_uses += d.startersaftrek > 0
        used = d.za_carry_forward_used
        for entry in self.pool:
            take = min(entry[1], used)
            entry[1] -= take
            used -= take
        if d.za_unused > 0:
            self.pool.append([year, d.za_unused])
        return d


def evaluate(scenario: Scenario) -> ScenarioResult:
    """Evaluate ``scenario`` year by year, regular VAT vs the KOR."""
    s = scenario
    schedule = herziening_schedule(s.assets, s.kor_start_year, s.kor_last_year)
    herziening = dict(zip(schedule.index.tolist(), schedule["payable"].tolist(), strict=True))
    regular_track, kor_track = _DeductionTrack(s), _DeductionTrack(s)
    rows, margins, assumptions = [], {}, []
    for year in s.years:
        inputs = s.inputs(year)
        m = compare_margin(
            inputs["consumer_sales"],
            inputs["business_sales"],
            inputs["costs_with_vat"],
            inputs["costs_without_vat"],
            s.vat_rate,
            s.input_vat_rate,
            s.policy,
            s.tax_year(year),
        )
        margins[year] = m
        in_kor = year in s.kor_years
        lost_vat = sum((a.vat for a in s.assets if a.first_use_year == year), 0.0) if in_kor else 0.0
        revision = herziening.get(year, 0.0)
        kor_margin = m.kor_margin if in_kor else m.regular_margin
        kor_profit = kor_margin - lost_vat - revision
        d_reg = regular_track.year(year, m.regular_margin, inputs)
        d_kor = kor_track.year(year, kor_profit, inputs)
        assumptions += [*m.assumptions, *d_reg.assumptions, *d_kor.assumptions]
        rows.append(
            {
                "in_kor": in_kor,
                "regular_margin": m.regular_margin,
                "kor_margin": kor_margin,
                "lost_investment_vat": lost_vat,
                "herziening": revision,
                "regular_profit": m.regular_margin,
                "kor_profit": kor_profit,
                "regular_deductions": d_reg.total,
                "kor_deductions": d_kor.total,
                "regular_taxable_profit": d_reg.taxable_profit,
                "kor_taxable_profit": d_kor.taxable_profit,
                "kor_turnover": m.kor_turnover if in_kor else m.regular_turnover,
                "within_threshold": m.within_threshold if in_kor else m.regular_turnover <= m.threshold,
                "difference": kor_profit - m.regular_margin,
            }
        )
    table = pd.DataFrame(rows, index=pd.Index(list(s.years), name="year"))
    table["cumulative_difference"] = table["difference"].cumsum()
    assumptions += list(schedule.attrs["assumptions"])
    if any(a.first_use_year in s.kor_years for a in s.assets):
        assumptions.append(rule_assumption("investment_vat_as_cost"))
    assumptions += _extrapolation_assumptions(s)
    warnings = scenario_warnings(s, margins, herziening)
    if any(w.code == "many_business_customers" or w.code == "large_investment" for w in warnings):
        assumptions.append(rule_assumption("kvk_warning_heuristics"))
    if s.foreign_or_reverse_charge:
        assumptions.append(rule_assumption("incidental_returns"))
    return ScenarioResult(s, table, margins, schedule, warnings, tuple(dict.fromkeys(assumptions)))


def _extrapolation_assumptions(s: Scenario) -> list[Assumption]:
    beyond = [y for y in s.years if s.tax_year(y) != y]
    if not beyond:
        return []
    last = tax_years()[-1]
    source = rule_assumption("tax_value_approximation").source
    return [
        Assumption(
            "tax_data_extrapolated",
            f"Years {beyond[0]}–{beyond[-1]} use the tax figures of {last} (no data yet).",
            f"Voor {beyond[0]}–{beyond[-1]} zijn de belastingcijfers van {last} gebruikt "
            "(nog geen gegevens).",
            source,
        )
    ]


def scenario_warnings(
    s: Scenario, margins: Mapping[int, MarginComparison], herziening: Mapping[int, float]
) -> tuple[KorWarning, ...]:
    """KVK's warnings (kor.md §4) for the first KOR year; ``herziening``: payable by year."""
    m = margins[s.kor_start_year]
    planned = sum((a.vat for a in s.assets if a.first_use_year in s.kor_years), 0.0)
    due = sum((amount for amount in herziening.values() if amount > 0), 0.0)
    crossed = [y for y in s.kor_years if not margins[y].within_threshold]
    worst = max((margins[y] for y in crossed), key=lambda x: x.kor_turnover, default=m)
    return kvk_warnings(
        m.consumer_sales,
        m.business_sales,
        m.gain,
        planned,
        due,
        s.vat_taxed_rental,
        s.foreign_or_reverse_charge,
        worst.kor_turnover,
        worst.threshold,
    )


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario from a YAML (.yaml/.yml) or JSON (.json) file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("scenario file", str(path), f"could not be read: {error}") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
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
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def example_scenarios() -> dict[str, Path]:
    """The example scenario files shipped in ``data/scenarios``, by file stem."""
    from kortools.parameters import data_dir

    return {p.stem: p for p in sorted((data_dir() / "scenarios").glob("*.yaml"))}


def example_scenario(name: str) -> Scenario:
    """Load a shipped example scenario by name (see :func:`example_scenarios`)."""
    examples = example_scenarios()
    return load_scenario(examples[v.choice("example", name, examples)])
