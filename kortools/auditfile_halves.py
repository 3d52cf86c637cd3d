"""A large plain auditfile read in two halves, one by a helper process (issue #21's speed goal).

Most of a large file's reading time is lxml building each transaction and the loop copying its
fields (benchmarks/books.py); both run on one core. A file of at least :data:`PARALLEL_BYTES`
on a machine with two cores is therefore cut at a transaction near the middle of its
transactions and each half is read as a document of its own, from the file's own bytes:

- the first half: the file up to the cut, then the file's own closing tags (what follows its
  last transaction: ``</journal></transactions></company></auditfile>``);
- the second half: the file's head up to its first transaction (the declaration with its
  encoding, the root with its namespaces, the master data, the open journal), then the file
  from the cut.

The cut is made only where every ``<`` of the file starts or ends an element: no comment,
CDATA section, processing instruction or DOCTYPE anywhere (``<!``, ``<?`` past the
declaration), so the first ``<transaction`` found is a transaction. Either half that XML does
not accept, or a helper that cannot start, and :func:`halves` answers ``None``: the caller
then reads the whole file in one pass, which is the authority (and gives the real error
with its line). The two halves give the same rows in the same order as one pass; the second
half's transactions are numbered on from the first's.
"""

from __future__ import annotations

import contextlib
import io
import logging
import mmap
import os
import pickle
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kortools.auditfile_lines import (
    LineTable,
    joined,
    one_pass_tables,
    plain_xml,
    size_of,
    streamed_columns,
    table_of,
)

#: Files from this size (bytes) are read in two halves; smaller ones in one pass (starting
#: the helper, a Python with pandas, costs about a second of one core).
PARALLEL_BYTES = 16 * 2**20
#: ``0`` reads every file in one pass. A served kernel sets it (kortools.serving.zygote): a
#: helper process would be outside the kernel's memory bound, and one visitor's upload would
#: take two of the server's cores.
HALVES_ENV = "KORTOOLS_READ_HALVES"

Span = tuple[int, int]  # [start, end) bytes of the file
_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?transaction[\s/>]")
_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?transaction\s*>")
_TAIL_BYTES = 64 * 1024  # where the last transaction's end tag is looked for
#: This process reads a little more than half: the helper starts about a second later (a
#: Python importing pandas) and sends its tables back (measured waits 0-2.6 s at one half).
FIRST_SHARE = 0.55
_LOG = logging.getLogger(__name__)


def line_table(af, source: io.BytesIO | Path | None = None) -> LineTable:
    """The lines of the open pyxaf file ``af``: a plain XAF file (``source``) in two halves
    by two processes where that pays, else streamed; any other in one pass
    (kortools.auditfile_lines). This module reads with that one's pass, never the reverse."""
    import pyxaf

    if af.format.family is pyxaf.Family.XAF and source is not None and plain_xml(source):
        return joined(halves(source) or [table_of(chunk) for chunk in streamed_columns(source)])
    return joined(one_pass_tables(af))


def halves(source: io.BytesIO | Path) -> list[LineTable] | None:
    """The line tables of ``source`` read in two halves at once (module docstring), or
    ``None`` when it is not cut: small, one core, switched off (:data:`HALVES_ENV`), not
    cleanly cut, or a half not read."""
    if os.environ.get(HALVES_ENV, "1") == "0" or size_of(source) < PARALLEL_BYTES or _cores() < 2:
        return None
    with _buffer(source) as data:
        cut = _cut(data)
    if cut is None:
        return None
    first, second = cut
    try:
        return _read_both(source, first, second)
    except Exception as error:
        _LOG.info("auditfile not read in halves (%s: %s); read in one pass", type(error).__name__, error)
        return None


def _cut(data) -> tuple[list[Span], list[Span]] | None:
    """The spans of the two halves (module docstring), or ``None`` where no clean cut is."""
    if data.find(b"<!") != -1 or data.find(b"<?", 6) != -1:  # "<?xml" at 0, or 3 after a BOM
        return None
    first = _START.search(data)
    ends = [m.end() for m in _END.finditer(data, max(0, len(data) - _TAIL_BYTES))]
    if first is None or not ends:
        return None
    head, tail = first.start(), ends[-1]
    middle = _START.search(data, head + int(FIRST_SHARE * (tail - head)), tail)
    if middle is None or middle.start() <= head:
        return None
    cut = middle.start()
    return [(0, cut), (tail, len(data))], [(0, head), (cut, len(data))]


def _read_both(source: io.BytesIO | Path, first: list[Span], second: list[Span]) -> list[LineTable]:
    """The first half read here while a helper process reads the second; the second half's
    transaction numbers continue from the first's."""
    mine: tuple[Path | bytes, list[Span]]
    helper: tuple[Path | bytes, list[Span]]
    if isinstance(source, Path):
        mine, helper = (source, first), (source, second)  # the helper opens the file itself
    else:  # an upload: its second half sent to the helper (through a pipe, never to disk)
        data = source.getvalue()
        mine, helper = (data, first), (_joined(data, second), [(0, _length(second))])
    with Helper(*helper) as theirs:
        ours = tables_of_spans(*mine)
    offset = sum(len(table.dates) for table in ours)
    return ours + [_numbered_from(table, offset) for table in theirs.tables()]


class Helper:
    """A Python of its own reading the second half (``python -c``: it imports kortools only,
    never the caller's script, which ``multiprocessing``'s spawn would run again); the task
    goes in and the tables come back pickled through its pipes."""

    def __init__(self, source: Path | bytes, spans: list[Span]) -> None:
        self._task = pickle.dumps((source, spans), protocol=pickle.HIGHEST_PROTOCOL)

    def __enter__(self) -> Helper:
        pipe, command = subprocess.PIPE, [sys.executable, "-c", HELPER_CODE]
        path = os.pathsep.join(p for p in sys.path if p)  # kortools where this process found it
        env = {**os.environ, "PYTHONPATH": path}
        self._process = subprocess.Popen(command, stdin=pipe, stdout=pipe, stderr=pipe, env=env)
        self._answer: tuple[bytes, bytes] = (b"", b"")
        # the task is written and the answer read while this process reads its own half
        self._talk = threading.Thread(target=self._communicate, daemon=True)
        self._talk.start()
        return self

    def _communicate(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a helper killed meanwhile
            self._answer = self._process.communicate(self._task)

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # this half failed: the helper's work is not wanted
            self._process.kill()
        self._talk.join(HELPER_TIMEOUT_S)
        if self._talk.is_alive():
            self._process.kill()
            self._talk.join()

    def tables(self) -> list[LineTable]:
        output, errors = self._answer
        if self._process.returncode != 0 or not output:
            reason = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no answer"]
            raise RuntimeError(f"the helper ended with {self._process.returncode}: {reason[0]}")
        return pickle.loads(output)


#: What the helper runs: the task from stdin, the tables to stdout (both pickled).
HELPER_CODE = (
    "import pickle, sys; from kortools.auditfile_halves import tables_of_spans; "
    "source, spans = pickle.load(sys.stdin.buffer); "
    "pickle.dump(tables_of_spans(source, spans), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)"
)
#: The longest the helper may take after this process read its own half.
HELPER_TIMEOUT_S = 600


def tables_of_spans(source: Path | bytes, spans: Sequence[Span]) -> list[LineTable]:
    """The line tables of the document made of ``spans`` of ``source`` (the helper's task)."""
    return [table_of(chunk) for chunk in streamed_columns(_Spans(source, spans))]


def _numbered_from(table: LineTable, offset: int) -> LineTable:
    return LineTable(table.lines.assign(tx=table.lines["tx"] + offset), table.dates)


def _joined(data: bytes, spans: Sequence[Span]) -> bytes:
    return b"".join(data[start:end] for start, end in spans)


def _length(spans: Sequence[Span]) -> int:
    return sum(end - start for start, end in spans)


class _Spans(io.RawIOBase):
    """A file (or bytes) read as ``spans`` of it one after another, without copying them."""

    def __init__(self, source: Path | bytes, spans: Sequence[Span]) -> None:
        super().__init__()
        self._file = source.open("rb") if isinstance(source, Path) else io.BytesIO(source)
        self._spans = [span for span in spans if span[1] > span[0]]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._spans:
            start, end = self._spans[0]
            self._file.seek(start)
            count = self._file.readinto(memoryview(buffer)[: end - start])
            if not count:  # the file is shorter than its span: end there
                self._spans.pop(0)
                continue
            self._spans[0] = (start + count, end)
            if start + count >= end:
                self._spans.pop(0)
            return count
        return 0

    def close(self) -> None:
        self._file.close()
        super().close()


def _cores() -> int:
    """The cores this process may run on (a container's or taskset's, not the machine's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _buffer(source: io.BytesIO | Path) -> Iterator:
    """The file's bytes to search: the upload's own, or the file mapped (not read) into memory."""
    if isinstance(source, io.BytesIO):
        yield source.getvalue()
        return
    with source.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield mapped
