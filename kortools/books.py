"""The client's books as the scenario's history (issue #21; rules/auditfile.md).

``kt.read_auditfile(path_or_bytes)`` and ``kt.read_auditfiles(paths)`` read Auditfiles
Financieel (:mod:`kortools.auditfile`) into :class:`Books`: the company, the years, a
summary per year (turnover by VAT kind and by customer kind, costs, input VAT), the
investments, the findings, and where every figure came from
(:meth:`Books.derivation`). :func:`scenario_from_books` makes a :class:`kt.Scenario` of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kortools._validate import MAX_AMOUNT
from kortools.auditfile import CUSTOMER_KINDS, MAX_BYTES, VAT_KINDS, Source, YearLines, read_years
from kortools.errors import InputError
from kortools.herziening import Asset
from kortools.margin import vat_rates
from kortools.money import format_euro, format_percent
from kortools.parameters import Assumption, rule_assumptions, tax_year_for

#: The summary's columns, declared once: name, Dutch label (the CLI, the Herkomst tab).
SUMMARY_COLUMNS = (
    ("turnover", "Omzet (excl. btw)"),
    ("consumer_sales", "Omzet aan consumenten"),
    ("business_sales", "Omzet aan bedrijven"),
    ("unknown_sales", "Omzet aan klanten zonder btw- of KVK-nummer (als zakelijk geteld)"),
    *((f"turnover_{k}", f"Omzet {label}") for k, label in VAT_KINDS.items()),
    ("costs_with_vat", "Kosten met btw (excl. btw)"),
    ("input_vat", "Voorbelasting op kosten"),
    ("costs_without_vat", "Kosten zonder btw"),
)
SUMMARY_LABELS = dict(SUMMARY_COLUMNS)
#: The assumptions the books bring to a scenario (data/assumptions.yaml).
BOOK_ASSUMPTIONS = (
    "books_unknown_customers_business",
    "books_first_use_purchase_year",
    "books_exempt_turnover",
)
RATE_KINDS = ("general", "reduced", "zero")  # in the order of kortools.margin.vat_rates
#: Totals a year must not have below zero to be a scenario's input (issue #32 item 1).
NEGATIVE_CHECKED = (
    "turnover",
    "consumer_sales",
    "business_sales",
    "unknown_sales",
    "costs_with_vat",
    "input_vat",
    "costs_without_vat",
)
#: The scenario's inputs from the books, with the summary's fields that make each.
SCENARIO_INPUTS = {
    "consumer_sales": ("consumer_sales",),
    "business_sales": ("business_sales", "unknown_sales"),
    "costs_with_vat": ("costs_with_vat",),
    "costs_without_vat": ("costs_without_vat",),
}
INPUT_LABELS_NL = {
    "consumer_sales": "omzet aan consumenten",
    "business_sales": "omzet aan bedrijven (met klanten zonder btw- of KVK-nummer)",
    "costs_with_vat": "kosten met btw",
    "costs_without_vat": "kosten zonder btw",
}
#: The base year more than this many years before the first year: said (issue #32 item 9).
OLD_BOOKS_YEARS = 2
#: More than this share of a year's turnover of unknown VAT kind: said (issue #32 item 8).
UNKNOWN_VAT_SHARE = 0.10


@dataclass(frozen=True)
class BookFinding:
    """Something the adviser should check: the reader's own findings and the rules' ones."""

    code: str
    text_nl: str
    text_en: str
    count: int
    file: str = ""


@dataclass(frozen=True)
class Books:
    """One client's books over one or more calendar years (module docstring)."""

    company: str
    years: tuple[int, ...]
    summary: pd.DataFrame  # indexed by year, SUMMARY_COLUMNS
    investments: pd.DataFrame  # year, date, account, description, amount, vat, kind
    findings: tuple[BookFinding, ...]
    sources: pd.DataFrame  # year, field, account, account_description, vat_code, customer, amount
    files: tuple[str, ...] = ()

    def derivation(self, year: int, field: str) -> pd.DataFrame:
        """Where ``summary.loc[year, field]`` came from: per account, VAT code and customer,
        the amounts that add up to it (auditfile.md §2–§4)."""
        if field not in SUMMARY_LABELS:
            raise InputError("field", field, "allowed: " + ", ".join(SUMMARY_LABELS))
        if year not in self.years:
            raise InputError("year", year, f"allowed a year of the books: {', '.join(map(str, self.years))}")
        fields = self.sources["field"]
        which = fields.str.startswith("turnover_") if field == "turnover" else fields == field
        parts = self.sources[(self.sources["year"] == year) & which]
        return parts.drop(columns=["year"]).reset_index(drop=True)

    @property
    def assumptions(self) -> tuple[Assumption, ...]:
        """The unconfirmed rules the figures rest on (data/assumptions.yaml), shown with them."""
        known = rule_assumptions()
        return tuple(known[k] for k in BOOK_ASSUMPTIONS)


def summary_nl(books: Books) -> pd.DataFrame:
    """The summary with its Dutch labels, years as columns, the rows that are all 0 left out
    (the turnover always shown): for the CLI, the workbook and the Herkomst tab."""
    frame = books.summary.T.rename(index=SUMMARY_LABELS)
    frame.columns = [str(y) for y in frame.columns]
    return frame[(frame != 0).any(axis=1) | frame.index.isin([SUMMARY_LABELS["turnover"]])]


def read_auditfile(source: Source, max_bytes: int = MAX_BYTES) -> Books:
    """One auditfile (a path or its bytes) as :class:`Books` (rules/auditfile.md)."""
    return books_of(read_years([source], max_bytes))


def read_auditfiles(sources: Iterable[Source], max_bytes: int = MAX_BYTES) -> Books:
    """Several auditfiles of one client (one a year) as one :class:`Books`."""
    return books_of(read_years(list(sources), max_bytes))


def books_of(years: list[YearLines]) -> Books:
    sources = pd.concat(
        [
            y.sources.assign(
                year=y.year,
                account_description=y.sources["account"].map(y.accounts).fillna(""),
                customer=y.sources["customer"].map(lambda c, y=y: y.customers.get(c, c)),
            )
            for y in years
        ],
        ignore_index=True,
    )[["year", "field", "account", "account_description", "vat_code", "customer", "amount"]]
    summary = pd.DataFrame(
        0.0, index=pd.Index([y.year for y in years], name="year"), columns=list(SUMMARY_LABELS)
    )
    totals: dict[Any, float] = sources.groupby(["year", "field"])["amount"].sum().to_dict()
    for (year, what), amount in totals.items():
        summary.loc[year, what] += amount
    summary["turnover"] = summary[[f"turnover_{k}" for k in VAT_KINDS]].sum(axis=1)
    investments = pd.DataFrame(
        [i for y in years for i in y.investments],
        columns=["year", "date", "account", "description", "amount", "vat", "kind"],
    )
    findings = tuple(
        BookFinding(code, nl, en, count, y.name) for y in years for code, nl, en, count in y.findings
    ) + tuple(_negative_totals(summary, sources, {y.year: y.name for y in years}))
    return Books(
        years[0].company,
        tuple(y.year for y in years),
        summary,
        investments,
        findings,
        sources,
        tuple(y.name for y in years),
    )


def _negative_totals(
    summary: pd.DataFrame, sources: pd.DataFrame, files: dict[int, str]
) -> list[BookFinding]:
    """A year's total below zero (stock corrections on cost of sales, credit notes, sick pay
    received on an expense account): named with the accounts that made it (issue #32)."""
    found = []
    for year, row in summary.iterrows():
        for field in NEGATIVE_CHECKED:
            total = float(row[field])
            if total > -0.005:
                continue
            fields = sources["field"]
            which = fields.str.startswith("turnover_") if field == "turnover" else fields == field
            parts = sources[(sources["year"] == year) & which]
            by_account = parts.groupby(["account", "account_description"])["amount"].sum().sort_values()
            named = "; ".join(
                " ".join(filter(None, (str(a) for a in accounts))) + f" {format_euro(float(amount))}"
                for accounts, amount in by_account[by_account < 0].head(3).items()
                if isinstance(accounts, tuple)
            )
            label = SUMMARY_LABELS[field]
            found.append(
                BookFinding(
                    "negative_total",
                    f"{label} {year} samen {format_euro(total)}: negatief (voorraadcorrecties, creditnota's "
                    f"of ontvangen vergoedingen?), vooral {named}. In een scenario als € 0 gerekend; "
                    "pas het aan als dat niet klopt",
                    f"{field} {year} totals {total:,.2f}: negative; taken as 0 in a scenario",
                    1,
                    files.get(int(str(year)), ""),
                )
            )
    return found


def _input_values(row: dict, year: int, notes: list[tuple[str, str]]) -> dict[str, float]:
    """A year's scenario inputs from its summary row; one below € 0 (or above what a scenario
    takes) is taken as € 0 (or that most) and said (issue #32 item 1)."""
    values = {}
    for name, parts in SCENARIO_INPUTS.items():
        amount = float(sum(row[p] for p in parts))
        used = min(max(amount, 0.0), MAX_AMOUNT)
        if used != amount:
            label = INPUT_LABELS_NL[name]
            notes.append(
                (
                    f"The books' {name} of {year} total {amount:,.2f}: taken as {used:,.0f} "
                    "(change it if that is wrong).",
                    f"{label[0].upper()}{label[1:]} van {year} in de administratie: samen "
                    f"{format_euro(amount)}; gerekend met {format_euro(used, cents=False)} "
                    "(pas het aan als dat niet klopt).",
                )
            )
        values[name] = used
    return values


def _book_warnings(books: Books, first_year: int, notes: list[tuple[str, str]]) -> None:
    """What the adviser must know of the books themselves: their age, the turnover whose VAT
    kind stayed unknown (issue #32 items 8 and 9)."""
    base = books.years[-1]
    if first_year - base > OLD_BOOKS_YEARS:
        notes.append(
            (
                f"The books are of {base}, {first_year - base} years before {first_year}: the forecast "
                f"carries {base}'s figures forward unchanged.",
                f"De administratie is van {base}, {first_year - base} jaar vóór {first_year}: de prognose "
                f"zet de cijfers van {base} ongewijzigd door. Controleer ze met recente cijfers.",
            )
        )
    row: dict[Any, Any] = books.summary.loc[base].to_dict()
    turnover, unknown = float(row["turnover"]), float(row["turnover_unknown"])
    if turnover > 0 and unknown / turnover > UNKNOWN_VAT_SHARE:
        share = format_percent(unknown / turnover)
        notes.append(
            (
                f"{unknown:,.2f} ({share}) of {base}'s turnover has a VAT kind the books do not say.",
                f"Van de omzet van {base} heeft {format_euro(unknown)} ({share}) een btw-soort die de "
                "administratie niet zegt (zie Herkomst): controleer het tarief.",
            )
        )


def scenario_from_books(
    books: Books,
    first_year: int,
    last_year: int | None = None,
    kor_start_year: int | None = None,
    **overrides: Any,
):
    """A :class:`kt.Scenario` from the books (issue #21): the books' years as history
    (per-year actuals, the year before ``first_year`` for the previous-year test), the last
    year of the books as the base of the forecast, the investments as the herziening's
    assets, the company as the client's name. Unknown customers count as business; the
    VAT rate is that of most of the last year's turnover. ``overrides``: any Scenario field.
    """
    from kortools.scenario import Scenario

    table: dict[Any, dict[Any, Any]] = books.summary.to_dict("index")
    notes: list[tuple[str, str]] = []
    last = last_year if last_year is not None else first_year + 4
    history = {
        int(year): _input_values(row, int(year), notes)
        for year, row in table.items()
        if first_year - 1 <= int(year) <= last
    }
    base_year = books.years[-1]
    base = table[base_year]
    base_values = history.get(base_year) or _input_values(base, base_year, notes)
    warnings: list[tuple[str, str]] = []
    _book_warnings(books, first_year, warnings)
    if first_year - 1 in history:
        history[first_year - 1] = {
            k: history[first_year - 1][k] for k in ("consumer_sales", "business_sales")
        }
    rated = {k: float(base[f"turnover_{k}"]) for k in RATE_KINDS}
    rates = dict(zip(RATE_KINDS, vat_rates(tax_year_for(first_year)), strict=True))
    costs = base_values["costs_with_vat"]
    investments: list[dict[Any, Any]] = books.investments.to_dict("records")
    fields: dict[str, Any] = {
        "name": books.company[:120],
        "first_year": first_year,
        "last_year": last,
        **base_values,
        "vat_rate": rates[max(rated, key=lambda k: rated[k]) if any(rated.values()) else "general"],
        "kor_start_year": kor_start_year,
        "assets": _assets(investments),
        "overrides": history,
        "description": "Uit de administratie: " + ", ".join(books.files)[:170],
        "assumption_keys": BOOK_ASSUMPTIONS,
        "input_notes": tuple(dict.fromkeys(notes)),
        "input_warnings": tuple(warnings),
    }
    if costs > 0 and float(base["input_vat"]) > 0:
        fields["input_vat_rate"] = min(1.0, float(base["input_vat"]) / costs)
    return Scenario(**{**fields, **overrides})


def _assets(investments: list[dict[Any, Any]]) -> tuple[Asset, ...]:
    """The investments with VAT as the herziening's assets, each name unique (its year, then
    a number, added where two would share one)."""
    assets: list[Asset] = []
    names: set[str] = set()
    for i in investments:
        if float(i["vat"]) <= 0:
            continue
        name = (str(i["description"]).strip() or f"Investering {i['account']}")[:60]
        if name in names:
            name = f"{name} ({i['year']})"
        number = 2
        while name in names:
            name, number = f"{name[:60]} #{number}", number + 1
        names.add(name)
        assets.append(Asset(name, i["kind"], int(i["year"]), float(i["vat"])))
    return tuple(assets)


def books_scenario(books: Books, first_year: int | None = None):
    """The scenario of the books seen from ``kt.today()``: the first year the current one (or
    ``first_year``), the KOR planned from the first start a request made today still reaches."""
    from kortools.clock import today
    from kortools.kor import kor_start_date

    on = today()
    first = first_year or on.year
    start = kor_start_date(on)
    return scenario_from_books(books, first_year=first, last_year=max(first + 4, start.year), kor_start=start)


__all__ = [
    "CUSTOMER_KINDS",
    "BookFinding",
    "Books",
    "read_auditfile",
    "read_auditfiles",
    "scenario_from_books",
]
