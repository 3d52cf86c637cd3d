"""The answer in the page's HTML before the widgets are built (kortools/ui/first_paint.py):
the same values the dashboard's first outputs show, written once under Voila."""

from __future__ import annotations

import base64
import re

import ipywidgets as w
import pytest

from kortools.ui import app as ui
from kortools.ui.first_paint import PREVIEW_METADATA, first_paint_html

DASHBOARDS = {
    "kor_verkenner": lambda: ui.kor_verkenner("kapper", query=""),
    "herziening_app": lambda: ui.herziening_app(query=""),
    "aftrekposten_app": lambda: ui.aftrekposten_app(query=""),
}


@pytest.mark.parametrize("name", DASHBOARDS)
def test_the_preview_shows_what_the_dashboards_first_outputs_show(name):
    app = DASHBOARDS[name]()
    app.widget  # noqa: B018 - lays out the page: the first outputs are declared there
    assert app.first_outputs, "a dashboard declares what a phone shows first"
    html = first_paint_html(app.first_outputs)
    for output in app.first_outputs:
        if isinstance(output, w.HTML) and output.value:
            assert output.value in html
        if isinstance(output, w.Image) and output.value:
            # the same PNG bytes, with the chart's figures in words as alt
            assert base64.b64encode(output.value).decode() in html
            assert f'alt="{output.tooltip}"' in html or output.tooltip is None


def test_the_verkenners_preview_holds_the_verdict_and_the_margin_chart():
    app = DASHBOARDS["kor_verkenner"]()
    app.widget  # noqa: B018
    html = first_paint_html(app.first_outputs)
    assert app.headline.value and app.headline.value in html
    images = re.findall(r'<img class="kt-preview-chart" alt="([^"]*)"', html)
    assert images == [app.margin_chart.tooltip]  # the first chart, once
    assert 'aria-hidden="true"' in html  # a screen reader hears the dashboard's own verdict


def test_widgets_other_than_text_and_images_are_left_out():
    outputs = [w.HTML("<b>ja</b>"), w.IntSlider(5), w.HTML(""), w.Image(value=b"", format="png")]
    preview = first_paint_html(outputs).split('<div class="kt-preview"', 1)[1]
    assert preview == ' aria-hidden="true"><div><b>ja</b></div></div>'  # one part: the text


def test_under_voila_the_preview_is_displayed_before_the_dashboard(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append((obj, kw)))
    app = DASHBOARDS["kor_verkenner"]()
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    app.show()  # not under Voila: the dashboard only
    assert [obj for obj, _ in shown] == [app.widget]
    shown.clear()
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    app.show()
    (preview, preview_kw), (page, _) = shown
    assert preview_kw == {"metadata": PREVIEW_METADATA}
    assert preview.data == first_paint_html(app.first_outputs) and page is app.widget
