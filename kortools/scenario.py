"""A business over several years (the inputs); files in ``kortools.scenario_files``.

:func:`kortools.evaluate` (``kortools.evaluation``) turns a scenario into the yearly
comparison of regular VAT and the KOR. Euros as unrounded floats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from kortools import _validate as v
from kortools.clock import today
from kortools.deduction_years import is_starter, starter_uses_before
from kortools.errors import InputError
from kortools.herziening import Asset, _check_assets, revision_period
from kortools.inputs import CHECKS, YEARLY
from kortools.kor import kor_exit_date, kor_reentry_date, kor_start_date, start_in_force, whole_year_start
from kortools.margin import POLICIES
from kortools.other_income import BY_KEY as _KINDS
from kortools.parameters import tax_year_for, tax_years, value
from kortools.scenario_checks import (
    _asset,
    _check_assumption_keys,
    _check_input_notes,
    _check_monthly_sales,
    _check_period_end,
    _check_period_start,
    _date,
)

#: The VAT on the costs "with VAT" unless a scenario says otherwise: the general rate.
DEFAULT_INPUT_VAT_RATE = 0.21

#: Inputs a scenario may set differently for one year (``overrides``): kortools.inputs.
YEARLY_FIELDS = YEARLY
#: How a yearly value is checked (the field name, then the value): kortools.inputs.
YEARLY_CHECKS = {name: CHECKS[name] for name in YEARLY}
#: Legal forms: the income side is an IB-ondernemer's (a vof partner's share), or none (bv).
LEGAL_FORMS = ("eenmanszaak", "vof", "bv")
MAX_YEARS = 15
OTHER_INCOME_KEYS = tuple(_KINDS)
RETURN_PERIODS = ("quarter", "month")
#: The yearly inputs that ``growth`` carries forward (a forecast of the sales).
SALES_FIELDS = ("consumer_sales", "business_sales")
REQUIRED_FIELDS = ("name", "first_year", "last_year", "consumer_sales", "business_sales", "costs_with_vat")


@dataclass(frozen=True)
class Scenario:
    """One business from ``first_year`` to ``last_year``, KOR chosen: ``kor_start_year..kor_last_year``.

    Whether the KOR really applies in a chosen year follows from the rules (see
    :func:`kortools.evaluate`). Sales are yearly, at today's prices excl. VAT;
    ``overrides`` sets any of :data:`YEARLY_FIELDS` for single years
    (``{2026: {"consumer_sales": 15000}}``). ``monthly_sales``: 12 weights for how the
    sales fall over the year (default: evenly), used to find a threshold crossing.
    ``previous_year_turnover``: counted turnover of the year before ``first_year``
    (default: the first year's sales excl. VAT, an assumption).
    ``business_start_year`` drives the startersaftrek; ``starter_uses_before``: times
    it was used before ``first_year`` (default: derived from the start year).
    ``other_income``: a wage or benefit beside the business (euros a year, per-year
    overrides allowed), of ``other_income_kind`` (``"loon"``, ``"uitkering"`` or a benefit
    kind of :data:`kortools.other_income.OTHER_INCOME_KINDS`): taxed with the profit as
    one box-1 income (rules/other-income.md); employment hours go in ``other_work_hours``.
    ``growth``: the yearly growth of the sales (a fraction) in the years without their own
    (a forecast: the plain values hold in ``first_year``); ``overrides`` may hold the
    sales of ``first_year − 1`` (history: the previous-year test uses them).
    ``turnover(year)``, ``basis(year)``.
    ``input_notes``: what was assumed where the inputs were read, as (English, Dutch) texts
    shown among the result's assumptions (the books: a negative total taken as € 0);
    ``input_warnings`` the same, said with the verdict too (books years old, much turnover
    of unknown VAT kind).
    ``assumption_keys``: unconfirmed rules the inputs rest on (data/assumptions.yaml, e.g.
    from the books): shown with the result.
    ``assume_last_tax_year``: years after the last year with tax data use that
    year's figures, shown as an assumption; off, such a year is an error.

    The KOR by date (rules/kor-dates.md), beside the whole years: ``kor_start`` a planned
    start (the first day of a return period, ``return_period`` "quarter" or "month"),
    moved to the first date a request made ``kt.today()`` still reaches when its deadline
    has passed (``kor_from``, ``kor_start_moved``; the status says why); ``kor_since`` the
    date a client already in the KOR joined (a fact, not checked against deadlines);
    ``kor_end`` the last day of a voluntary exit (the re-entry block follows). A date
    sets ``kor_start_year``/``kor_last_year``; a part year is split by its sales.
    """

    name: str
    first_year: int
    last_year: int
    consumer_sales: float
    business_sales: float
    costs_with_vat: float
    costs_without_vat: float = 0.0
    vat_rate: float = 0.21
    input_vat_rate: float = DEFAULT_INPUT_VAT_RATE
    policy: str = "keep_consumer_prices"
    # None on input: from first_year / until last_year; a year once constructed.
    kor_start_year: int = None  # type: ignore[assignment]
    kor_last_year: int = None  # type: ignore[assignment]
    assets: tuple[Asset, ...] = ()
    hours: float = 1225.0
    partner_hours: float = 0.0
    other_work_hours: float = 0.0
    so_hours: float = 0.0
    pregnancy_weeks: float = 0.0
    hours_per_week: float = 0.0
    disability_benefit: bool = False
    legal_form: str = "eenmanszaak"
    profit_share: float = 1.0
    kvk_registered: bool = True
    eu_turnover: float | None = None
    solar_panels_before_2023: bool = False
    aow: bool = False
    business_start_year: int | None = None
    starter_uses_before: int | None = None
    previous_year_turnover: float | None = None
    monthly_sales: tuple[float, ...] | None = None
    vat_taxed_rental: bool = False
    foreign_or_reverse_charge: bool = False
    assume_last_tax_year: bool = True
    description: str = ""
    adviser: str = ""
    office: str = ""
    overrides: Mapping[int, Mapping[str, float]] = field(default_factory=dict)
    other_income: float = 0.0
    other_income_kind: str = "loon"
    kor_start: dt.date | None = None
    kor_end: dt.date | None = None
    kor_since: dt.date | None = None
    return_period: str = "quarter"
    as_of: dt.date = None  # type: ignore[assignment]  # None on input: kt.today()
    kor_end_requested: bool = False
    kor_restart: dt.date | None = None
    growth: float = 0.0
    assumption_keys: tuple[str, ...] = ()
    input_notes: tuple[tuple[str, str], ...] = ()
    input_warnings: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        set_ = object.__setattr__
        v.text("name", self.name, 120)
        first = v.whole_number("first_year", self.first_year, 2000, 2100)
        last = v.whole_number("last_year", self.last_year, first, first + MAX_YEARS - 1)
        set_(self, "first_year", first)
        set_(self, "last_year", last)
        for name, check in CHECKS.items():  # every number of the input catalogue
            set_(self, name, check(name, getattr(self, name)))
        v.choice("policy", self.policy, POLICIES)
        set_(self, "as_of", today() if self.as_of is None else _date("as_of", self.as_of))
        set_(self, "kor_end_requested", v.flag("kor_end_requested", self.kor_end_requested))
        self._check_kor_dates(first, last)
        start = first if self.kor_start_year is None else self.kor_start_year
        set_(self, "kor_start_year", v.whole_number("kor_start_year", start, first, last))
        end = last if self.kor_last_year is None else self.kor_last_year
        set_(self, "kor_last_year", v.whole_number("kor_last_year", end, self.kor_start_year, last))
        if isinstance(self.assets, str | bytes | Mapping) or not isinstance(self.assets, Iterable):
            raise InputError("assets", self.assets, "allowed a list of assets")
        set_(self, "assets", _check_assets(tuple(_asset(a) for a in self.assets)))
        for asset in self.assets:
            revision_period(asset)
        flags = ("aow", "vat_taxed_rental", "foreign_or_reverse_charge", "assume_last_tax_year")
        for name in (*flags, "disability_benefit", "kvk_registered", "solar_panels_before_2023"):
            set_(self, name, v.flag(name, getattr(self, name)))
        v.choice("legal_form", self.legal_form, LEGAL_FORMS)
        v.choice("other_income_kind", self.other_income_kind, OTHER_INCOME_KEYS)
        if self.legal_form != "vof" and self.profit_share != 1:
            raise InputError("profit_share", self.profit_share, "allowed only for a vof (a partner's share)")
        if self.eu_turnover is not None:
            set_(self, "eu_turnover", v.amount("eu_turnover", self.eu_turnover))
        if self.business_start_year is not None:
            set_(
                self,
                "business_start_year",
                v.whole_number("business_start_year", self.business_start_year, 1900, last),
            )
        if self.previous_year_turnover is not None:
            set_(
                self,
                "previous_year_turnover",
                v.amount("previous_year_turnover", self.previous_year_turnover),
            )
        set_(self, "monthly_sales", _check_monthly_sales(self.monthly_sales))
        for name in ("description", "adviser", "office"):
            if not isinstance(getattr(self, name), str) or len(getattr(self, name)) > 200:
                raise InputError(name, getattr(self, name), "allowed a text of at most 200 characters")
        set_(self, "overrides", _check_overrides(self.overrides, first, last))
        set_(self, "assumption_keys", _check_assumption_keys(self.assumption_keys))
        set_(self, "input_notes", _check_input_notes(self.input_notes, "input_notes"))
        set_(self, "input_warnings", _check_input_notes(self.input_warnings, "input_warnings"))
        for year in self.years:
            self.tax_year(year)
        set_(self, "starter_uses_before", self._check_starter_uses())
        weeks = [self.inputs(y)["pregnancy_weeks"] for y in self.years]
        if any(weeks) and self.hours_per_week <= 0:
            raise InputError("hours_per_week", self.hours_per_week, "allowed above 0 with pregnancy_weeks")

    def _check_kor_dates(self, first: int, last: int) -> None:
        """One rule for every start and exit, however given (kor-dates.md §1–§2; issue #33):
        a date before ``as_of`` is a fact (the client joined or left then); a later one is a
        plan, and a plan whose request deadline has passed by ``as_of`` moves to the first
        period start a request made then still reaches. ``kor_since`` is always a fact;
        ``kor_end_requested`` makes a future ``kor_end`` one. Whole years are dated as
        1 January (the start) and 31 December (the end). The dates set
        ``kor_start_year``/``kor_last_year``: a date given wins over the year (so
        ``dataclasses.replace`` with a new date works)."""
        set_ = object.__setattr__
        v.choice("return_period", self.return_period, RETURN_PERIODS)
        for name in ("kor_start", "kor_end", "kor_since"):
            if getattr(self, name) is not None:
                set_(self, name, _date(name, getattr(self, name)))
        if self.kor_start is not None and self.kor_since is not None:
            raise InputError("kor_since", self.kor_since, "allowed only without kor_start (a plan or a fact)")
        if self.kor_start is not None:
            _check_period_start("kor_start", self.kor_start, self.return_period)
        if self.kor_since is not None and self.kor_since > self.as_of:
            raise InputError(
                "kor_since",
                self.kor_since,
                f"allowed a past date (the scenario reasons from {self.as_of}); a plan is kor_start",
            )
        self._date_the_start(first)
        start = self.kor_from
        if start is not None:
            if start.year > last:
                raise InputError(
                    "kor_start",
                    self.kor_start,
                    f"the KOR can start on {start} at the earliest, after last_year {last}",
                )
            set_(self, "kor_start_year", max(first, start.year))
        if self.kor_end is not None:
            _check_period_end("kor_end", self.kor_end, self.return_period)
            low = start or dt.date(first, 1, 1)
            if not low <= self.kor_end <= dt.date(last, 12, 31):
                raise InputError(
                    "kor_end", self.kor_end, f"allowed from {low} to {dt.date(last, 12, 31)} (the scenario)"
                )
        self._date_the_end(last)
        if self.kor_until is not None:
            set_(self, "kor_last_year", self.kor_until.year)
        elif self.kor_end_moved:  # moved past the scenario's end
            set_(self, "kor_last_year", last)
        self._date_the_restart(last)

    def _date_the_start(self, first: int) -> None:
        """The start in force (``kor_from``) and the plan it came from (module rule above)."""
        set_ = object.__setattr__
        planned: dt.date | None = None
        if self.kor_since is not None:
            start: dt.date | None = self.kor_since
        elif self.kor_start is not None:
            planned = self.kor_start
            start = start_in_force(planned, self.as_of, self.return_period)
        else:  # whole years: 1 January of the first KOR year, a plan if it is still to come
            given = self.kor_start_year
            year = first if given is None else v.whole_number("kor_start_year", given, first, self.last_year)
            start = whole_year_start(year, self.as_of, self.return_period)
            planned = None if start is None else dt.date(year, 1, 1)
        set_(self, "_kor_from", start)
        set_(self, "_planned_start", planned)

    def _date_the_end(self, last: int) -> None:
        """The last KOR day in force (``kor_until``): an exit planned for a day whose request
        deadline has passed moves to the first period start a request made ``as_of`` reaches."""
        set_ = object.__setattr__
        whole_years = (
            self.kor_end is None and self.kor_last_year is not None and int(self.kor_last_year) < last
        )
        planned = self.kor_end or (dt.date(int(self.kor_last_year), 12, 31) if whole_years else None)
        end = planned
        if planned is not None and not self.kor_end_requested:
            first_day_off = planned + dt.timedelta(days=1)
            reachable = kor_exit_date(self.as_of, self.return_period)
            if first_day_off > self.as_of and reachable > first_day_off:  # a plan, too late
                end = reachable - dt.timedelta(days=1)
                end = end if end <= dt.date(last, 12, 31) else None  # past the scenario: it runs on
        moved = planned is not None and end != planned
        set_(self, "_kor_until", end if (self.kor_end is not None or moved) else None)
        set_(self, "_planned_end", planned if moved else None)

    def _date_the_restart(self, last: int) -> None:
        """A second start after a voluntary exit (issue #33): the first day of a return period,
        not before the re-entry date the exit allows (kor-dates.md §4), within the scenario; a
        plan moved past a passed deadline like the first start."""
        set_ = object.__setattr__
        restart = self.kor_restart
        set_(self, "_kor_restart_from", None)
        if restart is None:
            return
        restart = _date("kor_restart", restart)
        set_(self, "kor_restart", restart)
        _check_period_start("kor_restart", restart, self.return_period)
        if self.kor_until is None:
            raise InputError("kor_restart", restart, "allowed only after a voluntary exit (kor_end)")
        again = kor_reentry_date(self.kor_until + dt.timedelta(days=1))
        if restart < again:
            raise InputError(
                "kor_restart", restart, f"allowed from the re-entry date {again} (after the exit) on"
            )
        start = start_in_force(restart, self.as_of, self.return_period)
        if start.year > last:
            raise InputError("kor_restart", restart, f"allowed within the scenario (last_year {last})")
        set_(self, "_kor_restart_from", start)

    @property
    def kor_restart_from(self) -> dt.date | None:
        """The second start in force (``kor_restart``, moved if its deadline had passed)."""
        return getattr(self, "_kor_restart_from", None)

    @property
    def next_kor_start(self) -> dt.date:
        """The first period start a request to join made on ``as_of`` reaches (kor-dates.md §1)."""
        return kor_start_date(self.as_of, self.return_period)

    @property
    def next_kor_exit(self) -> dt.date:
        """The first day without the KOR a request to leave made on ``as_of`` reaches (§2)."""
        return kor_exit_date(self.as_of, self.return_period)

    def in_kor_on(self, day: dt.date) -> bool:
        """Whether the client is in the KOR on ``day`` as chosen (a start on or before it, no
        exit before it); whether the rules let it apply is the table's ``kor_share``."""
        start = self.kor_from or dt.date(self.kor_start_year, 1, 1)
        end = self.kor_until
        if end is None and self.kor_last_year < self.last_year:
            end = dt.date(self.kor_last_year, 12, 31)
        again = self.kor_restart_from
        return (start <= day and (end is None or day <= end)) or (again is not None and again <= day)

    @property
    def in_kor(self) -> bool:
        """In the KOR on ``as_of`` (a fact): stay or leave is the question, not join."""
        return self.in_kor_on(self.as_of)

    @property
    def kor_from(self) -> dt.date | None:
        """The date the KOR applies from: ``kor_since``; ``kor_start`` (a fact if before
        ``as_of``, else a plan moved past a passed deadline); a whole-year plan whose deadline
        has passed, moved likewise; None: whole years as chosen."""
        return getattr(self, "_kor_from", None)

    @property
    def kor_start_moved(self) -> bool:
        """The planned start was moved: its request deadline had passed by ``as_of``."""
        return self.kor_planned_start is not None and self.kor_from != self.kor_planned_start

    @property
    def kor_planned_start(self) -> dt.date | None:
        """The start as planned (``kor_start``, or 1 January of a whole-year plan that moved)."""
        return getattr(self, "_planned_start", None)

    @property
    def kor_until(self) -> dt.date | None:
        """The last day of the KOR in force: ``kor_end`` (or 31 December of ``kor_last_year``),
        moved when the exit was a plan whose request deadline had passed; None: no exit."""
        return getattr(self, "_kor_until", None)

    @property
    def kor_end_moved(self) -> bool:
        """The planned exit was moved: its request deadline had passed by ``as_of``."""
        return getattr(self, "_planned_end", None) is not None

    @property
    def kor_planned_end(self) -> dt.date | None:
        """The exit as planned (its last KOR day), when it was moved."""
        return getattr(self, "_planned_end", None)

    def _check_starter_uses(self) -> int:
        """Uses of the startersaftrek before ``first_year``: given, or derived (deductions.md §3)."""
        max_uses = int(value("startersaftrek_max_uses", self.tax_year(self.first_year)))
        if self.starter_uses_before is None:
            return starter_uses_before(self.business_start_year, self.first_year, max_uses)
        if self.business_start_year is None and self.starter_uses_before:
            raise InputError(
                "starter_uses_before", self.starter_uses_before, "allowed only with a business_start_year"
            )
        return v.whole_number("starter_uses_before", self.starter_uses_before, 0, max_uses)

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    @property
    def kor_years(self) -> range:
        """The years the KOR is chosen for; where it really applies: ``evaluate(...).table``."""
        return range(self.kor_start_year, self.kor_last_year + 1)

    @property
    def kor_continues(self) -> bool:
        """The KOR is chosen up to the last year and not ended (``kor_end``): it is taken to
        go on after it (herziening)."""
        return (self.kor_last_year == self.last_year and self.kor_end is None) or self.kor_restart is not None

    def tax_year(self, year: int) -> int:
        """The year whose tax figures apply to ``year`` (see ``assume_last_tax_year``)."""
        field = "last_year" if year > tax_years()[-1] else "first_year"
        return tax_year_for(year, self.assume_last_tax_year, field)

    def inputs(self, year: int) -> dict[str, float]:
        """The yearly inputs for ``year``: its overrides, else the plain values, the sales
        grown by ``growth`` a year after ``first_year`` (a forecast; 0: the same every year)."""
        base = {name: getattr(self, name) for name in YEARLY_FIELDS}
        if self.growth:
            for name in SALES_FIELDS:
                base[name] *= (1 + self.growth) ** (year - self.first_year)
        return {**base, **self.overrides.get(year, {})}

    def turnover(self, year: int) -> float:
        """The sales of ``year`` excl. VAT (consumers and businesses), as :meth:`inputs` has them."""
        i = self.inputs(year)
        return i["consumer_sales"] + i["business_sales"]

    def basis(self, year: int) -> str:
        """Where ``year``'s sales come from: ``"werkelijk"`` (a past year with its own figures),
        ``"aangenomen"`` (a past year without them), ``"opgegeven"`` (this year or later with
        figures the adviser gave: not the model's forecast, issue #35 item 6) or ``"prognose"``
        (this year and later without them: the growth applied), reckoned from ``kt.today()``."""
        given = set(SALES_FIELDS) <= set(self.overrides.get(year, {}))
        if year >= self.as_of.year:
            return "opgegeven" if given else "prognose"
        return "werkelijk" if given else "aangenomen"

    @property
    def history_turnover(self) -> float | None:
        """The sales given for the year before ``first_year`` (``overrides``), if any."""
        before = self.overrides.get(self.first_year - 1, {})
        return sum(before[n] for n in SALES_FIELDS) if set(SALES_FIELDS) <= set(before) else None

    def is_starter(self, year: int) -> bool:
        """Not an entrepreneur in 1 or more of the 5 preceding years (deductions.md §1, §3)."""
        return is_starter(year, self.business_start_year)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["assets"] = [
            {"name": a.name, "kind": a.kind, "first_use_year": a.first_use_year, "vat": a.vat}
            | ({"first_use_date": a.first_use_date} if a.first_use_date is not None else {})
            for a in self.assets
        ]
        data["overrides"] = {int(y): dict(o) for y, o in self.overrides.items()}
        if self.monthly_sales is not None:
            data["monthly_sales"] = list(self.monthly_sales)
        data["assumption_keys"] = list(self.assumption_keys)
        if data["as_of"] == today():  # reasons from the day it is opened, as a new case does
            del data["as_of"]
        data["input_notes"] = [list(note) for note in self.input_notes]
        data["input_warnings"] = [list(note) for note in self.input_warnings]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        if not isinstance(data, Mapping):
            raise InputError("scenario", type(data).__name__, "allowed a mapping of fields")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError("scenario", unknown, "unknown field(s); allowed: " + ", ".join(sorted(known)))
        missing = [n for n in REQUIRED_FIELDS if n not in data]
        if missing:
            raise InputError("scenario", missing, "missing required field(s)")
        return cls(**data)


def _check_overrides(overrides: Any, first: int, last: int) -> dict[int, dict[str, float]]:
    """Per-year values within the scenario's years; the year before it may hold sales only."""
    if not isinstance(overrides, Mapping):
        raise InputError("overrides", overrides, "allowed a mapping year -> {field: value}")
    checked: dict[int, dict[str, float]] = {}
    for year, values in overrides.items():
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise InputError("overrides", year, "keys must be years") from None
        v.whole_number("overrides year", year, first - 1, last)
        allowed = SALES_FIELDS if year == first - 1 else YEARLY_FIELDS
        if not isinstance(values, Mapping) or set(values) - set(allowed):
            raise InputError(f"overrides {year}", values, "allowed fields: " + ", ".join(allowed))
        checked[year] = {k: YEARLY_CHECKS[k](f"{k} ({year})", x) for k, x in values.items()}
    return checked
