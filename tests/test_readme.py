"""The README's and docs' examples run, and say what the model gives (issue #19: public names
keep working; issue #36 moved most of them from the README to docs/).

Every ```python block of the README and of docs/*.md is executed; a line ``expression  # 6000.0, 7260.0``
is checked: the expression's values equal the numbers in the comment to the precision the
README writes them (2470 to the euro, 41493.69 to the cent, 0.391 to a thousandth).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def blocks() -> list[str]:
    return [block for path in DOCS for block in BLOCK.findall(path.read_text(encoding="utf-8"))]


def claims(block: str) -> list[tuple[str, str]]:
    """(expression, literal) for each line ``expression  # literal (words...)``."""
    found = []
    for line in block.splitlines():
        if "  # " not in line or line.startswith((" ", "#")):
            continue
        code, comment = line.split("  # ", 1)
        # the figures, up to the words in brackets: "(rules/...)", "(+ = repay ...)"
        literal = re.split(r"\s+\((?=[^\d(])|;|\s{2,}", comment.strip(), maxsplit=1)[0].strip().rstrip(",")
        try:
            ast.parse(code, mode="eval")
            ast.literal_eval(literal)
        except (SyntaxError, ValueError):
            continue
        found.append((code, literal))
    return found


def matches(got, expected_text: str) -> bool:
    expected = ast.literal_eval(expected_text)
    if isinstance(expected, tuple):
        parts = [p.strip() for p in _split_top(expected_text)]
        return len(parts) == len(got) and all(matches(g, p) for g, p in zip(got, parts, strict=True))
    if isinstance(expected, bool | str):
        return got == expected
    decimals = len(expected_text.split(".")[1]) if "." in expected_text else 0
    return abs(float(got) - float(expected)) <= 0.5 * 10**-decimals + 1e-9


def _split_top(text: str) -> list[str]:
    """``960.0, 1920.0, (2026, 2027)`` → the top-level items."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and ast.literal_eval(text) == ast.literal_eval(text[1:-1]):
        text = text[1:-1]
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += 1 if char in "([" else -1 if char in ")]" else 0
        if char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]


def books_of_the_readme(folder: Path) -> None:
    """The two auditfiles the README's books example reads (written by our fixture writer)."""
    from auditfiles.writer import Ledger, purchase, sale, write

    for year in (2024, 2025):
        ledger = Ledger(
            company="Fietsenmaker Jansen", year=year, customers={"K1": ("Bouw BV", "NL0012B01", "")}
        )
        ledger.transactions = [
            sale(f"{year}-02-01", "8000", 9_000, "1", 21.0),
            sale(f"{year}-03-01", "8000", 3_000, "1", 21.0, customer="K1"),
            purchase(f"{year}-04-01", "0300", 4_000, 840, vat_line=False),
        ]
        write(ledger, folder / f"jansen-{year}.xaf")


@pytest.mark.parametrize("index", range(len(blocks())))
def test_a_readme_example_runs_and_its_figures_hold(index, tmp_path, monkeypatch):
    block = blocks()[index]
    if ".xaf" in block:  # the books example reads files: make them in a folder of its own
        books_of_the_readme(tmp_path)
        monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(block, f"README block {index}", "exec"), namespace)
    checked = 0
    for code, literal in claims(block):
        got = eval(code, namespace)
        assert matches(got, literal), (code, got, literal)
        checked += 1
    assert checked or not claims(block)


def test_the_readme_checks_figures():
    assert sum(len(claims(b)) for b in blocks()) >= 8  # the examples are checked, not only run


def test_the_readme_is_short_and_links_every_doc_once():
    # issue #36 item 4: what kortools answers, the two commands, a picture, the API in a
    # screen, where to go next; the rest in docs/, each linked once
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 12_000
    assert text.index("make dashboard") < text.index("```python")
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert text.count(f"](docs/{doc.name})") == 1, doc.name


def test_the_readme_opens_with_the_dashboard_and_the_report():
    # issue #35 item 7: look before you read; the pictures are kept small (docs/pictures.py)
    text = README.read_text(encoding="utf-8")
    first_section = text.split("\n## ", 1)[0]
    for name in ("dashboard.png", "report.png"):
        assert f'src="docs/img/{name}"' in first_section
        picture = ROOT / "docs" / "img" / name
        assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert picture.stat().st_size < 200_000
