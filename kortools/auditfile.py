"""Read one Auditfile Financieel (XAF) safely and classify its lines (rules/auditfile.md).

:func:`read_year` opens a file with pyxaf (XAF 4.0, 3.2.1, 3.2, 3.1, 3.0, CLAIR2, ADF;
streaming; DOCTYPE and entities refused), finds its calendar year (§1), and turns every
line into contributions to the year's figures (§2–§4): turnover by VAT kind and by
customer kind, costs with and without VAT, input VAT, investments. Each contribution keeps
the account, VAT code and customer that made it, so every figure can say where it came
from (:class:`kortools.books.Books`). Euros as floats (pyxaf's Decimals converted once).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kortools.errors import InputError
from kortools.margin import vat_rates
from kortools.parameters import tax_years

#: The largest auditfile read (bytes): a setting (``read_auditfile(max_bytes=...)``).
MAX_BYTES = 50 * 1024 * 1024

# VAT kinds of a sale (auditfile.md §2), with their Dutch names.
VAT_KINDS = {
    "general": "hoog tarief",
    "reduced": "laag tarief",
    "zero": "0%",
    "reverse_charged": "verlegd",
    "eu": "binnen de EU",
    "export": "buiten de EU",
    "exempt": "vrijgesteld",
    "unknown": "onbekend",
}
CUSTOMER_KINDS = ("consumer", "business", "unknown")
_WORDS = {
    "reverse_charged": re.compile(r"verleg|reverse", re.I),
    "eu": re.compile(r"binnen\s*(de\s*)?eu|intra|icl|icp", re.I),
    "export": re.compile(r"buiten\s*(de\s*)?eu|export|uitvoer", re.I),
    "exempt": re.compile(r"vrijgest|exempt", re.I),
    "zero": re.compile(r"\b0\s*%|nul", re.I),
    "reduced": re.compile(r"laag|9\s*%|reduced", re.I),
    "general": re.compile(r"hoog|21\s*%|general", re.I),
}
_VAT_ACCOUNT = re.compile(r"btw|omzetbelasting|voorbelasting|\bvat\b", re.I)
_INPUT_VAT_ACCOUNT = re.compile(r"te vorderen|voorbelasting|vordering btw|input", re.I)
_NOT_A_PURCHASE = re.compile(r"loon|lonen|salaris|sociale lasten|pensioen|afschrijving|belastingdienst", re.I)
_IMMOVABLE = re.compile(r"gebouw|grond|onroerend|pand|verbouw|terrein", re.I)


class Vat(NamedTuple):
    """A line's VAT (the attribute names of ``pyxaf.VatLine``); amounts signed, debit +."""

    code: str
    percentage: float | None
    amount: float
    signed_amount: float


class Entry(NamedTuple):
    """A transaction line (the attribute names of ``pyxaf.Line``); amounts signed, debit +."""

    account_id: str
    side: str
    signed_amount: float
    relation_id: str | None
    vat: tuple[Vat, ...]
    description: str


class Booking(NamedTuple):
    date: dt.date | None
    lines: list[Entry]


@dataclass
class YearLines:
    """One file's year: its figures as contributions (field, account, VAT code, customer)."""

    company: str
    year: int
    name: str  # the file's name, for messages
    amounts: dict[tuple[str, str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    investments: list[dict] = field(default_factory=list)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)  # code, nl, en, count
    accounts: dict[str, str] = field(default_factory=dict)  # id: description
    vat_codes: dict[str, str] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)

    def add(self, what: str, account: str, vat_code: str, customer: str, amount: float) -> None:
        self.amounts[(what, account, vat_code, customer)] += amount


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
        raise InputError("auditfile", str(path), f"kan niet worden gelezen: {error.strerror}") from None
    _check_size(path.name, size, max_bytes)
    return path, path.name


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError("auditfile", name, f"is groter dan {max_bytes // 2**20} MB: niet ingelezen")


def read_year(data: Source, max_bytes: int = MAX_BYTES) -> YearLines:
    """The classified lines of one auditfile (module docstring); ``InputError`` in Dutch for a
    file that is not an auditfile, unsafe XML, too large, or not a calendar year."""
    import pyxaf

    source, name = _source(data, max_bytes)
    try:
        af = pyxaf.open(source, max_decompressed_size=max_bytes)
    except pyxaf.ForbiddenConstructError:
        raise InputError(
            "auditfile", name, "bevat een DOCTYPE of entiteiten: geweigerd (onveilige XML)"
        ) from None
    except pyxaf.EncryptedAuditfileError:
        raise InputError("auditfile", name, "is versleuteld: exporteer het zonder wachtwoord") from None
    except pyxaf.LimitExceededError:
        raise InputError("auditfile", name, "is te groot of te diep genest: niet ingelezen") from None
    except (pyxaf.NotAnAuditfileError, pyxaf.PyxafError, ValueError):
        raise InputError("auditfile", name, "is geen auditfile financieel (XAF)") from None
    try:
        with af:
            return _classify(af, name, source)
    except pyxaf.ForbiddenConstructError:
        raise InputError(
            "auditfile", name, "bevat een DOCTYPE of entiteiten: geweigerd (onveilige XML)"
        ) from None
    except pyxaf.PyxafError as error:
        raise InputError("auditfile", name, f"kan niet worden gelezen: {error}") from None


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


def _classify(af, name: str, source: io.BytesIO | Path | None = None) -> YearLines:
    year, findings = _year_of(af.header, name)
    company = (af.company.name or "").strip() or "onbekend bedrijf"
    out = YearLines(company, year, name, findings=findings)
    out.accounts = {k: (a.description or "") for k, a in af.accounts.items()}
    out.vat_codes = {k: (c.description or "") for k, c in af.vat_codes.items()}
    out.customers = {k: (r.name or k) for k, r in af.relations.items()}
    business = {k for k, r in af.relations.items() if (r.tax_registration_id or r.commerce_number)}
    kinds = {k: _account_kind(a) for k, a in af.accounts.items()}
    vat_kinds: dict[str, str] = {}
    outside = 0
    unknown_codes: dict[str, float] = defaultdict(float)
    name_only: dict[str, float] = defaultdict(float)
    for tx in bookings(af, source):
        if tx.date is not None and tx.date.year != year:
            outside += 1
        _transaction(out, tx, kinds, vat_kinds, af.vat_codes, business, unknown_codes, name_only)
    if outside:
        out.findings.append(
            (
                "outside_year",
                f"{outside} boekingen met een datum buiten {year}: meegeteld in {year}",
                f"{outside} transactions dated outside {year}: counted in {year}",
                outside,
            )
        )
    for code, amount in unknown_codes.items():
        out.findings.append(
            (
                "unknown_vat_code",
                f"btw-code {code or '(geen)'}: soort onbekend, € {amount:,.2f} omzet als ‘onbekend’".replace(
                    ",", "."
                ),
                f"VAT code {code or '(none)'}: kind unknown, {amount:,.2f} of turnover as 'unknown'",
                1,
            )
        )
    for customer in name_only:
        who = out.customers.get(customer, customer)
        out.findings.append(
            (
                "customer_name_only",
                f"klant {who} zonder btw- of KVK-nummer: als zakelijk geteld",
                f"customer {who} without VAT or KVK number: counted as business",
                1,
            )
        )
    by_code: dict[str, list] = defaultdict(list)
    for finding in af.findings:
        by_code[finding.code].append(finding)
    for code, found in by_code.items():
        message = found[0].message
        out.findings.append(
            (
                code,
                f"melding van de lezer {code} ({found[0].severity}): {message}",
                f"{code}: {message}",
                len(found),
            )
        )
    return out


def bookings(af, source: io.BytesIO | Path | None = None) -> Iterable[Booking]:
    """The file's transactions as light tuples. XAF 3.x/4.0 (their element names are the same
    in every XAF version): after pyxaf has read and checked the file's head, a plain XML file
    is streamed by lxml's C parser (entities not resolved, no DTD, no network; about 2.4×
    faster than pyxaf's raw records, benchmarks/books.py), else from pyxaf's raw records;
    older formats (CLAIR2, ADF) from pyxaf's normalised model."""
    import pyxaf

    if af.format.family is pyxaf.Family.XAF and source is not None and _plain_xml(source):
        yield from _lxml_bookings(source)
        return
    if af.format.family is not pyxaf.Family.XAF:
        for tx in af.transactions():
            lines = [
                Entry(
                    x.account_id,
                    str(x.side),
                    float(x.signed_amount),
                    x.relation_id,
                    tuple(
                        Vat(v.code, _number(v.percentage), float(v.amount), float(v.signed_amount))
                        for v in x.vat
                    ),
                    x.description or "",
                )
                for x in tx.lines
            ]
            yield Booking(tx.date, lines)
        return
    for _kind, record in af.raw.transactions():
        date = _date(record.fields.get("trDt"))
        yield Booking(date, [_raw_line(x) for x in record.all("trLine")])


def _plain_xml(source: io.BytesIO | Path) -> bool:
    """Not compressed (pyxaf unpacks .gz and .zip itself): the first byte after a BOM is '<'."""
    if isinstance(source, io.BytesIO):
        head = source.getvalue()[:8]
    else:
        with source.open("rb") as file:
            head = file.read(8)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _lxml_bookings(source: io.BytesIO | Path) -> Iterable[Booking]:
    from lxml import etree

    if isinstance(source, io.BytesIO):
        source.seek(0)
    events = etree.iterparse(
        source if isinstance(source, io.BytesIO) else str(source),
        events=("end",),
        tag="{*}transaction",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for _event, element in events:
        date, lines = None, []
        for child in element:
            tag = _LOCAL.get(child.tag) or _local(child.tag)
            if tag == "trDt":
                date = _date(child.text)
            elif tag == "trLine":
                lines.append(_element_line(child))
        yield Booking(date, lines)
        element.clear()
        while element.getprevious() is not None:  # free what was read
            del element.getparent()[0]


_LOCAL: dict[str, str] = {}  # "{namespace}accID" → "accID": the few tags of a file, once each


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def _element_line(line) -> Entry:
    """A ``trLine`` element as an :class:`Entry` (the same reading as :func:`_raw_line`)."""
    fields: dict[str, str] = {}
    vats: list[dict[str, str]] = []
    for child in line:
        tag = _LOCAL.get(child.tag) or _local(child.tag)
        if tag == "vat":
            vats.append({_local(c.tag): (c.text or "") for c in child})
        else:
            fields[tag] = child.text or ""
    return _entry(fields, vats)


def _entry(fields: dict[str, str], vats: list[dict[str, str]]) -> Entry:
    amount, side = _signed(fields.get("amnt"), fields.get("amntTp"))
    lines = []
    for v in vats:
        vat, _ = _signed(v.get("vatAmnt"), v.get("vatAmntTp") or fields.get("amntTp"))
        lines.append(Vat((v.get("vatID") or "").strip(), _number(v.get("vatPerc")), abs(vat), vat))
    customer = (fields.get("custSupID") or "").strip() or None
    return Entry(
        (fields.get("accID") or "").strip(), side, amount, customer, tuple(lines), fields.get("desc") or ""
    )


def _raw_line(record) -> Entry:
    return _entry(record.fields, [v.fields for v in record.all("vat")])


def _signed(amount: str | None, side: str | None) -> tuple[float, str]:
    """(signed amount, side) of ``amnt``/``amntTp``: debit +; a negative amount counts on the
    other side (pyxaf's "flip" policy)."""
    value = _number(amount) or 0.0
    side = (side or "D").strip().upper()[:1]
    signed = value if side == "D" else -value
    return signed, "D" if signed >= 0 else "C"


def _number(text) -> float | None:
    if text is None:
        return None
    try:
        return float(text)  # XML decimals: "1210.00"
    except ValueError:
        pass
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        return None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _account_kind(account) -> str:
    """revenue | asset | input_vat | vat | expense | not_purchase | balance (auditfile.md §2, §4)."""
    rgs = (account.rgs.code if account.rgs is not None and account.rgs.code else "") or ""
    desc = account.description or ""
    profit_loss = account.account_type is not None and account.account_type.code == "P"
    number = (account.id or "").strip()
    if profit_loss:
        if rgs.startswith("WOmz") or (not rgs and number.startswith("8")):
            return "revenue"
        if rgs.startswith(("WPer", "WAfs")) or _NOT_A_PURCHASE.search(desc):
            return "not_purchase"
        return "expense"
    if rgs.startswith(("BMva", "BIva")) or (not rgs and number.startswith("0")):
        return "asset"
    if _VAT_ACCOUNT.search(desc):
        return "input_vat" if _INPUT_VAT_ACCOUNT.search(desc) else "vat"
    return "balance"


#: The general and reduced rates before 2012 and 2019 (19 % and 6 %): older books carry them.
FORMER_RATES = {19.0: "general", 6.0: "reduced"}


@functools.lru_cache(maxsize=64)
def rate_kinds(year: int) -> dict[float, str]:
    """Percentage → VAT kind for a file of ``year``: the sales rates of the tax data (the
    nearest year with data), and the former rates."""
    years = tax_years()
    rates = vat_rates(min(max(year, years[0]), years[-1]))
    current = {
        round(100 * rate, 6): kind for kind, rate in zip(("general", "reduced", "zero"), rates, strict=True)
    }
    return FORMER_RATES | current  # the year's own rates win


def vat_kind(code: str, percentage, description: str, year: int) -> str:
    """The kind of a sale's VAT (§2): by the code's words, then by its percentage (the rates
    of ``year``, from the tax data)."""
    for kind, words in _WORDS.items():
        if words.search(description or ""):
            return kind
    if percentage is not None:
        return rate_kinds(year).get(round(float(percentage), 6), "unknown")
    return "unknown"


def _transaction(out, tx, kinds, vat_kinds, vat_codes, business, unknown_codes, name_only) -> None:
    lines = tx.lines
    customer = next((x.relation_id for x in lines if x.relation_id), None)
    input_vat = sum(x.signed_amount for x in lines if kinds.get(x.account_id) == "input_vat")
    # the lines that carry the input VAT of the transaction: costs and investments (§4)
    buying = [x for x in lines if kinds.get(x.account_id) in ("expense", "asset") and x.side == "D"]
    with_block = sum(v.signed_amount for x in buying for v in x.vat)
    base = sum(x.signed_amount for x in buying) or 1.0
    for line in lines:
        kind = kinds.get(line.account_id, "balance")
        amount = line.signed_amount  # debit positive
        code = line.vat[0].code if line.vat else ""
        if kind == "revenue":
            sale = -amount
            vat = _sale_kind(code, line, vat_codes, vat_kinds, out.year)
            if vat == "unknown":
                unknown_codes[code] += sale
            who = _customer_kind(customer, vat, business)
            if who == "unknown":
                name_only[customer or ""] += sale
            out.add(f"turnover_{vat}", line.account_id, code, customer or "", sale)
            out.add(f"{who}_sales", line.account_id, code, customer or "", sale)
        elif kind in ("expense", "asset"):
            own = sum(v.signed_amount for v in line.vat)
            share = (
                own
                if line.vat
                else max(0.0, input_vat - with_block) * amount / base
                if line.side == "D"
                else 0.0
            )
            if kind == "asset":
                if line.side == "D":
                    out.investments.append(_investment(out, tx, line, amount, share))
                continue
            if share:
                out.add("costs_with_vat", line.account_id, code, "", amount)
                out.add("input_vat", line.account_id, code, "", share)
            else:
                out.add("costs_without_vat", line.account_id, code, "", amount)


def _sale_kind(code: str, line, vat_codes, cache: dict[str, str], year: int) -> str:
    if not line.vat:
        return "unknown"
    if code not in cache:
        description = vat_codes[code].description if code in vat_codes else ""
        cache[code] = vat_kind(code, line.vat[0].percentage, description or "", year)
    return cache[code]


def _customer_kind(customer: str | None, vat: str, business: set[str]) -> str:
    """consumer | business | unknown (auditfile.md §3)."""
    if vat in ("reverse_charged", "eu") or (customer and customer in business):
        return "business"
    return "consumer" if not customer else "unknown"


def _investment(out: YearLines, tx, line, amount: float, vat: float) -> dict:
    description = out.accounts.get(line.account_id, "")
    text = f"{description} {line.description or ''}"
    return {
        "year": out.year,
        "date": tx.date or dt.date(out.year, 1, 1),
        "account": line.account_id,
        "description": (line.description or description or line.account_id).strip(),
        "amount": amount,
        "vat": vat,
        "kind": "immovable" if _IMMOVABLE.search(text) else "movable",
    }


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
