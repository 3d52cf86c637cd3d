"""The client's real books (issue #32): three real exports and a fixture for each pattern
they showed, every expected figure worked by hand in a comment (or, for the real files,
recomputed from the XML by an independent reading with ElementTree)."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from auditfiles.writer import Ledger, Line, Tx, credit_note, default_accounts, purchase, sale, write, xml

import kortools as kt

REAL = Path(__file__).parent / "auditfiles" / "real"
EXACT, MULTIVERS, TWINFIELD = (
    REAL / "ExactOnline_V32_2016.xaf",
    REAL / "Multivers_V32_2017.xaf",
    REAL / "Twinfield_V31_2016.xaf",
)


def revenue_by_elementtree(path: Path) -> float:
    """Credit minus debit on the revenue accounts (rules/auditfile.md §2: RGS WOmz, else
    class 8), read with ElementTree: an oracle independent of kortools' reader."""
    root = ET.parse(path).getroot()
    ns = root.tag.split("}")[0] + "}"
    revenue = set()
    for account in root.iter(ns + "ledgerAccount"):
        number = account.findtext(ns + "accID", "").strip()
        rgs = account.findtext(ns + "leadReference") or account.findtext(ns + "RGScode") or ""
        kind = account.findtext(ns + "accTp")
        if kind == "P" and (rgs.startswith("WOmz") or (not rgs and number.startswith("8"))):
            revenue.add(number)
    total = 0.0
    for line in root.iter(ns + "trLine"):
        if line.findtext(ns + "accID", "").strip() in revenue:
            amount = float(line.findtext(ns + "amnt"))
            total += amount if line.findtext(ns + "amntTp") == "C" else -amount
    return total


def books_and_result(path: Path, first_year: int = 2027):
    books = kt.read_auditfile(path)
    result = kt.evaluate(kt.scenario_from_books(books, first_year=first_year))
    return books, result, kt.advise(result)


@pytest.mark.parametrize("path", [EXACT, MULTIVERS, TWINFIELD], ids=["exact", "multivers", "twinfield"])
def test_each_real_export_is_read_and_advised(path):
    books, result, advice = books_and_result(path)
    row = books.summary.iloc[0]
    assert row["turnover"] == pytest.approx(revenue_by_elementtree(path), abs=0.01)
    parts = row["consumer_sales"] + row["business_sales"] + row["unknown_sales"]
    assert parts == pytest.approx(row["turnover"], abs=0.01)
    assert advice.verdict == "niet_meedoen"  # every one turns over far more than € 20.000
    for column in ("consumer_sales", "business_sales", "costs_with_vat", "costs_without_vat"):
        assert (result.table[column] >= 0).all() if column in result.table else True
    # the books are of 2016/2017, a decade before 2027: said with the verdict
    assert any(r.code == "check_inputs" and "jaar vóór 2027" in r.text_nl for r in advice.reasons)


def test_exact_online_stock_corrections_make_a_negative_cost_total_taken_as_zero():
    # the figures: "Kostprijs verkopen" credited € 31.495,53 (a stock correction), so
    # costs without VAT for 2016 are € −20.162,63; the scenario must not refuse it
    books, result, _ = books_and_result(EXACT)
    assert books.summary.loc[2016, "costs_without_vat"] == pytest.approx(-20_162.63)
    (finding,) = [f for f in books.findings if f.code == "negative_total"]
    assert (
        "€ -20.162,63" in finding.text_nl
        and "7310 Kostprijs verkopen indoor sports € -31.495,53" in finding.text_nl
    )
    assert result.scenario.costs_without_vat == 0
    assert any("gerekend met € 0" in a.text_nl for a in result.assumptions)
    # the depreciation account 0301 (RGS BMvaBegCae) is no investment; the two with VAT are assets
    assert "0301" not in set(books.investments["account"])
    assert sorted(a.vat for a in result.scenario.assets) == pytest.approx([312.40, 1_735.54])


def test_twinfield_credit_notes_on_costs_with_vat():
    # "Representatiekosten" € −4.000 with input VAT € −840 (a credit note), sick pay received
    books, result, _ = books_and_result(TWINFIELD)
    assert books.summary.loc[2016, "costs_with_vat"] == pytest.approx(-4_000)
    assert books.summary.loc[2016, "input_vat"] == pytest.approx(-840)
    texts = " ".join(f.text_nl for f in books.findings if f.code == "negative_total")
    assert "4320 Representatiekosten € -4.000,00" in texts and "4010 Ontvangen ziekengeld" in texts
    assert result.scenario.costs_with_vat == 0


def test_multivers_amounts_in_findings_are_dutch_and_unknown_vat_is_said():
    # 7 sales lines without any VAT (€ 13.834,26 of € 38.833,61: 35,6 %)
    books, _, advice = books_and_result(MULTIVERS)
    texts = [f.text_nl for f in books.findings]
    assert any("€ 13.834,26" in t for t in texts) and not any("13.834.26" in t for t in texts)
    assert any(r.code == "check_inputs" and "€ 13.834,26 (36%)" in r.text_nl for r in advice.reasons)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kortools.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("path", [EXACT, MULTIVERS, TWINFIELD], ids=["exact", "multivers", "twinfield"])
def test_the_command_advises_on_each_real_export(path):
    result = run_cli("boeken", str(path))
    assert result.returncode == 0, result.stderr
    assert "Advies: niet meedoen" in result.stdout


def test_the_folder_run_goes_on_past_a_bad_file(tmp_path):
    folder = tmp_path / "klanten"
    folder.mkdir()
    for path in (EXACT, MULTIVERS, TWINFIELD):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "kapot.xaf").write_text("geen xml")
    out = tmp_path / "kantoor.xlsx"
    result = run_cli("portfolio", "--auditfiles", str(folder), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out)
    advice = [row for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if any(row)]
    assert len(advice) == 3
    errors = [
        " ".join(str(c) for c in row if c)
        for ws in book.worksheets[1:]
        for row in ws.iter_rows(values_only=True)
    ]
    assert any("kapot.xaf" in e and "geen auditfile" in e for e in errors), errors


# -- fixtures of our own, one per pattern ---------------------------------------------------


def ledger(*transactions: Tx, accounts: dict | None = None, **kwargs) -> Ledger:
    return Ledger(
        accounts={**default_accounts(), **(accounts or {})}, transactions=list(transactions), **kwargs
    )


def test_p1_a_negative_cost_total_is_named_and_taken_as_zero(tmp_path):
    # costs without VAT: 4000 Inkoop materialen +2.000, a stock correction crediting
    # 7000 Kostprijs verkopen 5.000 → −3.000 for the year
    books = kt.read_auditfile(
        write(
            ledger(
                sale("2024-02-01", "8000", 10_000, "1", 21.0),
                purchase("2024-03-01", "4000", 2_000),
                Tx("2024-12-31", [Line("3000", 5_000, "D"), Line("7000", 5_000, "C")]),
                accounts={"7000": ("Kostprijs verkopen", "P", ""), "3000": ("Voorraad", "B", "")},
            ),
            tmp_path / "p1.xaf",
        )
    )
    assert books.summary.loc[2024, "costs_without_vat"] == pytest.approx(-3_000)
    (finding,) = [f for f in books.findings if f.code == "negative_total"]
    assert "Kosten zonder btw 2024 samen € -3.000,00" in finding.text_nl
    assert "7000 Kostprijs verkopen € -5.000,00" in finding.text_nl
    scenario = kt.scenario_from_books(books, first_year=2025)
    assert scenario.costs_without_vat == 0 and scenario.overrides[2024]["consumer_sales"] == 10_000
    assert any("€ -3.000,00; gerekend met € 0" in a.text_nl for a in kt.evaluate(scenario).assumptions)
    assert kt.scenario_from_books(books, first_year=2025, costs_without_vat=1_500).costs_without_vat == 1_500


def test_p2_cost_of_sales_and_purchases_in_class_8_are_no_sales(tmp_path):
    # 8000 a sale of 10.000 (21 %); 8100 "Kostprijs verkopen" 3.000 bought with 630 input VAT;
    # 8200 "Omzet diversen" debited 1.000 with a "Voorbelasting 21%" code (210 VAT) and 2.000
    # with an intra-EU code at 21 % (an acquisition: an intra-EU supply is 0 %), 420 VAT.
    # Turnover 10.000 (all consumers); costs with VAT 3.000 + 1.000 + 2.000 = 6.000,
    # input VAT 630 + 210 + 420 = 1.260.
    def bought(account, amount, code, vat):
        return Tx(
            "2024-05-01", [Line("1600", amount + vat, "C"), Line(account, amount, "D", vat=(code, 21.0, vat))]
        )

    books = kt.read_auditfile(
        write(
            ledger(
                sale("2024-02-01", "8000", 10_000, "1", 21.0),
                bought("8100", 3_000, "5", 630),
                bought("8200", 1_000, "5", 210),
                bought("8200", 2_000, "10", 420),
                accounts={"8100": ("Kostprijs verkopen", "P", ""), "8200": ("Omzet diversen", "P", "")},
                vat_codes={
                    "1": "Btw hoog 21%",
                    "5": "Voorbelasting 21%",
                    "10": "Intracommunautaire prestaties 21%",
                },
            ),
            tmp_path / "p2.xaf",
        )
    )
    row = books.summary.loc[2024]
    assert (row["turnover"], row["consumer_sales"], row["business_sales"]) == pytest.approx(
        (10_000, 10_000, 0)
    )
    assert (row["costs_with_vat"], row["input_vat"]) == pytest.approx((6_000, 1_260))


@pytest.mark.parametrize("version", ["3.2", "4.0"])
def test_p3_equity_and_depreciation_in_class_0_are_no_investments(tmp_path, version):
    # 0510 Privé opnamen debited 925 (equity); 0301 depreciation (RGS BMvaBeiCae in 4.0,
    # its words in 3.2) debited 100; 0300 Inventaris bought for 4.000 with 840 VAT: one investment
    books = kt.read_auditfile(
        write(
            ledger(
                Tx("2024-04-01", [Line("0510", 925, "D"), Line("1100", 925, "C")]),
                Tx("2024-04-02", [Line("0301", 100, "D"), Line("1100", 100, "C")]),
                purchase("2024-03-10", "0300", 4_000, 840, vat_line=False),
                accounts={
                    "0510": ("Privé opnamen", "B", "BEivKapPro"),
                    "0301": ("Afschrijving inventaris", "B", "BMvaBeiCae"),
                    "0300": ("Inventaris", "B", "BMvaBeiVvp"),
                },
            ),
            tmp_path / "p3.xaf",
            version,
        )
    )
    assert books.investments[["account", "amount", "vat"]].values.tolist() == [["0300", 4_000, 840]]


def test_p4_the_cash_debtor_is_consumers(tmp_path):
    # 500 to "Contanten Debiteur" (the till), 1.000 to a customer with a VAT id
    books = kt.read_auditfile(
        write(
            ledger(
                sale("2024-02-01", "8000", 500, "1", 21.0, customer="K999"),
                sale("2024-02-02", "8000", 1_000, "1", 21.0, customer="K1"),
                customers={"K999": ("Contanten Debiteur", "", ""), "K1": ("Bakker BV", "NL001B01", "")},
            ),
            tmp_path / "p4.xaf",
        )
    )
    row = books.summary.loc[2024]
    assert (row["consumer_sales"], row["business_sales"], row["unknown_sales"]) == pytest.approx(
        (500, 1_000, 0)
    )


def test_p5_a_minus_code_credit_note_and_the_old_kor_booked_as_income(tmp_path):
    # 1.000 sold with code V21, a credit note of 100 written "-V21"; 1.200 of the pre-2020 KOR
    # booked on "8900 Kleine ondernemersregeling BTW": turnover 1.000 − 100 = 900, all general
    books = kt.read_auditfile(
        write(
            ledger(
                sale("2024-02-01", "8000", 1_000, "V21", 21.0),
                credit_note("2024-02-10", "8000", 100, "-V21", 21.0),
                Tx("2024-12-31", [Line("1510", 1_200, "D"), Line("8900", 1_200, "C")]),
                accounts={"8900": ("Kleine ondernemersregeling BTW", "P", "")},
                vat_codes={"V21": "Verkoop hoog"},
            ),
            tmp_path / "p5.xaf",
        )
    )
    row = books.summary.loc[2024]
    assert (row["turnover"], row["turnover_general"]) == pytest.approx((900, 900))
    assert not [f for f in books.findings if f.code == "unknown_vat_code"]
    (old,) = [f for f in books.findings if f.code == "old_kor"]
    assert "€ 1.200,00" in old.text_nl and "oude KOR" in old.text_nl


def test_p6_a_file_that_says_utf8_but_holds_latin_1(tmp_path):
    from test_books import case_a

    case = case_a()
    case.company = "Bakkerij Müller"
    path = tmp_path / "p6.xaf"
    path.write_bytes(xml(case).encode("latin-1"))  # the declaration says UTF-8
    books = kt.read_auditfile(path)
    assert books.company == "Bakkerij Müller"
    assert books.summary.loc[2024, "turnover"] == pytest.approx(17_000)  # case A: 12.000 + 5.000
    assert any(f.code == "encoding_declared_wrong" and "windows-1252" in f.text_nl for f in books.findings)
    path.write_bytes(xml(case).encode("latin-1").replace(b"<header>", b"<header><<"))  # broken as well
    with pytest.raises(kt.InputError, match="de XML klopt niet vanaf regel"):
        kt.read_auditfile(path)


def test_p7_control_totals_that_disagree_are_said_in_dutch(tmp_path):
    from test_books import case_a

    path = tmp_path / "p7.xaf"
    text = xml(case_a())
    count = text.split("<linesCount>")[1].split("<")[0]
    path.write_text(text.replace(f"<linesCount>{count}<", f"<linesCount>{int(count) + 5}<"))
    (finding,) = [f for f in kt.read_auditfile(path).findings if f.code == "XAF5012"]
    said = "aantal boekingsregels klopt niet met de telling in het bestand"
    assert finding.text_nl == f"{said} (fout; melding XAF5012 van de lezer)"


def test_p8_the_vat_kind_from_the_account_and_the_vat_beside_it(tmp_path):
    # no VAT block on any sale: 1.000 on "Omzet hoog tarief" (its words: general); 2.000 on
    # "Omzet diversen" with 180 VAT beside it (9 %: reduced); 500 on it with no VAT (unknown).
    # Unknown 500 of 3.500 = 14,3 %: over a tenth, said with the verdict.
    def bare(amount, vat):
        lines = [Line("1000", amount + vat, "D"), Line("8300" if vat != 210 else "8000", amount, "C")]
        return Tx("2024-06-01", [*lines, Line("1510", vat, "C")] if vat else lines)

    books = kt.read_auditfile(
        write(
            ledger(
                bare(1_000, 210),
                bare(2_000, 180),
                bare(500, 0),
                accounts={"8000": ("Omzet hoog tarief", "P", ""), "8300": ("Omzet diversen", "P", "")},
            ),
            tmp_path / "p8.xaf",
        )
    )
    row = books.summary.loc[2024]
    assert (row["turnover_general"], row["turnover_reduced"], row["turnover_unknown"]) == pytest.approx(
        (1_000, 2_000, 500)
    )
    advice = kt.advise(kt.evaluate(kt.scenario_from_books(books, first_year=2025)))
    assert any(r.code == "check_inputs" and "€ 500,00 (14%)" in r.text_nl for r in advice.reasons)


def test_p9_old_books_are_said_with_the_verdict(tmp_path):
    from test_books import case_a

    books = kt.read_auditfile(write(case_a(year=2021), tmp_path / "p9.xaf"))
    advice = kt.advise(kt.evaluate(kt.scenario_from_books(books, first_year=2026)))
    assert any("De administratie is van 2021, 5 jaar vóór 2026" in r.text_nl for r in advice.reasons)
    recent = kt.scenario_from_books(
        kt.read_auditfile(write(case_a(year=2024), tmp_path / "r.xaf")), first_year=2026
    )
    assert not recent.input_warnings  # two years before: not said


@pytest.mark.parametrize("bad", ["NaN", "", "abc", "12.100,00", "Infinity", "1e15"])
def test_p11_an_amount_that_cannot_be_read_is_counted_and_named(tmp_path, bad):
    # case A's 12.100 credit on 8000 with an unreadable amount: turnover 17.000 − 12.100
    # = 4.900 read, and a finding naming the text; six such lines in a small file refuse it
    from test_books import case_a

    path = tmp_path / "p11.xaf"
    text = xml(case_a())
    path.write_text(text.replace("<amnt>12100.00</amnt>", f"<amnt>{bad}</amnt>", 1))
    books = kt.read_auditfile(path)
    (finding,) = [f for f in books.findings if f.code == "unreadable_amount"]
    assert f"‘{bad or '(leeg)'}’ op rekening 8000" in finding.text_nl and "als € 0 geteld" in finding.text_nl
    assert books.summary.loc[2024, "turnover"] == pytest.approx(4_900)
    # six lines of a 14-line file unreadable: over 1 % and over five
    many = re.sub(r"<amnt>([0-9.]+)</amnt><amntTp>", "<amnt>abc</amnt><amntTp>", text, count=6)
    path.write_text(many)
    with pytest.raises(kt.InputError, match="boekingsregels met een bedrag dat niet te lezen is"):
        kt.read_auditfile(path)


BLOCKED = (
    "ipywidgets",
    "anywidget",
    "IPython",
    "ipykernel",
    "ipympl",
    "voila",
    "jupyter_server",
    "traitlets",
)
WITHOUT_DASHBOARD = (
    "import sys\n"
    f"for name in {BLOCKED!r}:\n"
    "    sys.modules[name] = None  # as if `pip install kortools` had no [dashboard] extra\n"
    "from kortools.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["boeken", "kapot.xaf"], 2, "kapot.xaf: is geen auditfile financieel (XAF)"),
        (["boeken", str(TWINFIELD), "--out", "advies.pdf"], 0, "Advies: niet meedoen"),
        (["boeken", str(EXACT), "--out", "advies.xlsx"], 0, "Advies: niet meedoen"),
        (["portfolio", "--auditfiles", "map", "--out", "kantoor.xlsx", "--quiet"], 0, "1 regels met fouten"),
    ],
)
def test_the_command_runs_without_the_dashboard_libraries(tmp_path, args, code, said):
    # the error path imported kortools.ui -> anywidget: a traceback without the extra
    (tmp_path / "kapot.xaf").write_text("geen xml")
    (tmp_path / "map").mkdir()
    (tmp_path / "map" / "kapot.xaf").write_text("geen xml")
    (tmp_path / "map" / EXACT.name).write_bytes(EXACT.read_bytes())
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_DASHBOARD, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == code, result.stderr
    assert said in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("path", [EXACT, MULTIVERS, TWINFIELD], ids=["exact", "multivers", "twinfield"])
def test_the_dashboard_reads_each_real_export(path):
    # the page showed "Er ging iets mis bij het rekenen" and filled nothing for two of these
    from test_books import uploaded

    from kortools.ui import app as ui
    from kortools.ui.base import GENERIC_ERROR

    app = ui.kor_verkenner(query="")
    app.upload.value = (uploaded(path.name, path.read_bytes()),)
    assert app.books is not None and "Ingelezen:" in app.books_status.value
    assert GENERIC_ERROR not in app.status.value
    assert app.result.scenario.input_warnings  # the books' age, said with the verdict
    assert "Controleer de invoer" in app.warnings.value or any(
        r.code == "check_inputs" for r in kt.advise(app.result).reasons
    )
    app.tabs.selected_index = app.TABS.index("Herkomst")
    if app.books.summary.iloc[-1]["turnover_unknown"] > 0:
        assert "een btw-soort die de administratie niet zegt" in app.herkomst.value
