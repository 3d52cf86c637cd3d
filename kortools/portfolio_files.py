"""The office's files for the portfolio run: read what Excel writes, write what Excel opens.

Read: ``.csv`` in UTF-8 (with or without BOM) or cp1252 (Excel's default on Windows),
``;`` or ``,`` separated, and ``.xlsx``; every cell as text in Dutch notation (a number
cell of an XLSX becomes ``16500,5``), so one Dutch number reader (``kortools.dutch``)
reads them all. Write: an XLSX with Dutch headers, € formats, widths, a frozen header,
an autofilter, rows sorted by verdict and net gain, a summary and an error sheet; or a
CSV in the input's dialect (``;`` and a decimal comma for a Dutch file). Atomic.

What is written is inert when an office opens it (issue #18, item 4): every text cell of
a workbook is a string (no formula, no link), and a CSV text cell that a spreadsheet would
run (starting with ``= + - @``, a tab or a carriage return) is prefixed with ``'``, as
OWASP's "CSV injection" page advises. A workbook is read only after its uncompressed size
is checked (an XLSX is a zip: 100 kB can unpack to gigabytes).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kortools.errors import InputError
from kortools.files import atomic_path
from kortools.os_errors import reason_nl
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


#: What a workbook may unpack to, and a client file's own size (bytes).
MAX_XLSX_UNPACKED = 200 * 2**20
MAX_INPUT_BYTES = 50 * 2**20
#: A cell a spreadsheet reads as a formula or command when it starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: xlsxwriter writes text as text: no formulas, no links, no numbers guessed from text.
INERT_WORKBOOK = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def inert_cell(value):
    """A CSV text cell a spreadsheet will not run (OWASP: prefix ``'``); others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text cells and column names made inert (for a CSV)."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    inert = frame.assign(**{c: frame[c].map(inert_cell) for c in text}) if text else frame
    return inert.rename(columns=lambda c: inert_cell(str(c)))


def errors_path_for(out: Path) -> Path:
    """Where a CSV run writes its errors: ``advies.csv`` → ``advies.fouten.csv``."""
    return out.with_name(out.stem + ".fouten.csv")


def check_workbook_size(path: Path) -> None:
    """Refuse a workbook that is not a zip or unpacks to more than ``MAX_XLSX_UNPACKED``."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError("clients", str(path), "is geen Excel-bestand (.xlsx)") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise InputError(
            "clients",
            str(path),
            f"pakt uit tot {unpacked / 2**20:,.0f} MB; ten hoogste {MAX_XLSX_UNPACKED / 2**20:.0f} MB",
        )


def check_input_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError("clients", str(path), f"kan niet gelezen worden ({reason_nl(error)})") from None
    if size > MAX_INPUT_BYTES:
        raise InputError(
            "clients", str(path), f"is {size / 2**20:,.0f} MB; ten hoogste {MAX_INPUT_BYTES / 2**20:.0f} MB"
        )


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
    if path.is_dir():
        raise InputError("clients", str(path), "is een map; geef een CSV- of Excel-bestand")
    check_input_size(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        check_workbook_size(path)
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
        raise InputError("clients", str(path), f"kan niet gelezen worden ({reason_nl(error)})") from None
    text = decoded(data, path)
    header = text.split("\n", 1)[0]
    dialect = DUTCH if header.count(";") > header.count(",") else ENGLISH
    try:
        from io import StringIO

        frame = pd.read_csv(StringIO(text), sep=dialect.separator, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError("clients", str(path), f"is geen geldig CSV-bestand ({error})") from None
    return frame, dialect


def decoded(data: bytes, path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 (Excel's CSV)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("clients", str(path), "is geen tekstbestand in UTF-8 of Windows-1252 (Excel)")


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
    rows: list[tuple[str, int | float]] = [
        (f"Advies: {verdict}", int((advice["advies"] == verdict).sum())) for verdict in VERDICT_ORDER
    ]
    rows += [
        ("Klanten met een advies", len(advice)),
        ("Regels met fouten", int(errors["regel"].nunique())),
        (
            "Netto voordeel 5 jaar, alle klanten met advies 'meedoen'",
            float(advice.loc[advice["advies"] == "meedoen", "netto_voordeel_5_jaar"].sum()),
        ),
        (
            "Bruto voordeel 5 jaar, idem",
            float(advice.loc[advice["advies"] == "meedoen", "voordeel_5_jaar"].sum()),
        ),
    ]
    # counts as whole numbers, the totals in euros (write_sheets: € on every float cell)
    return pd.DataFrame(
        {"Onderwerp": [r[0] for r in rows], "Waarde": pd.Series([r[1] for r in rows], dtype=object)}
    )


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


def dutch_csv_frame(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """``frame`` as a Dutch reader opens it in Excel: the declared headers, ja/nee for booleans."""
    booleans = [c for c in frame.columns if frame[c].dtype == bool]
    shown = frame.assign(**{c: frame[c].map({True: "ja", False: "nee"}) for c in booleans})
    return shown.rename(columns=headers)


def write_csv(
    advice: pd.DataFrame, errors: pd.DataFrame, out: Path, dialect: Dialect, lang: str = "nl"
) -> Path:
    """The advice and ``OUT.fouten.csv`` in ``dialect`` (atomically); returns the errors' path.
    Dutch (``lang="nl"``): the headers of the workbook and ja/nee; English: the column names."""
    errors_path = errors_path_for(out)
    options: dict[str, Any] = {
        "index": False,
        "sep": dialect.separator,
        "decimal": dialect.decimal,
        "encoding": "utf-8-sig",
    }
    with atomic_path(out) as advice_tmp, atomic_path(errors_path) as errors_tmp:
        advice = sorted_advice(advice)
        if lang == "nl":
            advice, errors = dutch_csv_frame(advice, OUTPUT_HEADERS), dutch_csv_frame(errors, ERROR_HEADERS)
        inert_frame(advice).to_csv(advice_tmp, **options)
        inert_frame(errors).to_csv(errors_tmp, **options)
    return errors_path


def write_sheets(out: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Formatted sheets in one workbook (atomically): a bold frozen header with a filter,
    widths, euro format on the float (money) columns, booleans as ja/nee."""
    import xlsxwriter

    with atomic_path(out) as temporary:
        options = {"constant_memory": True, "nan_inf_to_errors": True, **INERT_WORKBOOK}
        book = xlsxwriter.Workbook(str(temporary), options)
        header = book.add_format({"bold": True, "bg_color": "#DDE7F0", "text_wrap": True, "valign": "top"})
        euro = book.add_format({"num_format": "€ #,##0.00"})
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            for number, column in enumerate(frame.columns):
                width = WIDTHS.get(str(column), max(12, min(30, len(str(column)) + 2)))
                sheet.set_column(number, number, width, euro if frame[column].dtype == float else None)
            sheet.write_row(0, 0, [str(c) for c in frame.columns], header)
            mixed = [frame[c].dtype == object for c in frame.columns]
            for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
                for number, value in enumerate(values):
                    if isinstance(value, bool):
                        sheet.write(row, number, "ja" if value else "nee")
                    elif mixed[number] and isinstance(value, float):
                        sheet.write(row, number, value, euro)  # an amount among counts or text
                    else:
                        sheet.write(row, number, value)
            sheet.freeze_panes(1, 0)
            if len(frame.columns):
                sheet.autofilter(0, 0, max(1, len(frame)), len(frame.columns) - 1)
        book.close()
