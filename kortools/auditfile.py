"""Read one Auditfile Financieel (XAF) safely and classify its lines (rules/auditfile.md).

:func:`read_year` opens a file with pyxaf (XAF 4.0, 3.2.1, 3.2, 3.1, 3.0, CLAIR2, ADF;
streaming; DOCTYPE and entities refused), finds its calendar year (§1), and turns every
line into contributions to the year's figures (§2–§4): turnover by VAT kind and by
customer kind, costs with and without VAT, input VAT, investments. Each contribution keeps
the account, VAT code and customer that made it, so every figure can say where it came
from (:class:`kortools.books.Books`). Euros as floats (pyxaf's Decimals converted once).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kortools.auditfile_halves import line_table
from kortools.auditfile_lines import TooLarge, head_of, size_of
from kortools.auditfile_rules import (
    CUSTOMER_KINDS,
    SOURCE_COLUMNS,
    VAT_KINDS,
    Classified,
    Ledger,
    account_kind,
    classify,
    clean_code,
    is_cash_customer,
    is_input_code,
)
from kortools.errors import InputError
from kortools.money import format_euro
from kortools.os_errors import reason_nl
from kortools.pyxaf_nl import finding_nl

__all__ = ["CUSTOMER_KINDS", "MAX_BYTES", "VAT_KINDS", "Source", "YearLines", "read_year", "read_years"]

#: The refusal of a file with a DOCTYPE or entities (pyxaf refuses them, at open or later).
UNSAFE_NL = "bevat een DOCTYPE of entiteiten: geweigerd (onveilige XML)"
#: The largest auditfile read (bytes): a setting (``read_auditfile(max_bytes=...)``).
MAX_BYTES = 50 * 1024 * 1024
#: Most ledger accounts and relations one file may list: a small business has hundreds of
#: accounts and at most tens of thousands of customers; far more is not its administration
#: (a 1 MB .gz of 350,000 accounts kept 60 MB in a kernel: issue #31 item 6).
MAX_ACCOUNTS, MAX_RELATIONS = 50_000, 1_000_000
GZIP_MAGIC, ZIP_MAGIC = b"\x1f\x8b", b"PK\x03\x04"


@dataclass
class YearLines:
    """One file's year: its figures as contributions (field, account, VAT code, customer)."""

    company: str
    year: int
    name: str  # the file's name, for messages
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SOURCE_COLUMNS))
    investments: list[dict] = field(default_factory=list)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, nl, en, count
    accounts: dict[str, str] = field(default_factory=dict)  # id: description
    vat_codes: dict[str, str] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)


Source = str | Path | bytes | tuple[str, bytes]  # a path, the bytes, or (name, bytes) of an upload


def _source(data: Source, max_bytes: int) -> tuple[io.BytesIO | Path, str]:
    """What pyxaf reads (the bytes, or the path: streamed from disk) and the file's name;
    refused above ``max_bytes`` (auditfile.md §5)."""
    if isinstance(data, tuple | bytes | bytearray):
        raw, name = (bytes(data[1]), str(data[0])) if isinstance(data, tuple) else (bytes(data), "upload")
        _check_size(name, len(raw), max_bytes)
        return io.BytesIO(raw), name
    path = Path(data)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputError("auditfile", str(path), f"kan niet worden gelezen: {reason_nl(error)}") from None
    _check_size(path.name, size, max_bytes)
    return path, path.name


def _check_size(name: str, size: int, max_bytes: int, unpacked: bool = False) -> None:
    if size > max_bytes:
        message = f"is {'uitgepakt ' if unpacked else ''}groter dan {max_bytes // 2**20} MB: niet ingelezen"
        raise InputError("auditfile", name, message, high=max_bytes)


def _unpacked(source: io.BytesIO | Path, name: str, max_bytes: int) -> io.BytesIO | Path:
    """A .gz, or a .zip of one file, unpacked here (at most ``max_bytes``), so that it is read
    by the same streamed pass as a plain file: pyxaf's own pass over a compressed file built
    every element in Python (a 40 KB .gz took 48 s and 2.2 GB; issue #31 item 6). Anything
    else is returned as it is (pyxaf reads it)."""
    import gzip
    import zipfile
    import zlib

    head = head_of(source, 4)
    try:
        if head.startswith(GZIP_MAGIC):
            with gzip.open(source if isinstance(source, Path) else io.BytesIO(source.getvalue())) as packed:
                data = packed.read(max_bytes + 1)
        elif head == ZIP_MAGIC:
            with zipfile.ZipFile(source) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    return source  # several parts (continuation files): pyxaf joins them
                with archive.open(members[0]) as packed:
                    data = packed.read(max_bytes + 1)
        else:
            return source
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError):
        raise InputError(
            "auditfile", name, "is een beschadigd of versleuteld archief: niet ingelezen"
        ) from None
    _check_size(name, len(data), max_bytes, unpacked=True)
    return io.BytesIO(data)


def read_year(data: Source, max_bytes: int = MAX_BYTES) -> YearLines:
    """The classified lines of one auditfile (module docstring); ``InputError`` in Dutch for a
    file that is not an auditfile, unsafe XML, too large, broken, or not a calendar year.

    A file that says UTF-8 but holds windows-1252 (ISO-8859-1) bytes — a customer's "Müller"
    written by a package that never converted it — is read as windows-1252, with a finding
    (issue #32 item 6); any other broken XML is refused naming its line."""
    source, name = _source(data, max_bytes)
    source = _unpacked(source, name, max_bytes)
    try:
        return _read_and_classify(source, name, max_bytes)
    except _BrokenXml as broken:
        line = broken.line
        transcoded = _declared_utf8_but_is_not(source)
        if transcoded is None:
            raise InputError("auditfile", name, _broken_nl(line)) from None
    try:
        year = _read_and_classify(transcoded, name, max_bytes)
    except _BrokenXml as broken:
        raise InputError("auditfile", name, _broken_nl(broken.line)) from None
    year.findings.append(
        (
            "encoding_declared_wrong",
            f"het bestand zegt UTF-8 maar bevat windows-1252-tekens (vanaf regel {line}): zo gelezen; "
            "controleer namen met accenten",
            f"declared UTF-8 but holds windows-1252 bytes (from line {line}): read as windows-1252",
            1,
        )
    )
    return year


def _broken_nl(line: int | None) -> str:
    where = f" (de XML klopt niet vanaf regel {line})" if line else ""
    return f"is onvolledig of beschadigd{where}: exporteer het opnieuw uit de boekhouding"


class _BrokenXml(Exception):
    """XML that is not well-formed, at ``line`` (None: unknown)."""

    def __init__(self, line: int | None):
        super().__init__(line)
        self.line = line


def _read_and_classify(source: io.BytesIO | Path, name: str, max_bytes: int) -> YearLines:
    import pyxaf
    from lxml import etree

    try:
        af = pyxaf.open(source, max_decompressed_size=max_bytes)
    except pyxaf.ForbiddenConstructError:
        raise InputError("auditfile", name, UNSAFE_NL) from None
    except pyxaf.EncryptedAuditfileError:
        raise InputError("auditfile", name, "is versleuteld: exporteer het zonder wachtwoord") from None
    except pyxaf.LimitExceededError:
        raise InputError("auditfile", name, "is te groot of te diep genest: niet ingelezen") from None
    except pyxaf.XmlSyntaxError as error:
        raise _BrokenXml(error.line) from None
    except (pyxaf.NotAnAuditfileError, pyxaf.PyxafError, ValueError):
        raise InputError("auditfile", name, "is geen auditfile financieel (XAF)") from None
    try:
        with af:
            year = _classify(af, name, source)
    except pyxaf.ForbiddenConstructError:
        raise InputError("auditfile", name, UNSAFE_NL) from None
    except pyxaf.XmlSyntaxError as error:  # pyxaf's own pass (a .zip of parts): e.g. cut short
        raise _BrokenXml(error.line) from None
    except etree.XMLSyntaxError as error:  # the streamed pass (auditfile_lines)
        raise _BrokenXml(error.lineno) from None
    except TooLarge as error:
        raise InputError("auditfile", name, f"bevat {error}: niet ingelezen") from None
    except pyxaf.PyxafError:
        raise InputError("auditfile", name, "kan niet worden gelezen: exporteer het opnieuw") from None
    year.findings += _control_findings(source, max_bytes)
    return year


_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _declared_utf8_but_is_not(source: io.BytesIO | Path) -> io.BytesIO | None:
    """The file as UTF-8 when it declares UTF-8 (or nothing) but its bytes are not UTF-8 and
    read as windows-1252; None otherwise."""
    data = source.getvalue() if isinstance(source, io.BytesIO) else source.read_bytes()
    declared = _DECLARED.match(data[:300])
    if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
        return None
    try:
        data.decode("utf-8")
        return None  # valid UTF-8: broken for another reason
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace").lstrip("\ufeff")
    return io.BytesIO(text.encode("utf-8"))


#: Files up to this size also get pyxaf's own checks of control totals, references and
#: uniqueness (one more pass, about 0.3 s a MB; issue #32 item 7); larger ones are said so.
VALIDATE_MAX_BYTES = 10 * 2**20
#: pyxaf's checks passed on: references (4xxx), control totals (5xxx), uniqueness (6xxx).
PASSED_ON = ("XAF4", "XAF5", "XAF6")


def _control_findings(source: io.BytesIO | Path, max_bytes: int) -> list[tuple[str, str, str, int]]:
    """pyxaf's findings on the control totals (``linesCount``, totals), references and
    uniqueness (line numbers restarting) in Dutch, by code with their count."""
    import pyxaf

    if size_of(source) > VALIDATE_MAX_BYTES:
        return [
            (
                "not_validated",
                f"controletotalen en verwijzingen niet nagelopen (bestand groter dan "
                f"{VALIDATE_MAX_BYTES // 2**20} MB)",
                "control totals and references not checked (large file)",
                1,
            )
        ]
    try:
        report = pyxaf.validate(
            io.BytesIO(source.getvalue()) if isinstance(source, io.BytesIO) else source,
            max_decompressed_size=max_bytes,
        )
    except Exception:  # the reading above succeeded: a check that fails adds nothing
        return []
    by_code: dict[str, list] = {}
    for finding in report.findings:
        if finding.code.startswith(PASSED_ON):
            by_code.setdefault(finding.code, []).append(finding)
    return [
        (code, finding_nl(code, same[0].severity), f"{code}: {same[0].message}", len(same))
        for code, same in by_code.items()
    ]


def _year_of(header, name: str) -> tuple[int, list[tuple[str, str, str, int]]]:
    """The calendar year of the file's dates (§1); a disagreeing fiscalYear is a finding."""
    start, end = header.start_date, header.end_date
    if start is None or end is None:
        raise InputError("auditfile", name, "heeft geen begin- en einddatum in de kop")
    if (start.month, start.day, end.month, end.day) != (1, 1, 12, 31) or start.year != end.year:
        raise InputError(
            "auditfile",
            name,
            f"beslaat {start:%d-%m-%Y} tot {end:%d-%m-%Y}, geen kalenderjaar: de KOR rekent per "
            "kalenderjaar (niet ingelezen)",
        )
    _check_year(start.year, name)
    findings = []
    fiscal = header.fiscal_year
    if fiscal is not None and str(fiscal).strip() != str(start.year):
        findings.append(
            (
                "fiscal_year",
                f"boekjaar {fiscal} in de kop, maar de datums zijn van {start.year}",
                f"fiscalYear {fiscal} in the header, but the dates are of {start.year}",
                1,
            )
        )
    return start.year, findings


#: The first year of books kortools reads: the turnover test looks back a few years at most.
FIRST_BOOK_YEAR = 2000


def _check_year(year: int, name: str) -> None:
    """Books of a year from 2000 to next year (a year 1 or 9999 is a typing error in the
    bookkeeping, not a year to project from; issue #31 item 6)."""
    from kortools.clock import today

    last = today().year + 1
    if not FIRST_BOOK_YEAR <= year <= last:
        raise InputError(
            "auditfile",
            name,
            f"is van het jaar {year}: kortools leest boeken van {FIRST_BOOK_YEAR} tot en met {last}",
            low=FIRST_BOOK_YEAR,
            high=last,
        )


def _classify(af, name: str, source: io.BytesIO | Path | None = None) -> YearLines:
    year, findings = _year_of(af.header, name)
    company = (af.company.name or "").strip() or "onbekend bedrijf"
    out = YearLines(company, year, name, findings=findings)
    _check_counts(af, name)
    out.accounts = {k: (a.description or "") for k, a in af.accounts.items()}
    out.vat_codes = {k: (c.description or "") for k, c in af.vat_codes.items()}
    out.customers = {k: (r.name or k) for k, r in af.relations.items()}
    ledger = Ledger(
        year,
        {k: account_kind(a) for k, a in af.accounts.items()},
        out.accounts,
        out.vat_codes,
        frozenset(k for k, r in af.relations.items() if (r.tax_registration_id or r.commerce_number)),
        input_codes=frozenset(
            clean_code(k)
            for k, c in af.vat_codes.items()
            if is_input_code(c.description or "", c.payable_account_id, c.receivable_account_id)
        ),
        cash_customers=frozenset(k for k, r in af.relations.items() if is_cash_customer(k, r.name or "")),
    )
    figures = classify(line_table(af, source), ledger)
    _check_readable(figures, name)
    out.sources, out.investments = figures.sources, figures.investments
    out.findings += _findings(figures, out, af.findings)
    return out


#: Lines whose amount cannot be read: a few are named and counted as € 0; more than this
#: share of the file's lines (and more than five) and the file is refused.
MAX_UNREADABLE_SHARE = 0.01


def _check_readable(figures: Classified, name: str) -> None:
    count, examples = figures.unreadable
    if count > 5 and count > MAX_UNREADABLE_SHARE * figures.lines:
        raise InputError(
            "auditfile",
            name,
            f"heeft {count} van {figures.lines} boekingsregels met een bedrag dat niet te lezen is "
            f"(bijvoorbeeld {', '.join(examples)}): exporteer het opnieuw uit de boekhouding",
        )


def _check_counts(af, name: str) -> None:
    """Refuse a file listing far more accounts or relations than an administration has."""
    for count, most, what in (
        (len(af.accounts), MAX_ACCOUNTS, "grootboekrekeningen"),
        (len(af.relations), MAX_RELATIONS, "relaties"),
    ):
        if count > most:
            raise InputError(
                "auditfile", name, f"heeft meer dan {most:,} {what}: niet ingelezen".replace(",", ".")
            )


def _findings(figures: Classified, out: YearLines, reader_findings) -> list[tuple[str, str, str, int]]:
    """The rules' findings (dates outside the year, unknown VAT codes, customers by name
    only) and the reader's own, by code."""
    year, found = out.year, []
    if figures.outside_year:
        outside = figures.outside_year
        found.append(
            (
                "outside_year",
                f"{outside} boekingen met een datum buiten {year}: meegeteld in {year}",
                f"{outside} transactions dated outside {year}: counted in {year}",
                outside,
            )
        )
    for code, amount in figures.unknown_codes.items():
        found.append(
            (
                "unknown_vat_code",
                f"btw-code {code or '(geen)'}: soort onbekend, {format_euro(amount)} omzet als ‘onbekend’",
                f"VAT code {code or '(none)'}: kind unknown, {amount:,.2f} of turnover as 'unknown'",
                1,
            )
        )
    count, examples = figures.unreadable
    if count:
        found.append(
            (
                "unreadable_amount",
                f"{count} boekingsregel(s) met een bedrag dat niet te lezen is ({', '.join(examples)}): "
                "als € 0 geteld",
                f"{count} line(s) whose amount cannot be read: counted as 0",
                count,
            )
        )
    if figures.old_kor:
        found.append(
            (
                "old_kor",
                f"{format_euro(figures.old_kor)} ‘kleine ondernemersregeling’ als opbrengst geboekt: "
                "de klant gebruikte de oude KOR (vóór 2020, een korting op de btw); niet als omzet geteld",
                f"{figures.old_kor:,.2f} of the pre-2020 KOR reduction booked as income: not turnover",
                1,
            )
        )
    for customer in figures.name_only:
        who = out.customers.get(customer, customer)
        found.append(
            (
                "customer_name_only",
                f"klant {who} zonder btw- of KVK-nummer: als zakelijk geteld",
                f"customer {who} without VAT or KVK number: counted as business",
                1,
            )
        )
    by_code: dict[str, list] = {}
    for finding in reader_findings:
        by_code.setdefault(finding.code, []).append(finding)
    for code, same in by_code.items():
        message = same[0].message
        found.append((code, finding_nl(code, same[0].severity), f"{code}: {message}", len(same)))
    return found


def read_years(sources: Iterable[Source], max_bytes: int = MAX_BYTES) -> list[YearLines]:
    """Several files of one client: one company, one file a year (auditfile.md §1)."""
    years = [read_year(s, max_bytes) for s in sources]
    if not years:
        raise InputError("auditfiles", [], "geef minstens één auditfile")
    companies = {y.company for y in years}
    if len(companies) > 1:
        raise InputError(
            "auditfiles", sorted(companies), "zijn van verschillende bedrijven: één klant per keer"
        )
    seen: dict[int, str] = {}
    for y in years:
        if y.year in seen:
            raise InputError(
                "auditfiles", [seen[y.year], y.name], f"zijn allebei van {y.year}: één bestand per jaar"
            )
        seen[y.year] = y.name
    return sorted(years, key=lambda y: y.year)
