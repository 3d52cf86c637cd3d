"""The result tabs of the KOR-verkenner, declared once: each tab's title, the widgets it is
made of (made when it is first opened: fewer models at first paint, issue #22 item 3) and how
it is drawn from the result. Renders the model's figures; computes no tax."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, NamedTuple

import ipywidgets as w

import kortools as kt
from kortools.money import format_euro, format_percent
from kortools.ui import chart_text, charts
from kortools.ui.base import guarded
from kortools.ui.books_panel import herkomst_html
from kortools.ui.first_charts import break_even_chart_spec
from kortools.ui.text import (
    assumptions_html,
    comparison_table_nl,
    escape,
    herziening_table_nl,
    html_table,
    minimum_rule_nl,
    net_by_turnover_html,
)
from kortools.ui.variants import Variants


class Tab(NamedTuple):
    title: str
    make: Callable[[Any], list[w.Widget]]  # the tab's widgets, made once
    draw: Callable[[Any], None]  # the result drawn into them


class VerkennerTabs:
    """The tabs of a :class:`~kortools.ui.verkenner.KorVerkenner` (a mixin); :data:`PARTS`
    declares them, :attr:`TABS` are their titles."""

    # Given by the app this is mixed into (kortools.ui.base.App, KorVerkenner, Variants).
    make: Any
    tabs: Any
    chart_image: Any
    show_chart: Any
    shown: Any
    first_kor_margin: Any
    result: Any
    values: dict[str, Any]
    variants: dict[str, dict]
    variant_choice: Any
    break_even_chart: Any
    break_even_text: Any
    _built_tabs: set[int]
    _stale: set[int]
    _build_variants: Any

    PARTS: tuple[Tab, ...] = ()  # set below the class: its functions are defined in it
    TABS: tuple[str, ...] = ()

    def _build_tab(self, index: int) -> None:
        """Make tab ``index``'s widgets, once (the Omslagpunt tab at once: it is on the first paint)."""
        if index in self._built_tabs:
            return
        self._built_tabs.add(index)
        self.tabs.children[index].children = self.PARTS[index].make(self)

    @guarded
    def render_tab(self) -> None:
        index = self.tabs.selected_index or 0
        self._build_tab(index)
        if self.result is None or index not in self._stale:
            return
        self._stale.discard(index)
        self.PARTS[index].draw(self)

    # Omslagpunt
    def _make_break_even(self) -> list[w.Widget]:
        return [self.break_even_chart, self.break_even_text]  # made with the first paint

    @cached_property
    def _break_even_figure(self) -> charts.BreakEvenChart:
        """Made when a break-even chart is not in the cache (the first ones are: first_charts)."""
        return charts.BreakEvenChart()

    def _render_break_even(self) -> None:
        m = self.first_kor_margin
        total = m.consumer_sales + m.business_sales
        self.show_chart(self.break_even_chart, *break_even_chart_spec(m, lambda: self._break_even_figure))
        be = m.break_even_consumer_sales
        if not total:  # a new case: nothing to say yet (issue #35 item 6)
            text = "Vul de omzet in: dan staat hier vanaf welke omzet aan consumenten de KOR loont."
        elif be is None:
            text = "Bij 0% btw op uw verkopen levert de KOR nooit meer marge op."
        elif be <= 0:
            text = "Bij gelijke consumentenprijzen loont de KOR bij elk aandeel consumenten."
        elif be <= total:
            text = (
                f"Bij gelijke consumentenprijzen loont de KOR vanaf {format_euro(be, cents=False)} omzet aan "
                f"consumenten (excl. btw), dat is {format_percent(be / total)} van uw omzet."
            )
        else:
            text = f"De KOR loont pas vanaf {format_euro(be, cents=False)} omzet aan consumenten."
        self.break_even_text.value = f"<p>{escape(text)}</p>"

    # Netto-inkomen
    def _make_net(self) -> list[w.Widget]:
        self.net_chart, self.net_text = self.chart_image(), self.make.html()
        return [self.net_chart, self.net_text]

    def _render_net(self) -> None:
        """Net income against turnover for the case on screen (``kt.net_by_turnover``)."""
        frame = kt.net_by_turnover(self.shown.scenario)
        turnover = self.values["omzet"]
        figure = charts.net_by_turnover_chart(frame, turnover)
        self.show_chart(self.net_chart, figure, chart_text.net_by_turnover_alt(frame, turnover))
        self.net_text.value = net_by_turnover_html(frame)

    # Herziening
    def _make_herziening(self) -> list[w.Widget]:
        self.herziening_chart, self.herziening_table = self.chart_image(), self.make.html()
        return [self.herziening_chart, self.herziening_table]

    def _render_herziening(self) -> None:
        schedule = self.shown.herziening
        names = [a.name for a in self.shown.scenario.assets]
        figure = charts.herziening_chart(schedule, names)
        self.show_chart(self.herziening_chart, figure, chart_text.herziening_alt(schedule))
        note = f"<p>{escape(minimum_rule_nl(schedule))}</p>"
        self.herziening_table.value = html_table(herziening_table_nl(schedule, names)) + note

    # Meerdere jaren
    def _make_years(self) -> list[w.Widget]:
        self.years_table, self.years_chart = self.make.html(), self.chart_image()
        return [self.years_table, self.years_chart]

    def _render_years(self) -> None:
        self.years_table.value = html_table(comparison_table_nl(self.shown.table))
        figure = charts.cumulative_chart(self.shown.table)
        self.show_chart(self.years_chart, figure, chart_text.cumulative_alt(self.shown.table))

    # Varianten (the Variants mixin's widgets and drawing)
    def _make_variants(self) -> list[w.Widget]:
        content = self._build_variants()
        self.variant_choice.options = list(self.variants)
        return content

    # Aannames
    def _make_notes(self) -> list[w.Widget]:
        self.assumptions = self.make.html()
        return [self.assumptions]

    def _render_notes(self) -> None:
        self.assumptions.value = assumptions_html(self.shown.assumptions)

    # Herkomst
    def _make_herkomst(self) -> list[w.Widget]:
        self.herkomst = self.make.html()
        return [self.herkomst]

    def _render_herkomst(self) -> None:
        self.herkomst.value = herkomst_html(getattr(self, "books", None))


VerkennerTabs.PARTS = (
    Tab("Omslagpunt", VerkennerTabs._make_break_even, VerkennerTabs._render_break_even),
    Tab("Netto-inkomen", VerkennerTabs._make_net, VerkennerTabs._render_net),
    Tab("Herziening", VerkennerTabs._make_herziening, VerkennerTabs._render_herziening),
    Tab("Meerdere jaren", VerkennerTabs._make_years, VerkennerTabs._render_years),
    Tab("Varianten", VerkennerTabs._make_variants, Variants._render_variants),
    Tab("Aannames", VerkennerTabs._make_notes, VerkennerTabs._render_notes),
    Tab("Herkomst", VerkennerTabs._make_herkomst, VerkennerTabs._render_herkomst),
)
VerkennerTabs.TABS = tuple(tab.title for tab in VerkennerTabs.PARTS)
