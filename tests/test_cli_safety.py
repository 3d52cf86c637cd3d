"""Inputs are never changed and every failure is one Dutch line (issue #18, items 4 and 5).

Each CLI case: exit code, the Dutch line, no traceback, and every input byte for byte as
it was. The files an office opens are inert: hostile client names are read back with
openpyxl as plain text cells, and the CSV's text cells cannot run.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from kortools import cli
from kortools.parameters import data_dir
from kortools.portfolio_files import MAX_XLSX_UNPACKED, inert_cell

EXAMPLE = data_dir() / "portfolio" / "klanten.csv"
SCENARIO = data_dir() / "scenarios" / "kapper.yaml"
HOSTILE_NAMES = [
    '=HYPERLINK("http://example.invalid/","klik")',
    "+31 6 1234",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTab BV",
    "\rCR BV",
    "http://example.invalid/",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(argv: list[str], capsys) -> tuple[int, str]:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()[-1]


@pytest.fixture
def clients(tmp_path) -> Path:
    path = tmp_path / "klanten.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "kapper.yaml"
    path.write_bytes(SCENARIO.read_bytes())
    return path


def unchanged_after(argv: list[str], inputs: list[Path], capsys) -> tuple[int, str]:
    before = [digest(p) for p in inputs]
    code, line = run(argv, capsys)
    assert [digest(p) for p in inputs] == before
    return code, line


def test_report_refuses_its_own_input_as_output(scenario, capsys):
    code, line = unchanged_after(["report", str(scenario), "--out", str(scenario)], [scenario], capsys)
    assert code == 2 and line == f"kortools: fout: --out {scenario}: kies een bestandsnaam op .pdf"


def test_compare_refuses_an_input_as_output(scenario, tmp_path, capsys):
    other = tmp_path / "b.yaml"
    other.write_text(scenario.read_text().replace("name:", "name: B", 1))
    code, line = unchanged_after(
        ["compare", str(scenario), str(other), "--out", str(other)], [scenario, other], capsys
    )
    assert code == 2 and "kies een bestandsnaam op .xlsx of .pdf" in line


def test_portfolio_refuses_an_output_whose_errors_file_is_the_input(tmp_path, capsys):
    source = tmp_path / "x.fouten.csv"
    source.write_bytes(EXAMPLE.read_bytes())
    argv = ["portfolio", str(source), "--out", str(tmp_path / "x.csv"), "--quiet"]
    code, line = unchanged_after(argv, [source], capsys)
    assert code == 2 and "x.fouten.csv worden geschreven, en dat is een invoerbestand" in line
    assert not (tmp_path / "x.csv").exists()


def test_portfolio_refuses_the_input_as_output(clients, capsys):
    code, line = unchanged_after(
        ["portfolio", str(clients), "--out", str(clients), "--quiet"], [clients], capsys
    )
    assert code == 2 and "is een invoerbestand" in line


def test_an_output_that_is_a_folder_is_refused(scenario, tmp_path, capsys):
    code, line = unchanged_after(["report", str(scenario), "--out", str(tmp_path)], [scenario], capsys)
    assert code == 2 and line.endswith("is een map; geef een bestandsnaam")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"klant;omzet\n\x81\x8d;1\n", "is geen tekstbestand in UTF-8 of Windows-1252"),
        (
            EXAMPLE.read_bytes().split(b"\n")[0] + b"\n",
            "het bestand bevat geen klanten (alleen een kopregel)",
        ),
    ],
    ids=["undecodable", "header-only"],
)
def test_a_bad_client_file_is_one_dutch_line(tmp_path, capsys, content, expected):
    source = tmp_path / "klanten.csv"
    source.write_bytes(content)
    argv = ["portfolio", str(source), "--out", str(tmp_path / "a.xlsx"), "--quiet"]
    code, line = unchanged_after(argv, [source], capsys)
    assert code == 2 and expected in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"name": {"a": [1, 2]}, "first_year": 2026, "last_year": 2030, "consumer_sales": 1, '
            '"business_sales": 0, "costs_with_vat": 0}',
            "name: vul een tekst in van ten hoogste 120 tekens.",
        ),
        ("[1, 2]", "het scenariobestand moet velden met hun waarde bevatten"),
        ('{"naam": "x"}', "onbekende velden in het scenariobestand: naam"),
    ],
    ids=["nested", "list", "unknown"],
)
def test_a_bad_scenario_file_is_one_dutch_line(tmp_path, capsys, text, expected):
    source = tmp_path / "s.json"
    source.write_text(text)
    code, line = unchanged_after(["report", str(source), "--out", str(tmp_path / "s.pdf")], [source], capsys)
    assert code == 2 and expected in line


def test_a_workbook_that_unpacks_too_far_is_refused_before_reading(tmp_path, capsys):
    bomb = tmp_path / "klanten.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (MAX_XLSX_UNPACKED + 1))
    assert bomb.stat().st_size < 1_000_000  # ~200 kB on disk
    code, line = unchanged_after(
        ["portfolio", str(bomb), "--out", str(tmp_path / "a.xlsx"), "--quiet"], [bomb], capsys
    )
    assert code == 2 and "pakt uit tot 200 MB; ten hoogste 200 MB" in line


def test_usage_errors_are_dutch(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "x.yaml", "--out", "y.pdf", "--quiet"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip().endswith("kortools: fout: onbekende argumenten: --quiet")


def hostile_clients(tmp_path) -> Path:
    lines = EXAMPLE.read_text().splitlines()
    rows = [lines[0]] + [
        f'"{name.replace(chr(34), chr(34) * 2)}",' + lines[1].split(",", 1)[1] for name in HOSTILE_NAMES
    ]
    source = tmp_path / "klanten.csv"
    source.write_text("\n".join(rows) + "\n")
    return source


def test_hostile_names_are_plain_text_in_the_workbook(tmp_path, capsys):
    out = tmp_path / "advies.xlsx"
    code, _ = run(["portfolio", str(hostile_clients(tmp_path)), "--out", str(out), "--quiet"], capsys)
    assert code == 0
    book = openpyxl.load_workbook(out)
    sheet = book["advies"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]  # Regel, Klant, ...
    assert sorted(names) == sorted(n.strip() for n in HOSTILE_NAMES)  # names are read stripped
    for cell in (c for row in sheet.iter_rows() for c in row):
        assert cell.data_type != "f", cell.coordinate  # no formula anywhere
        assert cell.hyperlink is None, cell.coordinate
    assert all(c.data_type == "s" for c in sheet["B"][1:])


def test_hostile_names_cannot_run_in_the_csv(tmp_path, capsys):
    out = tmp_path / "advies.csv"
    code, _ = run(["portfolio", str(hostile_clients(tmp_path)), "--out", str(out), "--quiet"], capsys)
    assert code == 0
    import csv

    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    names = [row[1] for row in rows[1:]]  # regel, klant, ...
    # OWASP: a cell starting with = + - @, tab or CR gets a leading apostrophe
    assert sorted(names) == sorted(inert_cell(n.strip()) for n in HOSTILE_NAMES)
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row if cell)


def test_compare_workbook_names_are_plain_text(scenario, tmp_path, capsys):
    hostile = tmp_path / "h.yaml"
    hostile.write_text(scenario.read_text().replace("name: ", "name: '=1+1' #", 1))
    out = tmp_path / "v.xlsx"
    code, _ = run(["compare", str(scenario), str(hostile), "--out", str(out)], capsys)
    assert code == 0
    book = openpyxl.load_workbook(out)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert "=1+1" in [c.value for c in cells] and not any(c.data_type == "f" for c in cells)


def first_character(stream, seconds: float) -> str:
    """The first character a process writes to ``stream``, waited for at most ``seconds``."""
    pool = ThreadPoolExecutor(1)
    try:
        return pool.submit(stream.read, 1).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)  # a read still waiting ends with the process


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_says_so_and_leaves_no_temporary_file(tmp_path, signum):
    lines = EXAMPLE.read_text().splitlines()
    source = tmp_path / "klanten.csv"
    source.write_text("\n".join([lines[0], *lines[1:] * 40_000]) + "\n")  # 320,000 clients
    before = digest(source)
    process = subprocess.Popen(
        [sys.executable, "-m", "kortools.cli", "portfolio", str(source), "--out", str(tmp_path / "a.xlsx")],
        stderr=subprocess.PIPE,
        text=True,
    )
    first = first_character(process.stderr, 60)  # the progress bar: reading has begun
    assert first and process.poll() is None, "the run ended before it could be stopped"
    os.kill(process.pid, signum)
    _, rest = process.communicate(timeout=60)
    err = first + rest
    assert process.returncode == 130
    assert err.strip().splitlines()[-1].endswith("kortools: afgebroken; er is niets geschreven")
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["klanten.csv"]
    assert digest(source) == before
