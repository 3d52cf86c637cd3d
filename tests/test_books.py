"""The client's books: auditfiles read into the scenario (issue #21; rules/auditfile.md).

The fixtures are written by tests/auditfiles/writer.py from a plain description, so each
expected figure is the arithmetic beside it (auditfile.md §6 worked cases A–D)."""

from __future__ import annotations

import io

import pypdf
import pytest
from auditfiles.writer import Ledger, Line, Tx, credit_note, purchase, sale, write, xml

import kortools as kt

VERSIONS = ["3.2", "4.0"]


def case_a(year: int = 2024) -> Ledger:
    # A: 8000 Omzet hoog credit 12,100 and a credit note of 100; 8010 Omzet laag credit 5,000
    ledger = Ledger(year=year)
    ledger.transactions = [
        sale(f"{year}-02-01", "8000", 12_100, "1", 21.0),
        credit_note(f"{year}-02-10", "8000", 100, "1", 21.0),
        sale(f"{year}-03-01", "8010", 5_000, "2", 9.0),
    ]
    return ledger


@pytest.mark.parametrize("version", VERSIONS)
def test_a_turnover_by_vat_kind_with_a_credit_note(tmp_path, version):
    books = kt.read_auditfile(write(case_a(), tmp_path / "a.xaf", version))
    row = books.summary.loc[2024]
    # 12,100 − 100 + 5,000 = 17,000; general 12,000, reduced 5,000
    assert row["turnover"] == pytest.approx(17_000)
    assert row["turnover_general"] == pytest.approx(12_000) and row["turnover_reduced"] == pytest.approx(
        5_000
    )
    assert books.company == "Kapsalon Anna" and books.years == (2024,)
    parts = books.derivation(2024, "turnover_general")
    assert set(parts["account"]) == {"8000"} and parts["amount"].sum() == pytest.approx(12_000)


def case_b(year: int = 2024) -> Ledger:
    # B: 1,000 to a customer with a VAT id, 500 with no customer (kas), 300 to a name only
    ledger = Ledger(
        year=year, customers={"K1": ("Bouwbedrijf BV", "NL001234567B01", ""), "K2": ("Jan", "", "")}
    )
    ledger.transactions = [
        sale(f"{year}-04-01", "8000", 1_000, "1", 21.0, customer="K1"),
        sale(f"{year}-04-02", "8000", 500, "1", 21.0),
        sale(f"{year}-04-03", "8000", 300, "1", 21.0, customer="K2"),
    ]
    return ledger


@pytest.mark.parametrize("version", VERSIONS)
def test_b_consumers_businesses_and_customers_with_only_a_name(tmp_path, version):
    books = kt.read_auditfile(write(case_b(), tmp_path / "b.xaf", version))
    row = books.summary.loc[2024]
    assert (row["business_sales"], row["consumer_sales"], row["unknown_sales"]) == pytest.approx(
        (1_000, 500, 300)
    )
    assert any(f.code == "customer_name_only" and "Jan" in f.text_nl for f in books.findings)
    # into a scenario: unknown counted as business: 1,300 / 1,800 = 72.2 % business
    s = kt.scenario_from_books(books, first_year=2025)
    assert s.business_sales / (s.business_sales + s.consumer_sales) == pytest.approx(1_300 / 1_800)
    keys = {a.key for a in kt.evaluate(s).assumptions}
    assert "books_unknown_customers_business" in keys


@pytest.mark.parametrize("version", VERSIONS)
def test_c_an_investment_with_its_input_vat(tmp_path, version):
    # C: debit 0300 Inventaris 4,000 with 840 input VAT on 1520 Te vorderen btw, 10 March 2024
    ledger = Ledger()
    ledger.transactions = [
        sale("2024-01-05", "8000", 10_000, "1", 21.0),
        purchase("2024-03-10", "0300", 4_000, 840, vat_line=False),
    ]
    books = kt.read_auditfile(write(ledger, tmp_path / "c.xaf", version))
    (investment,) = books.investments.itertuples()
    assert (investment.year, investment.kind, investment.amount, investment.vat) == (
        2024,
        "movable",
        4_000,
        840,
    )
    s = kt.scenario_from_books(books, first_year=2025, kor_start_year=2025)
    (asset,) = s.assets
    assert (asset.first_use_year, asset.vat) == (2024, 840)
    # herziening period 2024–2028: 840 / 5 = 168 a year, below the € 500 minimum each year
    schedule = kt.evaluate(s).herziening
    assert schedule.loc[2025, "gross"] == pytest.approx(168) and schedule.loc[2025, "payable"] == 0


@pytest.mark.parametrize("version", VERSIONS)
def test_d_a_fiscal_year_that_disagrees_with_the_dates(tmp_path, version):
    ledger = Ledger(year=2015, fiscal_year=2004)
    ledger.transactions = [sale("2015-05-01", "8000", 1_000, "1", 21.0)]
    books = kt.read_auditfile(write(ledger, tmp_path / "d.xaf", version))
    assert books.years == (2015,)
    assert any(f.text_nl == "boekjaar 2004 in de kop, maar de datums zijn van 2015" for f in books.findings)


def test_costs_with_and_without_vat_and_what_is_not_a_purchase(tmp_path):
    ledger = Ledger()
    ledger.transactions = [
        sale("2024-01-05", "8000", 10_000, "1", 21.0),
        purchase("2024-02-01", "4000", 2_000, 420),  # materials with 21 % VAT
        purchase("2024-02-01", "4100", 6_000),  # rent without VAT
        Tx("2024-12-31", [Line("4200", 3_000, "D"), Line("1100", 3_000, "C")]),  # wages: no purchase
        Tx("2024-12-31", [Line("4900", 800, "D"), Line("0300", 800, "C")]),  # depreciation
    ]
    row = kt.read_auditfile(write(ledger, tmp_path / "k.xaf")).summary.loc[2024]
    assert (row["costs_with_vat"], row["input_vat"], row["costs_without_vat"]) == pytest.approx(
        (2_000, 420, 6_000)
    )


def test_an_unknown_vat_code_is_listed_not_guessed(tmp_path):
    ledger = Ledger()
    ledger.transactions = [
        Tx("2024-03-01", [Line("1000", 100, "D"), Line("8000", 100, "C", vat=("9", 7.0, 0.0))], journal="V")
    ]
    books = kt.read_auditfile(write(ledger, tmp_path / "u.xaf"))
    assert books.summary.loc[2024, "turnover_unknown"] == pytest.approx(100)
    assert any(f.code == "unknown_vat_code" and "btw-code 9" in f.text_nl for f in books.findings)


def test_utf8_with_bom_and_iso_8859_1(tmp_path):
    ledger = case_a()
    ledger.company = "Café Één"
    bom = kt.read_auditfile(write(ledger, tmp_path / "bom.xaf", bom=True))
    latin = kt.read_auditfile(write(ledger, tmp_path / "latin.xaf", encoding="ISO-8859-1"))
    assert bom.company == latin.company == "Café Één"
    assert bom.summary.equals(latin.summary)


def test_several_years_of_one_client_become_the_history(tmp_path):
    files = [write(case_a(2024), tmp_path / "2024.xaf"), write(case_a(2025), tmp_path / "2025.xaf", "4.0")]
    books = kt.read_auditfiles(files)
    assert books.years == (2024, 2025)
    s = kt.scenario_from_books(books, first_year=2025, consumer_sales=20_000)
    assert s.history_turnover == pytest.approx(17_000)  # 2024: the previous-year test
    assert s.overrides[2025]["consumer_sales"] == pytest.approx(17_000)  # 2025: the actuals
    assert s.consumer_sales == 20_000  # the adviser overrides a figure
    assert s.name == "Kapsalon Anna"


def test_a_non_calendar_fiscal_year_is_refused_in_dutch(tmp_path):
    ledger = Ledger(year=2024, start="2024-07-01", end="2025-06-30")
    with pytest.raises(kt.InputError, match="geen kalenderjaar"):
        kt.read_auditfile(write(ledger, tmp_path / "x.xaf"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"klant;omzet\nA;1000\n", "geen auditfile"),
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]>'
            b'<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"><header>&y;</header></auditfile>',
            "DOCTYPE",
        ),
    ],
    ids=["not an auditfile", "entity expansion"],
)
def test_hostile_files_get_a_dutch_message(content, message):
    with pytest.raises(kt.InputError, match=message):
        kt.read_auditfile(content)


@pytest.mark.parametrize("packed", [False, True], ids=["streamed", "pyxaf-records"])
def test_a_file_cut_short_gets_a_dutch_message_with_its_line(tmp_path, packed):
    """An export that stopped half-way (a transaction line without its end): in Dutch, the
    line where the XML goes wrong, never lxml's or pyxaf's English."""
    import gzip

    text = xml(case_b())
    short = text[: text.rindex("</trLine>")]
    last_line = short.count("\n") + 1  # the file ends on this line, inside a trLine
    path = tmp_path / "kapot.xaf"
    path.write_text(short, encoding="utf-8")
    if packed:
        path = path.with_suffix(".xaf.gz")
        path.write_bytes(gzip.compress(short.encode()))
    with pytest.raises(kt.InputError, match=f"onvolledig of beschadigd .*vanaf regel {last_line}\\)"):
        kt.read_auditfile(path)


def test_too_large_two_companies_and_two_files_of_a_year(tmp_path):
    a = write(case_a(), tmp_path / "a.xaf")
    with pytest.raises(kt.InputError, match="groter dan"):
        kt.read_auditfile(a, max_bytes=1_000)
    other = case_a()
    other.company = "Bakkerij"
    with pytest.raises(kt.InputError, match="verschillende bedrijven"):
        kt.read_auditfiles([a, write(other, tmp_path / "b.xaf")])
    with pytest.raises(kt.InputError, match="allebei van 2024"):
        kt.read_auditfiles([a, write(case_a(), tmp_path / "c.xaf")])


def test_a_derivation_names_the_field_and_year():
    with pytest.raises(kt.InputError):
        kt.Books("x", (2024,), None, None, (), None).derivation(2024, "winst")  # type: ignore[arg-type]


def test_the_command_reads_explains_and_advises(tmp_path, capsys):
    import openpyxl

    from kortools.cli import main

    files = [write(case_a(2024), tmp_path / "2024.xaf"), write(case_b(2025), tmp_path / "b2025.xaf", "4.0")]
    assert main(["boeken", *map(str, files), "--out", str(tmp_path / "advies.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "Kapsalon Anna: 2024, 2025" in out and "Advies:" in out
    # the KOR years' tax figures beside the net figure: 2027 as the Belastingplan 2027 proposes
    advice_line = next(line for line in out.splitlines() if line.startswith("Advies:"))
    assert "Belastingcijfers 2027: voorlopig (voorstel Belastingplan 2027)" in advice_line
    book = openpyxl.load_workbook(tmp_path / "advies.xlsx")
    assert book.sheetnames == ["samenvatting", "herkomst", "investeringen", "meldingen", "advies"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in book["samenvatting"].iter_rows(min_row=2)}
    assert rows["Omzet (excl. btw)"] == [17_000, 1_800]  # case A's year, then case B's
    melding = [r[1].value for r in book["meldingen"].iter_rows(min_row=2)]
    assert any("Jan" in m for m in melding)  # the customer with only a name
    assert main(["boeken", str(tmp_path / "2024.xaf"), "--out", str(tmp_path / "r.pdf")]) == 0
    report = (tmp_path / "r.pdf").read_bytes()
    assert report.startswith(b"%PDF")
    first = " ".join(pypdf.PdfReader(io.BytesIO(report)).pages[0].extract_text().split())
    assert "KOR-advies voor Kapsalon Anna" in first  # the books' company is the report's client


def test_the_command_says_in_dutch_what_it_refused(tmp_path, capsys):
    from kortools.cli import main

    bad = tmp_path / "x.xaf"
    bad.write_text("geen xml")
    assert main(["boeken", str(bad)]) == 2
    assert capsys.readouterr().err.strip() == "kortools: fout: x.xaf: is geen auditfile financieel (XAF)"


def test_the_command_reads_a_larger_file_when_asked_and_says_how(tmp_path, capsys):
    from kortools import books_cli, cli
    from kortools.books import BookFinding

    big = case_b()
    big.transactions *= 600  # 600 times case B's transactions: more than 1 MB of XML
    path = write(big, tmp_path / "groot.xaf")
    assert path.stat().st_size > 2**20
    assert cli.main(["boeken", str(path), "--max-mb", "1"]) == 2
    refused = capsys.readouterr().err.strip()
    assert refused == (
        "kortools: fout: groot.xaf: is groter dan 1 MB: niet ingelezen (een groter bestand lezen: --max-mb)"
    )
    assert cli.main(["boeken", str(path), "--max-mb", "5"]) == 0
    out = capsys.readouterr().out
    # case B has one customer known by name only (Jan): one finding, not 600
    named = [line for line in out.splitlines() if line.startswith("• klant")]
    assert named == ["• klant Jan zonder btw- of KVK-nummer: als zakelijk geteld"]
    for bad in ("0", "2049"):
        assert cli.main(["boeken", str(path), "--max-mb", bad]) == 2
        assert "kies een grens tussen 1 en 2048 MB" in capsys.readouterr().err
    many = [
        BookFinding("customer_name_only", f"klant {i} zonder btw- of KVK-nummer", "", 1) for i in range(13)
    ]
    lines = books_cli._findings_nl(many)
    assert lines[:10] == [f"• klant {i} zonder btw- of KVK-nummer" for i in range(10)]
    assert lines[10:] == ["  … en 3 meer zoals de vorige (alle meldingen: --out advies.xlsx)"]


def test_a_folder_of_auditfiles_is_a_portfolio(tmp_path, capsys):
    import openpyxl

    from kortools.cli import main

    folder = tmp_path / "klanten"
    folder.mkdir()
    write(case_a(2024), folder / "anna-2024.xaf")
    bakker = case_b()
    bakker.company = "Bakkerij Jansen"
    write(bakker, folder / "bakker-2024.xaf", "4.0")
    (folder / "kapot.xaf").write_text("<html/>")
    out = tmp_path / "advies.xlsx"
    assert main(["portfolio", "--auditfiles", str(folder), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    clients = [r[1].value for r in book["advies"].iter_rows(min_row=2) if r[1].value]
    assert sorted(clients) == ["Bakkerij Jansen", "Kapsalon Anna"]
    errors = [(r[3].value, r[4].value) for r in book["fouten"].iter_rows(min_row=2) if r[3].value]
    assert errors == [("kapot.xaf", "is geen auditfile financieel (XAF)")]


def test_the_dashboard_reads_an_upload_and_shows_where_the_figures_came_from(tmp_path):
    from kortools.ui import app as ui

    app = ui.kor_verkenner(query="")
    data = write(case_b(2025), tmp_path / "b.xaf").read_bytes()  # last year: the history
    app.upload.value = (uploaded("b.xaf", data),)
    assert app.upload.value == ()  # the bytes do not stay in the widget
    assert "KOR-verkenner: Kapsalon Anna" in app.title.value
    # 2025's 1,800 of sales, 1,000 + 300 (a name only: as business) to businesses → 28 % consumers
    assert app.values["van"] == 2026 and app.year_table.cells["omzet_2025"].value == "1.800"
    assert app.values["consumenten"] == round(100 * 500 / 1_800)
    app.tabs.selected_index = app.TABS.index("Herkomst")
    assert "8000" in app.herkomst.value and "Jan" in app.herkomst.value
    assert "uit de administratie" in app.link.value and "niet het bestand" in app.link.value


def test_the_dashboard_refuses_a_file_in_dutch():
    from kortools.ui import app as ui

    app = ui.kor_verkenner(query="")
    app.upload.value = (uploaded("x.xaf", b"hallo"),)
    assert "is geen auditfile financieel" in app.books_status.value
    assert app.books is None and app.result is not None  # the page goes on


def uploaded(name: str, data: bytes) -> dict:
    """A file as ipywidgets' FileUpload holds it."""
    import datetime as dt

    stamp = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    return {"name": name, "type": "", "size": len(data), "content": memoryview(data), "last_modified": stamp}


def test_investments_of_two_years_with_one_description_get_unique_names(tmp_path):
    files = []
    for year in (2024, 2025):
        ledger = Ledger(year=year)
        ledger.transactions = [purchase(f"{year}-03-01", "0300", 1_000, 210, vat_line=False)]
        files.append(write(ledger, tmp_path / f"{year}.xaf"))
    s = kt.scenario_from_books(kt.read_auditfiles(files), first_year=2025)
    assert [a.name for a in s.assets] == ["regel", "regel (2025)"]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_fast_pass_and_pyxafs_records_read_the_same(tmp_path, version):
    """lxml streams a plain XAF file's transactions; pyxaf's raw records are the fallback
    (a compressed file): both give the same figures."""
    import gzip

    from kortools import auditfile_lines

    ledger = case_b()
    extra = purchase("2024-05-01", "0300", 4_000, 840, vat_line=False)
    ledger.transactions += [*case_a().transactions, extra]
    plain = write(ledger, tmp_path / "b.xaf", version)
    packed = tmp_path / "b.xaf.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert not auditfile_lines.plain_xml(packed) and auditfile_lines.plain_xml(plain)
    fast = kt.read_auditfile(plain)
    # a .gz is unpacked and streamed as plain XML (issue #31 item 6); pyxaf's records still
    # read what is not unpacked here (a .zip of several parts)
    assert kt.read_auditfile(packed).summary.equals(fast.summary)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kortools.auditfile._unpacked", lambda source, name, max_bytes: source)
        fallback = kt.read_auditfile(packed)
    assert fast.summary.equals(fallback.summary)
    assert fast.investments.equals(fallback.investments)


@pytest.mark.parametrize("packed", [False, True], ids=["streamed", "pyxaf-records"])
def test_lines_read_in_small_chunks_give_the_same_figures(tmp_path, monkeypatch, packed):
    """A large file's lines are converted chunk by chunk (memory reused): a chunk of five lines
    cuts transactions of three lines apart from their neighbours; the figures stay the same
    (case A's turnover by VAT kind, case B's customers, case C's investment)."""
    import gzip

    from kortools import auditfile_lines

    ledger = case_b()
    ledger.transactions += [
        *case_a().transactions,
        purchase("2024-03-10", "0300", 4_000, 840, vat_line=False),  # case C's investment
    ]
    path = write(ledger, tmp_path / "abc.xaf")
    if packed:
        path = path.with_suffix(".xaf.gz")
        path.write_bytes(gzip.compress((tmp_path / "abc.xaf").read_bytes()))
        monkeypatch.setattr("kortools.auditfile._unpacked", lambda source, name, max_bytes: source)
    whole = kt.read_auditfile(path)
    monkeypatch.setattr(auditfile_lines, "CHUNK_LINES", 5)
    chunked = kt.read_auditfile(path)
    assert len(ledger.transactions) * 2 > 5  # more than one chunk
    assert chunked.summary.equals(whole.summary)
    assert chunked.investments.equals(whole.investments)
    assert chunked.sources.equals(whole.sources)
    assert [f.text_nl for f in chunked.findings] == [f.text_nl for f in whole.findings]


# -- issue #31 item 6: what a file holds outside its transactions costs no memory ----------


def test_the_streamed_pass_reads_the_same_in_pieces_of_any_size(tmp_path, monkeypatch):
    """The tree is cut after every piece fed to lxml, at every level but the path being read;
    a transaction cut by a piece's end is kept whole until it has been read."""
    from kortools import auditfile_lines

    ledger = case_b()
    ledger.transactions += [
        *case_a().transactions,
        purchase("2024-03-10", "0300", 4_000, 840, vat_line=False),
    ]
    path = write(ledger, tmp_path / "abc.xaf")
    whole = kt.read_auditfile(path)
    for piece in (7, 61, 500):
        monkeypatch.setattr(auditfile_lines, "_PIECE", piece)
        pieces = kt.read_auditfile(path)
        assert pieces.sources.equals(whole.sources), piece
        assert pieces.investments.equals(whole.investments), piece


def junk_after_the_transactions(ledger: Ledger, elements: int) -> bytes:
    text = xml(ledger)
    end = text.index("</company>")
    return (text[:end] + "<x/>" * elements + text[end:]).encode()


def test_a_small_gz_of_empty_elements_is_read_in_little_memory(tmp_path):
    # the probe: a 47 KB .xaf.gz took `kortools boeken` to 2.6 GB and 54 s (pyxaf's pass
    # built every element in Python; lxml kept what was outside the transactions)
    import gzip
    import resource
    import subprocess
    import sys

    data = junk_after_the_transactions(case_a(), 8_000_000)  # 32 MB of <x/>, under the 50 MB cap
    packed = tmp_path / "leeg.xaf.gz"
    packed.write_bytes(gzip.compress(data, 9))
    assert packed.stat().st_size < 100_000
    code = f"from kortools.cli import main; main(['boeken', {str(packed)!r}])"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert result.returncode == 0, result.stderr
    assert "Advies:" in result.stdout  # case A's figures, the junk ignored
    assert peak_mb < 500 or before / 1024 >= 500, peak_mb  # it was 2,200 MB


def test_a_transaction_of_absurd_size_or_too_many_accounts_is_refused_in_dutch(tmp_path, monkeypatch):
    from kortools import auditfile, auditfile_lines

    ledger = case_a()
    tx = ledger.transactions[0]
    tx.lines = tx.lines * 40  # one transaction of 80 lines
    path = write(ledger, tmp_path / "groot.xaf")
    monkeypatch.setattr(auditfile_lines, "_PIECE", 100)  # cut while the transaction is open
    monkeypatch.setattr(auditfile_lines, "MAX_TRANSACTION_PARTS", 30)
    with pytest.raises(kt.InputError, match="bevat een boeking met meer dan 30 regels: niet ingelezen"):
        kt.read_auditfile(path)
    monkeypatch.setattr(auditfile_lines, "MAX_TRANSACTION_PARTS", 200_000)
    monkeypatch.setattr(auditfile, "MAX_ACCOUNTS", 5)  # case A's chart has more than five
    with pytest.raises(kt.InputError, match="heeft meer dan 5 grootboekrekeningen: niet ingelezen"):
        kt.read_auditfile(path)


@pytest.mark.parametrize("archive", ["gz", "zip"])
def test_a_packed_file_too_large_unpacked_or_broken_is_refused_in_dutch(tmp_path, archive):
    import gzip
    import zipfile

    data = junk_after_the_transactions(case_a(), 400_000)  # 1.6 MB unpacked
    path = tmp_path / f"a.xaf.{archive}"
    if archive == "gz":
        path.write_bytes(gzip.compress(data))
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.xaf", data)
    assert kt.read_auditfile(path).summary is not None
    with pytest.raises(kt.InputError, match="is uitgepakt groter dan 1 MB: niet ingelezen"):
        kt.read_auditfile(path, max_bytes=2**20)
    path.write_bytes(path.read_bytes()[:2_000])  # cut short
    with pytest.raises(kt.InputError, match="beschadigd"):
        kt.read_auditfile(path)
