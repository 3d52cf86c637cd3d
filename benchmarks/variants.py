"""Slider speed with 4 variants pinned (issue "Compare scenarios"): target ≤ 0.15 s median.

Opens the KOR-verkenner in Chromium with 4 variants in the URL (the share link's
``variant=`` parameters), then moves the consumer-share slider 20 times: once with the
first tab shown (the variants are not redrawn) and once with the Varianten tab shown
(its chart and waterfall are redrawn with every change). Prints the time from the key
press to the first changed chart and to all visible charts changed, median (max).
Run: ``.venv/bin/python benchmarks/variants.py`` (about a minute).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard import CHANGES, FIRST_CHART, chart_sources  # noqa: E402
from voila_server import VoilaServer, launch_chromium  # noqa: E402

VARIANTS = "&".join(
    f"variant={name};kor_vanaf={year};omzet={turnover}"
    for name, year, turnover in (
        ("A", 2025, 15000),
        ("B", 2026, 16000),
        ("C", 2027, 17000),
        ("D", 2026, 12000),
    )
)


def changes(page, visible: int) -> tuple[list[float], list[float]]:
    first, all_ = [], []
    handle = page.locator(".noUi-handle").first
    for i in range(CHANGES):
        before = chart_sources(page)
        handle.focus()
        start = time.perf_counter()
        page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
        for n, out in ((1, first), (visible, all_)):
            page.wait_for_function(
                """([before, n]) => [...document.querySelectorAll('img')]
                    .filter(i => i.offsetParent !== null && i.naturalWidth > 100)
                    .map(i => i.src).filter(s => !before.includes(s)).length >= n""",
                arg=[before, n],
                timeout=30_000,
                polling=5,
            )
            out.append(time.perf_counter() - start)
        page.wait_for_timeout(300)
    return first, all_


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({max(times):.2f})"


def main() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, VoilaServer(directory="notebooks/") as server:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server.page_url("kor_verkenner.ipynb", VARIANTS), timeout=120_000)
        page.wait_for_function(FIRST_CHART, timeout=120_000)
        page.wait_for_timeout(1000)
        rows = {}
        rows["first tab shown (margin chart)"] = changes(page, 1)
        page.get_by_role("tab", name="Varianten").click()
        page.wait_for_function("() => document.querySelector('.kt-variants')?.dataset.count === '5'")
        page.wait_for_timeout(1000)
        rows["Varianten tab shown (margin, variants, waterfall)"] = changes(page, 3)
        browser.close()
    print(f"4 variants pinned, {CHANGES} slider changes each (target: first chart ≤ 0.15 s median)")
    for label, (first, all_) in rows.items():
        print(f"  {label:52} first chart {summary(first)}, all visible {summary(all_)}")


if __name__ == "__main__":
    main()
