"""The first charts of the KOR-verkenner (the margin and the break-even chart), each as
(draw, words, key): the page draws them through ``charts.PNG_CACHE`` by ``key`` (what they
show), and the zygote draws those of the pages opened most before it forks kernels, which
inherit them (issue #22 item 3)."""

from __future__ import annotations

from collections.abc import Callable

import kortools as kt
from kortools.ui import chart_text, charts
from kortools.ui.text import margin_year_nl
from kortools.ui.verkenner_fields import scenario_to_values, values_to_scenario


def margin_chart_spec(result: kt.ScenarioResult, chart: Callable[[], charts.MarginChart]) -> tuple:
    """(draw, alt, key) of the margin chart: the year the headline speaks of, as the table has
    it (a split year's); ``key`` names what it shows (``charts.PNG_CACHE``). ``chart`` gives the
    chart to draw on, asked only when the picture is not in the cache (a matplotlib figure costs
    a page about 30 ms to make)."""
    year = result.shown_year
    regular, kor, gain, _share = result.year_margin(year)
    when = margin_year_nl(result, year)[0]
    alt = chart_text.margin_alt(regular, kor, gain, when)
    return (lambda: chart().update(regular, kor, gain, when)), alt, ("margin", regular, kor, gain, when)


def break_even_chart_spec(m: kt.MarginComparison, chart: Callable[[], charts.BreakEvenChart]) -> tuple:
    """(draw, alt, key) of the break-even chart of margin comparison ``m`` (``chart`` as in
    :func:`margin_chart_spec`)."""
    total = m.consumer_sales + m.business_sales
    share = m.consumer_sales / total if total else 0.0

    def draw():
        curve = kt.gain_by_consumer_share(
            total, m.costs_with_vat, m.costs_without_vat, m.vat_rate, m.input_vat_rate, m.policy, m.year
        )
        return chart().update(curve, share, m.gain)

    be = m.break_even_consumer_sales
    crossing = be / total if be is not None and total and be <= total else None
    key: tuple = ("break_even", total, m.costs_with_vat, m.costs_without_vat, m.vat_rate)
    key += (m.input_vat_rate, m.policy, m.year, share, m.gain)
    return draw, chart_text.break_even_alt(share, m.gain, crossing), key


def warm_chart_cache() -> None:
    """Draw the first charts of the pages visitors open most (a new case, each example client)
    into ``charts.PNG_CACHE``; the zygote does this before it forks kernels, which inherit the
    cache (issue #22 item 3). No widget is made: the case is read as the page reads its
    controls (``scenario_to_values`` then ``values_to_scenario``), so the keys are the page's."""
    margin, break_even = charts.MarginChart(), charts.BreakEvenChart()
    for scenario in (kt.new_scenario(), *map(kt.example_scenario, kt.example_scenarios())):
        result = kt.evaluate(values_to_scenario(scenario_to_values(scenario), scenario.name))
        for draw, _alt, key in (
            margin_chart_spec(result, lambda: margin),
            break_even_chart_spec(result.margins[result.shown_year], lambda: break_even),
        ):
            charts.cached_png(key, draw)
