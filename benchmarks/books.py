"""Reading the books at real sizes (issue #21): a generated auditfile of 500,000 lines read and
summarised (time and peak memory, goal < 10 s and < 500 MB), and a folder of 300 client files
as a portfolio (goal < 1 minute). Prints figures; not a timed test.

    .venv/bin/python benchmarks/books.py [lines] [clients]
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from auditfiles.writer import Ledger, purchase, sale, write

import kortools as kt
from kortools.auditfile_halves import HALVES_ENV, PARALLEL_BYTES


def ledger(lines: int, year: int = 2025, company: str = "Groothandel") -> Ledger:
    """About ``lines`` lines: sales of three lines each, a purchase every tenth transaction."""
    customers = {f"K{i}": (f"Klant {i}", "NL001234567B01" if i % 3 else "", "") for i in range(200)}
    book = Ledger(company=company, year=year, customers=customers)
    for n in range(lines // 3):
        day = f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        customer = f"K{n % 200}" if n % 2 else None
        if n % 10 == 0:
            book.transactions.append(purchase(day, "4000", 100.0, 21.0))
        else:
            book.transactions.append(sale(day, "8000", 100.0, "1", 21.0, customer))
    return book


def peak_mb() -> float:
    """This process's peak resident memory (MB): VmHWM, not ``ru_maxrss``, which Linux carries
    over an exec from the parent (here the generator, ~400 MB) and so over-reported the reader."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_parse(path: str) -> float:
    """Seconds for lxml alone to stream the file's transactions (the reader's parser, the
    same options, nothing read from them): the floor under any reader on this machine."""
    from lxml import etree

    start = time.perf_counter()
    parent = None
    events = etree.iterparse(path, events=("end",), tag="{*}transaction", remove_blank_text=True)
    for n, (_event, element) in enumerate(events):
        if element.getparent() is not parent:
            parent = element.getparent()
        elif n % 512 == 0:
            del parent[:]
    return time.perf_counter() - start


class TogetherPeak:
    """The peak of this process's resident memory plus its children's (the helper that reads
    a large file's second half, kortools.auditfile_halves), sampled every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TogetherPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.02):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a helper that ended meanwhile
                    total += process.memory_info().rss
            self.peak = max(self.peak, total / 2**20)


def read_only(path: str) -> None:
    with TogetherPeak() as together:
        start = time.perf_counter()
        books = kt.read_auditfile(path, max_bytes=2**31)
        seconds = time.perf_counter() - start
    peak = peak_mb()  # before the bare parse: the reader's own peak
    print(seconds, peak, together.peak, books.summary["turnover"].iloc[0], bare_parse(path))


def read_in_child(path: Path, env: dict[str, str]) -> list[float]:
    """``read_only`` in a fresh process with ``env`` added: seconds, peaks, turnover, bare parse."""
    child = subprocess.run(
        [sys.executable, __file__, "--read", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return [float(x) for x in child.stdout.split()]


def main() -> None:
    if sys.argv[1:2] == ["--read"]:
        read_only(sys.argv[2])
        return
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    with tempfile.TemporaryDirectory() as folder:
        big = write(ledger(lines), Path(folder) / "groot.xaf")
        size = big.stat().st_size / 2**20
        # each read in a process of its own: its peak memory is the reader's, not the generator's
        one_pass = read_in_child(big, {HALVES_ENV: "0"})
        seconds, peak, together, turnover, bare = read_in_child(big, {})
        print(
            f"one file: {lines:,} lines, {size:.0f} MB: read and summarised in {seconds:.1f} s "
            f"(goal 10 s, {seconds / 10:.2f}x the goal), in two halves by two processes (from "
            f"{PARALLEL_BYTES // 2**20} MB); in one pass {one_pass[0]:.1f} s (halves/one pass "
            f"{seconds / one_pass[0]:.2f}); lxml's bare parse of the whole file {bare:.1f} s; peak "
            f"memory of the reading process {peak:.0f} MB, with its helper {together:.0f} MB, "
            f"in one pass {one_pass[1]:.0f} MB (goal 500 MB); turnover {turnover:,.2f} "
            f"(one pass: {one_pass[3]:,.2f})"
        )
        office = Path(folder) / "kantoor"
        office.mkdir()
        for i in range(clients):
            write(ledger(300, company=f"Klant {i:03d}"), office / f"klant-{i:03d}.xaf")
        from kortools.books_cli import auditfile_portfolio

        start = time.perf_counter()
        advice, errors = auditfile_portfolio(office)
        seconds = time.perf_counter() - start
        print(
            f"portfolio: {clients} client files advised in {seconds:.1f} s (goal 60 s, "
            f"{seconds / 60:.2f}x the goal); {len(advice)} advised, {len(errors)} refused"
        )


if __name__ == "__main__":
    main()
