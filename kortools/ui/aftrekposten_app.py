"""The Aftrekposten dashboard: deductions and net income by year for one profile."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import ipywidgets as w
import pandas as pd

import kortools as kt
from kortools.dutch import format_number_nl
from kortools.inputs import input_named
from kortools.ui import chart_text, charts
from kortools.ui.base import (
    App,
    callable_module,
    page_for,
)
from kortools.ui.fields import FieldSpec
from kortools.ui.text import (
    assumptions_html,
    deductions_table_nl,
    html_table,
    net_income_html,
)
from kortools.ui.verkenner_fields import other_income_specs

# --- aftrekposten ---------------------------------------------------------------------


#: The Aftrekposten sliders' ranges (a URL value outside them gets a Dutch message).
PROFIT_RANGE = (-50_000, 250_000, 500)
HOURS_RANGE = (0, 3_000, 25)


def hours_marks() -> str:
    """The hours tests in the label: 1.225 (urencriterium) and 800 (bij arbeidsongeschiktheid)."""
    year = kt.tax_years()[-1]
    marks = kt.value("urencriterium_hours", year), kt.value("reduced_hours_test", year)
    met, reduced = (format_number_nl(float(m)) for m in marks)
    return f" (urencriterium {met}; bij arbeidsongeschiktheid {reduced})"


#: the partner's hours: range and label from the catalogue (this page maps the value itself)
PARTNER_HOURS = input_named("partner_hours")


def aftrekposten_specs() -> dict[str, FieldSpec]:
    return {
        "winst": FieldSpec(
            "float",
            PROFIT_RANGE[0],
            PROFIT_RANGE[1],
            label="Winst",
            help=" (€ per jaar, vóór ondernemersaftrek)",
        ),
        "uren": FieldSpec("int", HOURS_RANGE[0], HOURS_RANGE[1], label="Uren per jaar", help=hours_marks()),
        "partner_uren": FieldSpec(
            "int", 0, PARTNER_HOURS.high, label=PARTNER_HOURS.label_nl, help=" (onbetaald, per jaar)"
        ),
        "starter": FieldSpec("bool", label="Starter", description="gestart in het eerste jaar"),
        "aow": FieldSpec("bool", label="AOW-leeftijd", description="AOW-leeftijd bereikt"),
        **other_income_specs(),  # a wage or benefit, as on the KOR-verkenner (issue #35 item 6)
    }


class AftrekpostenApp(App):
    """Deductions and net income over the tax years for one profit/hours/starter/AOW profile."""

    def __init__(
        self,
        profit: float,
        hours: int,
        starter: bool = False,
        aow: bool = False,
        partner_hours: int = 0,
        query: str | None = "",
    ) -> None:
        super().__init__()
        self.specs = aftrekposten_specs()
        sliders = {"winst": (profit, PROFIT_RANGE), "uren": (hours, HOURS_RANGE)}
        self.sections = []
        for name, (value, (low, high, step)) in sliders.items():  # sliders with their own steps
            slider = self.make(
                w.IntSlider,
                int(value),
                min=low,
                max=high,
                step=step,
                continuous_update=False,
                layout={"width": "300px"},
            )
            self.sections += self.add_control(name, slider)
        values: dict[str, Any] = {"partner_uren": partner_hours, "starter": starter, "aow": aow}
        values |= {"uren_ander_werk": 0, "ander_inkomen": 0.0, "soort_inkomen": "loon"}
        for name, value in values.items():
            self.sections += self.field(name, value)
        self.chart = self.chart_image()
        self.table_html = self.make.html()
        self.assumptions = self.make.html()
        self.table: pd.DataFrame | None = None
        errors = self.apply_query(query)
        self.refresh()
        if errors:
            self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:
        net = kt.net_income_table(
            kt.tax_years(),
            values["winst"],
            values["uren"],
            values["starter"],
            values["aow"],
            values["partner_uren"],
            other_income=values["ander_inkomen"],
            other_income_kind=values["soort_inkomen"],
            other_work_hours=values["uren_ander_werk"],
        )
        table = net.attrs["deductions"]
        self.table, self.net = table, net
        parts = [(p.name, p.label_nl) for p in charts.shown_parts(table)]
        self.show_chart(self.chart, charts.deductions_chart(table), chart_text.deductions_alt(table, parts))
        self.table_html.value = net_income_html(net) + html_table(deductions_table_nl(table))
        self.assumptions.value = assumptions_html(net.attrs["assumptions"])

    @cached_property
    def widget(self) -> w.Widget:
        return self.page(
            "Aftrekposten voor ondernemers per jaar",
            [self.status, self.table_html, self.chart, self.make.html("<h3>Aannames</h3>"), self.assumptions],
        )

    def summary_text(self) -> str:
        return self.status.value if self.table is None else deductions_table_nl(self.table).to_string()


def aftrekposten_app(
    profit: float = 30000,
    hours: int = 1300,
    starter: bool = False,
    aow: bool = False,
    partner_hours: int = 0,
    query: str | None = None,
) -> AftrekpostenApp:
    return page_for(lambda link: AftrekpostenApp(profit, hours, starter, aow, partner_hours, link), query)


callable_module(__name__, aftrekposten_app)  # base.callable_module
