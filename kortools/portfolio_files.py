"""The office's files for the portfolio run: read what Excel writes, write what Excel opens.

Read: ``.csv`` in UTF-8 (with or without BOM) or cp1252 (Excel's default on Windows),
``;`` or ``,`` separated, and ``.xlsx``; every cell as text in Dutch notation (a number
cell of an XLSX becomes ``16500,5``), so one Dutch number reader (``kortools.dutch``)
reads them all. Write: an XLSX with Dutch headers, € formats, widths, a frozen header,
an autofilter, rows sorted by verdict and net gain, a summary and an error sheet; or a
CSV in the input's dialect (``;`` and a decimal comma for a Dutch file). Atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kortools.errors import InputError
from kortools.files import atomic_path
from kortools.portfolio import ERROR_HEADERS, OUTPUT_HEADERS, VERDICT_ORDER

#: Column widths in the workbooks (characters) for the long text columns; others by header.
WIDTHS = {
    "Toelichting": 80,
    "Reden geen KOR": 40,
    "Waarschuwingen": 35,
    "Reden": 50,
    "Onderwerp": 50,
    "scenario": 40,
    "Onderdeel": 40,
}


@dataclass(frozen=True)
class Dialect:
    """How a CSV separates fields and writes decimals."""

    separator: str = ";"
    decimal: str = ","


DUTCH = Dialect(";", ",")
ENGLISH = Dialect(",", ".")


def _text(cell) -> str:
    """An XLSX cell as the text a Dutch person would type."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nee"
    if isinstance(cell, int | float):
        return repr(float(cell)).removesuffix(".0").replace(".", ",")
    return str(cell)


def read_clients(path: Path) -> tuple[pd.DataFrame, Dialect]:
    """The clients as text columns, and the file's dialect (for a CSV answer in kind)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=object, keep_default_na=False)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise InputError(
                "clients", str(path), f"kan niet gelezen worden als Excel-bestand ({error})"
            ) from None
        return frame.map(_text), DUTCH
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError("clients", str(path), f"kan niet gelezen worden ({error.strerror})") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    header = text.split("\n", 1)[0]
    dialect = DUTCH if header.count(";") > header.count(",") else ENGLISH
    try:
        from io import StringIO

        frame = pd.read_csv(StringIO(text), sep=dialect.separator, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError("clients", str(path), f"is geen geldig CSV-bestand ({error})") from None
    return frame, dialect


def sorted_advice(advice: pd.DataFrame) -> pd.DataFrame:
    """Rows by verdict (meedoen first), then the largest net gain first."""
    order = advice["advies"].map({v: i for i, v in enumerate(VERDICT_ORDER)})
    return (
        advice.assign(_order=order)
        .sort_values(["_order", "netto_voordeel_5_jaar"], ascending=[True, False], kind="stable")
        .drop(columns="_order")
    )


def summary(advice: pd.DataFrame, errors: pd.DataFrame) -> pd.DataFrame:
    """Counts per verdict and the totals (net and gross), for the summary sheet."""
    rows = [(f"Advies: {verdict}", float((advice["advies"] == verdict).sum())) for verdict in VERDICT_ORDER]
    rows += [
        ("Klanten met een advies", float(len(advice))),
        ("Regels met fouten", float(errors["regel"].nunique())),
        (
            "Netto voordeel 5 jaar, alle klanten met advies 'meedoen'",
            float(advice.loc[advice["advies"] == "meedoen", "netto_voordeel_5_jaar"].sum()),
        ),
        (
            "Bruto voordeel 5 jaar, idem",
            float(advice.loc[advice["advies"] == "meedoen", "voordeel_5_jaar"].sum()),
        ),
    ]
    return pd.DataFrame(rows, columns=["Onderwerp", "Waarde"]).astype({"Waarde": object})  # counts: no €


def write_xlsx(advice: pd.DataFrame, errors: pd.DataFrame, out: Path) -> None:
    """The advice, a summary and the errors as a formatted workbook (atomically)."""
    advice = sorted_advice(advice)
    write_sheets(
        out,
        {
            "advies": advice.rename(columns=OUTPUT_HEADERS),
            "samenvatting": summary(advice, errors),
            "fouten": errors.astype({"regel": "int64"}).rename(columns=ERROR_HEADERS),  # no € on lines
        },
    )


def write_csv(advice: pd.DataFrame, errors: pd.DataFrame, out: Path, dialect: Dialect) -> Path:
    """The advice and ``OUT.fouten.csv`` in ``dialect`` (atomically); returns the errors' path."""
    errors_path = out.with_name(out.stem + ".fouten.csv")
    options = {"index": False, "sep": dialect.separator, "decimal": dialect.decimal, "encoding": "utf-8-sig"}
    with atomic_path(out) as advice_tmp, atomic_path(errors_path) as errors_tmp:
        sorted_advice(advice).to_csv(advice_tmp, **options)
        errors.to_csv(errors_tmp, **options)
    return errors_path


def write_sheets(out: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Formatted sheets in one workbook (atomically): a bold frozen header with a filter,
    widths, euro format on the float (money) columns, booleans as ja/nee."""
    import xlsxwriter

    with atomic_path(out) as temporary:
        book = xlsxwriter.Workbook(str(temporary), {"constant_memory": True, "nan_inf_to_errors": True})
        header = book.add_format({"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top"})
        euro = book.add_format({"num_format": "€ #,##0.00"})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            for number, column in enumerate(frame.columns):
                width = WIDTHS.get(str(column), max(12, min(30, len(str(column)) + 2)))
                sheet.set_column(number, number, width, euro if frame[column].dtype == float else None)
            sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
            for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
                sheet.write_row(
                    row, 0, [("ja" if v else "nee") if isinstance(v, bool) else v for v in values]
                )
            sheet.freeze_panes(1, 0)
            if len(frame.columns):
                sheet.autofilter(0, 0, max(1, len(frame)), len(frame.columns) - 1)
        book.close()
