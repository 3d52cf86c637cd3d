"""Dutch labels, messages and tables for the dashboard (display only: no tax computed here)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kortools.columns import SHOWN_ORDER, TABLE_COLUMNS, TAX_FIGURES_NL
from kortools.deductions import MKB_PART, ONDERNEMERSAFTREK_PARTS
from kortools.error_text import MODEL_FIELDS, dutch_error  # noqa: F401 - kortools.ui.text's names
from kortools.herziening import schedule_minimum
from kortools.kor_years import date_words
from kortools.money import format_euro, format_percent
from kortools.steps import dutch_date

POLICY_LABELS = {
    "keep_consumer_prices": "Consumentenprijzen gelijk houden",
    "keep_net_prices": "Btw-voordeel doorgeven (nettoprijzen gelijk)",
    "keep_margin": "Marge gelijk houden (zakelijke prijs aanpassen)",
}


#: Reasons the headline already states in its own sentences.
HEADLINE_REASONS = ("net_total_difference", "total_difference", "gain_per_kor_year")


def headline_sentences(advice) -> tuple[str, str, str]:
    """(verdict, gain of a whole KOR year, total) as Dutch sentences: the page and the PDF say
    these. The year's figure is one whole KOR year's (issue #33 item 6), a part year named
    with its own; gross and net are made of the same parts (item 7)."""
    verdict = f"Advies: {advice.verdict_nl}."
    if getattr(advice, "action", "") and advice.action_date is not None:
        when = date_words(advice.action_date)
        if advice.action == "blijven":  # staying takes effect on no date: say when leaving could
            verdict += f" Wat nu: {advice.action_nl} (uitstappen kan op zijn vroegst per {when})."
        else:
            verdict += f" Wat nu: {advice.action_nl} per {when}."
    years = ", ".join(map(str, advice.kor_years))
    full = getattr(advice, "full_kor_year", None)
    if not advice.kor_years:
        gain = "De KOR geldt in geen enkel jaar van deze berekening."
    elif full is None:  # only part years: their mean, as before
        gain = _gain_sentence(advice.gain_per_kor_year, advice.net_gain_per_kor_year, "per KOR-jaar", years)
    else:
        gain = _gain_sentence(
            advice.gain_full_kor_year,
            advice.net_gain_full_kor_year,
            f"in een volledig KOR-jaar ({full})",
            years,
        )
        for year, share, _gross, net in advice.part_years:
            if not math.isnan(net):
                part = f"KOR over {format_percent(share)} van de omzet"
                gain += f" {year} ({part}): {format_euro(net, cents=False)} netto."
    marks = getattr(advice, "tax_mark_nl", None)
    if marks is not None and not math.isnan(advice.net_total_difference):
        # beside the net figures, the status of the tax figures behind them (issue #34 item 3)
        mark = marks((full,) if full is not None else advice.kor_years)
        gain += f" {mark}" if mark else ""
    net_more = "meer" if advice.net_total_difference >= 0 else "minder"
    more = "meer" if advice.total_difference >= 0 else "minder"
    if math.isnan(advice.net_total_difference):
        return (
            verdict,
            gain,
            (
                f"{advice.first_year}–{advice.last_year}, met herziening en btw op investeringen: "
                f"{format_euro(abs(advice.total_difference), cents=False)} {more} winst met de KOR "
                "(een bv: alleen de btw vergeleken)."
            ),
        )
    total = (
        f"{advice.first_year}–{advice.last_year}, met herziening en btw op investeringen: netto "
        f"{format_euro(abs(advice.net_total_difference), cents=False)} {net_more} inkomen met de KOR "
        f"(bruto {format_euro(abs(advice.total_difference), cents=False)} {more} winst)."
    )
    mark = marks() if marks is not None else ""
    if mark:
        total += f" {mark}"
    return verdict, gain, total


def _gain_sentence(gross_gain: float, net_gain: float, when: str, years: str) -> str:
    """What the KOR brings ``when``: net after income tax and Zvw, and gross (a bv: gross only)."""
    gross = format_euro(abs(gross_gain), cents=False)
    if math.isnan(net_gain):  # a bv: the VAT only
        verb = "levert u" if gross_gain >= 0 else "kost u"
        return f"De KOR {verb} naar verwachting {gross} {when} aan marge (KOR-jaren {years})."
    gains = "levert u" if net_gain >= 0 else "kost u"
    margin = "meer" if gross_gain >= 0 else "minder"
    return (
        f"De KOR {gains} naar verwachting {format_euro(abs(net_gain), cents=False)} {when} netto, na "
        f"inkomstenbelasting en Zvw (bruto {gross} {margin}: marge, herziening en btw op investeringen; "
        f"KOR-jaren {years})."
    )


def other_reasons(advice, shown_elsewhere=()) -> list:
    """The advice's reasons the headline sentences do not already say, in the model's order;
    ``shown_elsewhere``: texts the page says in their own place (the KVK warnings under "Let
    op": one warning said once, issue #35 item 6; a refused year's own reason stays)."""
    return [r for r in advice.reasons if r.code not in HEADLINE_REASONS and r.text_nl not in shown_elsewhere]


def headline_html(advice, shown_elsewhere=()) -> str:
    """The dashboard headline: the model's verdict and figures, the reasons listed below (but
    those in ``shown_elsewhere``, see :func:`other_reasons`)."""
    verdict, gain, total = headline_sentences(advice)
    items = "".join(
        f'<li data-code="{escape(r.code)}">{words_html(r.text_nl)}</li>'
        for r in other_reasons(advice, shown_elsewhere)
    )
    return (
        f'<div class="kt-verdict" data-verdict="{escape(advice.verdict)}">{words_html(verdict)}</div>'
        f'<div class="kt-headline"><span class="kt-gain" data-gain="{advice.gain_per_kor_year:.2f}" '
        f'data-net-gain="{advice.net_gain_per_kor_year:.2f}">{words_html(gain)}</span></div>'
        f'<div class="kt-total" data-total="{advice.total_difference:.2f}" '
        f'data-net-total="{advice.net_total_difference:.2f}">{words_html(total)}</div>'
        + (f'<ul class="kt-reasons">{items}</ul>' if items else "")
    )


def net_income_html(net: pd.DataFrame) -> str:
    """Net income by year (``kt.net_income_table``): the last year as the headline, then a table."""
    last = net.index[-1]
    amount = net.loc[last, "net_income"]
    mark = net.loc[last, "tax_status_nl"] if "tax_status_nl" in net else ""
    headline = (
        f'<div class="kt-headline">Netto inkomen {last}: <b class="kt-net" data-net="{amount:.2f}">'
        f"{escape(format_euro(amount))}</b> (na inkomstenbelasting en Zvw"
        + (f'; <span class="kt-tax-status">belastingcijfers {escape(mark)}</span>' if mark else "")
        + ")</div>"
    )
    rows: dict[str, Any] = {
        "Belastbare winst": net["taxable_profit"],
        "Box 1 vóór heffingskortingen": net["box1_tax"],
        "Algemene heffingskorting": net["algemene_heffingskorting"],
        "Arbeidskorting": net["arbeidskorting"],
        "Inkomstenbelasting": net["income_tax"],
        "Zvw-bijdrage": net["zvw"],
        "Netto inkomen": net["net_income"],
    }
    if "tax_status_nl" in net:
        rows[TAX_FIGURES_NL] = [words or "–" for words in net["tax_status_nl"]]
    return headline + html_table(years_as_columns(rows, net.index))


def net_by_turnover_html(frame: pd.DataFrame) -> str:
    """The net-income chart's words: where the KOR costs net income, and the cliff (model figures)."""
    mark = frame.attrs.get("tax_status_nl", "")
    status = f"<p>{TAX_FIGURES_NL} {frame.attrs['year']}: {escape(mark)}.</p>" if mark else ""
    return status + _net_by_turnover_words(frame)


def _net_by_turnover_words(frame: pd.DataFrame) -> str:
    losing = frame.loc[frame["net_difference"] < -0.005, "turnover"]
    threshold = format_euro(frame.attrs["threshold"], cents=False)
    cliff = (
        f"Boven {threshold} omzet kan de KOR niet (ook de omzet van het vorige jaar moet eronder blijven): "
        "de lijnen vallen samen."
    )
    if losing.empty:
        return f"<p>{escape(cliff)}</p>"
    span = f"{format_euro(losing.min(), cents=False)} tot {format_euro(losing.max(), cents=False)}"
    return f"<p>{escape(f'De KOR kost netto inkomen bij een omzet van {span} (rood). ' + cliff)}</p>"


AMOUNT = re.compile(r"€ (-?[0-9][0-9.,]*)")


def words_html(text: object) -> str:
    """Dutch sentences as HTML text: escaped, each amount kept on one line with its "€" (a
    line never ends on "€", issue #35 item 5; the words a reader copies are unchanged)."""
    return AMOUNT.sub(r'<span class="kt-amount">€ \1</span>', escape(text))


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def comparison_table_nl(table: pd.DataFrame) -> pd.DataFrame:
    """The scenario table with Dutch row labels and euro strings (years as columns): the
    columns declared with a Dutch label (kortools.columns.TABLE_COLUMNS), status first."""
    shown = [c for c in TABLE_COLUMNS if c.label_nl]
    shown.sort(key=lambda c: SHOWN_ORDER.index(c.name) if c.name in SHOWN_ORDER else len(SHOWN_ORDER))
    rows: dict[str, Any] = {}
    for column in shown:
        values: Any = table[column.name]
        if column.unit == "share":
            values = [format_percent(x, 1) for x in values]
        elif column.unit == "text":
            values = [x or "–" for x in values]  # e.g. tax figures that are law: nothing to say
        rows[column.label_nl] = values
    return years_as_columns(rows, table.index)


def years_as_columns(rows: dict[str, Any], years: pd.Index) -> pd.DataFrame:
    """Rows of amounts (or text) by year → a table of strings: labels down, years across, € Dutch."""
    return pd.DataFrame(
        {
            label: [v if isinstance(v, str) else format_euro(v) for v in values]
            for label, values in rows.items()
        },
        index=[str(y) for y in years],
    ).T


def herziening_table_nl(schedule: pd.DataFrame, asset_names: list[str]) -> pd.DataFrame:
    rows = {name: schedule[name] for name in asset_names}
    rows["Totaal"] = schedule["gross"]
    minimum = format_euro(schedule_minimum(schedule), cents=False)
    rows[f"Te betalen ({minimum}-regel)"] = schedule["payable"]
    return years_as_columns(rows, schedule.index)


def deductions_table_nl(table: pd.DataFrame) -> pd.DataFrame:
    """The deductions by year in Dutch: every declared part of the ondernemersaftrek
    (kortools.deductions.ONDERNEMERSAFTREK_PARTS), their sum, the mkb-winstvrijstelling."""
    labels = {
        **{p.name: p.label_nl for p in ONDERNEMERSAFTREK_PARTS},
        "ondernemersaftrek": "Ondernemersaftrek",
        MKB_PART.name: MKB_PART.label_nl,
        "total": "Totaal aftrek",
        "taxable_profit": "Belastbare winst",
        "tax_value": "Bespaarde belasting en Zvw",
    }
    out = years_as_columns({label: table[col] for col, label in labels.items()}, table.index)
    out.loc["Urencriterium gehaald"] = ["ja" if met else "nee" for met in table["urencriterium_met"]]
    return out


def minimum_rule_nl(schedule: pd.DataFrame) -> str:
    """The de-minimis rule in words, with the schedule's own minimum (herziening.md)."""
    minimum = format_euro(schedule_minimum(schedule), cents=False)
    return (
        f"Per boekjaar: is het totaal van alle investeringen samen minder dan {minimum}, dan vervalt "
        f"de herziening dat jaar helemaal; vanaf {minimum} wordt alles herzien."
    )


def html_table(frame: pd.DataFrame) -> str:
    """A DataFrame of strings as an HTML table (escaped) for an ipywidgets.HTML."""
    body = frame.to_html(classes="kt-table", border=0, escape=True)
    # focusable, so a keyboard can scroll a table wider than a phone (WCAG 2.1.1)
    return f'<div class="kt-table-wrap" tabindex="0" role="region" aria-label="Tabel">{body}</div>'


def assumptions_html(assumptions) -> str:
    if not assumptions:
        return "<p>Geen onzekere regels gebruikt.</p>"
    items = "".join(
        f'<li>{escape(a.text_nl)} <a href="{escape(a.source.href)}" target="_blank" rel="noopener">'
        f"{escape(a.source.title)}</a></li>"
        for a in assumptions
    )
    return (
        "<p>Deze uitkomst rust op regels of bedragen die (nog) geen vastgestelde wet zijn of niet "
        "officieel bevestigd, elk met zijn status en bron:</p>"
        f'<ul class="kt-assumptions">{items}</ul>'
    )


def steps_html(steps) -> str:
    """ "Wat nu?": the next steps (``kt.next_steps``), each with its date in Dutch words."""
    if not steps:
        return ""
    items = "".join(
        f'<li data-kind="{escape(s.kind)}">'
        + (f"<b>{escape(dutch_date(s.date))}</b>: " if s.date else "")
        + f"{words_html(s.text_nl)}</li>"
        for s in steps
    )
    return f'<div class="kt-steps"><b>Wat nu?</b><ul>{items}</ul></div>'


def warnings_html(warnings) -> str:
    if not warnings:
        return '<div class="kt-ok">Geen van de KVK-waarschuwingen is van toepassing.</div>'
    items = "".join(
        f'<li class="{"kt-blocking" if w.blocking else "kt-warning"}" data-code="{escape(w.code)}">'
        f"<b>{escape(w.title)}</b>: {words_html(w.detail)}</li>"
        for w in warnings
    )
    return f'<div class="kt-warnings"><b>Let op: de KOR is minder gunstig, want:</b><ul>{items}</ul></div>'


NAVIGATION = (
    '<nav class="kt-nav" aria-label="Dashboards"><a href="kor_verkenner.ipynb">KOR-verkenner</a> · '
    '<a href="herziening.ipynb">Herziening</a> · <a href="aftrekposten.ipynb">Aftrekposten</a></nav>'
)


def navigation_html(queries: Mapping[str, str]) -> str:
    """The links between the dashboards, each carrying the fields it shares with the case on
    screen (``queries``: notebook → query string; issue #35 item 2)."""
    pages = (
        ("kor_verkenner", "KOR-verkenner"),
        ("herziening", "Herziening"),
        ("aftrekposten", "Aftrekposten"),
    )
    links = []
    for notebook, title in pages:
        query = queries.get(notebook, "")
        links.append(f'<a href="{notebook}.ipynb{"?" + escape(query) if query else ""}">{title}</a>')
    return f'<nav class="kt-nav" aria-label="Dashboards">{" · ".join(links)}</nav>'


def address_html(query: str) -> str:
    """The case on screen as the page's address: the kortools template puts ``?query`` in the
    address bar (``history.replaceState``), so a reload, a bookmark or Back keeps the case."""
    return f'<div class="kt-address" data-query="?{escape(query)}" hidden></div>'


STYLE = """
<style>
.kt-read { color: #0d47a1; font-weight: 600; }
.kt-amount { white-space: nowrap; }
.kt-error { color: #c62828; font-weight: 600; font-size: 0.95em; min-height: 0; }
.kt-headline { font-size: 1.35em; margin: 0.2em 0 0.4em 0; }
.kt-headline b { white-space: nowrap; }
.kt-verdict { font-size: 1.15em; font-weight: 700; }
.kt-reasons { margin: 0.2em 0 0.5em 0; padding-left: 1.3em; }
.kt-bar { position: relative; height: 26px; background: #eee; border-radius: 4px; margin: 4px 0; }
.kt-bar-fill { height: 100%; border-radius: 4px; }
.kt-bar-line { position: absolute; top: -4px; bottom: -4px; width: 2px; background: #000; }
.kt-threshold-crossed { color: #c62828; font-weight: 700; }
.kt-warnings ul, .kt-steps ul, .kt-assumptions { margin: 0.3em 0; padding-left: 1.3em; }
.kt-steps { margin: 0.4em 0; }
.kt-blocking { color: #c62828; }
.kt-warning { color: #8a4b00; }
.kt-ok { color: #2e7d32; }
.kt-table { border-collapse: collapse; font-size: 0.95em; }
.kt-table td, .kt-table th { padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd; }
.kt-table tbody th { text-align: left; font-weight: normal; }
.kt-table-wrap { overflow-x: auto; }
.kt-message { color: #c62828; font-weight: 600; }
.kt-nav { font-size: 0.95em; margin-bottom: 0.3em; }
.kt-share-url { font-family: monospace; font-size: 0.85em; word-break: break-all; color: #333; }
.kt-copy { margin-left: 0.5em; }
/* the upload's button says its whole name (ipywidgets' buttons cut it with an ellipsis) */
.kt-upload-button { width: auto; max-width: 100%; height: auto; min-height: 28px; white-space: normal;
  text-align: left; padding: 4px 10px; }
/* a control's name for screen readers: its description, shown already by the bold label */
.kt-named > .widget-label { position: absolute !important; width: 1px !important; height: 1px !important;
  margin: -1px !important; padding: 0 !important; overflow: hidden !important; clip: rect(0 0 0 0) !important;
  white-space: nowrap !important; border: 0 !important; }
/* a focus ring of 3 px, 8:1 on white (WCAG 2.4.7, 1.4.11 asks 3:1) */
.jupyter-widgets input:focus-visible, .jupyter-widgets select:focus-visible,
.jupyter-widgets button:focus-visible, .jupyter-widgets textarea:focus-visible,
.jupyter-widgets a:focus-visible, .noUi-handle:focus-visible, .widget-readout:focus-visible,
.lm-TabBar-tab:focus-visible, .kt-nav a:focus-visible {
  outline: 3px solid #1a4f8b !important; outline-offset: 2px !important; }
.widget-image { height: auto; }
.widget-tab > .lm-TabBar .lm-TabBar-tab { color: #1f1f1f !important; }
.kt-table-wrap { max-width: 100%; }
/* a phone: the answer first, then the inputs, nothing wider than the screen (issue #22 item 2) */
@media (max-width: 700px) {
  .kt-main { flex-direction: column !important; flex-wrap: nowrap !important; }
  .kt-main > .kt-results { display: contents !important; }
  .kt-main > * , .kt-results > * { order: 3; max-width: 100% !important; min-width: 0 !important; }
  .kt-main > .kt-controls { order: 2; width: auto !important; padding: 0 !important; }
  .kt-results > .kt-first { order: 1; }
  .kt-headline b { white-space: normal; }
  .kt-main .widget-html, .kt-main .widget-html-content {
    max-width: 100% !important; min-width: 0 !important; }
  .kt-table-wrap { max-width: calc(100vw - 40px); }
  .widget-tab > .lm-TabBar { height: auto !important; min-height: 0 !important; }
  .widget-tab > .lm-TabBar .lm-TabBar-content { flex-wrap: wrap !important; }
  .widget-tab > .lm-TabBar .lm-TabBar-tab { flex: 0 0 auto !important; max-width: none !important;
    margin-bottom: 2px; }
}
</style>
"""


def margin_year_nl(result, year: int) -> tuple[str, str]:
    """(chart title words, note) for the margin of ``year`` as the table has it: a split year
    says until when the KOR applied ("2027 (KOR tot 21 december)")."""
    share = result.year_margin(year)[3]
    status = result.table.loc[year, "kor_status"]
    if 0 < share < 1:
        return f"{year} (KOR {share:.0%} van de omzet)".replace(
            ".", ","
        ), f"{year}: {status}; daarna gewone btw."
    return str(year), ""
