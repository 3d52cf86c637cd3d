"""What each line of the books is (rules/auditfile.md §2–§4), on a whole file's lines at once.

:func:`classify` turns a :class:`~kortools.auditfile_lines.LineTable` into contributions to
the year's figures — turnover by VAT kind and by customer kind, costs with and without VAT,
input VAT — each keeping the account, VAT code and customer that made it, and the
investments. The rules are applied per line with the line's transaction as context (its
customer, its input VAT), as whole columns: a file of 500,000 lines takes well under a
second here (benchmarks/books.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kortools.auditfile_lines import LineTable
from kortools.margin import vat_rates
from kortools.parameters import tax_years

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
#: A class-8 (or WOmz) account that is not turnover: cost of sales, purchases, price
#: differences, an intra-EU purchase's helper account (real charts put them in class 8)
_COST_OF_SALES = re.compile(r"kostprijs|inkoop|inkopen|prijsverschil|hulprekening", re.I)
#: The pre-2020 KOR's reduction booked as income: not turnover (a finding)
_OLD_KOR = re.compile(r"kleine\s*ondernemers|\bKOR\b", re.I)
#: A VAT code for purchases, acquisitions or imports: a sale never carries one
_INPUT_CODE = re.compile(r"voorbelasting|inkoop|inkopen|verwerving|invoer|import", re.I)
#: Class 0 that is not a fixed asset: equity, private, loans, provisions, depreciation
_NOT_AN_ASSET = re.compile(
    r"priv[eé]|kapitaal|vermogen|reserve|winst|resultaat|verlies|dividend|lening|hypothe|"
    r"voorziening|schuld|afschr|herwaardering|aandelen|effecten|deelneming|\bo/g\b",
    re.I,
)
#: RGS fixed-asset sub-kinds that are depreciation or revaluation, not the asset's price
_RGS_NOT_PRICE = ("Cae", "Cuh", "Cuw", "Cbw", "Wvr", "Afs")
#: The till's anonymous customer: consumers (auditfile.md §3, issue #32)
_CASH_CUSTOMER = re.compile(r"\bkas\b|kassa|contant|passant", re.I)
_VAT_ACCOUNT = re.compile(r"btw|omzetbelasting|voorbelasting|\bvat\b", re.I)
_INPUT_VAT_ACCOUNT = re.compile(r"te vorderen|voorbelasting|vordering btw|input", re.I)
_NOT_A_PURCHASE = re.compile(r"loon|lonen|salaris|sociale lasten|pensioen|afschrijving|belastingdienst", re.I)
_IMMOVABLE = re.compile(r"gebouw|grond|onroerend|pand|verbouw|terrein", re.I)
#: The general and reduced rates before 2012 and 2019 (19 % and 6 %): older books carry them.
FORMER_RATES = {19.0: "general", 6.0: "reduced"}
SOURCE_COLUMNS = ["field", "account", "vat_code", "customer", "amount"]


@dataclass(frozen=True)
class Ledger:
    """What the rules need of a file besides its lines."""

    year: int
    account_kinds: Mapping[str, str]  # account id: :func:`account_kind`
    accounts: Mapping[str, str]  # account id: description
    vat_codes: Mapping[str, str]  # VAT code: description
    business: frozenset[str]  # customers with a VAT id or KVK number
    input_codes: frozenset[str] = frozenset()  # VAT codes of purchases (:func:`is_input_code`)
    cash_customers: frozenset[str] = frozenset()  # the till's anonymous customer(s)


@dataclass(frozen=True)
class Classified:
    """A file's lines as the year's figures (module docstring)."""

    sources: pd.DataFrame  # SOURCE_COLUMNS: one row per field, account, VAT code, customer
    investments: list[dict]
    unknown_codes: dict[str, float]  # VAT code whose kind is unknown: its turnover
    name_only: list[str]  # customers known by name only (counted as business)
    outside_year: int  # transactions dated outside the file's year
    old_kor: float = 0.0  # the pre-2020 KOR's reduction booked as income
    unreadable: tuple[int, tuple[str, ...]] = (0, ())  # lines whose amount cannot be read; examples
    lines: int = 0  # lines read


def account_kind(account) -> str:
    """revenue | old_kor | asset | input_vat | vat | expense | not_purchase | balance
    (auditfile.md §2, §4; issue #32: cost of sales in class 8, equity in class 0)."""
    rgs = (account.rgs.code if account.rgs is not None and account.rgs.code else "") or ""
    desc = account.description or ""
    lead = f"{getattr(account, 'lead_code', '') or ''} {getattr(account, 'lead_description', '') or ''}"
    profit_loss = account.account_type is not None and account.account_type.code == "P"
    number = (account.id or "").strip()
    if profit_loss:
        if _OLD_KOR.search(desc):
            return "old_kor"
        if (rgs.startswith("WOmz") or (not rgs and number.startswith("8"))) and not _COST_OF_SALES.search(
            desc
        ):
            return "revenue"
        if rgs.startswith(("WPer", "WAfs")) or _NOT_A_PURCHASE.search(desc):
            return "not_purchase"
        return "expense"
    if is_fixed_asset(rgs, number, f"{desc} {lead}"):
        return "asset"
    if _VAT_ACCOUNT.search(desc):
        return "input_vat" if _INPUT_VAT_ACCOUNT.search(desc) else "vat"
    return "balance"


def is_fixed_asset(rgs: str, number: str, words: str) -> bool:
    """A fixed asset's price account: RGS ``BMva``/``BIva`` (not its depreciation or
    revaluation), else class 0 of the decimal chart that is not equity, private, a loan, a
    provision or depreciation (by the account's or its lead's words)."""
    if rgs:
        return rgs.startswith(("BMva", "BIva")) and rgs[7:10] not in _RGS_NOT_PRICE
    return number.startswith("0") and not _NOT_AN_ASSET.search(words)


def is_input_code(description: str, payable: str | None, receivable: str | None) -> bool:
    """A VAT code of purchases: its words (voorbelasting, inkoop, verwerving, invoer), or a
    claim account (``vatToClaimAccID``) without a pay account. A claim account alone does not
    decide: Exact Online gives every code, sales codes too, both accounts."""
    return bool(_INPUT_CODE.search(description or "")) or bool(receivable and not payable)


def is_cash_customer(customer_id: str, name: str) -> bool:
    """The till's anonymous customer (kas, kassa, contant, passanten): consumers."""
    return bool(_CASH_CUSTOMER.search(f"{customer_id} {name}"))


def clean_code(code: str) -> str:
    """A VAT code as the file's table has it: a credit note's ``-V21`` is ``V21``."""
    return code.strip().lstrip("-+").strip()


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
    if percentage is not None and not pd.isna(percentage):
        return rate_kinds(year).get(round(float(percentage), 6), "unknown")
    return "unknown"


def classify(table: LineTable, ledger: Ledger) -> Classified:
    """The year's figures from a file's lines (auditfile.md §2 turnover, §3 customers, §4
    costs and investments)."""
    lines = table.lines.assign(kind=_line_kinds(table.lines, ledger))
    n_tx = len(table.dates)
    context = _transaction_context(lines, n_tx)
    context["vat_kind"] = _vat_kind_by_ratio(lines, n_tx, ledger.year)
    sales = _sales(lines[lines["kind"] == "revenue"], context, ledger)
    costs, investments = _costs_and_investments(lines, context, ledger, table.dates)
    parts = pd.concat([sales.parts, costs], ignore_index=True).sort_values("order", kind="stable")
    sources = parts.groupby(SOURCE_COLUMNS[:-1], sort=False)["amount"].sum().reset_index()[SOURCE_COLUMNS]
    years = table.dates.dt.year
    return Classified(
        sources,
        investments,
        sales.unknown_codes,
        sales.name_only,
        int((years.notna() & (years != ledger.year)).sum()),
        old_kor=float(-lines.loc[lines["kind"] == "old_kor", "amount"].sum()),
        unreadable=_unreadable(lines),
        lines=len(lines),
    )


def _line_kinds(lines: pd.DataFrame, ledger: Ledger) -> np.ndarray:
    """Each line's kind: its account's (:func:`account_kind`), except that a line on a
    revenue account carrying a purchase's VAT code, or an intra-EU code with VAT charged (an
    acquisition), is a purchase (issue #32: cost of sales booked in class 8 with
    "Voorbelasting 21%" and "Intracommunautaire prestaties 21%")."""
    kind = lines["account"].map(ledger.account_kinds).fillna("balance").to_numpy(object)
    code = _each_distinct(lines["vat_code"], clean_code)
    on_sale = (kind == "revenue") & lines["has_vat"].to_numpy()
    purchase = code.isin(ledger.input_codes).to_numpy()
    # an intra-EU code with VAT charged is an acquisition: an intra-EU supply is 0 %
    eu = _each_distinct(code, lambda c: bool(_WORDS["eu"].search(ledger.vat_codes.get(c, "")))).to_numpy(bool)
    acquisition = eu & (lines["vat_percentage"].fillna(0).to_numpy() > 0)
    return np.where(on_sale & (purchase | acquisition), "expense", kind)


def _unreadable(lines: pd.DataFrame) -> tuple[int, tuple[str, ...]]:
    """How many lines' amounts could not be read (counted as € 0), with a few examples."""
    if "unreadable" not in lines:
        return 0, ()
    bad = lines[lines["unreadable"] != ""]
    shown = zip(bad["unreadable"][:3], bad["account"][:3], strict=True)
    return len(bad), tuple(f"‘{text[:20]}’ op rekening {account}" for text, account in shown)


def _vat_kind_by_ratio(lines: pd.DataFrame, n_tx: int, year: int) -> np.ndarray:
    """Per transaction, the VAT kind its sales without a VAT block show by the VAT booked
    beside them: payable VAT over those sales, matched to a rate of the year (within 0.25
    percentage point); "unknown" where it matches none or there is no VAT line."""
    tx = lines["tx"].to_numpy()
    kind, amount = lines["kind"].to_numpy(object), lines["amount"].to_numpy()
    bare = (kind == "revenue") & ~lines["has_vat"].to_numpy()
    vat = np.bincount(tx, weights=np.where(kind == "vat", amount, 0.0), minlength=n_tx)
    sales = np.bincount(tx, weights=np.where(bare, amount, 0.0), minlength=n_tx)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(sales != 0, 100 * vat / sales, np.nan)
    found = np.full(n_tx, "unknown", dtype=object)
    for rate, rate_kind in rate_kinds(year).items():
        if rate > 0:
            found[np.abs(percent - rate) < 0.25] = rate_kind
    return found


def _each_distinct(values: pd.Series, convert) -> pd.Series:
    """``convert`` applied once per distinct value (a file has few accounts and codes)."""
    return values.map({value: convert(value) for value in values.unique()})


def words_kind(description: str) -> str:
    """A VAT kind named by words (an account's or a code's description), else "unknown"."""
    for kind, words in _WORDS.items():
        if words.search(description or ""):
            return kind
    return "unknown"


def _transaction_context(lines: pd.DataFrame, n_tx: int) -> dict[str, np.ndarray]:
    """Per transaction: its customer (the first line's that names one, for sale lines that
    name none), its input VAT (the
    lines on an input-VAT account), and of its buying lines (costs and investments on the
    debit side) the VAT in their own blocks and their sum (1 when there are none): §4."""
    tx = lines["tx"].to_numpy()
    kind, amount = lines["kind"].to_numpy(object), lines["amount"].to_numpy()
    named = lines["customer"].to_numpy(object) != ""
    customer = np.full(n_tx, "", dtype=object)
    first = np.unique(tx[named], return_index=True)
    customer[first[0]] = lines["customer"].to_numpy(object)[named][first[1]]
    buying = np.isin(kind, ("expense", "asset")) & (lines["side"].to_numpy(object) == "D")
    base = np.bincount(tx, weights=np.where(buying, amount, 0.0), minlength=n_tx)
    return {
        "customer": customer,
        "input_vat": np.bincount(tx, weights=np.where(kind == "input_vat", amount, 0.0), minlength=n_tx),
        "with_block": np.bincount(
            tx, weights=np.where(buying, lines["vat_amount"].to_numpy(), 0.0), minlength=n_tx
        ),
        "base": np.where(base == 0, 1.0, base),
    }


@dataclass(frozen=True)
class _Sales:
    parts: pd.DataFrame  # order + SOURCE_COLUMNS
    unknown_codes: dict[str, float]
    name_only: list[str]


def _sales(revenue: pd.DataFrame, context: dict[str, np.ndarray], ledger: Ledger) -> _Sales:
    """Turnover lines (§2): the sale (credit − debit), its VAT kind, its customer kind (§3).

    The VAT kind, first that knows: the code's words in the file's own table, the
    percentage of the code's first line, the account's words ("Omzet binnenland hoog
    tarief"), the VAT booked beside the sale in its transaction; else "unknown" (issue #32)."""
    sale = -revenue["amount"]
    code = _each_distinct(revenue["vat_code"], clean_code)
    first = revenue.assign(code=code)[revenue["has_vat"]].drop_duplicates("code")  # a code's first line
    kinds = {
        c: vat_kind(c, p, ledger.vat_codes.get(c, ""), ledger.year)
        for c, p in zip(first["code"], first["vat_percentage"], strict=True)
    }
    vat = code.map(kinds).where(revenue["has_vat"], "unknown").fillna("unknown")
    by_account = revenue["account"].map(
        {a: words_kind(ledger.accounts.get(a, "")) for a in set(revenue["account"])}
    )
    # the account's words and the VAT beside the sale only where the line says no rate: a
    # percentage that is no rate of the year (7 %) stays unknown, never guessed over
    silent = revenue["vat_percentage"].isna()
    vat = vat.where((vat != "unknown") | ~silent, by_account)
    by_ratio = pd.Series(context["vat_kind"][revenue["tx"].to_numpy()], index=revenue.index)
    vat = vat.where((vat != "unknown") | ~silent, by_ratio)
    # the line's own customer (batch journals hold several invoices in one transaction),
    # else its transaction's (often only the debtor line names one)
    own = revenue["customer"]
    customer = own.where(
        own != "", pd.Series(context["customer"][revenue["tx"].to_numpy()], index=revenue.index)
    )
    who = np.where(
        vat.isin(("reverse_charged", "eu")) | customer.isin(ledger.business),
        "business",
        np.where((customer == "") | customer.isin(ledger.cash_customers), "consumer", "unknown"),
    )
    order = revenue.index.to_numpy() * 2
    turnover = "turnover_" + vat.astype(str)
    kind = pd.Series(np.char.add(who.astype(str), "_sales"), index=revenue.index)
    parts = pd.concat(
        [
            _parts(order, turnover, revenue, customer, sale),
            _parts(order + 1, kind, revenue, customer, sale),
        ]
    )
    unknown = sale[vat == "unknown"].groupby(code[vat == "unknown"], sort=False).sum()
    unknown_codes = {str(c): float(amount) for c, amount in unknown.items()}
    return _Sales(parts, unknown_codes, list(dict.fromkeys(customer[who == "unknown"])))


def _parts(order, what, lines: pd.DataFrame, customer, amount) -> pd.DataFrame:
    """Contributions of ``lines`` to field(s) ``what``, in line order (``order``)."""
    return pd.DataFrame(
        {
            "order": order,
            "field": what,
            "account": lines["account"],
            "vat_code": lines["vat_code"],
            "customer": customer,
            "amount": amount,
        }
    )


def _costs_and_investments(
    lines: pd.DataFrame, context: dict[str, np.ndarray], ledger: Ledger, dates: pd.Series
) -> tuple[pd.DataFrame, list[dict]]:
    """Costs and investments (§4): a line's input VAT is that of its own VAT block, else its
    share (by amount) of the transaction's input VAT not in a block; a cost with input VAT is
    a cost with VAT. A debit on a fixed asset is an investment with that VAT."""
    buying = lines[lines["kind"].isin(("expense", "asset"))]
    tx = buying["tx"].to_numpy()
    debit = buying["side"] == "D"
    shared = np.maximum(0.0, context["input_vat"][tx] - context["with_block"][tx])
    share = pd.Series(
        np.where(
            buying["has_vat"],
            buying["vat_amount"],
            np.where(debit, shared * buying["amount"] / context["base"][tx], 0.0),
        ),
        index=buying.index,
    )
    expense = buying["kind"] == "expense"
    with_vat = expense & (share != 0)
    without = expense & (share == 0)
    none = pd.Series("", index=buying.index)
    order = buying.index.to_numpy() * 2
    costs = pd.concat(
        [
            _parts(order, "costs_with_vat", buying, none, buying["amount"])[with_vat],
            _parts(order + 1, "input_vat", buying, none, share)[with_vat],
            _parts(order, "costs_without_vat", buying, none, buying["amount"])[without],
        ]
    )
    assets = buying[~expense & debit]
    investments = [
        _investment(ledger, dates.iloc[line.tx], line, vat)
        for (_, line), vat in zip(assets.iterrows(), share[assets.index], strict=True)
    ]
    return costs, investments


def _investment(ledger: Ledger, date, line, vat: float) -> dict:
    description = ledger.accounts.get(line.account, "")
    text = f"{description} {line.description or ''}"
    return {
        "year": ledger.year,
        "date": date.date() if not pd.isna(date) else dt.date(ledger.year, 1, 1),  # first use: the year
        "account": line.account,
        "description": (line.description or description or line.account).strip(),
        "amount": line.amount,
        "vat": vat,
        "kind": "immovable" if _IMMOVABLE.search(text) else "movable",
    }
