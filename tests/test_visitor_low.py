"""The low findings of issue #31's probe (item 6), each with its test; the reader's memory
on a compressed file is in tests/test_books.py, the cookies and MAKEFLAGS in test_cluster.py,
the runtime folder after kill -9 in test_kernel_bounds.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from auditfiles.writer import write
from test_books import case_a

import kortools as kt
from kortools.files import atomic_write
from kortools.serving.frames import BadFrame, parse_frame


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_nested_deeper_than_python_parses_is_a_bad_frame(depth):
    # it raised RecursionError in frames._json_object: a traceback per frame, no 1008 close
    deep = '{"header": {"msg_type": "x"}, "content": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(BadFrame, match="nested too deeply"):
        parse_frame(deep, None, 1 << 20)
    packed = len(deep.encode()).to_bytes(4, "big")
    binary = (1).to_bytes(4, "big") + (8).to_bytes(4, "big") + deep.encode()
    assert packed  # the legacy binary layout: count 1, the message at offset 8
    with pytest.raises(BadFrame, match="nested too deeply"):
        parse_frame(binary, None, 1 << 20)


@pytest.mark.parametrize("year", [1, 1999, 2028, 9999])
def test_books_of_an_impossible_year_are_refused_in_dutch(tmp_path, monkeypatch, year):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-05")  # books of 2000 to 2027 are read
    path = write(case_a(year=year), tmp_path / f"{year}.xaf")
    path.write_text(path.read_text().replace(f">{year}-", f">{year:04d}-"))  # ISO: 0001-01-01
    with pytest.raises(
        kt.InputError, match=f"is van het jaar {year}: kortools leest boeken van 2000 tot en met 2027"
    ):
        kt.read_auditfile(path)


def test_books_of_next_year_and_of_2000_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-05")
    for year in (2000, 2027):
        assert kt.read_auditfile(write(case_a(year=year), tmp_path / f"{year}.xaf")).summary is not None


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kortools.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp / "bestaat-niet.xaf", "kan niet worden gelezen: bestaat niet"),
        (lambda tmp: tmp, "is een map, geen bestand"),
    ],
)
def test_the_command_says_an_os_error_in_dutch(tmp_path, make, reason):
    # it said "No such file or directory", "Is a directory" (and once "fout: : FileNotFoundError")
    result = run_cli("boeken", str(make(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.startswith("kortools: fout: ") and reason in result.stderr, result.stderr
    assert "Error" not in result.stderr and "directory" not in result.stderr


def test_an_os_error_without_a_path_names_no_empty_path():
    from kortools.os_errors import reason_nl

    assert reason_nl(FileNotFoundError()) == "bestaat niet"
    assert reason_nl(OSError(28, "No space left on device")) == "de schijf is vol"
    assert reason_nl(OSError(12345, "?")) == "systeemfout 12345"


def test_the_readers_findings_are_in_dutch(tmp_path):
    # "XAF1002 (WARNING): no XML declaration; the file is read as UTF-8" stood on a Dutch page
    path = write(case_a(), tmp_path / "a.xaf")
    path.write_text(path.read_text().split("?>", 1)[1])  # without its XML declaration
    books = kt.read_auditfile(path)
    (finding,) = [f for f in books.findings if f.code == "XAF1002"]
    assert (
        finding.text_nl
        == "geen XML-declaratie; gelezen als UTF-8 (waarschuwing; melding XAF1002 van de lezer)"
    )
    assert "XAF1002" in finding.text_en and "declaration" in finding.text_en


def test_every_code_pyxaf_knows_has_a_dutch_title():
    from pyxaf.findings import CODES

    from kortools.pyxaf_nl import TITLES_NL

    assert set(CODES) == set(TITLES_NL)


def test_a_temporary_file_of_a_killed_writer_is_removed_by_the_next(tmp_path):
    # kill -9 during a write left a 0-byte .tmp beside the output for ever
    stale = tmp_path / ".uit.xlsx.4000000.k3j2.tmp"  # a pid above Linux's maximum: gone
    stale.write_bytes(b"")
    mine = tmp_path / f".uit.xlsx.{os.getpid()}.abcd.tmp"  # a living writer's: kept
    mine.write_bytes(b"")
    other = tmp_path / ".ander.xlsx.4000000.k3j2.tmp"  # another output's: not ours to judge
    other.write_bytes(b"")
    atomic_write(tmp_path / "uit.xlsx", b"PK")
    assert not stale.exists() and mine.exists() and other.exists()
    assert (tmp_path / "uit.xlsx").read_bytes() == b"PK"


def test_a_killed_writer_leaves_a_temporary_that_names_its_process(tmp_path):
    code = (
        "import os, signal; from kortools.files import atomic_path\n"
        f"with atomic_path(__import__('pathlib').Path({str(tmp_path / 'uit.csv')!r})):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], timeout=60)
    (left,) = tmp_path.glob(".uit.csv.*.tmp")
    atomic_write(tmp_path / "uit.csv", "a;b\n")
    assert not left.exists() and json.dumps(sorted(p.name for p in tmp_path.iterdir())) == '["uit.csv"]'
