"""An adviser's hour in Chromium (issue #35): nothing typed is misread in silence, and the case
survives a reload, Back and a link to another dashboard (nl-NL, Debian's Chromium).

Runs in CI (``make test``); never skipped there.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from test_browser import LOAD_TIMEOUT, assert_no_traceback, load

import kortools as kt

pytestmark = pytest.mark.browser


def typed(page, name: str, text: str) -> None:
    """Type ``text`` into field ``name`` as a person does (select, type, Tab away)."""
    field = page.locator(f".kt-field-{name} input")
    field.fill(text)
    field.press("Tab")


def label_of(page, name: str) -> str:
    """The text of field ``name``'s label with its error or what was read."""
    return page.locator(f".kt-field-{name}").locator("xpath=preceding-sibling::*[1]").inner_text()


def wait_for_label(page, name: str, words: str) -> None:
    page.wait_for_function(
        """([name, words]) => {
             const control = document.querySelector('.kt-field-' + name);
             const label = control && control.previousElementSibling;
             return label && label.innerText.includes(words);
           }""",
        arg=[name, words],
        timeout=20_000,
    )


def wait_for_address(page, name: str, value: str) -> None:
    """Wait until the address bar's query has ``name=value`` (history.replaceState)."""
    script = "([n, v]) => new URLSearchParams(location.search).get(n) === v"
    page.wait_for_function(script, arg=[name, value], timeout=20_000)


def query_in_address_bar(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query, keep_blank_values=True)


def test_growth_and_percentages_are_read_as_a_dutch_adviser_means_them(page, voila, output_dir):
    load(page, voila, "kor_verkenner.ipynb")
    # Groei "3,5" is 3,5 % (a number input read it as 35 %: the turnover then crossed the
    # threshold and the KOR was blocked)
    typed(page, "groei", "3,5")
    wait_for_address(page, "groei", "3,5")
    assert "kt-read" not in page.locator(".kt-controls").inner_html().split("kt-field-groei")[0][-300:]
    for text in ("3,5 %", "3,5%"):
        typed(page, "groei", text)
        wait_for_label(page, "groei", "= 3,5%")
        assert query_in_address_bar(page)["groei"] == ["3,5"]
    # an emptied hours field is refused in Dutch, not silently 1.225
    typed(page, "uren", "")
    wait_for_label(page, "uren", "vul een heel getal in")
    # a turnover below € 100 where thousands are usual: read as typed, and questioned
    typed(page, "omzet", "16,5")
    wait_for_label(page, "omzet", "bedoelt u € 16.500?")
    assert "= € 16,50" in label_of(page, "omzet")
    # the slider's readout shows the share but is not typed into (it read "9,5" as 9)
    readout = page.locator(".kt-field-consumenten .widget-readout")
    assert readout.get_attribute("contenteditable") == "false"
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "adviser_misreads.png", full_page=True)


def test_percent_signs_in_the_link_are_read(page, voila):
    load(page, voila, "kor_verkenner.ipynb", "consumenten=90%25&groei=3%25&btw=21%25")
    assert page.locator(".kt-field-consumenten .widget-readout").inner_text().strip() == "90"
    assert page.locator(".kt-field-groei input").input_value() == "3"
    assert "kt-error" not in page.locator(".kt-controls").inner_html()


def test_the_case_survives_a_reload_back_and_the_other_dashboards(page, voila, output_dir):
    load(page, voila, "kor_verkenner.ipynb")
    typed(page, "omzet", "18.000")
    typed(page, "uren", "1400")
    typed(page, "groei", "2,5")
    wait_for_address(page, "omzet", "18000")
    wait_for_address(page, "groei", "2,5")
    gain = page.locator(".kt-gain").get_attribute("data-gain")
    address = page.url

    # a reload: the same case (the address bar held it)
    page.reload(timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".kt-main .kt-gain", timeout=LOAD_TIMEOUT)
    assert page.locator(".kt-field-omzet input").input_value() == "18.000"
    assert page.locator(".kt-field-groei input").input_value() == "2,5"
    assert page.locator(".kt-gain").get_attribute("data-gain") == gain

    # the link to Aftrekposten carries the hours; the one to Herziening the investment
    page.locator("nav.kt-nav a", has_text="Aftrekposten").last.click()
    page.wait_for_selector(".kt-main .kt-table", timeout=LOAD_TIMEOUT)
    assert query_in_address_bar(page)["uren"] == ["1400"]
    readouts = page.locator(".widget-readout")
    assert "1400" in [readouts.nth(i).inner_text().strip() for i in range(readouts.count())]

    # Back: the case is still there
    page.go_back(timeout=LOAD_TIMEOUT)
    page.wait_for_selector(".kt-main .kt-gain", timeout=LOAD_TIMEOUT)
    assert page.url == address or query_in_address_bar(page)["omzet"] == ["18000"]
    assert page.locator(".kt-field-omzet input").input_value() == "18.000"
    assert page.locator(".kt-gain").get_attribute("data-gain") == gain

    page.locator("nav.kt-nav a", has_text="Herziening").last.click()
    page.wait_for_selector(".kt-main .kt-herziening-total", timeout=LOAD_TIMEOUT)
    # the kapper's chair: € 420 VAT, first used 2024 (data/scenarios/kapper.yaml), a KOR from
    # 2026 (the examples move with today: kt.example_scenario)
    kapper = kt.example_scenario("kapper")
    (chair,) = kapper.assets
    shared = query_in_address_bar(page)
    assert shared["jaar_1"] == [str(chair.first_use_year)] and shared["btw_1"] == [f"{chair.vat:g}"]
    assert page.locator(".kt-field-btw_1 input").input_value() == f"{chair.vat:g}"
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "adviser_herziening_from_link.png", full_page=True)


def test_the_readme_pictures_are_made_from_the_served_dashboard(voila, browser, tmp_path):
    # issue #35 item 7: the README's pictures come from here (make pictures writes docs/img/)
    import importlib.util

    from voila_server import ROOT

    spec = importlib.util.spec_from_file_location("pictures", ROOT / "docs" / "pictures.py")
    assert spec is not None and spec.loader is not None
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    made = [
        pictures.dashboard_picture(tmp_path, voila.page_url("kor_verkenner.ipynb"), browser),
        pictures.report_picture(tmp_path),
    ]
    from PIL import Image

    for path, width in zip(made, (pictures.DASHBOARD_WIDTH, pictures.REPORT_WIDTH), strict=True):
        with Image.open(path) as image:
            assert image.width == width and image.height > width / 2
        assert path.stat().st_size < 200_000
