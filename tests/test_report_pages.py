"""Every page of the client PDFs, as the PDF itself has it (pypdfium2's text boxes), for the
example clients and a case with five variants and a long name (issue #35 item 5): no text
leaves the page, no page is a heading with a line or two alone, "€" never ends a line and
the assumptions are wrapped, not cut."""

from __future__ import annotations

import dataclasses
from functools import cache

import pypdfium2 as pdfium
import pytest

import kortools as kt
from kortools.ui.report import report

LONG_NAME = (
    "Kapsalon Anna van der Berg-Vermeulen en Zonen Haarmode & Schoonheidsspecialisten "
    "(vestiging Amersfoort-Centrum)"
)
POLICIES = ("keep_consumer_prices", "keep_net_prices", "keep_margin") * 2


@cache
def pdf_of(case: str) -> bytes:
    if case != "vijf varianten":
        return report(kt.example_scenario(case))
    s = dataclasses.replace(kt.example_scenario("kapper"), name=LONG_NAME)
    variants = [
        dataclasses.replace(s, name=f"Variant {i} met een wat langere naam", policy=policy)
        for i, policy in enumerate(POLICIES[:5], start=1)
    ]
    return report(s, variants=variants)


CASES = [*kt.example_scenarios(), "vijf varianten"]


def pages_of(data: bytes):
    """(width, height, text boxes, text) of every page."""
    document = pdfium.PdfDocument(data)
    pages = []
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        boxes = [text.get_rect(i) for i in range(text.count_rects())]
        pages.append((width, height, boxes, text.get_text_range()))
    return pages


@pytest.mark.parametrize("case", CASES)
def test_no_text_leaves_the_page(case):
    for number, (width, height, boxes, _text) in enumerate(pages_of(pdf_of(case)), start=1):
        assert boxes, (case, number)
        for left, bottom, right, top in boxes:
            assert left >= 0 and right <= width and bottom >= 0 and top <= height, (case, number)


@pytest.mark.parametrize("case", CASES)
def test_no_page_but_the_last_is_nearly_empty(case):
    # a page ends only when the next thing does not fit, or a new chapter starts with room
    # used: its text (tables, charts' labels) reaches below its upper third
    pages = pages_of(pdf_of(case))
    for number, (_width, height, boxes, _text) in enumerate(pages[:-1], start=1):
        lowest = min(bottom for _left, bottom, _right, _top in boxes)
        assert lowest < height * 2 / 3, (case, number)


@pytest.mark.parametrize("case", CASES)
def test_an_amount_stays_with_its_euro_sign_and_nothing_is_cut(case):
    text = "\n".join(t for *_rest, t in pages_of(pdf_of(case)))
    lines = [line.strip() for line in text.splitlines()]
    assert not [line for line in lines if line.endswith("€")]
    assumptions = text[text.index("Aannames en voorlopige cijfers") :]
    assert "…" not in assumptions.split("Bronnen")[0]  # wrapped, not cut


def test_the_long_client_name_is_whole_in_the_title():
    first = pages_of(pdf_of("vijf varianten"))[0][3]
    flat = " ".join(first.split())
    assert f"KOR-advies voor {LONG_NAME}" in flat
