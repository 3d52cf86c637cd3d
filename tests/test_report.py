"""The client report: a PDF whose text holds the model's numbers; a page saved as PNG."""

import datetime as dt
import io

import pypdf
import pypdfium2
import pytest

import kortools as kt
from kortools.money import format_euro


def pdf_text(data: bytes) -> tuple[str, int]:
    """The PDF's text as a reader sees it: the non-breaking space after "€" (it keeps an
    amount on one line, issue #35 item 5) read as a space."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")
    return text, len(reader.pages)


def save_first_page(data: bytes, path) -> None:
    document = pypdfium2.PdfDocument(data)
    document[0].render(scale=1.2).to_pil().save(path)


@pytest.mark.parametrize("name", ["kapper", "drempel", "starter"])
def test_report_holds_the_models_numbers(name, output_dir):
    scenario = kt.example_scenario(name)
    data = kt.report(scenario, made_on=dt.date(2026, 11, 23))
    assert data.startswith(b"%PDF")
    text, pages = pdf_text(data)
    assert 1 <= pages <= 6  # a long list of reasons and assumptions continues on later pages
    result = kt.evaluate(scenario)
    # the margin of the year the headline speaks of, as the table has it (a split year's at a
    # threshold crossing: one figure per claim, issue #20 item 7)
    row = result.table.loc[result.shown_year]
    m = result.margins[result.shown_year]
    for amount in (row["regular_margin"], row["kor_margin"], m.kor_turnover, result.total_difference):
        assert format_euro(amount) in text, format_euro(amount)
    assert (
        "23 november 2026" in text
    )  # dates in Dutch words (issue #20 item 7) and "belastinggegevens" in text
    assert "Aannames" in text and "Bronnen" in text
    # every source is a link in the appendix (compact: its site and last path part shown)
    links = {
        annotation.get_object()["/A"]["/URI"]
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for annotation in page.get("/Annots", [])
    }
    assert {a.source.href for a in result.assumptions} <= links
    save_first_page(data, output_dir / f"rapport_{name}.png")


def test_threshold_breach_warning_is_in_the_report():
    text, _ = pdf_text(kt.report(kt.example_scenario("drempel")))
    assert "Omzetgrens overschreden" in text
    assert "€ 20.570,00" in text  # 17,000 × 1.21


def test_advice_sentence_for_the_kapper():
    text, _ = pdf_text(kt.report(kt.example_scenario("kapper")))
    # KOR in 2026 and 2027: 0.09 × 16,500 − 0.21 × 2,500 = 960 in each, so 960 per KOR year
    # (not 1,920 / 3 = 640: 2025 is not a KOR year); total 1,920; the chair's 84 < 500.
    # Net (inkomstenbelasting.md): 2026 regular W 12,800 → BW (12,800 − 1,200) × 0.873 =
    # 10,126.80, tax 0 (credits 3,115 + 1,254.93 > tariff 3,620.33), Zvw 4.85% → 491.15;
    # KOR W 13,760 → BW 10,964.88, tax 0, Zvw 531.80: net +960 − 40.65 = 919.35; 2027 with the
    # Zvw rate of rules/tax-2027.md (5.02%, onbevestigd): 960 − 960 × 0.873 × 5.02% = 917.93;
    # 1,837.28 in all.
    flat = " ".join(text.split())
    assert "Advies: meedoen." in flat
    # a whole KOR year (2026, the first): € 919 net, € 960 gross (issue #33: one year's figure,
    # gross and net of the same parts)
    assert (
        "De KOR levert u naar verwachting € 919 in een volledig KOR-jaar (2026) netto, na "
        "inkomstenbelasting en Zvw (bruto € 960 meer: marge, herziening en btw op investeringen; "
        "KOR-jaren 2026, 2027)."
    ) in flat
    assert (
        "2025–2027, met herziening en btw op investeringen: netto € 1.837 meer inkomen met de KOR "
        "(bruto € 1.920 meer winst). Belastingcijfers 2027: voorlopig (voorstel Belastingplan 2027)."
    ) in flat


def test_a_report_for_a_named_client_with_public_sources_only():
    import dataclasses

    s = dataclasses.replace(
        kt.example_scenario("starter"), name="Bakkerij De Vries", adviser="J. Jansen", office="Kantoor Noord"
    )
    data = kt.report(s, made_on=dt.date(2026, 11, 24))
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "KOR-advies voor Bakkerij De Vries"
    assert reader.metadata.author == "J. Jansen, Kantoor Noord"
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "KOR-advies voor Bakkerij De Vries" in text and "door J. Jansen, Kantoor Noord" in text
    assert "geen belastingaangifte" in text  # the disclaimer
    for internal in ("rules/", ".md §", "README"):
        assert internal not in text, internal
    from kortools.ui.assumption_text import official
    from kortools.ui.report import report_file_name

    sources = [a.source.href for a in kt.evaluate(s).assumptions]
    assert any(official(h) for h in sources) and "adfinadvies.nl" in text  # an official and another
    appendix = text[text.index("Bronnen") :]
    assert appendix.index("[1] ") < appendix.index("adfinadvies.nl")
    assert official("https://" + appendix[appendix.index("— ") + 2 :].split("/")[0])  # [1] is official
    assert report_file_name(s) == "kor-advies-bakkerij-de-vries.pdf"


@pytest.mark.parametrize("name", ["Bakker $5 en $10 BV", "X $\\foo{$ BV"])
def test_a_name_with_dollars_is_printed_as_typed(name):
    # matplotlib would read "$…$" as mathtext: "Bakker 5en10 BV", or no PDF at all
    import dataclasses

    from kortools.ui.report import report

    scenario = dataclasses.replace(kt.example_scenario("kapper"), name=name)
    variant = dataclasses.replace(scenario, name=name + " B", kor_start_year=None)
    text, _ = pdf_text(report(scenario, variants=[variant]))
    assert f"KOR-advies voor {name}" in text


def amounts(line: str) -> list[float]:
    """The euro amounts of a PDF table row: "€ 2.470,00 € -686,82" → [2470.0, -686.82]."""
    import re

    return [float(a.replace(".", "").replace(",", ".")) for a in re.findall(r"€ (-?[\d.]+,\d\d)", line)]


def test_every_declared_deduction_part_is_in_the_pdf_and_they_add_up():
    # issue #19: with 600 S&O hours the PDF listed ZA 2,470 + SA 0 + meewerk 0 =
    # "Ondernemersaftrek 18,208" (the S&O-aftrek missing). rules/deductions.md: 2025
    # ZA € 2,470 (§2) + S&O-aftrek € 15,738 (§6, 500 h or more) = OA € 18,208 (§9).
    import dataclasses

    from kortools.deductions import ONDERNEMERSAFTREK_PARTS
    from kortools.ui.report import report

    scenario = dataclasses.replace(kt.example_scenario("kapper"), so_hours=600)
    text, _ = pdf_text(report(scenario))
    lines = text[text.index("Aftrekposten per jaar") :].splitlines()

    def row(label: str) -> list[float]:
        return amounts(next(line for line in lines if line.startswith(label + " €")))

    parts = {part.label_nl: row(part.label_nl) for part in ONDERNEMERSAFTREK_PARTS}
    oa = row("Ondernemersaftrek")
    for column, total in enumerate(oa):
        assert sum(values[column] for values in parts.values()) == pytest.approx(total, abs=0.01)
    assert scenario.first_year == 2025  # the first column
    assert parts["Zelfstandigenaftrek"][0] == 2470.00
    assert parts["S&O-aftrek"][0] == 15738.00
    assert oa[0] == 18208.00
