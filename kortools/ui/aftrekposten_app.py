"""The Aftrekposten dashboard: deductions and net income by year for one profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as w

import kortools as kt
from kortools.ui import charts
from kortools.ui.base import (
    App,
    query_string,
)
from kortools.ui.fields import FieldSpec
from kortools.ui.text import (
    NAVIGATION,
    STYLE,
    assumptions_html,
    deductions_table_nl,
    html_table,
    net_income_html,
)

# --- aftrekposten ---------------------------------------------------------------------


#: The Aftrekposten sliders' ranges (a URL value outside them gets a Dutch message).
PROFIT_RANGE = (-50_000, 250_000, 500)
HOURS_RANGE = (0, 3_000, 25)


def aftrekposten_specs() -> dict[str, FieldSpec]:
    return {
        "winst": FieldSpec("float", PROFIT_RANGE[0], PROFIT_RANGE[1]),
        "uren": FieldSpec("int", HOURS_RANGE[0], HOURS_RANGE[1]),
        "partner_uren": FieldSpec("int", 0, 8784),
        "starter": FieldSpec("bool"),
        "aow": FieldSpec("bool"),
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
        query: str = "",
    ) -> None:
        super().__init__()
        self.specs = aftrekposten_specs()
        low, high, step = PROFIT_RANGE
        hours_low, hours_high, hours_step = HOURS_RANGE
        marks = (
            kt.value("urencriterium_hours", kt.tax_years()[-1]),
            kt.value("reduced_hours_test", kt.tax_years()[-1]),
        )
        self.sections = [
            *self.add_control(
                "winst",
                self.make(
                    w.IntSlider,
                    int(profit),
                    min=low,
                    max=high,
                    step=step,
                    continuous_update=False,
                    layout={"width": "300px"},
                ),
                " (€ per jaar, vóór ondernemersaftrek)",
            ),
            *self.add_control(
                "uren",
                self.make(
                    w.IntSlider,
                    int(hours),
                    min=hours_low,
                    max=hours_high,
                    step=hours_step,
                    continuous_update=False,
                    layout={"width": "300px"},
                ),
                " (urencriterium {:,.0f}; bij arbeidsongeschiktheid {:,.0f})".format(*marks).replace(
                    ",", "."
                ),
            ),
            *self.add_control(
                "partner_uren",
                self.make(w.IntText, partner_hours, layout={"width": "100px"}),
                " (onbetaald, per jaar)",
            ),
            *self.add_control(
                "starter",
                self.make(w.Checkbox, starter, description="gestart in het eerste jaar", indent=False),
            ),
            *self.add_control(
                "aow", self.make(w.Checkbox, aow, description="AOW-leeftijd bereikt", indent=False)
            ),
        ]
        self.chart = self.chart_image()
        self.table_html = self.make.html()
        self.assumptions = self.make.html()
        self.table = None
        errors = self.apply_query(query)
        self.refresh()
        if errors:
            self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:
        table = kt.deductions_table(
            kt.tax_years(),
            values["winst"],
            values["uren"],
            values["starter"],
            values["aow"],
            values["partner_uren"],
        )
        net = kt.net_income_table(
            kt.tax_years(),
            values["winst"],
            values["uren"],
            values["starter"],
            values["aow"],
            values["partner_uren"],
        )
        self.table, self.net = table, net
        self.chart.value = charts.to_png(charts.deductions_chart(table))
        self.table_html.value = net_income_html(net) + html_table(deductions_table_nl(table))
        self.assumptions.value = assumptions_html(
            tuple(dict.fromkeys([*table.attrs["assumptions"], *net.attrs["assumptions"]]))
        )

    @property
    def widget(self) -> w.Widget:
        controls = self.make(w.VBox, self.sections, layout={"width": "330px"})
        results = self.make(
            w.VBox,
            [
                self.status,
                self.table_html,
                self.chart,
                self.make.html("<h4>Aannames</h4>"),
                self.assumptions,
            ],
            layout={"flex": "1", "min_width": "400px"},
        )
        return self.make(
            w.VBox,
            [
                self.make.html(f"{STYLE}{NAVIGATION}<h2>Aftrekposten voor ondernemers per jaar</h2>"),
                self.make(w.HBox, [controls, results]),
            ],
        )

    def summary_text(self) -> str:
        return deductions_table_nl(self.table).to_string()


def aftrekposten_app(
    profit: float = 30000,
    hours: int = 1300,
    starter: bool = False,
    aow: bool = False,
    partner_hours: int = 0,
    query: str | None = None,
) -> AftrekpostenApp:
    return AftrekpostenApp(
        profit, hours, starter, aow, partner_hours, query_string() if query is None else query
    )
