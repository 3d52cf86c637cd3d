"""The KOR-verkenner's year table: turnover and costs per year, the year before the first
as history (issue #20 item 2). An empty cell is a year without its own figures: the model
fills it (the plain turnover, grown by ``groei``), and the cell shows that forecast as its
placeholder. The fields are declared in ``verkenner_fields.year_specs``; the controls of a
year are made when the year is first shown (the years follow ``van`` and ``tot``)."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

import kortools as kt
from kortools.ui.base import named_traits
from kortools.ui.fields import amount_text
from kortools.ui.models import SharedModels
from kortools.ui.text import escape

KINDS = ("omzet", "kosten")
COLUMNS = "104px 100px 100px"
BASIS_NL = {
    "werkelijk": "werkelijk",
    "aangenomen": "aangenomen",
    "opgegeven": "opgegeven",
    "prognose": "prognose",
}


class YearTable:
    """A grid: one row per year (the year and its basis, the turnover, the costs)."""

    def __init__(
        self, make: SharedModels, register: Callable[[str, w.Widget], None], label: Callable[[str], str]
    ) -> None:
        self.make = make
        self.register = register  # the app's: the control joins the inputs (parse, link, refresh)
        self.label = label  # a cell's name, from its declaration (``year_specs``)
        self.cells: dict[str, w.Text] = {}
        self.year_labels: dict[int, w.HTML] = {}
        self.errors = make.html()
        head = (
            f'<div class="kt-year-head" style="display:grid;grid-template-columns:{COLUMNS};'
            'font-size:0.9em"><b>Jaar</b><b>Omzet</b><b>Kosten</b></div>'
        )
        note = (
            "<small>Omzet excl. btw; kosten: waarop u btw betaalt, excl. die btw. Een leeg vak: "
            "het bedrag hierboven (met de groei), grijs getoond.</small>"
        )
        self.grid = make(w.GridBox, [], layout={"grid_template_columns": COLUMNS, "align_items": "center"})
        self.widget = make(w.VBox, [make.html(head), self.grid, make.html(note), self.errors])
        self.shown: tuple[int, int] | None = None

    def cell(self, name: str) -> w.Text:
        """The text cell of ``omzet_2026`` or ``kosten_2026``, made and registered once."""
        if name not in self.cells:
            cell = self.make(  # named at once (kt-named: the grid's row and column show it)
                w.Text,
                "",
                continuous_update=False,
                layout={"width": "100px"},
                **named_traits(name, self.label(name)),
            )
            self.cells[name] = cell
            self.register(name, cell)
        return self.cells[name]

    def show_years(self, first: int, last: int, result: kt.ScenarioResult | None) -> None:
        """The rows of ``first − 1`` (history: turnover only) to ``last``, with the model's
        figures as placeholders and each year's basis."""
        if self.shown != (first, last):
            children: list[w.Widget] = []
            for year in range(first - 1, last + 1):
                children += [self._year_label(year), self.cell(f"omzet_{year}")]
                children.append(self.cell(f"kosten_{year}") if year >= first else self.make.html(""))
            self.grid.children = children
            self.shown = (first, last)
        if result is None:
            return
        s = result.scenario
        for year in range(first, last + 1):
            self.cells[f"omzet_{year}"].placeholder = amount_text(round(s.turnover(year), 2))
            self.cells[f"kosten_{year}"].placeholder = amount_text(round(s.inputs(year)["costs_with_vat"], 2))
            self.year_labels[year].value = _year_html(year, BASIS_NL[s.basis(year)])
        before = s.history_turnover if s.previous_year_turnover is None else s.previous_year_turnover
        self.cells[f"omzet_{first - 1}"].placeholder = "" if before is None else amount_text(round(before, 2))
        self.year_labels[first - 1].value = _year_html(first - 1, "vorig jaar")

    def _year_label(self, year: int) -> w.HTML:
        if year not in self.year_labels:
            self.year_labels[year] = self.make.html(str(year))
        return self.year_labels[year]

    def show_errors(self, errors: dict[str, str], notes: dict[str, str | None] | None = None) -> None:
        """The cells' errors, then what a cell was read as where that needs saying
        (``Omzet 2027: = € 16,50 — bedoelt u € 16.500?``, issue #35 item 1)."""
        mine = [message for name, message in errors.items() if name in self.cells]
        said = [
            f"{name.replace('_', ' ').capitalize()}: {note}"
            for name, note in (notes or {}).items()
            if note and name in self.cells and name not in errors
        ]
        self.errors.value = "".join(f'<div class="kt-error">{escape(m)}</div>' for m in mine) + "".join(
            f'<div class="kt-read">{escape(m)}</div>' for m in said
        )


def _year_html(year: int, basis: str) -> str:
    return f'<span style="white-space:nowrap">{year} <small>{escape(basis)}</small></span>'
