"""The herziening dashboard: assets and KOR years in, the yearly schedule out."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import ipywidgets as w
import pandas as pd

import kortools as kt
from kortools.herziening import (
    FIRST_KOR_YEAR,
    first_year_revised,
    kor_share_by_date,
    periods_by_kind,
    revision_period,
)
from kortools.kor import start_in_force
from kortools.money import format_euro
from kortools.steps import dutch_date
from kortools.ui import chart_text, charts
from kortools.ui.base import (
    MAX_AMOUNT,
    App,
    callable_module,
    page_for,
)
from kortools.ui.fields import FieldSpec
from kortools.ui.text import (
    assumptions_html,
    escape,
    herziening_table_nl,
    html_table,
)

# --- herziening -----------------------------------------------------------------------

ASSET_ROWS = 4


def herziening_years() -> range:
    """KOR years the herziening page offers: from the new KOR (2020) to the end of the longest
    revision period after the last tax year."""
    return range(FIRST_KOR_YEAR, kt.tax_years()[-1] + kt.longest_revision_period())


KIND_NAMES = {"movable": "roerend", "immovable": "onroerend", "investment_service": "investeringsdienst"}


def kind_labels() -> dict[str, str]:
    """Asset kinds with their revision periods from the data, e.g. "roerend (5 jaar)"."""
    periods = periods_by_kind(kt.tax_years()[-1])
    labels = {}
    for kind, name in KIND_NAMES.items():
        since = first_year_revised(kind)
        labels[kind] = f"{name} ({periods[kind]} jaar{f', vanaf {since}' if since > FIRST_KOR_YEAR else ''})"
    return labels


def herziening_specs() -> dict[str, FieldSpec]:
    """Every field of the herziening page, declared once."""
    years = herziening_years()
    starts = [dt.date(y, m, 1) for y in years for m in (1, 4, 7, 10)]
    ends = [dt.date(y, m, calendar.monthrange(y, m)[1]) for y in years for m in (3, 6, 9, 12)]
    specs = {
        # a quarter's first day, as on the KOR-verkenner (a year, as older links say: 1 January)
        "kor_vanaf": FieldSpec(
            "choice",
            options={d.isoformat(): d for d in starts},
            label="KOR vanaf",
            help=" (begin van een kwartaal)",
            choices=tuple((dutch_date(d), d.isoformat()) for d in starts),
            width="180px",
        ),
        # a quarter's last day; "" (older links: 0) the KOR does not end; a year: 31 December
        "kor_tot": FieldSpec(
            "choice",
            options={"": None, "0": None}
            | {d.isoformat(): d for d in ends}
            | {str(y): dt.date(y, 12, 31) for y in years},
            label="KOR tot en met",
            help=" (afmelden; leeg: doorlopend)",
            choices=(("doorlopend", ""), *((dutch_date(d), d.isoformat()) for d in ends)),
            width="180px",
        ),
    }
    for i in range(1, ASSET_ROWS + 1):
        specs[f"soort_{i}"] = FieldSpec("choice", options=kind_labels(), label=f"Investering {i}: soort")
        specs[f"jaar_{i}"] = FieldSpec(
            "int", 2000, years[-1], label=f"Investering {i}: jaar", help=" (eerste gebruik)"
        )
        specs[f"btw_{i}"] = FieldSpec(
            "float", 0, MAX_AMOUNT, label=f"Investering {i}: btw", help=" (btw op de factuur, €)"
        )
    return specs


class HerzieningApp(App):
    """Assets and KOR years in; the yearly herziening schedule (table and chart) out."""

    def __init__(
        self,
        assets: list[kt.Asset],
        kor_start_year: int,
        kor_last_year: int | None = None,
        query: str | None = "",
    ) -> None:
        super().__init__()
        self.specs = herziening_specs()
        end = "" if kor_last_year is None else dt.date(kor_last_year, 12, 31).isoformat()
        rows = [
            self.make.html("<h3>KOR</h3>"),
            *self.field("kor_vanaf", dt.date(kor_start_year, 1, 1).isoformat()),
            *self.field("kor_tot", end),
        ]
        for i in range(1, ASSET_ROWS + 1):
            a = assets[i - 1] if i <= len(assets) else None
            rows += [
                self.make.html(f"<h4>Investering {i}{': ' + escape(a.name) if a else ''}</h4>"),
                *self.add_control(
                    f"soort_{i}",
                    self.make(
                        w.Dropdown,
                        options=[(v, k) for k, v in kind_labels().items()],
                        value=a.kind if a else "movable",
                    ),
                ),
                *self.field(f"jaar_{i}", a.first_use_year if a else kor_start_year - 1),
                *self.field(f"btw_{i}", a.vat if a else 0.0),
            ]
        self.names = [a.name for a in assets] + [f"Investering {i}" for i in range(len(assets) + 1, 5)]
        self.sections = rows
        self.chart = self.chart_image()
        self.table = self.make.html()
        self.total = self.make.html()
        self.total.add_class("kt-live")  # the total is announced when it changes
        self.assumptions = self.make.html()
        self.schedule: pd.DataFrame | None = None
        errors = self.apply_query(query)
        self.refresh()
        if errors:
            self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:
        assets = [
            kt.Asset(self.names[i - 1], values[f"soort_{i}"], values[f"jaar_{i}"], values[f"btw_{i}"])
            for i in range(1, ASSET_ROWS + 1)
            if values[f"btw_{i}"] > 0
        ]
        start, end = self.kor_dates(values)
        last = max([start.year, *(a.first_use_year + revision_period(a) - 1 for a in assets)])
        shares = kor_share_by_date(start, end, last)
        schedule = kt.herziening_schedule(assets, start.year, end.year if end else None, kor_share=shares)
        self.schedule = schedule
        names = [a.name for a in assets]
        figure = charts.herziening_chart(schedule, names)
        self.show_chart(self.chart, figure, chart_text.herziening_alt(schedule))
        self.table.value = html_table(herziening_table_nl(schedule, names))
        total = float(schedule["payable"].sum())
        self.total.value = (
            f'<div class="kt-headline">Herziening in totaal: <b class="kt-herziening-total" '
            f'data-total="{total:.2f}">{format_euro(total)}</b> '
            f"({'terugbetalen' if total >= 0 else 'extra aftrek'})</div>"
        )
        self.assumptions.value = assumptions_html(schedule.attrs["assumptions"])

    def kor_dates(self, values: Mapping[str, Any]) -> tuple[dt.date, dt.date | None]:
        """The KOR's first and last day as chosen: a start before today is a fact (the client
        joined then); a later one a plan, moved to the first start a request made today still
        reaches when its deadline has passed (kor-dates.md §1, as on the KOR-verkenner)."""
        options = self.specs["kor_vanaf"].options or {}
        planned = options[values["kor_vanaf"]]
        end = (self.specs["kor_tot"].options or {})[values["kor_tot"]]
        return start_in_force(planned, kt.today()), end

    def read_note(self, name: str) -> str | None:
        """Beside "KOR vanaf", the start used when a late plan moved it (issue #35 item 6)."""
        if name != "kor_vanaf":
            return super().read_note(name)
        values, _ = self.current_values()
        if "kor_vanaf" in values and "kor_tot" in values:
            start, _end = self.kor_dates(values)
            if start != (self.specs["kor_vanaf"].options or {})[values["kor_vanaf"]]:
                return f"gebruikt: {dutch_date(start)} (aanmelden daarvoor is te laat)"
        return super().read_note(name)

    def model_fields(self) -> dict[str, str]:
        """A date the model refuses is shown beside its control."""
        return {**super().model_fields(), "start": "kor_vanaf", "end": "kor_tot"}

    @cached_property
    def widget(self) -> w.Widget:
        return self.page(
            "Herziening bij de KOR",
            [
                self.status,
                self.total,
                self.chart,
                self.table,
                self.make.html("<h3>Aannames</h3>"),
                self.assumptions,
            ],
        )

    def summary_text(self) -> str:
        if self.schedule is None:
            return self.status.value
        names = [c for c in self.schedule.columns if c not in ("gross", "payable", "below_minimum")]
        return herziening_table_nl(self.schedule, names).to_string()


def herziening_app(scenario: kt.Scenario | str = "starter", query: str | None = None) -> HerzieningApp:
    if isinstance(scenario, str):
        scenario = kt.example_scenario(scenario)
    assets, start = list(scenario.assets), scenario.kor_start_year
    return page_for(lambda link: HerzieningApp(assets, start, None, link), query)


callable_module(__name__, herziening_app)  # base.callable_module
