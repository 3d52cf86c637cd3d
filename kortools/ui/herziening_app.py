"""The herziening dashboard: assets and KOR years in, the yearly schedule out."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import ipywidgets as w
import pandas as pd

import kortools as kt
from kortools.herziening import FIRST_KOR_YEAR, first_year_revised, periods_by_kind
from kortools.money import format_euro
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
    specs = {
        "kor_vanaf": FieldSpec("int", years[0], years[-1], label="KOR vanaf"),
        # 0: the KOR does not end
        "kor_tot": FieldSpec("int", 0, years[-1], label="KOR tot en met"),
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
        year_options = [(str(y), y) for y in herziening_years()]
        rows = [
            self.make.html("<h3>KOR-jaren</h3>"),
            *self.add_control(
                "kor_vanaf",
                self.make(w.Dropdown, options=year_options, value=kor_start_year, layout={"width": "100px"}),
            ),
            *self.add_control(
                "kor_tot",
                self.make(
                    w.Dropdown,
                    options=[("geen einde", 0), *year_options],
                    value=kor_last_year or 0,
                    layout={"width": "130px"},
                ),
            ),
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
        schedule = kt.herziening_schedule(assets, values["kor_vanaf"], values["kor_tot"] or None)
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
