"""Write small auditfiles (XAF 3.2 and 4.0) for the tests: our own fixtures, built from a
plain description so that every expected figure is visible in the test that uses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

NAMESPACES = {
    "3.2": "http://www.auditfiles.nl/XAF/3.2",
    "4.0": "http://www.odb.belastingdienst.nl/Belastingdienst/BCPP/1.1/structures/XmlauditfileXAF_4.0",
}


@dataclass
class Line:
    account: str
    amount: float  # positive
    side: str  # "D" or "C"
    customer: str | None = None
    vat: tuple[str, float, float] | None = None  # (vat id, percentage, vat amount)
    description: str = ""


@dataclass
class Tx:
    date: str
    lines: list[Line]
    journal: str = "M"
    description: str = ""


@dataclass
class Ledger:
    company: str = "Kapsalon Anna"
    year: int = 2024
    fiscal_year: int | None = None  # default: the year
    start: str | None = None
    end: str | None = None
    accounts: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id: (desc, B/P, rgs)
    customers: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id: (name, vat id, kvk)
    vat_codes: dict[str, str] = field(default_factory=dict)  # id: description
    transactions: list[Tx] = field(default_factory=list)


def default_accounts() -> dict[str, tuple[str, str, str]]:
    return {
        "0300": ("Inventaris", "B", ""),
        "0100": ("Bedrijfspand", "B", ""),
        "1000": ("Kas", "B", ""),
        "1100": ("Bank", "B", ""),
        "1300": ("Debiteuren", "B", ""),
        "1600": ("Crediteuren", "B", ""),
        "1510": ("Af te dragen btw", "B", ""),
        "1520": ("Te vorderen btw", "B", ""),
        "4000": ("Inkoop materialen", "P", ""),
        "4100": ("Huur", "P", ""),
        "4200": ("Lonen en salarissen", "P", ""),
        "4900": ("Afschrijving inventaris", "P", ""),
        "8000": ("Omzet hoog", "P", ""),
        "8010": ("Omzet laag", "P", ""),
        "8020": ("Omzet verlegd", "P", ""),
    }


def default_vat_codes() -> dict[str, str]:
    return {"1": "Btw hoog 21%", "2": "Btw laag 9%", "3": "Verlegd", "5": "Voorbelasting hoog", "9": "Code X"}


def xml(ledger: Ledger, version: str = "3.2", encoding: str = "UTF-8") -> str:
    start = ledger.start or f"{ledger.year}-01-01"
    end = ledger.end or f"{ledger.year}-12-31"
    fiscal = ledger.fiscal_year if ledger.fiscal_year is not None else ledger.year
    e = escape
    out = [f'<?xml version="1.0" encoding="{encoding}"?>', f'<auditfile xmlns="{NAMESPACES[version]}">']
    out += [
        "<header>",
        f"<fiscalYear>{fiscal}</fiscalYear><startDate>{start}</startDate><endDate>{end}</endDate>",
        "<curCode>EUR</curCode><dateCreated>2025-02-01</dateCreated>",
        "<softwareDesc>kortools-test</softwareDesc><softwareVersion>1</softwareVersion>",
        "</header>",
        "<company>",
    ]
    if version == "3.2":
        out.append("<companyIdent>1</companyIdent>")
    out += [
        f"<companyName>{e(ledger.company)}</companyName>",
        "<taxRegistrationCountry>NL</taxRegistrationCountry>",
    ]
    out.append("<customersSuppliers>")
    for cid, (name, vat_id, kvk) in ledger.customers.items():
        out.append(f"<customerSupplier><custSupID>{e(cid)}</custSupID><custSupName>{e(name)}</custSupName>")
        if kvk:
            out.append(f"<commerceNr>{kvk}</commerceNr>")
        if vat_id:
            out.append(
                f"<taxRegistrationCountry>NL</taxRegistrationCountry><taxRegIdent>{vat_id}</taxRegIdent>"
            )
        out.append("<custSupTp>C</custSupTp></customerSupplier>")
    out.append("</customersSuppliers>")
    out.append("<generalLedger>")
    for aid, (desc, kind, rgs) in (ledger.accounts or default_accounts()).items():
        rgs_xml = f"<RGScode>{rgs}</RGScode>" if rgs and version == "4.0" else ""
        out.append(
            f"<ledgerAccount><accID>{aid}</accID><accDesc>{e(desc)}</accDesc><accTp>{kind}</accTp>{rgs_xml}</ledgerAccount>"
        )
    out.append("</generalLedger>")
    out.append("<vatCodes>")
    for vid, desc in (ledger.vat_codes or default_vat_codes()).items():
        out.append(f"<vatCode><vatID>{vid}</vatID><vatDesc>{e(desc)}</vatDesc></vatCode>")
    out.append("</vatCodes>")
    desc = "<periodDesc>jaar</periodDesc>" if version == "3.2" else ""
    out.append(
        f"<periods><period><periodNumber>1</periodNumber>{desc}"
        f"<startDatePeriod>{start}</startDatePeriod><endDatePeriod>{end}</endDatePeriod></period></periods>"
    )
    lines = [line for tx in ledger.transactions for line in tx.lines]
    debit = sum(x.amount for x in lines if x.side == "D")
    credit = sum(x.amount for x in lines if x.side == "C")
    out.append(
        f"<transactions><linesCount>{len(lines)}</linesCount>"
        f"<totalDebit>{debit:.2f}</totalDebit><totalCredit>{credit:.2f}</totalCredit>"
    )
    journals = sorted({tx.journal for tx in ledger.transactions}) or ["M"]
    for journal in journals:
        out.append(f"<journal><jrnID>{journal}</jrnID><desc>Dagboek {journal}</desc><jrnTp>Z</jrnTp>")
        for number, tx in enumerate(ledger.transactions, 1):
            if tx.journal != journal:
                continue
            total = sum(x.amount for x in tx.lines if x.side == "D")
            out.append(
                f"<transaction><nr>{number}</nr><desc>{e(tx.description or 'boeking')}</desc>"
                f"<periodNumber>1</periodNumber><trDt>{tx.date}</trDt>"
                + (f"<amnt>{total:.2f}</amnt>" if version == "3.2" else "")
            )
            for n, line in enumerate(tx.lines, 1):
                cust = f"<custSupID>{e(line.customer)}</custSupID>" if line.customer else ""
                vat = ""
                if line.vat:
                    vid, perc, amount = line.vat
                    vat = (
                        f"<vat><vatID>{vid}</vatID><vatPerc>{perc:.2f}</vatPerc>"
                        f"<vatAmnt>{amount:.2f}</vatAmnt><vatAmntTp>{line.side}</vatAmntTp></vat>"
                    )
                out.append(
                    f"<trLine><nr>{n}</nr><accID>{line.account}</accID><docRef>d{number}</docRef>"
                    f"<effDate>{tx.date}</effDate><desc>{e(line.description or 'regel')}</desc>"
                    f"<amnt>{line.amount:.2f}</amnt><amntTp>{line.side}</amntTp>{cust}{vat}</trLine>"
                )
            out.append("</transaction>")
        out.append("</journal>")
    out += ["</transactions>", "</company>", "</auditfile>"]
    return "\n".join(out)


def write(ledger: Ledger, path, version: str = "3.2", encoding: str = "UTF-8", bom: bool = False):
    text = xml(ledger, version, encoding)
    data = text.encode("utf-8" if encoding.upper() == "UTF-8" else "latin-1")
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def sale(date, account, amount, vat_id, perc, customer=None, debtor="1300"):
    """A sale excl. VAT of ``amount`` with its VAT: debtor (or kas) debit, revenue and VAT credit."""
    vat = round(amount * perc / 100, 2)
    return Tx(
        date,
        [
            Line(debtor if customer else "1000", amount + vat, "D", customer=customer),
            Line(account, amount, "C", customer=customer, vat=(vat_id, perc, vat)),
            Line("1510", vat, "C"),
        ],
        journal="V",
    )


def credit_note(date, account, amount, vat_id, perc, customer=None):
    vat = round(amount * perc / 100, 2)
    return Tx(
        date,
        [
            Line("1300" if customer else "1000", amount + vat, "C", customer=customer),
            Line(account, amount, "D", customer=customer, vat=(vat_id, perc, vat)),
            Line("1510", vat, "D"),
        ],
        journal="V",
    )


def purchase(date, account, amount, vat=0.0, vat_line=True):
    """A purchase excl. VAT; its input VAT on the cost line's vat block and on 1520."""
    lines = [Line("1600", amount + vat, "C")]
    lines.append(Line(account, amount, "D", vat=("5", 21.0, vat) if vat and vat_line else None))
    if vat:
        lines.append(Line("1520", vat, "D"))
    return Tx(date, lines, journal="I")
