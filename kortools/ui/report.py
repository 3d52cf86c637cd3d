"""The client report: a Dutch A4 PDF (1–3 pages) for one scenario, charts as vector graphics.

Built with matplotlib's PDF backend (no system libraries). Every number comes from
``kortools.evaluate``; money is shown rounded to the cent (kortools.money).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from functools import partial

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import kortools as kt
from kortools.columns import TAX_FIGURES_NL
from kortools.money import format_euro, format_percent
from kortools.other_income import OTHER_INCOME_KINDS
from kortools.steps import dutch_date
from kortools.ui import charts
from kortools.ui.assumption_text import short_lines, source_line, sources
from kortools.ui.text import (
    POLICY_LABELS,
    comparison_table_nl,
    deductions_table_nl,
    headline_sentences,
    herziening_table_nl,
    margin_year_nl,
    minimum_rule_nl,
    other_reasons,
)

#: Reason codes of years the KOR was chosen for but could not (fully) apply: shown in red.
REFUSED = (
    "threshold_crossed",
    "previous_year_too_high",
    "reentry_blocked",
    "request_too_late",
    "no_kor_year",
)

A4 = (8.27, 11.69)
#: The least room the margin section needs on page 1: heading, a line, a chart of 0.13.
MARGIN_SECTION = 0.2


def kor_choice_nl(s: kt.Scenario) -> str:
    """The KOR chosen, in words: whole years, or its dates (kor-dates.md)."""
    if s.kor_from is None and s.kor_end is None:
        return f"{s.kor_start_year}–{s.kor_last_year}"
    start = s.kor_from or dt.date(s.kor_start_year, 1, 1)
    words = ("sinds " if s.kor_since else "vanaf ") + dutch_date(start)
    if s.kor_start_moved and s.kor_start:
        words += f" (gepland {dutch_date(s.kor_start)}; aanmelden was te laat)"
    return words + (f" tot en met {dutch_date(s.kor_end)}" if s.kor_end else "")


def kind_label_nl(s: kt.Scenario) -> str:
    return next(k.label_nl for k in OTHER_INCOME_KINDS if k.key == s.other_income_kind)


LEFT, WIDTH = 0.07, 0.86


def keep_amounts_together(text: str) -> str:
    """``€ 1.234`` with a non-breaking space: a line never ends on "€" (issue #35 item 5;
    textwrap breaks only at ASCII whitespace)."""
    return text.replace("€ ", "€\u00a0")


KIND_NL = {"movable": "roerend", "immovable": "onroerend", "investment_service": "investeringsdienst"}


class _Page:
    """The report's A4 pages with a cursor from the top; text and tables placed in figure
    coordinates. Each chart gets a box of its own and is fitted inside it (:func:`fit_in_box`),
    so no axis label or legend can reach the text above or below (issue #22 item 4)."""

    def __init__(self, pages: list[Figure], title: str):
        self.pages = pages
        self.new_page(title)

    def new_page(self, title: str) -> None:
        """Start the next page, headed ``title``."""
        self.title = title
        self.figure = Figure(figsize=A4)
        FigureCanvasAgg(self.figure)  # a renderer to measure the charts with
        self.figure.kt_chart_boxes = []  # type: ignore[attr-defined]  # for the layout test
        self.pages.append(self.figure)
        self.y = 0.95
        self.figure.text(LEFT, 0.975, "kortools · KOR-advies", fontsize=8, color=charts.TEXT_MUTED)
        self.figure.text(
            LEFT + WIDTH, 0.975, f"pagina {len(self.pages)}", fontsize=8, color=charts.TEXT_MUTED, ha="right"
        )
        self.heading(title, size=16)

    def heading(self, text: str, size: float = 12.5) -> None:
        """A bold heading, wrapped (a long client name in the title: issue #35 item 5)."""
        lines = textwrap.wrap(keep_amounts_together(text), 58 if size > 14 else 80) or [""]
        self.room(0.08 + 0.025 * (len(lines) - 1))
        self.y -= 0.012
        for i, line in enumerate(lines):
            if i:
                self.y -= 0.026 if size > 14 else 0.021
            self.figure.text(LEFT, self.y, line, fontsize=size, weight="bold", va="top")
        self.y -= 0.03 if size > 14 else 0.025

    def paragraph(
        self, text: str, size: float = 9.5, width: int = 100, colour: str = "black", url: str | None = None
    ) -> None:
        """Wrapped lines of text; ``url``: each line is a link to it (the PDF's own link). An
        amount is never broken from its € (:func:`keep_amounts_together`)."""
        for line in textwrap.wrap(keep_amounts_together(text), width) or [""]:
            self.room(0.02)
            self.figure.text(LEFT, self.y, line, fontsize=size, va="top", color=colour, url=url)
            self.y -= 0.0165 * size / 9.5

    def table(self, frame, size: float = 8) -> None:
        """A table of strings (rows × columns) drawn as text."""
        rows = [["", *map(str, frame.columns)]] + [[str(i), *map(str, r)] for i, r in frame.iterrows()]
        self.room(0.0145 * size / 8 * len(rows))
        first = max(len(r[0]) for r in rows)
        step = 0.0145 * size / 8
        label_width = min(0.42, 0.0085 * first * size / 8)
        column = (WIDTH - label_width) / max(1, len(frame.columns))
        for r, row in enumerate(rows):
            self.figure.text(LEFT, self.y, row[0], fontsize=size, va="top", weight="bold" if r == 0 else None)
            for c, cell in enumerate(row[1:]):
                x = LEFT + label_width + (c + 1) * column
                self.figure.text(
                    x, self.y, cell, fontsize=size, va="top", ha="right", weight="bold" if r == 0 else None
                )
            self.y -= step
        self.y -= 0.01

    def chart(self, draw, height: float = 0.26, indent: float = 0.08) -> None:
        """Draw a chart builder (``draw(axes=...)``) in a box of ``height`` on this page: vector,
        not a bitmap. ``indent``: a first guess of the room left of the axes for the tick labels."""
        self.room(height)
        box = Bbox.from_bounds(LEFT, self.y - height, WIDTH, height - 0.005)
        before = len(self.figure.axes)
        self.figure.add_axes((LEFT + indent, box.y0 + 0.03, WIDTH - indent - 0.02, height - 0.07))
        draw(axes=self.figure.axes[before])
        self.figure.axes[before].title.set_fontsize(11)
        fit_in_box(self.figure, self.figure.axes[before:], box)
        self.figure.kt_chart_boxes.append((box, self.figure.axes[before:]))  # type: ignore[attr-defined]
        self.y -= height + 0.01

    def room(self, needed: float) -> None:
        """Continue on a new page when less than ``needed`` of the page is left."""
        if self.y - needed < 0.04:
            self.new_page(f"{self.title.removesuffix(' (vervolg)')} (vervolg)")


def chart_extent(figure: Figure, axes: list) -> Bbox:
    """Everything a chart draws (axes, twins, labels, legend, annotations) in figure coordinates."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    drawn = Bbox.union([a.get_tightbbox(renderer) for a in axes])
    return drawn.transformed(figure.transFigure.inverted())


def fit_in_box(figure: Figure, axes: list, box: Bbox) -> None:
    """Move and shrink the chart's axes (with their twins) until all it draws lies in ``box``."""
    for _ in range(6):
        drawn = chart_extent(figure, axes)
        if box.x0 <= drawn.x0 and drawn.x1 <= box.x1 and box.y0 <= drawn.y0 and drawn.y1 <= box.y1:
            return
        place = axes[0].get_position()
        left = place.x0 + max(0.0, box.x0 - drawn.x0) + 0.002
        right = place.x1 - max(0.0, drawn.x1 - box.x1) - 0.002
        bottom = place.y0 + max(0.0, box.y0 - drawn.y0) + 0.002
        top = place.y1 - max(0.0, drawn.y1 - box.y1) - 0.002
        for a in axes:
            a.set_position((left, bottom, right - left, top - bottom))


def _variants(page: _Page, result, variants) -> None:
    """The variants against the case of the report: headline figures and their cumulative
    net difference (a page only when there are variants, issue #22 item 4)."""
    rows = {}
    results = {v.scenario.name: v for v in variants} | {"Dit advies": result}
    for name, r in results.items():
        a = kt.advise(r)
        rows[name] = [
            a.verdict_nl,
            format_euro(a.net_gain_per_kor_year),
            format_euro(a.net_total_difference),
            format_euro(a.herziening_total),
        ]
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["Advies", "Netto per KOR-jaar", "Netto totaal", "Herziening"]
    )
    page.table(frame, size=8)
    cumulative = {n: r.table["cumulative_net_difference"] for n, r in results.items()}
    page.chart(partial(charts.variants_chart, cumulative), height=0.3)


def _difference(page: _Page, result) -> None:
    """Where this case's net difference comes from (``kt.explain_difference``), with amounts."""
    from kortools.compare import PARTS

    parts = kt.explain_difference(result)
    page.heading("Waar het verschil vandaan komt")
    page.chart(partial(charts.waterfall_chart, parts, PARTS, ""), 0.28, 0.36)


def _assumptions(page: _Page, assumptions) -> None:
    """The short Dutch list of the unconfirmed figures behind this case's numbers, then the
    sources as a compact numbered list, the official ones first (``assumption_text``)."""
    page.heading("Aannames en voorlopige cijfers")
    if not assumptions:
        page.paragraph("Deze berekening rust niet op onbevestigde regels of bedragen.")
        return
    page.paragraph(
        "Deze bedragen en regels zijn (nog) geen vastgestelde wet of niet officieel bevestigd (status na het "
        "streepje); ze tellen mee in de cijfers hierboven.",
        size=8.5,
    )
    for short in short_lines(assumptions, most=1_000):  # wrapped, not cut (issue #35 item 5)
        refs = ", ".join(map(str, short.sources))
        page.paragraph(f"• {short.text_nl} [{refs}]", size=8, width=125)
    page.heading("Bronnen", size=10.5)
    for number, source in enumerate(sources(assumptions), start=1):
        line = source_line(number, source, most=1_000)
        page.paragraph(line, size=7, width=130, colour=charts.TEXT_MUTED, url=source.href)


DISCLAIMER = (
    "Deze berekening is een schatting op basis van de gegevens en aannames in dit rapport. Het is geen "
    "belastingaangifte en geen bindende uitspraak van de Belastingdienst; bespreek uw keuze met uw adviseur."
)


def report_file_name(scenario: kt.Scenario) -> str:
    """``kor-advies-kapsalon-anna.pdf``: the client's name in the file name."""
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")[:60] or "klant"
    return f"kor-advies-{slug}.pdf"


@charts.literal_text
def report(scenario: kt.Scenario, made_on: dt.date | None = None, variants=()) -> bytes:
    """The client report for ``scenario`` as PDF bytes (Dutch, A4); with ``variants``
    (scenarios) a comparison page: their headline figures and cumulative net difference."""
    s = scenario
    by = ", ".join(x for x in (s.adviser, s.office) if x)
    metadata = {
        "Title": f"KOR-advies voor {s.name}",
        "Author": by or "kortools",
        "Subject": "Kleineondernemersregeling (KOR): advies met berekening",
        "Creator": "kortools",
        "CreationDate": None,
    }
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata=metadata) as pdf:
        for figure in report_pages(scenario, made_on, variants):
            pdf.savefig(figure)
    return buffer.getvalue()


@charts.literal_text
def report_pages(scenario: kt.Scenario, made_on: dt.date | None = None, variants=()) -> list[Figure]:
    """The report's pages as figures (each chart's box in ``figure.kt_chart_boxes``)."""
    result = kt.evaluate(scenario)
    advice = kt.advise(result)
    made_on = made_on or kt.today()
    s, m = scenario, result.margins[result.shown_year]
    by = ", ".join(x for x in (s.adviser, s.office) if x)
    pages: list[Figure] = []
    page = _Page(pages, f"KOR-advies voor {s.name}")
    page.paragraph(
        f"Gemaakt op {dutch_date(made_on)}{' door ' + by if by else ''} met kortools {kt.__version__}; "
        f"belastinggegevens voor {s.years[0]}–{s.years[-1]} "
        f"(gegevens beschikbaar: {kt.tax_years()[0]}–{kt.tax_years()[-1]}).",
        size=8.5,
        colour=charts.TEXT_MUTED,
    )
    _advice(page, result, advice)
    year_shown = result.shown_year
    margin_regular, margin_kor, margin_gain, _share = result.year_margin(year_shown)
    when, note = margin_year_nl(result, year_shown)
    page.heading("Omzetgrens")
    crossed = not m.within_threshold
    page.paragraph(
        f"Omzet die meetelt voor de KOR: {format_euro(m.kor_turnover)}; "
        f"grens {format_euro(m.threshold)}. "
        + ("OVERSCHREDEN: de KOR stopt dan direct tijdens het jaar." if crossed else "Binnen de grens."),
        colour=charts.WARNING if crossed else "black",
    )
    page.heading("Waarschuwingen")
    for warning in result.warnings or ():
        page.paragraph(
            f"• {warning.title}: {warning.detail}", colour=charts.WARNING if warning.blocking else "black"
        )
    if not result.warnings:
        page.paragraph("Geen van de KVK-waarschuwingen is van toepassing.")

    def margin_section() -> None:
        page.heading(f"Marge gewone btw en KOR ({year_shown})")
        page.paragraph(
            f"Gewone btw {format_euro(margin_regular)}; met KOR {format_euro(margin_kor)}; "
            f"verschil {format_euro(margin_gain)} in {year_shown}. {note}".strip()
        )
        draw = partial(charts.margin_chart, margin_regular, margin_kor, margin_gain, when=when)
        page.chart(draw, height=min(0.2, page.y - 0.05))

    # the margin chart last on page 1, as high as the page leaves room for; where too little is
    # left it heads the next page: no page with a heading and a line alone (issue #35 item 5)
    if page.y - MARGIN_SECTION > 0.05:
        margin_section()
        page.new_page("Uw gegevens en de jaren")
    else:
        page.new_page("Uw gegevens en de jaren")
        margin_section()
    page.table(_inputs_table(s, advice), size=8)
    for year, status in result.table["kor_status"].items():
        page.paragraph(f"{year}: {status}", size=8.5)
    if mark := advice.tax_mark_nl():  # too long for a cell: said above the table (issue #34 item 3)
        page.paragraph(mark, size=8.5, colour=charts.WARNING)
    page.table(comparison_table_nl(result.table).drop(index=["KOR", TAX_FIGURES_NL]), size=7.5)
    page.chart(partial(charts.cumulative_chart, result.table), height=0.3)
    names = [a.name for a in s.assets]
    page.heading("Herziening van btw op investeringen")
    page.table(herziening_table_nl(result.herziening, names), size=7.5)
    page.paragraph(minimum_rule_nl(result.herziening))
    _difference(page, result)

    if variants:
        page.new_page("Varianten")
        _variants(page, result, [kt.evaluate(v) for v in variants])

    page.new_page("Aftrekposten en aannames")
    page.paragraph("Aftrekposten per jaar bij de winst met KOR (zoals in de tabel 'Over de jaren'):")
    page.table(deductions_table_nl(result.deductions_table("kor")), size=7.5)
    _assumptions(page, result.assumptions)
    return pages


def _advice(page: _Page, result, advice) -> None:
    """Page 1: the verdict, its reasons and the next steps (``kt.next_steps``)."""
    page.heading("Advies")
    verdict, gain, total = headline_sentences(advice)
    page.paragraph(verdict, size=12, width=80)
    page.paragraph(gain, size=11, width=88)
    page.paragraph(total, size=11, width=88)
    for reason in other_reasons(advice):
        page.paragraph(f"• {reason.text_nl}", colour=charts.WARNING if reason.code in REFUSED else "black")
    steps = kt.next_steps(result)
    if steps:
        page.heading("Wat nu?")
        for step in steps:
            when = f"{dutch_date(step.date)}: " if step.date else ""
            page.paragraph(f"• {when}{step.text_nl}", size=9, width=105)
    page.paragraph(DISCLAIMER, size=8, width=115, colour=charts.TEXT_MUTED)


def _inputs_table(s: kt.Scenario, advice) -> pd.DataFrame:
    """The client's inputs as a two-column table (label, value)."""
    inputs = [
        ("Omzet aan consumenten (excl. btw)", format_euro(s.consumer_sales)),
        ("Omzet aan bedrijven (excl. btw)", format_euro(s.business_sales)),
        ("Btw-tarief verkopen", format_percent(s.vat_rate)),
        (
            "Kosten waarop u btw betaalt (excl. btw)",
            f"{format_euro(s.costs_with_vat)} (btw {format_percent(s.input_vat_rate)})",
        ),
        ("Kosten zonder btw", format_euro(s.costs_without_vat)),
        ("Prijsbeleid onder de KOR", POLICY_LABELS[s.policy]),
        ("KOR gekozen voor", kor_choice_nl(s)),
        ("KOR geldt in", ", ".join(map(str, advice.kor_years)) or "geen enkel jaar"),
        ("Uren per jaar", f"{s.hours:.0f}"),
        *(
            [("Loon of uitkering per jaar", f"{format_euro(s.other_income)} ({kind_label_nl(s)})")]
            if s.other_income
            else []
        ),
    ] + [
        (
            f"Investering: {a.name}",
            f"{KIND_NL[a.kind]}, in gebruik {a.first_use_year}, btw {format_euro(a.vat)}",
        )
        for a in s.assets
    ]
    return pd.DataFrame({"": [shown for _label, shown in inputs]}, index=[label for label, _shown in inputs])
