"""Chart builders: matplotlib Figures (no pyplot state), rendered to PNG bytes.

Each figure gets its own Agg canvas, so no global backend is chosen here (a notebook's
pyplot keeps the kernel's inline backend, in forked kernels too).

Colours are the same in every chart: regular VAT blue, KOR orange. Titles and
labels are Dutch, amounts in € with Dutch separators. No tax is computed here:
every number comes from the kortools model.
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from kortools.deductions import DEDUCTION_PARTS
from kortools.herziening import schedule_minimum
from kortools.money import format_euro

REGULAR = "#1f6fb4"  # regular VAT
KOR = "#f28e2b"  # KOR
WARNING = "#c62828"
MUTED = "#8a8a8a"  # lines and grid only
TEXT_MUTED = "#595959"  # secondary text: contrast 7:1 on white (WCAG AA asks 4.5:1)
ASSET_COLOURS = ("#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#76b7b2", "#edc948", "#ff9da7")
#: The declared deduction parts' colours, in order (each part carries its own: DeductionPart.colour).
PART_COLOURS = tuple(part.colour for part in DEDUCTION_PARTS)
SIZE = (6.4, 3.3)
DPI = 90

euro_axis = FuncFormatter(lambda x, _pos: format_euro(x, cents=False))
# A client's name is shown as typed: "Bakker $5 en $10 BV" is no formula (matplotlib's
# mathtext would drop the dollars, and "$\\foo{$" would stop the chart).
LITERAL_TEXT = {"text.parse_math": False}


def literal_text(function: Callable) -> Callable:
    """Run ``function`` with mathtext off: every text it creates or draws is literal."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with rc_context(LITERAL_TEXT):
            return function(*args, **kwargs)

    return wrapper


@literal_text
def new_figure(size: tuple[float, float] = SIZE, axes=None) -> tuple[Figure, object]:
    """A chart's figure and axes; with ``axes`` given (the PDF report), draw there instead."""
    if axes is None:
        figure = Figure(figsize=size, dpi=DPI)
        figure.subplots_adjust(left=0.17, right=0.97, top=0.88, bottom=0.2)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    figure = axes.figure
    axes.tick_params(labelsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_formatter(euro_axis)
    return figure, axes


def pin_ticks(figure: Figure) -> None:
    """Fix numeric tick positions once: matplotlib's auto-locator measures text on every
    draw and costs half the render time on a chart this size."""
    for axes in figure.axes:
        for axis, limits in ((axes.yaxis, axes.get_ylim()), (axes.xaxis, axes.get_xlim())):
            if isinstance(axis.get_major_locator(), FixedLocator) or axis.get_units() is not None:
                continue  # set by the chart, or categorical
            low, high = sorted(limits)
            ticks = [t for t in MaxNLocator(5).tick_values(low, high) if low <= t <= high]
            axis.set_major_locator(FixedLocator(ticks))


@literal_text
def to_png(figure: Figure) -> bytes:
    pin_ticks(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


#: PNGs of charts already drawn, by what they show (the chart and its figures). The first
#: charts of the pages visitors open most are drawn once in the zygote
#: (``first_charts.warm_chart_cache``) and every kernel forked from it inherits them: a page of
#: a new case or an example client draws nothing (issue #22 item 3). First in, first out.
PNG_CACHE: dict[tuple, bytes] = {}
PNG_CACHE_SIZE = 64


def cached_png(key: tuple, draw: Callable[[], Figure]) -> bytes:
    """The PNG of the chart ``key`` names, drawn by ``draw()`` the first time."""
    png = PNG_CACHE.get(key)
    if png is None:
        png = to_png(draw())
        if len(PNG_CACHE) >= PNG_CACHE_SIZE:
            PNG_CACHE.pop(next(iter(PNG_CACHE)))
        PNG_CACHE[key] = png
    return png


def zero_aligned(left, right_limits: tuple[float, float]) -> tuple[float, float]:
    """Limits for a right axis (``right_limits`` widened) whose zero is at the height of the
    ``left`` axis's zero (the left one widened too if need be): the right axis's zero line runs
    along the bars' base instead of across them (issue #35 item 5)."""
    (low_l, high_l), (low_r, high_r) = left.get_ylim(), right_limits
    low_l, high_l, low_r, high_r = min(low_l, 0.0), max(high_l, 0.0), min(low_r, 0.0), max(high_r, 0.0)

    def below(low: float, high: float) -> float:  # the share of the axis below zero
        return -low / (high - low) if high > low else 0.0

    share = max(below(low_l, high_l), below(low_r, high_r))
    share = min(share, 0.95)

    def widened(low: float, high: float) -> tuple[float, float]:
        if below(low, high) < share:
            return -share * high / (1 - share), high
        if share > 0 and below(low, high) > share:
            return low, -low * (1 - share) / share
        return low, high

    left.set_ylim(*widened(low_l, high_l))
    return widened(low_r, high_r)


def _euro_ticks(axes, low: float, high: float) -> None:
    """Set y-limits and fixed euro ticks (cheap to redraw: no auto-locating)."""
    axes.set_ylim(low, high)
    ticks = [t for t in MaxNLocator(5).tick_values(low, high) if low <= t <= high]
    axes.yaxis.set_major_locator(FixedLocator(ticks))


class MarginChart:
    """Margin regular vs KOR side by side, the gain in the title; updated in place."""

    @literal_text
    def __init__(self, axes=None) -> None:
        self.figure, self.axes = new_figure(axes=axes)
        self.bars = self.axes.bar(["Gewone btw", "KOR"], [0, 0], color=[REGULAR, KOR], width=0.55)
        self.labels = [
            self.axes.annotate("", (bar.get_x() + bar.get_width() / 2, 0), ha="center", fontsize=11)
            for bar in self.bars
        ]
        self.axes.set_ylabel("Marge (€)")
        self.axes.axhline(0, color=MUTED, linewidth=0.8)

    @literal_text
    def update(self, regular_margin: float, kor_margin: float, gain: float, when: str = "per jaar") -> Figure:
        for bar, label, amount in zip(self.bars, self.labels, (regular_margin, kor_margin), strict=True):
            bar.set_height(amount)
            label.set_text(format_euro(amount, cents=False))
            label.xy = label.xyann = (label.xy[0], amount)
            label.set_va("bottom" if amount >= 0 else "top")
        word = "voordeel" if gain >= 0 else "nadeel"
        self.axes.set_title(f"Marge {when}: KOR-{word} {format_euro(abs(gain), cents=False)}", fontsize=12)
        low, high = min(0.0, regular_margin, kor_margin), max(0.0, regular_margin, kor_margin)
        pad = 0.18 * (high - low or 1000.0)  # a new case (all 0): a scale of euros, not five "€ 0"
        _euro_ticks(self.axes, low - (pad if low < 0 else 0), high + pad)
        return self.figure


@literal_text
def margin_chart(
    regular_margin: float, kor_margin: float, gain: float, axes=None, when: str = "per jaar"
) -> Figure:
    return MarginChart(axes).update(regular_margin, kor_margin, gain, when)


class BreakEvenChart:
    """KOR gain against consumer share (0–100 %), today's point marked; updated in place."""

    @literal_text
    def __init__(self, axes=None) -> None:
        self.figure, self.axes = new_figure(axes=axes)
        axes = self.axes
        (self.line,) = axes.plot([], [], color=KOR, linewidth=2.2, label="KOR-voordeel")
        (self.point,) = axes.plot([], [], "o", color="black", markersize=8, label="Nu")
        self.crossing = axes.axvline(0, color=MUTED, linestyle="--", linewidth=1, label="Omslagpunt")
        self.loss_area = None
        axes.axhline(0, color=MUTED, linewidth=0.8)
        axes.set_xlabel("Omzet aan consumenten (%)")
        axes.set_ylabel("KOR-voordeel per jaar (€)")
        axes.set_title("Wanneer loont de KOR?", fontsize=12)
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
        axes.legend(fontsize=9, loc="upper left", frameon=False)

    @literal_text
    def update(self, curve: pd.DataFrame, share: float, gain: float) -> Figure:
        x = curve.index.to_numpy() * 100
        y = curve["gain"].to_numpy()
        self.line.set_data(x, y)
        self.point.set_data([share * 100], [gain])
        if self.loss_area is not None:
            self.loss_area.remove()
        self.loss_area = self.axes.fill_between(x, y, 0, where=y < 0, color=WARNING, alpha=0.12)
        changes = np.flatnonzero(np.diff(np.sign(y)))
        self.crossing.set_visible(bool(changes.size))
        if changes.size:
            self.crossing.set_xdata([x[changes[0] + 1]] * 2)
        low, high = min(0.0, y.min(), gain), max(0.0, y.max(), gain)
        pad = 0.1 * (high - low or 1.0)
        _euro_ticks(self.axes, low - pad, high + pad)
        return self.figure


@literal_text
def break_even_chart(curve: pd.DataFrame, share: float, gain: float, axes=None) -> Figure:
    return BreakEvenChart(axes).update(curve, share, gain)


@literal_text
def herziening_chart(
    schedule: pd.DataFrame, asset_names: list[str], minimum: float | None = None, axes=None
) -> Figure:
    """Herziening by year, stacked per asset; years below the minimum (the schedule's, from
    the data: the €500 rule) labelled."""
    if minimum is None:
        minimum = schedule_minimum(schedule)
    figure, axes = new_figure(axes=axes)
    years = [str(y) for y in schedule.index]
    bottom_pos = np.zeros(len(years))
    bottom_neg = np.zeros(len(years))
    for i, name in enumerate(asset_names):
        values = schedule[name].to_numpy()
        bottom = np.where(values >= 0, bottom_pos, bottom_neg)
        axes.bar(years, values, bottom=bottom, color=ASSET_COLOURS[i % len(ASSET_COLOURS)], label=name)
        bottom_pos += np.clip(values, 0, None)
        bottom_neg += np.clip(values, None, 0)
    for x, (skip, gross) in enumerate(zip(schedule["below_minimum"], schedule["gross"], strict=True)):
        if skip:
            axes.annotate(
                f"< {format_euro(minimum, cents=False)}:\nvervalt",
                (x, gross),
                ha="center",
                va="bottom",
                fontsize=8,
                color=TEXT_MUTED,
            )
    axes.axhline(0, color=MUTED, linewidth=0.8)
    axes.set_ylabel("Terugbetalen (+) / extra aftrek (−) (€)")
    axes.set_title("Herziening per jaar", fontsize=12)
    if asset_names:
        axes.legend(fontsize=9, frameon=False)
    axes.margins(y=0.2)
    return figure


@literal_text
def cumulative_chart(table: pd.DataFrame, axes=None) -> Figure:
    """Profit regular vs KOR by year (bars), and the cumulative difference on its own axis
    (right), the legend below the chart so it covers nothing."""
    own_figure = axes is None
    figure, axes = new_figure(axes=axes)
    years = [str(y) for y in table.index]
    x = np.arange(len(years))
    bars = [
        axes.bar(x - 0.2, table["regular_profit"], width=0.4, color=REGULAR, label="Winst gewone btw"),
        axes.bar(x + 0.2, table["kor_profit"], width=0.4, color=KOR, label="Winst met KOR"),
    ]
    axes.set_xticks(x, years)
    axes.axhline(0, color=MUTED, linewidth=0.8)
    axes.set_ylabel("Winst (€ per jaar)")
    right = axes.twinx()
    (line,) = right.plot(
        x,
        table["cumulative_difference"],
        color="black",
        marker="o",
        linewidth=2,
        label="Verschil opgeteld (rechts)",
    )
    low, high = min(0.0, table["cumulative_difference"].min()), max(0.0, table["cumulative_difference"].max())
    pad = (high - low) * 0.15 or 100.0
    _euro_ticks(right, *zero_aligned(axes, (low - pad, high + pad)))
    right.set_ylabel("Verschil opgeteld (€)")
    right.yaxis.set_major_formatter(euro_axis)
    right.spines[["top"]].set_visible(False)
    right.axhline(0, color="black", linewidth=0.5, linestyle=":")
    axes.set_title("Gewone btw en KOR over de jaren", fontsize=12)
    axes.legend(
        [*bars, line],
        [b.get_label() for b in bars] + [line.get_label()],
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        ncol=3,
    )
    if own_figure:
        figure.subplots_adjust(left=0.15, right=0.83, bottom=0.3)
    return figure


def shown_parts(table: pd.DataFrame) -> list:
    """The declared deduction parts that are not zero in every year (a legend of zeros says nothing)."""
    return [p for p in DEDUCTION_PARTS if (table[p.name] != 0).any()]


@literal_text
def deductions_chart(table: pd.DataFrame, axes=None) -> Figure:
    """Deductions by year: stacked aftrekposten and the taxable profit."""
    figure, axes = new_figure(axes=axes)
    years = [str(y) for y in table.index]
    # every declared part that is not zero in every year (a legend of zeros says nothing)
    parts = shown_parts(table)
    bottom = np.zeros(len(years))
    for part in parts:
        values = table[part.name].to_numpy()
        axes.bar(years, values, bottom=bottom, color=part.colour, label=part.label_nl)
        bottom += values
    axes.plot(years, table["taxable_profit"], color="black", marker="o", label="Belastbare winst")
    axes.set_ylabel("€ per jaar")
    axes.set_title("Aftrekposten per jaar", fontsize=12)
    axes.legend(fontsize=9, frameon=False, ncols=2)
    return figure


@literal_text
def net_by_turnover_chart(frame: pd.DataFrame, turnover: float, axes=None) -> Figure:
    """Net income against turnover with and without the KOR (``kt.net_by_turnover``):
    the threshold marked, the turnovers where the KOR costs net income shaded."""
    figure, axes = new_figure(axes=axes)
    t = frame["turnover"]
    axes.plot(t, frame["regular_net_income"], color=REGULAR, linewidth=2, label="Netto zonder KOR")
    axes.plot(t, frame["kor_net_income"], color=KOR, linewidth=2, label="Netto met KOR")
    low = min(frame["regular_net_income"].min(), frame["kor_net_income"].min())
    high = max(frame["regular_net_income"].max(), frame["kor_net_income"].max())
    axes.fill_between(
        t, low, high, where=frame["net_difference"] < -0.005, color=WARNING, alpha=0.12, label="KOR kost geld"
    )
    threshold = frame.attrs["threshold"]
    axes.axvline(threshold, color="black", linestyle="--", linewidth=1)
    axes.annotate(
        f"omzetgrens {format_euro(threshold, cents=False)}",
        (threshold, high),
        xytext=(4, -4),
        textcoords="offset points",
        fontsize=8,
        va="top",
    )
    axes.axvline(turnover, color=MUTED, linewidth=1)
    _euro_ticks(axes, low, high)
    axes.xaxis.set_major_formatter(lambda x, _pos: f"€ {x / 1000:.0f}k" if x else "€ 0")
    axes.set_xlabel("Omzet per jaar (excl. btw)")
    axes.set_ylabel("Netto inkomen (€)")
    axes.set_title(f"Netto inkomen bij meer of minder omzet ({frame.attrs['year']})", fontsize=12)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    return figure


VARIANT_COLOURS = ("#4e79a7", "#59a14f", "#b07aa1", "#9c755f", "#000000")


@literal_text
def variants_chart(cumulative: dict[str, pd.Series], axes=None) -> Figure:
    """The cumulative net difference (KOR − regular) by year, one line per variant."""
    figure, axes = new_figure(axes=axes)
    low, high = 0.0, 0.0
    for i, (name, series) in enumerate(cumulative.items()):
        colour = VARIANT_COLOURS[i % len(VARIANT_COLOURS)] if i < len(cumulative) - 1 else KOR
        axes.plot(
            [str(y) for y in series.index],
            series.to_numpy(),
            marker="o",
            linewidth=2,
            color=colour,
            label=name,
        )
        low, high = min(low, float(series.min())), max(high, float(series.max()))
    axes.axhline(0, color=MUTED, linewidth=0.8)
    pad = (high - low) * 0.15 or 100.0
    _euro_ticks(axes, low - pad, high + pad)
    axes.set_ylabel("Netto verschil opgeteld (€)")
    axes.set_title("Varianten: netto voordeel van de KOR opgeteld", fontsize=12)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    return figure


@literal_text
def waterfall_chart(parts: pd.Series, labels: dict[str, str], title: str, axes=None) -> Figure:
    """``kt.explain_difference``'s parts as a waterfall to the net total (parts.name)."""
    own_figure = axes is None
    figure, axes = new_figure(size=(6.4, 3.8), axes=axes)
    running, bottoms, heights = 0.0, [], []
    for value in parts.to_numpy():
        bottoms.append(running if value >= 0 else running + value)
        heights.append(abs(value))
        running += value
    names = [labels.get(k, k) for k in parts.index] + ["Netto"]
    colours = [KOR if v >= 0 else WARNING for v in parts.to_numpy()] + ["black"]
    total = float(parts.name)  # type: ignore[arg-type]  # the Series is named by its total
    bottoms.append(min(0.0, total))
    heights.append(abs(total))
    y = np.arange(len(names))[::-1]
    axes.barh(y, heights, left=bottoms, color=colours, height=0.6)
    values = [*parts.to_numpy(), total]
    for row, left, width, value in zip(y, bottoms, heights, values, strict=True):
        axes.annotate(  # each part's amount beside its bar
            format_euro(value, cents=False),
            (left + width, row),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
        )
    axes.set_yticks(y, names, fontsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(4))
    axes.xaxis.set_major_formatter(euro_axis)
    axes.margins(x=0.18)
    axes.axvline(0, color=MUTED, linewidth=0.8)
    if own_figure:  # the title over the whole picture: over the axes alone it ran off the right edge
        figure.suptitle("\n".join(textwrap.wrap(title, 70)), fontsize=11)
        figure.subplots_adjust(left=0.45, right=0.97)
    else:
        axes.set_title(title, fontsize=11)
    return figure
