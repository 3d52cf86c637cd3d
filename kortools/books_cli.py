"""``kortools boeken FILE...``: one client's auditfiles read, explained and advised (issue #21).

Without ``--out`` the summary, the findings and the advice are printed; ``--out x.xlsx``
writes the summary, where each figure came from, the investments, the findings and the
advice's year table; ``--out x.pdf`` the client report of the scenario the books make.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kortools.auditfile import MAX_BYTES
from kortools.books import SUMMARY_LABELS, Books, books_scenario, read_auditfiles, summary_nl
from kortools.files import atomic_write
from kortools.money import format_euro
from kortools.steps import dutch_date

SOURCE_HEADERS = {
    "field": "Onderdeel",
    "account": "Rekening",
    "account_description": "Omschrijving",
    "vat_code": "Btw-code",
    "customer": "Klant",
    "amount": "Bedrag",
}
INVESTMENT_HEADERS = {
    "year": "Jaar",
    "date": "Datum",
    "account": "Rekening",
    "description": "Omschrijving",
    "amount": "Bedrag excl. btw",
    "vat": "Btw",
    "kind": "Soort",
}
KIND_NL = {"movable": "roerend", "immovable": "onroerend"}


def books_sheets(books: Books, result) -> dict[str, pd.DataFrame]:
    from kortools.ui.text import comparison_table_nl

    sources = books.sources.assign(field=books.sources["field"].map(SUMMARY_LABELS))
    investments = books.investments.assign(
        kind=books.investments["kind"].map(KIND_NL), date=books.investments["date"].map(dutch_date)
    )
    findings = pd.DataFrame(
        [(f.file, f.text_nl, f.count) for f in books.findings], columns=["Bestand", "Melding", "Aantal"]
    )
    return {
        "samenvatting": summary_nl(books).reset_index(names="Onderdeel"),
        "herkomst": sources.rename(columns={"year": "Jaar", **SOURCE_HEADERS}),
        "investeringen": investments.rename(columns=INVESTMENT_HEADERS),
        "meldingen": findings,
        "advies": comparison_table_nl(result.table).reset_index(names="Jaar"),
    }


def run_books(
    files: list[Path], out: Path | None, first_year: int | None, t: dict, max_bytes: int = MAX_BYTES
) -> str:
    """Read, advise and write (or print); returns the lines to print."""
    from kortools.advice import advise
    from kortools.evaluation import evaluate

    books = read_auditfiles(files, max_bytes)
    scenario = books_scenario(books, first_year)
    result = evaluate(scenario)
    advice = advise(result)
    if out is not None and out.suffix.lower() == ".pdf":
        from kortools.ui.report import report

        atomic_write(out, report(scenario))
    elif out is not None:
        from kortools.portfolio_files import write_sheets

        write_sheets(out, books_sheets(books, result))
    shown = summary_nl(books).map(lambda x: format_euro(x))
    mark = advice.tax_mark_nl(advice.kor_years)  # the KOR years' tax figures, if not law (#34)
    lines = [
        f"{books.company}: {', '.join(map(str, books.years))} ({len(files)} bestand(en))",
        shown.to_string(),
        "",
        *_findings_nl(books.findings),
        "",
        f"Advies: {advice.verdict_nl} (KOR vanaf {dutch_date(scenario.kor_from)}); "
        f"netto {format_euro(advice.net_gain_per_kor_year, cents=False)} per KOR-jaar."
        + (f" {mark}" if mark else ""),
    ]
    if out is not None:
        lines.append(t["books_written"].format(out=out))
    return "\n".join(lines)


#: Findings of one kind printed before the rest are counted (all of them are in the workbook).
FINDINGS_SHOWN = 10


def _findings_nl(findings) -> list[str]:
    """One line per finding, at most :data:`FINDINGS_SHOWN` of a kind (a file with 300
    customers known by name only would otherwise print 300 lines), then how many more."""
    kinds: dict[str, list] = {}
    for finding in findings:
        kinds.setdefault(finding.code, []).append(finding)
    lines = []
    for same in kinds.values():
        for f in same[:FINDINGS_SHOWN]:
            lines.append(f"• {f.text_nl}" + (f" ({f.count}×)" if f.count > 1 else ""))
        if len(same) > FINDINGS_SHOWN:
            more = len(same) - FINDINGS_SHOWN
            lines.append(f"  … en {more} meer zoals de vorige (alle meldingen: --out advies.xlsx)")
    return lines


AUDITFILE_SUFFIXES = (".xaf", ".xml", ".gz", ".zip")


def auditfile_portfolio(folder: Path, max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``kortools portfolio --auditfiles DIR``: one client per company found in the folder's
    auditfiles (one file a year), advised as the portfolio advises (its output columns); the
    files that could not be read, with the Dutch reason, as the errors."""
    from kortools.advice import advise
    from kortools.auditfile import read_year
    from kortools.books import books_of
    from kortools.errors import InputError
    from kortools.evaluation import evaluate
    from kortools.portfolio import ERROR_COLUMNS, OUTPUT_COLUMNS, row_from

    if not folder.is_dir():
        raise InputError("auditfiles", str(folder), "is geen map met auditfiles")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDITFILE_SUFFIXES and p.is_file())
    clients: dict[str, dict] = {}
    errors = []
    for number, path in enumerate(files, 1):
        try:
            year = read_year(path, max_bytes)
        except InputError as error:
            errors.append((number, "", "bestand", path.name, error.allowed))
            continue
        years = clients.setdefault(year.company, {})
        if year.year in years:
            errors.append((number, year.company, "bestand", path.name, f"tweede bestand van {year.year}"))
            continue
        years[year.year] = year
    rows = []
    for number, (company, years) in enumerate(sorted(clients.items()), 1):
        books = books_of([years[y] for y in sorted(years)])
        result = evaluate(books_scenario(books))
        rows.append(
            {
                "regel": number,
                "klant": company,
                **row_from(advise(result), result.vat, 0, result.warnings),
            }
        )
    advice = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    return advice, pd.DataFrame(errors, columns=list(ERROR_COLUMNS))
