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
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

import kortools as kt
from kortools.money import format_euro, format_percent
from kortools.other_income import OTHER_INCOME_KINDS
from kortools.steps import dutch_date
from kortools.ui import charts
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
KIND_NL = {"movable": "roerend", "immovable": "onroerend", "investment_service": "investeringsdienst"}


class _Page:
    """A4 page with a cursor from the top; text and tables placed in figure coordinates."""

    def __init__(self, pdf: PdfPages, title: str, page_no: int):
        self._start(pdf, title, page_no)

    def _start(self, pdf: PdfPages, title: str, page_no: int) -> None:
        self.pdf, self.title, self.page_no = pdf, title, page_no
        self.figure = Figure(figsize=A4)
        self.y = 0.95
        self.figure.text(LEFT, 0.975, "kortools · KOR-advies", fontsize=8, color=charts.TEXT_MUTED)
        self.figure.text(
            LEFT + WIDTH, 0.975, f"pagina {page_no}", fontsize=8, color=charts.TEXT_MUTED, ha="right"
        )
        self.heading(textwrap.shorten(title, 60, placeholder="…"), size=16)

    def heading(self, text: str, size: float = 12.5) -> None:
        self.room(0.08)
        self.y -= 0.012
        self.figure.text(LEFT, self.y, text, fontsize=size, weight="bold", va="top")
        self.y -= 0.03 if size > 14 else 0.025

    def paragraph(self, text: str, size: float = 9.5, width: int = 100, colour: str = "black") -> None:
        for line in textwrap.wrap(text, width) or [""]:
            self.room(0.02)
            self.figure.text(LEFT, self.y, line, fontsize=size, va="top", color=colour)
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
        """Draw a chart builder (``draw(axes=...)``) onto this page: vector, not a bitmap.

        ``indent``: room left of the axes for the tick labels."""
        self.room(height)
        axes = self.figure.add_axes((LEFT + indent, self.y - height, WIDTH - indent - 0.02, height - 0.03))
        draw(axes=axes)
        axes.title.set_fontsize(11)
        self.y -= height + 0.02

    def room(self, needed: float) -> None:
        """Continue on a new page when less than ``needed`` of the page is left."""
        if self.y - needed < 0.04:
            self.save()
            self._start(self.pdf, f"{self.title} (vervolg)", self.page_no + 1)

    def save(self) -> None:
        self.pdf.savefig(self.figure)


def _comparison(page: _Page, result, variants) -> None:
    """The variants (if any) against the case of the report, and its difference in parts."""
    from kortools.compare import PARTS

    if variants:
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
        page.chart(partial(charts.variants_chart, cumulative), height=0.27)
    parts = kt.explain_difference(result)
    page.chart(partial(charts.waterfall_chart, parts, PARTS, "Waar het verschil vandaan komt"), 0.3, 0.36)


DISCLAIMER = (
    "Deze berekening is een schatting op basis van de gegevens en aannames in dit rapport. Het is geen "
    "belastingaangifte en geen bindende uitspraak van de Belastingdienst; bespreek uw keuze met uw adviseur."
)
OFFICIAL = ("belastingdienst.nl", "kvk.nl", "wetten.overheid.nl", "rijksoverheid.nl")


def official(href: str) -> bool:
    """A source of the Belastingdienst, KVK, Rijksoverheid or the law itself (shown first)."""
    return any(f"//{site}" in href or f".{site}" in href for site in OFFICIAL)


def report_file_name(scenario: kt.Scenario) -> str:
    """``kor-advies-kapsalon-anna.pdf``: the client's name in the file name."""
    slug = re.sub(r"[^a-z0-9]+", "-", scenario.name.lower()).strip("-")[:60] or "klant"
    return f"kor-advies-{slug}.pdf"


@charts.literal_text
def report(scenario: kt.Scenario, made_on: dt.date | None = None, variants=()) -> bytes:
    """The client report for ``scenario`` as PDF bytes (Dutch, A4); with ``variants``
    (scenarios) a comparison page: their cumulative net difference, headline figures, and
    where the difference of ``scenario`` comes from."""
    result = kt.evaluate(scenario)
    advice = kt.advise(result)
    made_on = made_on or kt.today()
    s, m = scenario, result.margins[result.shown_year]
    buffer = io.BytesIO()
    by = ", ".join(x for x in (s.adviser, s.office) if x)
    metadata = {
        "Title": f"KOR-advies voor {s.name}",
        "Author": by or "kortools",
        "Subject": "Kleineondernemersregeling (KOR): advies met berekening",
        "Creator": "kortools",
        "CreationDate": None,
    }
    with PdfPages(buffer, metadata=metadata) as pdf:
        page = _Page(pdf, f"KOR-advies voor {s.name}", 1)
        page.paragraph(
            f"Gemaakt op {dutch_date(made_on)}{' door ' + by if by else ''} met kortools {kt.__version__}; "
            f"belastinggegevens voor {s.years[0]}–{s.years[-1]} "
            f"(gegevens beschikbaar: {kt.tax_years()[0]}–{kt.tax_years()[-1]}).",
            size=8.5,
            colour=charts.TEXT_MUTED,
        )
        page.heading("Advies")
        verdict, gain, total = headline_sentences(advice)
        page.paragraph(verdict, size=12, width=80)
        page.paragraph(gain, size=11, width=88)
        page.paragraph(total, size=11, width=88)
        for reason in other_reasons(advice):
            page.paragraph(
                f"• {reason.text_nl}", colour=charts.WARNING if reason.code in REFUSED else "black"
            )
        steps = kt.next_steps(result)
        if steps:
            page.heading("Wat nu?")
            for step in steps:
                when = f"{dutch_date(step.date)}: " if step.date else ""
                page.paragraph(f"• {when}{step.text_nl}", size=9, width=105)
        page.paragraph(DISCLAIMER, size=8, width=115, colour=charts.TEXT_MUTED)
        page.heading("Uw gegevens")
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
        for label, shown in inputs:
            page.paragraph(f"{label}: {shown}")
        year_shown = result.shown_year
        margin_regular, margin_kor, margin_gain, _share = result.year_margin(year_shown)
        when, note = margin_year_nl(result, year_shown)
        page.heading(f"Marge gewone btw en KOR ({year_shown})")
        page.paragraph(
            f"Gewone btw {format_euro(margin_regular)}; met KOR {format_euro(margin_kor)}; "
            f"verschil {format_euro(margin_gain)} in {year_shown}. {note}".strip()
        )
        page.chart(
            partial(charts.margin_chart, margin_regular, margin_kor, margin_gain, when=when), height=0.17
        )
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
        page.save()

        page = _Page(pdf, "Over de jaren", 2)
        for year, status in result.table["kor_status"].items():
            page.paragraph(f"{year}: {status}", size=8.5)
        page.table(comparison_table_nl(result.table).drop(index="KOR"), size=7.5)
        page.chart(partial(charts.cumulative_chart, result.table), height=0.27)
        names = [a.name for a in s.assets]
        page.heading("Herziening van btw op investeringen")
        page.table(herziening_table_nl(result.herziening, names), size=7.5)
        page.paragraph(minimum_rule_nl(result.herziening))
        page.save()

        page = _Page(pdf, "Varianten en waar het verschil vandaan komt", page.page_no + 1)
        _comparison(page, result, [kt.evaluate(v) for v in variants])
        page.save()

        page = _Page(pdf, "Aftrekposten en aannames", page.page_no + 1)
        page.paragraph("Aftrekposten per jaar bij de winst met KOR (zoals in de tabel 'Over de jaren'):")
        page.table(deductions_table_nl(result.deductions_table("kor")), size=7.5)
        page.heading("Aannames (niet officieel bevestigd)")
        for assumption in sorted(result.assumptions, key=lambda a: not official(a.source.href)):
            page.paragraph(f"• {assumption.text_nl}", size=8, width=115)
            page.paragraph(
                f"  Bron: {assumption.source.title}, {assumption.source.href}",
                size=7,
                width=130,
                colour=charts.TEXT_MUTED,
            )
        page.save()
    return buffer.getvalue()
