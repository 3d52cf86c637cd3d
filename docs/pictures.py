"""Make the README's pictures (issue #35 item 7): the KOR-verkenner as a browser shows it
(Debian's Chromium, nl-NL, 1366 px wide) and the client report's first page, kept small.

Run ``make pictures`` (a Voila server and Chromium are started); ``pictures(folder)`` is
what ``tests/test_browser_adviser.py`` runs to check they can still be made.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

FOLDER = ROOT / "docs" / "img"
#: The picture's widths in pixels: what a README shows without zooming, in a few tens of KB.
DASHBOARD_WIDTH, REPORT_WIDTH = 960, 420


def small_png(image, width: int) -> bytes:
    """``image`` (PIL) scaled to ``width`` and reduced to 128 colours: a README picture."""
    from PIL import Image

    height = round(image.height * width / image.width)
    scaled = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    scaled.quantize(128).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def report_picture(folder: Path) -> Path:
    """The example client's report, page 1."""
    import pypdfium2

    import kortools as kt

    document = pypdfium2.PdfDocument(kt.report(kt.example_scenario("kapper")))
    path = folder / "report.png"
    path.write_bytes(small_png(document[0].render(scale=1.5).to_pil(), REPORT_WIDTH))
    return path


def dashboard_picture(folder: Path, page_url: str, browser) -> Path:
    """The KOR-verkenner on the example client, the top of the page at 1366 × 900."""
    from PIL import Image
    from voila_server import LIVE_CHART

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(page_url, timeout=120_000)
        page.wait_for_function(LIVE_CHART, timeout=120_000)
        page.wait_for_timeout(500)  # the last chart painted
        shot = Image.open(io.BytesIO(page.screenshot()))
    finally:
        context.close()
    path = folder / "dashboard.png"
    path.write_bytes(small_png(shot, DASHBOARD_WIDTH))
    return path


def pictures(folder: Path = FOLDER) -> list[Path]:
    """Both pictures into ``folder``, with a Voila server and Chromium of their own."""
    from playwright.sync_api import sync_playwright
    from voila_server import VoilaServer, launch_chromium

    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KORTOOLS_TODAY", "2026-12-01")  # the pictures' day: the tests' own
    server = VoilaServer(env={"KORTOOLS_TODAY": os.environ["KORTOOLS_TODAY"]}).start()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                made = [dashboard_picture(folder, server.page_url("kor_verkenner.ipynb"), browser)]
            finally:
                browser.close()
    finally:
        server.stop()
    return [*made, report_picture(folder)]


if __name__ == "__main__":
    for path in pictures():
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")
