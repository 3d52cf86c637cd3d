"""The KOR-verkenner's books (issue #21): the upload "Administratie inlezen (XAF)" and the
"Herkomst" tab. The files are read in the kernel's memory (never written to disk) by the
model (``kt.read_auditfiles``); this module only shows what it read and where it came from."""

from __future__ import annotations

import os

import pandas as pd

import kortools as kt
from kortools.auditfile import MAX_BYTES
from kortools.books import SUMMARY_LABELS, Books, summary_nl
from kortools.money import format_euro, format_percent
from kortools.ui.chunked_upload import ChunkedUpload
from kortools.ui.text import escape, html_table

#: The largest upload, in MB (a setting, ``KORTOOLS_UPLOAD_MAX_MB``; by default the reader's own
#: cap, ``kortools.auditfile.MAX_BYTES``). The file reaches the kernel in pieces of 512 KiB
#: (:class:`~kortools.ui.chunked_upload.ChunkedUpload`): a served page takes at most 1 MiB in
#: one websocket message (issue #18).
UPLOAD_MAX_MB = float(os.environ.get("KORTOOLS_UPLOAD_MAX_MB", str(MAX_BYTES / 2**20)))
SHOWN_FIELDS = (
    "turnover",
    "turnover_unknown",
    "consumer_sales",
    "business_sales",
    "unknown_sales",
    "costs_with_vat",
)


def upload_files(value) -> list[tuple[str, bytes]]:
    """(name, bytes) of a FileUpload's value; refused in Dutch above the upload cap."""
    files = []
    for item in value:
        name, content = str(item["name"]), bytes(item["content"])
        if len(content) > UPLOAD_MAX_MB * 2**20:
            raise kt.InputError(
                "auditfile",
                name,
                f"is groter dan {UPLOAD_MAX_MB:g} MB: niet ingelezen",
            )
        files.append((name, content))
    return files


def upload_status_html(error: str = "") -> str:
    """The line under the upload: empty, or a Dutch refusal."""
    kind = "kt-upload-status kt-error" if error else "kt-upload-status"
    return f'<div class="{kind}" role="status">{escape(error)}</div>'


def books_note_html(books: Books) -> str:
    """Under the link: what came from the books (the link holds the figures, not the file)."""
    return (
        '<p class="kt-books-note">Omzet, kosten en investeringen komen uit de administratie van '
        f"{escape(books.company)} ({escape(', '.join(books.files))}); de link bevat die bedragen, niet "
        "het bestand.</p>"
    )


def unknown_share_html(books: Books, year: int) -> str:
    """What share of a year's turnover has a VAT kind the books do not say (issue #32)."""
    row = books.summary.loc[year].to_dict()
    turnover, unknown = float(row["turnover"]), float(row["turnover_unknown"])
    share = f" ({format_percent(unknown / turnover)} van de omzet)" if turnover > 0 else ""
    return (
        f"<p>{format_euro(unknown)}{share} heeft een btw-soort die de administratie niet zegt: geen "
        "btw-code, geen tarief en geen btw ernaast geboekt. Controleer het tarief van deze rekeningen.</p>"
    )


def herkomst_html(books: Books | None) -> str:
    """The Herkomst tab: the summary per year, where each figure came from, the findings."""
    if books is None:
        return (
            "<p>Nog geen administratie ingelezen. Gebruik ‘Administratie inlezen (XAF)’ bij Klant: "
            "de omzet per jaar, klanten, kosten en investeringen komen dan uit de auditfile.</p>"
        )
    summary = summary_nl(books).map(format_euro)
    parts = [f"<h4>Uit de administratie: {escape(books.company)}</h4>", html_table(summary)]
    last = books.years[-1]
    for field in SHOWN_FIELDS:
        rows = books.derivation(last, field)
        if rows.empty:
            continue
        grouped = rows.groupby(["account", "account_description", "vat_code"])["amount"].sum()
        shown = grouped.map(format_euro).reset_index()
        shown.columns = ["Rekening", "Omschrijving", "Btw-code", "Bedrag"]
        parts.append(f"<h4>{escape(SUMMARY_LABELS[field])} {last}: waar het vandaan komt</h4>")
        if field == "turnover_unknown":
            parts.append(unknown_share_html(books, last))
        shown.index = pd.Index([""] * len(shown))
        parts.append(html_table(shown))
    if len(books.investments):
        parts.append(f"<p>Investeringen: {len(books.investments)} (zie Herziening).</p>")
    if books.findings:
        items = "".join(
            f"<li>{escape(f.text_nl)}{f' ({f.count}×)' if f.count > 1 else ''}</li>" for f in books.findings
        )
        parts.append(f'<h4>Meldingen</h4><ul class="kt-findings">{items}</ul>')
    parts.append("<p><small>" + " ".join(escape(a.text_nl) for a in books.assumptions) + "</small></p>")
    return '<div class="kt-herkomst">' + "".join(parts) + "</div>"


def upload_widget(make) -> ChunkedUpload:
    """ "Administratie inlezen (XAF)": the files reach the kernel in pieces, up to the cap."""
    upload = make(
        ChunkedUpload,
        accept=".xaf,.xml,.zip,.gz",
        multiple=True,
        description="Administratie inlezen (XAF)",
        max_bytes=int(UPLOAD_MAX_MB * 2**20),
        layout={"width": "280px"},
    )
    upload.add_class("kt-upload")
    return upload
