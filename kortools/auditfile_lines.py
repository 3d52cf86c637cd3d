"""An auditfile's transaction lines as one table (the rules of auditfile.md §2–§4 read it).

Three passes give the same :class:`LineTable`:

- a plain XAF file (3.x, 4.0: the element names are the same in every XAF version) is
  streamed by lxml's C parser after pyxaf has read and checked the file's head (entities
  not resolved, no DTD, no network); the Python loop only copies each field's text into a
  column, and every conversion (numbers, sides, dates) is done on whole columns; a large
  file is read in two halves at once (:mod:`kortools.auditfile_halves`);
- a compressed XAF file from pyxaf's raw records (pyxaf unpacks .gz and .zip itself);
- older formats (CLAIR2, ADF) from pyxaf's normalised model.

One row per transaction line: the transaction's number and date, account, side and signed
amount (debit +; a negative amount counts on the other side, pyxaf's "flip" policy),
customer, description, and the line's VAT (the first block's code and percentage, the sum
of its blocks' signed amounts). Euros as floats (pyxaf's Decimals converted once).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

#: The fields of a ``trLine`` and of its ``vat`` blocks that the rules read.
LINE_FIELDS = ("accID", "amnt", "amntTp", "custSupID", "desc")
VAT_FIELDS = ("vatID", "vatPerc", "vatAmnt", "vatAmntTp")
#: Bytes fed to lxml at a time; what was read is cut from the tree after each (memory flat).
_PIECE = 1 << 20
#: A line's amount this large is not a small business's: read as unreadable (issue #32).
MAX_LINE_AMOUNT = 1e9
#: Most lines (and other parts) one transaction may have: a payroll journal has thousands.
MAX_TRANSACTION_PARTS = 200_000
#: Lines read before they are converted to a table chunk: the texts are freed and their
#: memory reused (fresh memory is slow to get on a small VM; benchmarks/books.py).
CHUNK_LINES = 50_000


@dataclass
class Columns:
    """The raw texts (or numbers) of a chunk of a file's lines, one list per field, as read;
    transactions numbered from ``first_tx`` (the chunks before it)."""

    first_tx: int = 0
    dates: list = field(default_factory=list)  # per transaction
    line_tx: list[int] = field(default_factory=list)  # per line: its transaction's number
    line: dict[str, list] = field(default_factory=lambda: {k: [] for k in LINE_FIELDS})
    vat_line: list[int] = field(default_factory=list)  # per VAT block: its line's number
    vat: dict[str, list] = field(default_factory=lambda: {k: [] for k in VAT_FIELDS})

    def full(self) -> bool:
        return len(self.line_tx) >= CHUNK_LINES

    def next(self) -> Columns:
        """The empty chunk after this one."""
        return Columns(self.first_tx + len(self.dates))

    def add_transaction(self, date) -> int:
        self.dates.append(date)
        return len(self.dates) - 1

    def add_line(self, tx: int, values: dict) -> int:
        self.line_tx.append(tx)
        for name, column in self.line.items():
            column.append(values.get(name))
        return len(self.line_tx) - 1

    def add_vat(self, line: int, values: dict) -> None:
        self.vat_line.append(line)
        for name, column in self.vat.items():
            column.append(values.get(name))


@dataclass(frozen=True)
class LineTable:
    """A file's lines (``lines``: one row per line) and its transactions' dates."""

    lines: pd.DataFrame  # tx, account, side, amount, customer, description, vat_code,
    #                      vat_percentage, vat_amount, has_vat, unreadable (the amount's text)
    dates: pd.Series  # per transaction number: its date (datetime64), NaT when unreadable


def one_pass_tables(af) -> list[LineTable]:
    """The tables of the open pyxaf file ``af`` read in this process: a non-XAF format
    normalised by pyxaf, a XAF file raw (module docstring; a plain XAF file may be read in
    two halves instead, ``kortools.auditfile_halves.line_table``)."""
    import pyxaf

    chunks = _normalised_columns(af) if af.format.family is not pyxaf.Family.XAF else _raw_columns(af)
    return [table_of(chunk) for chunk in chunks]


def joined(tables: list[LineTable]) -> LineTable:
    """One table of several (the halves of a file, or its chunks)."""
    return LineTable(
        pd.concat([t.lines for t in tables], ignore_index=True),
        pd.concat([t.dates for t in tables], ignore_index=True),
    )


def head_of(source: io.BytesIO | Path, size: int) -> bytes:
    """The first ``size`` bytes of a file given by path or in memory."""
    if isinstance(source, io.BytesIO):
        return source.getvalue()[:size]
    with source.open("rb") as file:
        return file.read(size)


def size_of(source: io.BytesIO | Path) -> int:
    """The size in bytes of a file given by path or in memory."""
    return len(source.getvalue()) if isinstance(source, io.BytesIO) else source.stat().st_size


def plain_xml(source: io.BytesIO | Path) -> bool:
    """Not compressed (pyxaf unpacks .gz and .zip itself): the first byte after a BOM is '<'."""
    return head_of(source, 8).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


_LOCAL: dict[str, str] = {}  # "{namespace}accID" → "accID": the few tags of a file, once each


def _local(tag) -> str:
    name = _LOCAL.get(tag)
    if name is None:  # a comment or processing instruction has a function as its tag
        name = _LOCAL[tag] = tag.rpartition("}")[2] if isinstance(tag, str) else ""
    return name


def streamed_columns(source: io.RawIOBase | io.BytesIO | Path) -> Iterator[Columns]:
    """The plain XML pass: each transaction's texts copied into the chunk's columns."""
    out = Columns()
    for element in _transactions(source):
        if out.full():
            yield out
            out = out.next()
        _copy_transaction(element, out)
    yield out


def _transactions(source: io.RawIOBase | io.BytesIO | Path) -> Iterator:
    """The file's ``transaction`` elements, each a small tree lxml has built in C.

    The file is fed to lxml's pull parser a piece at a time; after each piece every finished
    element is cut from the tree, at every level (only the path to the element being read
    stays), so memory stays flat whatever the file holds outside its transactions: 10 million
    empty elements after the last transaction took 1.3 GB when only transactions were cut
    (issue #31 item 6)."""
    from lxml import etree

    parser = etree.XMLPullParser(
        events=("start", "end"),
        tag=("{*}transaction", "{*}auditfile"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        collect_ids=False,
        remove_blank_text=True,  # the layout between elements (a field's own text is kept)
    )
    root = None
    for piece in _pieces(source):
        parser.feed(piece)
        for event, element in parser.read_events():
            if event == "end" and root is not None and element is not root:
                yield element
            elif root is None:
                root = element.getroottree().getroot()
        if root is not None:
            _cut_finished(root)
    parser.close()  # raises XMLSyntaxError on a file cut short


def _pieces(source: io.RawIOBase | io.BytesIO | Path) -> Iterator[bytes]:
    with source.open("rb") if isinstance(source, Path) else contextlib.nullcontext(source) as file:
        if isinstance(file, io.BytesIO):
            file.seek(0)
        while piece := file.read(_PIECE):
            yield piece


def _cut_finished(root) -> None:
    """Remove every element but the last child at each level below ``root`` (the path to
    what the parser is reading; what came before it has been read). A transaction is kept
    whole until it has been read; one of more than ``MAX_TRANSACTION_PARTS`` parts is refused."""
    node = root
    while len(node):
        if _local(node.tag) == "transaction":
            if len(node) > MAX_TRANSACTION_PARTS:
                raise TooLarge(f"een boeking met meer dan {MAX_TRANSACTION_PARTS:,} regels".replace(",", "."))
            return
        if len(node) > 1:
            del node[:-1]
        node = node[-1]


class TooLarge(ValueError):
    """A file whose structure is far beyond a real administration's (Dutch reason)."""


def _copy_transaction(element, out: Columns) -> None:
    """A transaction's date and its lines' fields into ``out``. It runs for every element of
    the file: names bound locally, each tag read once (lxml makes a new string per read)."""
    local, known = _local, _LOCAL.get
    line_tx, vat_line, line_columns, vat_columns = out.line_tx, out.vat_line, out.line, out.vat
    tx = out.add_transaction(None)
    for child in element:
        tag = child.tag
        name = known(tag) or local(tag)
        if name == "trLine":
            line = len(line_tx)
            line_tx.append(tx)
            for column in line_columns.values():
                column.append(None)
            for part in child:
                tag = part.tag
                name = known(tag) or local(tag)
                field_column = line_columns.get(name)
                if field_column is not None:
                    field_column[-1] = part.text
                elif name == "vat":
                    vat_line.append(line)
                    for column in vat_columns.values():
                        column.append(None)
                    for item in part:
                        tag = item.tag
                        field_column = vat_columns.get(known(tag) or local(tag))
                        if field_column is not None:
                            field_column[-1] = item.text
        elif name == "trDt":
            out.dates[-1] = child.text


def _raw_columns(af) -> Iterator[Columns]:
    """pyxaf's raw records (a compressed XAF file): the same texts as the streamed pass."""
    out = Columns()
    for _kind, record in af.raw.transactions():
        if out.full():
            yield out
            out = out.next()
        tx = out.add_transaction(record.fields.get("trDt"))
        for line in record.all("trLine"):
            number = out.add_line(tx, line.fields)
            for vat in line.all("vat"):
                out.add_vat(number, vat.fields)
    yield out


def _normalised_columns(af) -> Iterator[Columns]:
    """pyxaf's normalised model (CLAIR2, ADF): amounts already signed, so every side is D."""
    out = Columns()
    for transaction in af.transactions():
        if out.full():
            yield out
            out = out.next()
        tx = out.add_transaction(transaction.date and transaction.date.isoformat())
        for x in transaction.lines:
            values = {"accID": x.account_id, "amnt": float(x.signed_amount), "amntTp": "D"}
            number = out.add_line(tx, values | {"custSupID": x.relation_id, "desc": x.description})
            for v in x.vat:
                percentage = None if v.percentage is None else str(v.percentage)
                vat = {"vatID": v.code, "vatPerc": percentage, "vatAmnt": float(v.signed_amount)}
                out.add_vat(number, vat | {"vatAmntTp": "D"})
    yield out


def table_of(raw: Columns) -> LineTable:
    """The raw columns converted on whole columns (module docstring)."""
    lines = raw.line
    sign = _sign(lines["amntTp"])
    read = numbers(lines["amnt"])
    # NaN, empty, "abc", "12.100,00", "Infinity", a billion or more: counted, as € 0
    unreadable = ~np.isfinite(read) | (np.abs(read) >= MAX_LINE_AMOUNT)
    amount = np.where(unreadable, 0.0, read) * sign
    vat_code, vat_percentage, vat_amount, has_vat = _line_vat(raw, lines["amntTp"])
    table = pd.DataFrame(
        {
            "tx": raw.first_tx + np.asarray(raw.line_tx, dtype=np.int64),
            "account": _stripped(lines["accID"]),
            "side": np.where(amount >= 0, "D", "C"),
            "amount": amount,
            "customer": _stripped(lines["custSupID"]),
            "description": _per_value(lines["desc"], _text),
            "vat_code": vat_code,
            "vat_percentage": vat_percentage,
            "vat_amount": vat_amount,
            "has_vat": has_vat,
            "unreadable": _unreadable_texts(lines["amnt"], unreadable),
        }
    )
    return LineTable(table, _dates(raw.dates))


def _unreadable_texts(texts: list, unreadable: np.ndarray) -> np.ndarray:
    """Per line: the amount's text where it could not be read ("(leeg)" for none), else ""."""
    out = np.full(len(texts), "", dtype=object)
    for index in np.flatnonzero(unreadable):
        out[index] = _text(texts[index]).strip() or "(leeg)"
    return out


def numbers(values: Iterable) -> np.ndarray:
    """XML decimals ("1210.00") as floats; a decimal comma read too; NaN where none. Each
    distinct text is converted once."""
    codes, distinct = pd.factorize(pd.Series(list(values), dtype=object))
    texts = pd.Series(distinct, dtype=object)
    converted = pd.to_numeric(texts, errors="coerce")
    retry = converted.isna()
    if retry.any():
        fixed = texts[retry].astype(str).str.strip().str.replace(",", ".", regex=False)
        converted[retry] = pd.to_numeric(fixed, errors="coerce")
    return np.append(converted.to_numpy(dtype=float), np.nan)[codes]  # code -1 (none): NaN


def _per_value(values: list, convert) -> np.ndarray:
    """``convert`` applied once per distinct value (a file has few sides, accounts, codes)."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.asarray([convert(v) for v in distinct], dtype=object)[codes]


def _text(value) -> str:
    """A field's text; "" for a missing field (None, or NaN where pandas stands for it)."""
    return "" if value is None or pd.isna(value) else str(value)


def _side_sign(side) -> float:
    """+1 for a debit (``D``, also when the side is missing), -1 otherwise."""
    text = _text(side)
    return 1.0 if not text or text.strip().upper()[:1] == "D" else -1.0


def _sign(sides: list) -> np.ndarray:
    return _per_value(sides, _side_sign).astype(float)


def _stripped(values: list) -> np.ndarray:
    return _per_value(values, lambda v: _text(v).strip())


def _line_vat(raw: Columns, line_sides: list) -> tuple[np.ndarray, ...]:
    """Per line: the first VAT block's code and percentage, the sum of the blocks' signed
    amounts (a block's side, else its line's), whether it has a block."""
    n = len(raw.line_tx)
    owner = np.asarray(raw.vat_line, dtype=np.int64)
    sides = pd.Series(raw.vat["vatAmntTp"], dtype=object)
    missing = (sides.isna() | (sides == "")).to_numpy()
    sides[missing] = pd.Series(line_sides, dtype=object).to_numpy(object)[owner[missing]]
    signed = np.nan_to_num(numbers(raw.vat["vatAmnt"]), nan=0.0) * _sign(sides.tolist())
    first = np.unique(owner, return_index=True)[1] if len(owner) else np.array([], dtype=np.int64)
    code = np.full(n, "", dtype=object)
    percentage = np.full(n, np.nan)
    code[owner[first]] = _stripped(raw.vat["vatID"])[first]
    percentage[owner[first]] = numbers(raw.vat["vatPerc"])[first]
    has_vat = np.zeros(n, dtype=bool)
    has_vat[owner] = True
    return code, percentage, np.bincount(owner, weights=signed, minlength=n), has_vat


def _dates(values: list) -> pd.Series:
    """ISO dates (their first ten characters) as datetimes; NaT where a date cannot be read.
    Each distinct text is read once."""
    codes, distinct = pd.factorize(pd.Series(values, dtype=object))
    texts = pd.Series(distinct, dtype=object).astype(str).str.strip().str[:10]
    parsed = pd.to_datetime(texts, format="ISO8601", errors="coerce")
    return pd.Series(np.append(parsed.to_numpy(), np.datetime64("NaT"))[codes])
