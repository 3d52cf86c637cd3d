"""A large auditfile read in two halves by two processes gives the lines of one pass
(kortools/auditfile_halves.py; issue #21's speed goal). The threshold is set to 0 so the small
fixtures are cut; each cut starts a helper process (about a second)."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from auditfiles.writer import Line, Tx, purchase, sale, write, xml
from hypothesis import given
from hypothesis import strategies as st
from test_books import case_a, case_b

import kortools as kt
from kortools import auditfile_halves
from kortools.auditfile_lines import streamed_columns, table_of


def ledger_of_three_journals():
    """Sales (V), purchases (I) and a memorial booking (M), enough for a cut inside a journal."""
    ledger = case_b()
    ledger.transactions += case_a().transactions * 4
    ledger.transactions += [purchase(f"2024-04-{d:02d}", "4000", 50.0 + d, 10.5) for d in range(1, 21)]
    ledger.transactions.append(Tx("2024-05-01", [Line("1000", 10, "D"), Line("1300", 10, "C")], journal="M"))
    ledger.transactions += [sale("2024-06-01", "8000", 10.0, "1", 21.0, "K2")] * 6
    return ledger


def prefixed(text: str) -> str:
    """The same file with every element in the ``xaf:`` prefix (the cut keeps the file's own
    tags, so the halves' closing tags carry the prefix too)."""
    text = text.replace('<auditfile xmlns="', '<xaf:auditfile xmlns:xaf="')
    return re.sub(r"<(/?)(?!xaf:)([A-Za-z])", r"<\1xaf:\2", text)


def one_pass(source) -> tuple[pd.DataFrame, pd.Series]:
    tables = [table_of(chunk) for chunk in streamed_columns(source)]
    return (
        pd.concat([t.lines for t in tables], ignore_index=True),
        pd.concat([t.dates for t in tables], ignore_index=True),
    )


def in_halves(source) -> tuple[pd.DataFrame, pd.Series]:
    tables = auditfile_halves.halves(source)
    assert tables is not None, "the file was not cut"
    return (
        pd.concat([t.lines for t in tables], ignore_index=True),
        pd.concat([t.dates for t in tables], ignore_index=True),
    )


def cut_small_files(monkeypatch) -> None:
    """From here on, any file with two transactions is read in halves (on any machine)."""
    monkeypatch.setattr(auditfile_halves, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(auditfile_halves, "_cores", lambda: 2)
    monkeypatch.delenv(auditfile_halves.HALVES_ENV, raising=False)


@pytest.fixture
def cut_everything(monkeypatch):
    cut_small_files(monkeypatch)


@pytest.mark.parametrize(
    "version, encoding, bom, prefix",
    [
        ("3.2", "UTF-8", False, False),
        ("4.0", "UTF-8", True, False),
        ("3.2", "ISO-8859-1", False, False),
        ("3.2", "UTF-8", False, True),
    ],
    ids=["3.2", "4.0-bom", "iso-8859-1", "prefixed"],
)
def test_two_halves_read_the_lines_of_one_pass(tmp_path, cut_everything, version, encoding, bom, prefix):
    ledger = ledger_of_three_journals()
    ledger.company = "Café Één"
    path = write(ledger, tmp_path / "a.xaf", version, encoding, bom)
    if prefix:
        path.write_text(prefixed(path.read_text(encoding="utf-8")), encoding="utf-8")
    lines, dates = one_pass(path)
    halved_lines, halved_dates = in_halves(path)
    assert len(lines) == sum(len(tx.lines) for tx in ledger.transactions)
    pd.testing.assert_frame_equal(halved_lines, lines)
    pd.testing.assert_series_equal(halved_dates, dates)
    # the upload (bytes in memory): its second half is sent to the helper
    upload = io.BytesIO(path.read_bytes())
    pd.testing.assert_frame_equal(in_halves(upload)[0], lines)


def test_the_figures_of_a_file_read_in_halves_are_those_of_one_pass(tmp_path, monkeypatch):
    path = write(ledger_of_three_journals(), tmp_path / "a.xaf")
    whole = kt.read_auditfile(path)
    cut_small_files(monkeypatch)
    halved = kt.read_auditfile(path)
    assert halved.summary.equals(whole.summary)
    assert halved.sources.equals(whole.sources)
    assert halved.investments.equals(whole.investments)


@pytest.mark.parametrize(
    "insert",
    ["<!-- <transaction><nr>9</nr></transaction> -->", "<![CDATA[<transaction>]]>", "<?pi <transaction> ?>"],
    ids=["comment", "cdata", "processing-instruction"],
)
def test_a_file_with_a_comment_cdata_or_instruction_is_not_cut(insert):
    """Where a '<' may not start an element, a '<transaction' found may not be one: no cut."""
    text = xml(ledger_of_three_journals())
    at = text.index("<transaction>", len(text) // 2)
    data = (text[:at] + insert + text[at:]).encode()
    assert auditfile_halves._cut(data) is None
    assert auditfile_halves._cut(text.encode()) is not None


def test_a_file_with_one_transaction_or_none_is_not_cut():
    one = case_a()
    one.transactions = one.transactions[:1]
    assert auditfile_halves._cut(xml(one).encode()) is None
    one.transactions = []
    assert auditfile_halves._cut(xml(one).encode()) is None


def test_a_cut_halves_the_transactions_and_keeps_the_files_own_bytes():
    text = xml(ledger_of_three_journals()).encode()
    first, second = auditfile_halves._cut(text)
    (_, cut), (tail, end) = first
    (_, head), (cut_again, _) = second
    assert cut == cut_again and end == len(text)
    assert text[head:].startswith(b"<transaction>") and text[cut:].startswith(b"<transaction>")
    assert text[tail:] == b"\n</journal>\n</transactions>\n</company>\n</auditfile>"  # writer.xml's end
    share = (cut - head) / (tail - head)  # of the transactions' bytes, read by this process
    assert auditfile_halves.FIRST_SHARE <= share < auditfile_halves.FIRST_SHARE + 0.05


def test_a_broken_file_gets_the_message_of_one_pass(tmp_path, monkeypatch):
    """A half that XML refuses (here: the file ends in a transaction) leaves the file to the
    one pass, whose message (with the real line) the adviser sees."""
    text = xml(ledger_of_three_journals())
    broken = tmp_path / "kapot.xaf"
    broken.write_text(text[: text.rindex("</trLine>")], encoding="utf-8")
    with pytest.raises(kt.InputError) as whole:
        kt.read_auditfile(broken)
    cut_small_files(monkeypatch)
    assert auditfile_halves.halves(broken) is None
    with pytest.raises(kt.InputError) as halved:
        kt.read_auditfile(broken)
    assert str(halved.value) == str(whole.value)


def test_a_helper_that_cannot_start_leaves_the_file_to_one_pass(tmp_path, cut_everything, monkeypatch):
    path = write(ledger_of_three_journals(), tmp_path / "a.xaf")
    whole = kt.read_auditfile(path)
    monkeypatch.setattr(auditfile_halves.sys, "executable", str(tmp_path / "geen-python"))
    assert auditfile_halves.halves(path) is None  # Popen: FileNotFoundError
    assert kt.read_auditfile(path).summary.equals(whole.summary)
    monkeypatch.setattr(auditfile_halves.sys, "executable", "/bin/false")  # starts, fails
    assert auditfile_halves.halves(path) is None
    assert kt.read_auditfile(path).summary.equals(whole.summary)


def test_the_helper_never_runs_the_callers_script(tmp_path):
    """A script without ``if __name__ == "__main__"`` reads a large file: its helper imports
    kortools only (multiprocessing's spawn would run the script again, with its side effects)."""
    import subprocess
    import sys

    path = write(ledger_of_three_journals(), tmp_path / "a.xaf")
    script = tmp_path / "adviseur.py"
    script.write_text(
        "from kortools import auditfile_halves\n"
        "auditfile_halves.PARALLEL_BYTES = 0\n"
        "auditfile_halves._cores = lambda: 2\n"
        f"print('start')\n"
        f"print(len(auditfile_halves.halves(__import__('pathlib').Path({str(path)!r}))))\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    )
    assert run.stdout.split() == ["start", "2"]  # once, and two tables: one per half


def test_small_files_switched_off_and_one_core_are_read_in_one_pass(tmp_path, monkeypatch):
    path = write(ledger_of_three_journals(), tmp_path / "a.xaf")
    assert path.stat().st_size < auditfile_halves.PARALLEL_BYTES
    assert auditfile_halves.halves(path) is None
    monkeypatch.setattr(auditfile_halves, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(auditfile_halves, "_cores", lambda: 1)
    assert auditfile_halves.halves(path) is None
    monkeypatch.setattr(auditfile_halves, "_cores", lambda: 2)
    monkeypatch.setenv(auditfile_halves.HALVES_ENV, "0")  # what a served kernel sets
    assert auditfile_halves.halves(path) is None


@given(
    data=st.binary(max_size=300),
    bounds=st.lists(st.tuples(st.integers(0, 320), st.integers(0, 320)), max_size=5),
    read_size=st.integers(1, 64),
)
def test_spans_read_as_one_stream(data, bounds, read_size):
    """The halves' reader gives the bytes of its spans in order, in reads of any size (a span
    past the end of the data gives what there is)."""
    spans = [(min(a, b), max(a, b)) for a, b in bounds]
    expected = b"".join(data[a:b] for a, b in spans)
    reader = io.BufferedReader(auditfile_halves._Spans(data, spans), buffer_size=read_size)
    out = b""
    while piece := reader.read(read_size):
        out += piece
    assert out == expected
