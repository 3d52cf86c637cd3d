"""A page for everyone (issue #22 items 1 and 2): axe-core's WCAG 2.1 A/AA rules on every
dashboard and the busy page, the keyboard-only path, the focus ring, the charts' words, and
the phone layout at 390 px (the answer first, nothing wider than the screen).

axe-core comes from the npm registry at the version pinned in tests/a11y/package.json
(``make test`` installs it, like Chromium); these tests never skip in CI.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import jinja2
import pytest
from test_browser import load

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DASHBOARDS = ["kor_verkenner.ipynb", "herziening.ipynb", "aftrekposten.ipynb"]
STATIC_PAGES = [
    ROOT / "share" / "jupyter" / "voila" / "templates" / "kortools" / "503.html",
    ROOT / "kortools" / "serving" / "kortools-onbereikbaar.html",
    ROOT / "kortools" / "serving" / "kortools-wachtwoord.html",
]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"{AXE} is missing: make test installs axe-core (npm ci in tests/a11y)")
        pytest.skip("axe-core is not installed (make test installs it)")
    return AXE.read_text()


def axe_violations(page, axe_source: str) -> list[str]:
    """The critical and serious WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
            .filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => `${v.impact} ${v.id} x${v.nodes.length}: ${v.nodes[0].html.slice(0, 120)}`)""",
        WCAG_AA,
    )
    return found


#: the charts each tab shows once rendered (its widgets are made when it is first opened)
TAB_CHARTS = {"Omslagpunt": 1, "Netto-inkomen": 1, "Herziening": 1, "Meerdere jaren": 1, "Varianten": 2}
#: every chart on screen is drawn and has its words, and there are at least ``n`` (the render is done)
CHARTS_DRAWN = """(n) => {
    const shown = [...document.querySelectorAll('img.kt-chart')].filter(i => i.offsetParent);
    return shown.length >= n && shown.every(i => i.naturalWidth > 0 && i.alt); }"""


def tab_titles(page):
    return page.locator(".lm-TabBar-tab")


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("notebook", DASHBOARDS)
def test_axe_finds_no_critical_or_serious_violation(page, voila, axe_source, notebook, width):
    page.set_viewport_size({"width": width, "height": 900})
    load(page, voila, notebook)
    problems = axe_violations(page, axe_source)
    tabs = tab_titles(page)
    for i in range(tabs.count()):  # every tab's content, as shown when chosen
        tabs.nth(i).click()
        expected = TAB_CHARTS.get(tabs.nth(i).inner_text().strip(), 0) + 1  # + the margin chart
        page.wait_for_function(CHARTS_DRAWN, arg=expected, timeout=30_000)
        page.wait_for_timeout(300)  # the tab's text beside its charts
        problems += [f"tab {i}: {p}" for p in axe_violations(page, axe_source)]
    assert problems == []
    assert page.evaluate("() => document.documentElement.lang") == "nl"


@pytest.mark.parametrize("path", STATIC_PAGES, ids=lambda p: p.name)
def test_the_busy_and_error_pages_pass_axe(page, axe_source, path):
    html = jinja2.Template(path.read_text()).render(exception={"retry_after": 60})
    page.set_content(html)
    assert axe_violations(page, axe_source) == []


def test_headings_are_in_order_and_charts_say_their_figures(page, voila):
    load(page, voila, "kor_verkenner.ipynb")
    levels = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4')].map(h => +h.tagName[1])")
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    # the example client: margin € 12.800 regular, € 13.760 with the KOR, € 960 gain (tests/test_browser)
    page.wait_for_function("() => document.querySelector('img.kt-chart').alt.length > 0")
    alt = page.locator("img.kt-chart").first.get_attribute("alt")
    assert alt == "Marge 2026: KOR-voordeel € 960; € 12.800 gewoon, € 13.760 met KOR."
    assert page.locator(".kt-live").first.get_attribute("aria-live") == "polite"


def contrast(rgb: str) -> float:
    """WCAG contrast ratio of an ``rgb(r, g, b)`` colour against white."""
    channels = [int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  const field = e.closest('[class*="kt-field-"]');
  return {field: field ? [...field.classList].find(c => c.startsWith('kt-field-')) : null,
          tag: e.tagName, role: e.getAttribute('role'), tab: e.classList.contains('lm-TabBar-tab'),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth), colour: s.outlineColor}; }"""


def test_the_keyboard_reaches_every_control_with_a_visible_ring(page, voila):
    """Tab to every control (each with a ring of at least 3:1), arrows on the slider, Enter on a tab."""
    load(page, voila, "kor_verkenner.ipynb")
    fields = set(
        page.evaluate(
            """() => [...document.querySelectorAll('[class*="kt-field-"]')].filter(e => e.offsetParent)
                .map(e => [...e.classList].find(c => c.startsWith('kt-field-')))"""
        )
    )
    reached, rings, tab_focused = set(), [], False
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["field"]:
            reached.add(focused["field"])
        if focused["tag"] != "BODY":
            rings.append(focused)
        if focused["tab"]:
            tab_focused = True
            break
    assert fields - reached == set()
    visible = [r["outline"] != "none" and r["width"] >= 2 and contrast(r["colour"]) >= 3 for r in rings]
    assert all(visible), rings
    assert tab_focused  # the tab bar is reached after the controls
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_selector(".lm-TabBar-tab.lm-mod-current >> text=Netto-inkomen", timeout=10_000)

    before = float(page.locator(".kt-gain").get_attribute("data-gain"))
    handle = page.locator(".kt-field-consumenten .noUi-handle")
    handle.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")  # 100 % → 90 % consumers: less gain
    less = f"() => +document.querySelector('.kt-gain').dataset.gain < {before}"
    page.wait_for_function(less, timeout=30_000)
    assert handle.get_attribute("aria-label") == "Aandeel consumenten"


OVERFLOW = """() => [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      && !e.closest('.kt-named > .widget-label') && !e.closest('.kt-table-wrap')
      && (r.right > window.innerWidth + 1 || r.left < -1);
  }).map(e => e.tagName + '.' + String(e.className).slice(0, 60))"""

TRUNCATED_TABS = """() => [...document.querySelectorAll('.lm-TabBar-tabLabel')]
    .filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.textContent)"""


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("notebook", DASHBOARDS)
def test_nothing_is_wider_than_the_screen(page, voila, output_dir, notebook, width):
    page.set_viewport_size({"width": width, "height": 900})
    load(page, voila, notebook)
    assert page.evaluate(OVERFLOW) == []
    assert page.evaluate(TRUNCATED_TABS) == []
    page.screenshot(path=output_dir / f"a11y-{notebook.removesuffix('.ipynb')}-{width}.png")


def test_on_a_phone_the_answer_comes_before_the_inputs(page, voila):
    page.set_viewport_size({"width": 390, "height": 844})
    load(page, voila, "kor_verkenner.ipynb")
    top = page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().top", ".kt-verdict")
    first_input = page.evaluate("() => document.querySelector('.kt-controls').getBoundingClientRect().top")
    chart = page.evaluate("() => document.querySelector('img.kt-chart').getBoundingClientRect().bottom")
    bar = page.evaluate("() => document.querySelector('.kt-bar').getBoundingClientRect().top")
    assert top < bar < chart <= first_input + 1


def test_the_answers_preview_is_gone_once_the_dashboard_is_there(page, voila):
    # kortools/ui/first_paint.py: drawn before the widgets, removed when they are built, so
    # the page holds one verdict (a screen reader, a test's query, the keyboard see that one)
    load(page, voila, "kor_verkenner.ipynb")
    assert page.locator(".kt-main").count() == 1
    assert page.locator(".kt-preview-slot").count() == 0
    assert page.locator(".kt-verdict").count() == 1
