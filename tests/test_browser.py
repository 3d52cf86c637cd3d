"""The served dashboard in headless Chromium (Playwright, Debian's /usr/bin/chromium).

Runs in CI (``make test``); never skipped there. Screenshots go to test-output/.
"""

from __future__ import annotations

import re

import pytest
from voila_server import LIVE_CHART

import kortools as kt
from kortools.money import format_euro, to_cents

pytestmark = pytest.mark.browser

LEAKS = re.compile(r"Traceback|RuntimeError|Exception|File \"|site-packages|/work/|\.py\b|InputError")
LOAD_TIMEOUT = 90_000  # ms; a cold kernel on a busy 2-core machine


def load(page, voila, notebook: str, query: str = "", wait_for: str | None = None) -> None:
    """Open a dashboard and wait for its first chart (or for the ``wait_for`` selector); the
    KOR-verkenner on the example client unless the query says otherwise (``page_url``)."""
    page.goto(voila.page_url(notebook, query), timeout=LOAD_TIMEOUT)
    if wait_for:
        # the dashboard's own (the answer's HTML preview, drawn before the widgets, has the
        # same classes: kortools/ui/first_paint.py)
        page.wait_for_selector(f".kt-main {wait_for}", timeout=LOAD_TIMEOUT)
        return
    page.wait_for_function(LIVE_CHART, timeout=LOAD_TIMEOUT)


def body_text(page) -> str:
    return page.inner_text("body")


def assert_no_traceback(page) -> None:
    text = body_text(page)
    assert not LEAKS.search(text), LEAKS.search(text)


def gain(page) -> float:
    return float(page.locator(".kt-gain").get_attribute("data-gain"))


def kapper_gain(share: float, policy: str = "keep_consumer_prices", vat: float = 0.09, turnover=16500):
    """The model's 2026 margin gain for the default scenario with another consumer share."""
    r = kt.compare_margin(turnover * share, turnover * (1 - share), 2500, 1200, vat, 0.21, policy, 2026)
    return to_cents(r.gain)


@pytest.mark.parametrize(
    ("notebook", "marker"),
    [
        ("kor_verkenner.ipynb", ".kt-gain"),
        ("herziening.ipynb", ".kt-herziening-total"),
        ("aftrekposten.ipynb", ".kt-table"),
    ],
)
def test_each_dashboard_renders_without_code_or_traceback(page, voila, output_dir, notebook, marker):
    load(page, voila, notebook)
    assert page.locator(marker).count() >= 1
    text = body_text(page)
    assert "from kortools" not in text and "app.show()" not in text  # no source code shown
    assert_no_traceback(page)
    page.screenshot(path=output_dir / f"{notebook.removesuffix('.ipynb')}.png", full_page=True)


@pytest.mark.parametrize("notebook", ["kor_verkenner.ipynb", "herziening.ipynb", "aftrekposten.ipynb"])
def test_a_dashboard_asks_nothing_of_another_site(page, voila, notebook):
    """Every request of the page goes to our server: no CDN learns a visitor's address
    (Voila's lab template linked Font Awesome from cdn.jsdelivr.net)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    load(page, voila, notebook)
    if notebook == "kor_verkenner.ipynb":  # the report and the tabs load more
        page.get_by_role("tab", name="Herziening").click()
        page.wait_for_timeout(500)
    ours = (voila.url, voila.url.replace("http", "ws"), "blob:", "data:")  # blob/data: in the page
    elsewhere = [u for u in requests if not u.startswith(ours)]
    assert requests and elsewhere == []


def test_herziening_dashboard_shows_the_model_total(page, voila):
    load(page, voila, "herziening.ipynb")
    # starter scenario: machine first used 2025, VAT 4,200, KOR from 2026 → 840 × 4 = 3,360
    assert page.locator(".kt-herziening-total").get_attribute("data-total") == "3360.00"


def test_slider_moves_the_gain_to_the_models_value(page, voila, output_dir):
    load(page, voila, "kor_verkenner.ipynb")
    assert gain(page) == kapper_gain(1.0) == 960.00
    chart_before = page.locator("img").nth(0).get_attribute("src")
    page.locator(".noUi-handle").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => document.querySelector('.widget-readout').innerText.trim() === '95'")
    expected = kapper_gain(0.95)  # 0.09 × 15,675 − 0.21 × 2,500 = 885.75
    assert expected == 885.75
    page.wait_for_function(f"() => document.querySelector('.kt-gain').dataset.gain === '{expected:.2f}'")
    page.wait_for_function("(before) => document.querySelectorAll('img')[0].src !== before", arg=chart_before)
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "kor_verkenner_slider.png", full_page=True)


def test_url_parameters_fill_the_controls(page, voila):
    load(page, voila, "kor_verkenner.ipynb", "omzet=18000&consumenten=80&btw=21&beleid=nettoprijs&uren=1400")
    assert page.locator(".kt-field-omzet input").input_value() == "18.000"  # Dutch notation
    assert page.locator(".widget-readout").first.inner_text().strip() == "80"
    assert page.locator(".widget-toggle-button.mod-active").first.inner_text().strip() == "21%"
    assert page.locator(".kt-field-beleid select").input_value().startswith("Btw-voordeel doorgeven")
    # keep net prices: the KOR only loses the input VAT, 0.21 × 2,500 = 525
    assert gain(page) == kapper_gain(0.8, "keep_net_prices", 0.21, 18000) == -525.00
    assert "kost u" in body_text(page)


def test_share_link_reproduces_the_scenario(page, voila):
    load(page, voila, "kor_verkenner.ipynb", "omzet=12000&consumenten=60")
    shown = gain(page)
    href = page.locator(".kt-link").get_attribute("href")
    assert "omzet=12000" in href and "consumenten=60" in href
    address = page.locator(".kt-share-url").inner_text()  # the full address, shown and copyable
    assert address.startswith("http://127.0.0.1") and address.endswith(href)
    assert page.locator(".kt-copy").inner_text() == "Kopieer link"
    load(page, voila, "kor_verkenner.ipynb", href.lstrip("?"))
    assert gain(page) == shown == kapper_gain(0.6, turnover=12000)


NASTY = {
    "omzet": "abc",
    "consumenten": "1e308",
    "kosten_btw": "-5",
    "btw": "NaN",
    "beleid": "<img src=x onerror=alert(1)>",
    "uren": "9" * 10_000,
    "kosten_zonder": "<script>alert(2)</script>",
}


def test_bad_url_values_get_dutch_messages_and_injected_html_stays_text(page, voila, output_dir):
    from urllib.parse import urlencode

    load(page, voila, "kor_verkenner.ipynb", urlencode(NASTY))
    errors = page.locator(".kt-error").all_inner_texts()
    joined = " ".join(errors)
    for label in (
        "Omzet per jaar",
        "Aandeel consumenten",
        "Kosten waarop u btw betaalt",
        "Btw-tarief verkopen",
        "Prijsbeleid",
        "Uren per jaar",
        "Kosten zonder btw",
    ):
        assert label in joined, label
    assert "<img src=x onerror=alert(1)>" in joined  # shown as text
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []
    assert gain(page) == 960.00  # the default scenario's result stays on screen
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "kor_verkenner_bad_url.png", full_page=True)


def test_tax_year_without_data_names_the_years(page, voila):
    load(page, voila, "kor_verkenner.ipynb", f"van={kt.tax_years()[-1] + 3}")
    message = " ".join(page.locator(".kt-error").all_inner_texts())
    years = kt.tax_years()
    assert "Eerste jaar" in message and f"{years[0]} tot en met {years[-1]}" in message


def test_an_exception_in_the_model_shows_a_dutch_message_not_a_traceback(page, voila, output_dir):
    load(page, voila, "kor_verkenner.ipynb")
    field = page.locator(".kt-field-omzet input")
    field.fill("13131")  # the server's KORTOOLS_TEST_FAULT makes the model raise here
    field.press("Enter")
    page.wait_for_selector(".kt-message", timeout=20_000)
    assert "Er ging iets mis" in body_text(page)
    assert gain(page) == 960.00  # the last valid result stays
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "kor_verkenner_fault.png", full_page=True)
    # and at page load, from the URL: no result yet, so no chart, only the message
    load(page, voila, "kor_verkenner.ipynb", "omzet=13131", wait_for=".kt-message")
    assert "Er ging iets mis" in body_text(page)
    assert_no_traceback(page)


def test_report_button_downloads_the_pdf_of_the_case_on_screen(page, voila, output_dir):
    import io

    import pypdf

    load(page, voila, "kor_verkenner.ipynb", "consumenten=90")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download rapport (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "kor-advies-kapsalon-anna-kapper-particulieren.pdf"
    path = output_dir / "kor-advies.pdf"
    download.save_as(path)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)
    text = text.replace("\u00a0", " ")  # "€" and its amount are held together by a non-breaking space
    # the case on screen: 90 % consumers → 2026 KOR margin 14,850 × 1.09 + 1,650 − 3,025 − 1,200
    r = kt.compare_margin(14850, 1650, 2500, 1200, 0.09, 0.21, "keep_consumer_prices", 2026)
    assert format_euro(r.kor_margin) == "€ 13.611,50"
    assert "€ 13.611,50" in text


PAGE_AND_PDF_CASES = {
    # the default hairdresser: meedoen, € 960 per KOR year (0.09 × 16,500 − 0.21 × 2,500)
    "kapper": "",
    # the drempel webshop: crosses the threshold in 2025, 2026 barred (re-entry 1 Jan 2027)
    "drempel": "omzet=17000&consumenten=100&btw=21&kosten_btw=3000&kosten_zonder=0&eerder_btw=0"
    "&beleid=consumentenprijs&van=2025&tot=2027&kor_vanaf=2025",
    # businesses only at net prices: the KOR costs 0.21 × 4,000 = 840 a year, niet meedoen
    "zakelijk": "omzet=19000&consumenten=0&btw=21&kosten_btw=4000&beleid=nettoprijs",
}


@pytest.mark.parametrize("case", list(PAGE_AND_PDF_CASES))
def test_page_and_pdf_say_the_same_verdict_and_figures(page, voila, output_dir, case):
    """The headline on screen and the PDF the button downloads come from one kt.advise."""
    import io

    import pypdf

    load(page, voila, "kor_verkenner.ipynb", PAGE_AND_PDF_CASES[case])
    verdict = page.locator(".kt-verdict").inner_text().strip()
    gain_line = page.locator(".kt-gain").inner_text().strip()
    total_line = page.locator(".kt-total").inner_text().strip()
    reasons = page.locator(".kt-reasons li").all_inner_texts()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download rapport (PDF)").click()
    path = output_dir / f"kor-advies-{case}.pdf"
    download_info.value.save_as(path)
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages
    )
    for line in (verdict, gain_line, total_line, *reasons):
        assert " ".join(line.split()) in text, line
    expected = {"kapper": "meedoen", "drempel": "nader bekijken", "zakelijk": "niet meedoen"}[case]
    assert verdict.startswith(f"Advies: {expected}. Wat nu: ")  # and the action with its date (#33)
    if case == "drempel":
        assert any("nog niet toegestaan tot 1 januari 2027" in r for r in reasons)
    page.locator(".kt-verdict").scroll_into_view_if_needed()
    page.screenshot(path=output_dir / f"kor_verkenner_{case}.png")


@pytest.mark.parametrize("case", list(PAGE_AND_PDF_CASES))
def test_net_headline_and_cliff_chart_render(page, voila, output_dir, case):
    from kortools.ui.app import kor_verkenner

    query = PAGE_AND_PDF_CASES[case]
    load(page, voila, "kor_verkenner.ipynb", query)
    model = kor_verkenner("kapper", query=query).advice  # the same case, computed here
    shown = float(page.locator(".kt-gain").get_attribute("data-net-gain"))
    assert shown == to_cents(model.net_gain_per_kor_year)
    assert "netto" in page.locator(".kt-gain").inner_text()
    page.get_by_role("tab", name="Netto-inkomen").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jupyter-widgets img, .widget-image')]"
        ".filter(i => i.offsetParent !== null && i.naturalWidth > 100).length >= 2",
        timeout=LOAD_TIMEOUT,
    )
    page.wait_for_function("() => document.body.innerText.includes('Boven € 20.000 omzet kan de KOR niet')")
    page.get_by_role("tab", name="Netto-inkomen").scroll_into_view_if_needed()
    page.screenshot(path=output_dir / f"netto_inkomen_{case}.png")


def test_aftrekposten_sliders_move_the_net_income_to_the_models_value(page, voila, output_dir):
    load(page, voila, "aftrekposten.ipynb", "winst=30000&uren=1300")
    last = kt.tax_years()[-1]

    def model_net(profit, hours):
        return f"{to_cents(kt.net_income_table(kt.tax_years(), profit, hours).loc[last, 'net_income']):.2f}"

    assert page.locator(".kt-net").get_attribute("data-net") == model_net(30000, 1300)
    handles = page.locator(".noUi-handle")
    handles.nth(0).focus()
    page.keyboard.press("ArrowRight")  # profit + 500
    want = model_net(30500, 1300)
    page.wait_for_function(
        f"() => document.querySelector('.kt-net').dataset.net === '{want}'", timeout=60_000
    )
    handles.nth(1).focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")  # hours − 4 × 25 = 1,200: the urencriterium is lost
    want = model_net(30500, 1200)
    page.wait_for_function(
        f"() => document.querySelector('.kt-net').dataset.net === '{want}'", timeout=60_000
    )
    page.screenshot(path=output_dir / "aftrekposten_sliders.png", full_page=True)


def test_dutch_amounts_typed_and_in_the_url_are_read_as_meant(page, voila, output_dir):
    """In an nl-NL browser: 16.500 is sixteen thousand five hundred, in the URL and typed.

    The hairdresser at 9% keeps consumer prices: KOR turnover 16,500 × 1.09 = 17,985."""
    load(page, voila, "kor_verkenner.ipynb", "omzet=16.500")
    assert "KOR-omzet € 17.985,00" in page.locator(".kt-threshold").inner_text()
    field = page.locator(".kt-field-omzet input")
    field.fill("12.000")  # first another amount: 12,000 × 1.09 = 13,080
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.kt-threshold').innerText.includes('13.080,00')")
    field.fill("16.500")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.kt-threshold').innerText.includes('17.985,00')")
    field.fill("16,500")  # could mean two things: refused with a message, the result stays
    field.press("Enter")
    page.wait_for_selector(".kt-error", timeout=20_000)
    assert "niet eenduidig" in page.locator(".kt-error").first.inner_text()
    assert "KOR-omzet € 17.985,00" in page.locator(".kt-threshold").inner_text()
    page.screenshot(path=output_dir / "kor_verkenner_dutch_amount.png")


def test_variants_in_the_browser_and_through_the_share_link(page, voila, output_dir, browser):
    load(page, voila, "kor_verkenner.ipynb")
    page.get_by_role("tab", name="Varianten").click()
    page.get_by_role("button", name="Bewaar als variant").click()  # A: the case on screen
    page.wait_for_function("() => document.querySelector('.kt-variants')?.dataset.count === '2'")
    field = page.locator(".kt-field-omzet input")
    field.fill("12.000")
    field.press("Enter")
    page.get_by_role("button", name="Bewaar als variant").click()  # B: with 12.000
    page.wait_for_function("() => document.querySelector('.kt-variants')?.dataset.count === '3'")
    field.fill("18.000")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.kt-link').href.includes('omzet=18000')")
    # two variants and the case on screen: three lines in the chart, three rows in the table
    rows = page.locator(".kt-variants tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["A", "B", "Huidige invoer"]
    page.screenshot(path=output_dir / "varianten.png", full_page=True)
    href = page.locator(".kt-link").get_attribute("href")
    assert "variant=A" in href and "variant=B" in href
    import io

    import pypdf

    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download rapport (PDF)").click()
    path = output_dir / "kor-advies-varianten.pdf"
    download_info.value.save_as(path)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Varianten" in text and "Dit advies" in text  # the comparison page: the variants and this case
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL").new_page()
    try:
        load(fresh, voila, "kor_verkenner.ipynb", href.lstrip("?"))
        fresh.get_by_role("tab", name="Varianten").click()
        fresh.wait_for_function("() => document.querySelector('.kt-variants')?.dataset.count === '3'")
        restored = fresh.locator(".kt-variants tbody tr").all_inner_texts()
        assert [r.split("\t")[0] for r in restored] == ["A", "B", "Huidige invoer"]
        assert fresh.locator(".kt-field-omzet input").input_value() == "18.000"
    finally:
        fresh.context.close()


# --- issue #20: the real client, today (the server's today: 1 December 2026) ---------------


def test_a_new_case_opens_from_today_and_the_year_table_takes_history(page, voila, output_dir):
    load(page, voila, "kor_verkenner.ipynb", "voorbeeld=", wait_for=".kt-verdict")
    assert "KOR-verkenner: Nieuwe klant" in body_text(page)
    assert "Nieuwe berekening" in page.locator(".kt-verdict").inner_text()
    assert page.locator(".kt-field-kor_vanaf select").input_value() == "1 januari 2027"  # the next start
    # an adviser types a client with history: 2025 € 19.000, 2026 € 21.500 at net prices
    page.locator(".kt-field-klant input").fill("Fietsenmaker Jansen")
    page.locator(".kt-field-klant input").press("Enter")
    page.locator(".kt-field-btw .widget-toggle-button", has_text="21%").click()
    from kortools.ui.text import POLICY_LABELS

    page.locator(".kt-field-beleid select").select_option(label=POLICY_LABELS["keep_net_prices"])
    omzet = page.locator(".kt-field-omzet input")
    omzet.fill("21.500")
    omzet.press("Enter")
    # the client is in the KOR since 1 January 2026: the 2025 turnover decides 2026
    page.locator(".kt-field-kor_vanaf select").select_option(label="1 januari 2026")
    page.locator(".kt-field-al_in_kor input").check()
    page.wait_for_function("() => document.querySelector('.kt-link').href.includes('al_in_kor=ja')")
    reasons = page.locator(".kt-reasons").inner_text()
    assert "2026: omzet vorig jaar te hoog" in reasons  # without history 2025 is taken as 21.500
    history = page.locator(".kt-field-omzet_2025 input")
    history.fill("19.000")
    history.press("Enter")
    page.wait_for_function("() => document.querySelector('.kt-link').href.includes('omzet_2025=19000')")
    assert "KOR-verkenner: Fietsenmaker Jansen" in body_text(page)
    # the forecast years show the model's figure as their placeholder
    assert page.locator(".kt-field-omzet_2027 input").get_attribute("placeholder") == "21.500"
    reasons = page.locator(".kt-reasons").inner_text()
    assert "2026: omzet vorig jaar te hoog" not in reasons  # 19.000 ≤ 20.000
    # so the KOR applies in 2026, until 21.500 at net prices passes 20.000 in December
    assert "2026: grens overschreden op" in reasons
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "kor_verkenner_jaartabel.png", full_page=True)


def test_the_link_with_cents_and_per_year_fields_opens_the_same_case(page, voila, browser):
    query = "eerder_btw=5206,61&eerder_jaar=2024&omzet_2026=17.250,25&kosten_2027=2.600,10"
    load(page, voila, "kor_verkenner.ipynb", query)
    assert page.locator(".kt-field-eerder_btw input").input_value() == "5.206,61"
    assert page.locator(".kt-field-omzet_2026 input").input_value() == "17.250,25"
    href = page.locator(".kt-link").get_attribute("href")
    assert "eerder_btw=5206%2C61" in href and "omzet_2026=17250%2C25" in href
    verdict = page.locator(".kt-verdict").inner_text()
    total = page.locator(".kt-total").inner_text()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL").new_page()
    try:
        load(fresh, voila, "kor_verkenner.ipynb", href.lstrip("?"))
        assert not fresh.locator(".kt-error").count()  # the page reads its own link
        assert fresh.locator(".kt-verdict").inner_text() == verdict
        assert fresh.locator(".kt-total").inner_text() == total
        assert fresh.locator(".kt-field-kosten_2027 input").input_value() == "2.600,10"
    finally:
        fresh.context.close()


def test_wat_nu_says_the_moved_start_on_the_page_and_in_the_pdf(page, voila, output_dir):
    import io

    import pypdf

    # a plan for 1 January 2027, seen on 1 December 2026: asked by 3 December 2026 (a past
    # start is a fact since issue #33; a moved start on the page: tests/test_calendar.py)
    load(page, voila, "kor_verkenner.ipynb", "van=2026&tot=2028&kor_vanaf=2027-01-01&al_in_kor=nee")
    text = body_text(page)
    assert "Wat nu?" in text and "uiterlijk 3 december 2026" in text
    assert "Wat nu: aanmelden per 1 januari 2027." in text
    assert "Mijn Belastingdienst Zakelijk" in text
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download rapport (PDF)").click()
    path = output_dir / "kor-advies-wat-nu.pdf"
    download_info.value.save_as(path)
    first = " ".join(pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().split())
    assert "Wat nu?" in first and "uiterlijk 3 december 2026" in first
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", first)  # no ISO date a person reads


def test_at_the_threshold_the_headline_chart_and_table_say_one_figure(page, voila, output_dir):
    from kortools.ui.app import kor_verkenner

    load(page, voila, "kor_verkenner.ipynb", "voorbeeld=drempel")
    model = kor_verkenner("drempel", query="")
    year = model.result.shown_year
    split = format_euro(model.result.table.loc[year, "margin_gain"], cents=False)
    full = format_euro(model.result.margins[year].gain, cents=False)
    assert split != full  # the year is split at the crossing
    assert split in page.locator(".kt-gain").inner_text()  # the gross figure in the headline
    page.get_by_role("tab", name="Meerdere jaren").click()
    page.wait_for_selector(".kt-table")
    # the table's "Marge met KOR" of that year is the split year's: regular + the split gain
    table = page.locator(".kt-table").first.inner_text()
    assert format_euro(model.result.table.loc[year, "kor_margin"]) in table
    # the chart on the page says the split year's figure (its words, from the figures it draws)
    words = page.locator("img.kt-chart").first.get_attribute("alt")
    assert f"KOR-voordeel {split};" in words and full not in words
    assert "grens overschreden op 21 december 2025" in body_text(page)
    page.screenshot(path=output_dir / "kor_verkenner_drempel_een_getal.png", full_page=True)


# --- issue #21: the client's books ---------------------------------------------------------


def test_an_auditfile_upload_fills_the_inputs_and_herkomst_shows_the_accounts(
    page, voila, output_dir, tmp_path
):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from auditfiles.writer import Ledger, purchase, sale, write

    ledger = Ledger(
        company="Fietsenmaker Jansen", year=2025, customers={"K1": ("Bouw BV", "NL001234567B01", "")}
    )
    ledger.transactions = [
        sale("2025-02-01", "8000", 9_000, "1", 21.0),
        sale("2025-03-01", "8000", 3_000, "1", 21.0, customer="K1"),
        purchase("2025-03-10", "4000", 2_000, 420),
    ]
    path = write(ledger, tmp_path / "jansen-2025.xaf", "4.0")
    load(page, voila, "kor_verkenner.ipynb", "voorbeeld=", wait_for=".kt-verdict")
    with page.expect_file_chooser() as chooser:
        page.locator(".kt-upload").click()
    chooser.value.set_files(str(path))
    page.wait_for_selector(".kt-books-read", timeout=60_000)
    # the note comes first, then the page is computed from the books (the heading follows)
    page.wait_for_selector("text=KOR-verkenner: Fietsenmaker Jansen", timeout=30_000)
    # 2025 is last year: the history row; 9.000 of 12.000 to consumers = 75 %
    assert page.locator(".kt-field-omzet_2025 input").input_value() == "12.000"
    assert page.locator(".widget-readout").first.inner_text().strip() == "75"
    page.get_by_role("tab", name="Herkomst").click()
    page.wait_for_selector(".kt-herkomst")
    herkomst = page.locator(".kt-herkomst").inner_text()
    assert "8000" in herkomst and "Omzet hoog" in herkomst and "4000" in herkomst
    assert "niet het bestand" in body_text(page)
    assert_no_traceback(page)
    page.screenshot(path=output_dir / "kor_verkenner_administratie.png", full_page=True)


def test_an_auditfile_larger_than_one_message_is_uploaded_in_pieces(page, voila, tmp_path):
    """A served page takes at most 1 MiB in one websocket message (issue #18, voila.json);
    a 3 MB auditfile arrives in pieces of 512 KiB and fills the inputs."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from auditfiles.writer import Ledger, sale, write

    ledger = Ledger(company="Groothandel De Vries", year=2025)
    # 4,000 sales of 10 to consumers (no customer): 40,000 of turnover, 100 % consumers
    ledger.transactions = [sale(f"2025-{1 + n % 12:02d}-01", "8000", 10, "1", 21.0) for n in range(4_000)]
    path = write(ledger, tmp_path / "devries-2025.xaf")
    assert path.stat().st_size > 2 * 2**20  # more than the frame bound, twice
    load(page, voila, "kor_verkenner.ipynb", "voorbeeld=", wait_for=".kt-verdict")
    with page.expect_file_chooser() as chooser:
        page.locator(".kt-upload").click()
    chooser.value.set_files(str(path))
    page.wait_for_selector("text=KOR-verkenner: Groothandel De Vries", timeout=90_000)
    assert page.locator(".kt-field-omzet_2025 input").input_value() == "40.000"
    assert "Ingelezen: Groothandel De Vries, 2025" in body_text(page)
    assert_no_traceback(page)


def test_an_auditfile_above_the_cap_is_refused_in_dutch_before_it_is_sent(page, voila, tmp_path):
    load(page, voila, "kor_verkenner.ipynb", "voorbeeld=", wait_for=".kt-verdict")
    big = tmp_path / "te-groot.xaf"
    with big.open("wb") as file:  # 51 MB of nothing: above the 50 MB cap
        file.truncate(51 * 2**20)
    with page.expect_file_chooser() as chooser:
        page.locator(".kt-upload").click()
    chooser.value.set_files(str(big))
    page.wait_for_selector("text=te-groot.xaf is groter dan 50 MB: niet ingelezen", timeout=30_000)
    assert_no_traceback(page)
