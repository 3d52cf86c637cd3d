"""The report can be handed to a client (issue #22 item 4): no chart reaches a text, no text
leaves the page or runs over another, the comparison page only with variants, no English.

The pages are checked as laid out (matplotlib's own measures of every text and chart), and the
PDF is rendered by poppler's ``pdftoppm`` as a reader's viewer would (``make test`` installs it).
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import re
import shutil
import subprocess

import pypdf
import pytest

import kortools as kt
from kortools.ui.report import chart_extent, report, report_pages

EXAMPLES = sorted(kt.example_scenarios())


def text_boxes(figure):
    renderer = figure.canvas.get_renderer()
    inverse = figure.transFigure.inverted()
    return [
        (t.get_text(), t.get_window_extent(renderer).transformed(inverse))
        for t in figure.texts
        if t.get_text().strip()
    ]


def with_variant(name: str):
    scenario = kt.example_scenario(name)
    return scenario, [dataclasses.replace(scenario, name="Zonder KOR", kor_start_year=None)]


@pytest.mark.parametrize("variants", [False, True], ids=["alone", "with a variant"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_no_chart_crosses_a_text_and_no_text_leaves_the_page(name, variants):
    scenario, others = with_variant(name)
    pages = report_pages(scenario, variants=others if variants else ())
    for number, figure in enumerate(pages, start=1):
        figure.canvas.draw()
        texts = text_boxes(figure)
        for box, axes in figure.kt_chart_boxes:
            drawn = chart_extent(figure, axes)
            assert box.x0 - 1e-3 <= drawn.x0 and drawn.x1 <= box.x1 + 1e-3, (number, drawn, box)
            assert box.y0 - 1e-3 <= drawn.y0 and drawn.y1 <= box.y1 + 1e-3, (number, drawn, box)
            crossing = [t for t, b in texts if b.overlaps(box)]
            assert crossing == [], (number, crossing)
        for text, b in texts:
            assert b.x0 >= 0 and b.x1 <= 1 and b.y0 >= 0 and b.y1 <= 1, (number, text)
        for (t1, b1), (t2, b2) in itertools.combinations(texts, 2):
            # a text over another: their boxes share more than a sliver
            overlap = b1.intersection(b1, b2)
            assert overlap is None or overlap.height < 0.002 or overlap.width < 0.002, (number, t1, t2)
        # the page's number is its place in the report
        assert f"pagina {number}" in [t for t, _b in texts]


def test_the_comparison_page_is_there_only_with_variants():
    scenario, others = with_variant("kapper")

    def titles(pages):
        return [f.texts[2].get_text() for f in pages]  # header, page number, title

    assert not any("Varianten" in t for t in titles(report_pages(scenario)))
    assert "Varianten" in titles(report_pages(scenario, variants=others))


#: English a Dutch reader should not meet (sources' titles were English in places: issue #22)
ENGLISH = re.compile(r"\b(secondary|tables?|the|and|from|gives|official|assumption|source)\b", re.I)


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_report_is_dutch_and_its_assumptions_are_short(name):
    scenario, others = with_variant(name)
    data = report(scenario, variants=others)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert ENGLISH.findall(text) == []
    assumptions = text[text.index("Aannames en voorlopige cijfers") : text.index("Bronnen")]
    bullets = [line for line in assumptions.splitlines() if line.startswith("•")]
    result = kt.evaluate(scenario)
    # one line per figure: fewer lines than assumptions where a figure holds for several years
    assert 0 < len(bullets) <= len(result.assumptions)
    assert "geen officiële tekst gevonden" not in assumptions
    assert "http" not in text  # sources are links, not raw addresses


def test_every_page_renders_with_pdftoppm(tmp_path):
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            raise AssertionError("pdftoppm is missing: make test installs poppler-utils")
        pytest.skip("pdftoppm is not installed")
    scenario, others = with_variant("starter")
    data = report(scenario, variants=others)
    (tmp_path / "rapport.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "rapport.pdf", "page"], cwd=tmp_path, check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == len(pypdf.PdfReader(io.BytesIO(data)).pages) >= 3
    from PIL import Image

    for png in rendered:
        ink = Image.open(png).convert("L").point(lambda v: 255 if v < 200 else 0).getbbox()
        assert ink is not None  # something is printed on every page
