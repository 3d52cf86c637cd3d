"""The answer in the page's HTML, before the browser has built the widgets (issue #22 item 3).

A dashboard of about 135 widget models takes the browser a second or more to build after
Voila's scripts have loaded; until then the visitor sees Voila's spinner. The outputs a
phone shows first (``kt-first``: the verdict, the threshold bar, the first chart) are
also written into the page as plain HTML: the kortools template takes it out of Voila's
hidden cells, shows it below the spinner and removes it when the dashboard (``.kt-main``)
is there. The same widget values, not a second computation: what the dashboard shows,
drawn earlier.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from html import escape

import ipywidgets as w

from kortools.ui.text import STYLE

# the display's metadata that tells the kortools template to write the HTML into the page
PREVIEW_METADATA = {"kortools_preview": True}
PREVIEW_STYLE = """<style>
.kt-preview { width: min(640px, calc(100vw - 24px)); margin: 12px auto 0; text-align: left;
  font-family: var(--jp-ui-font-family, sans-serif); }
.kt-preview img { width: 100%; height: auto; }
</style>"""


def image_html(image: w.Image) -> str:
    """An image widget's PNG as an ``<img>`` with its words (the tooltip) as ``alt``."""
    data = base64.b64encode(image.value).decode("ascii")
    alt = escape(getattr(image, "tooltip", None) or "", quote=True)
    return f'<img class="kt-preview-chart" alt="{alt}" src="data:image/{image.format};base64,{data}">'


def first_paint_html(outputs: Iterable[w.Widget]) -> str:
    """``outputs`` (HTML and image widgets; others are left out) as one block of HTML."""
    parts = []
    for output in outputs:
        if isinstance(output, w.Image) and output.value:
            parts.append(image_html(output))
        elif isinstance(output, w.HTML) and output.value:
            parts.append(f"<div>{output.value}</div>")
    # aria-hidden: a screen reader hears the dashboard's own verdict (aria-live) once it is there
    return f'{STYLE}{PREVIEW_STYLE}<div class="kt-preview" aria-hidden="true">{"".join(parts)}</div>'
