"""The portfolio run: vectorised advice per client, bad rows reported, atomic output."""

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import kortools as kt
from kortools import cli, portfolio
from kortools.parameters import data_dir

EXAMPLE = data_dir() / "portfolio" / "klanten.csv"


#: The Dutch CSV's headers back to the column names (the workbook's headers, issue #22 item 5)
CODE = {header: name for name, header in portfolio.OUTPUT_HEADERS.items()} | {
    header: name for name, header in portfolio.ERROR_HEADERS.items()
}


def read_output(path, **options) -> pd.DataFrame:
    """A Dutch output CSV as the column names and booleans (ja/nee → True/False)."""
    frame = pd.read_csv(path, **options).rename(columns=CODE)
    for column in frame.columns:
        if set(frame[column].dropna()) <= {"ja", "nee"} and len(frame[column].dropna()):
            frame[column] = frame[column] == "ja"
    return frame


def run(tmp_path, text: str, out_name: str = "advies.csv"):
    source = tmp_path / "klanten.csv"
    source.write_text(text)
    out = tmp_path / out_name
    assert cli.main(["portfolio", str(source), "--out", str(out), "--quiet"]) == 0
    return source, out


def test_example_file_gives_one_row_per_client(tmp_path):
    out = tmp_path / "advies.csv"
    assert cli.main(["portfolio", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    advice = read_output(out)
    assert len(advice) == 8
    by_client = advice.set_index("klant")
    # Kapsalon Anna = the kapper scenario: 0.09 × 16,500 − 0.21 × 2,500 = 960 a year; the
    # chair's share 420 / 5 = 84 is under €500, so 5 years = 4,800.
    assert by_client.loc["Kapsalon Anna", "voordeel_dit_jaar"] == pytest.approx(960)
    assert by_client.loc["Kapsalon Anna", "voordeel_5_jaar"] == pytest.approx(4800)
    assert by_client.loc["Kapsalon Anna", "advies"] == "meedoen"
    # Bureau Jansen: businesses, net prices: −0.21 × 4,000 = −840 a year
    assert by_client.loc["Bureau Jansen", "voordeel_dit_jaar"] == pytest.approx(-840)
    assert by_client.loc["Bureau Jansen", "advies"] == "niet meedoen"
    # De Vries: machine 4,200 VAT first used 2025, KOR 2026: 840 in 2026–2029 = 3,360
    assert by_client.loc["Meubelmakerij De Vries", "herziening_5_jaar"] == pytest.approx(3360)
    # Webwinkel Bakker: 17,000 × 1.21 = 20,570 > 20,000 under the KOR
    assert "Omzetgrens overschreden" in by_client.loc["Webwinkel Bakker", "waarschuwingen"]
    assert by_client.loc["Webwinkel Bakker", "advies"] == "nader bekijken"
    # Schilder Visser: 21,000 last year > 20,000
    assert not by_client.loc["Schilder Visser", "komt_in_aanmerking"]
    assert by_client.loc["Schilder Visser", "reden"].startswith("2026: omzet vorig jaar te hoog")
    assert read_output(tmp_path / "advies.fouten.csv").empty


def test_portfolio_first_year_gain_matches_compare_margin():
    # Every example client's first year is a full KOR year except Webwinkel Bakker (crosses
    # the threshold: only the share before the crossing) and Schilder Visser (last year's
    # 21,000 > 20,000: no KOR, gain 0); the others gain exactly compare_margin's gain.
    raw, _ = portfolio.normalise_columns(pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False))
    good, errors = portfolio.validate_rows(raw)
    assert errors.empty
    advice = portfolio.assess(good)
    for i, row in good.iterrows():
        one = kt.compare_margin(
            row["omzet_consumenten"],
            row["omzet_bedrijven"],
            row["kosten_met_btw"],
            row["kosten_zonder_btw"],
            row["btw_tarief"] / 100,
            policy=row["beleid"],
            year=int(row["jaar"]),
        )
        assert advice.loc[i, "kor_omzet"] == pytest.approx(one.kor_turnover)
        if row["klant"] == "Schilder Visser":
            assert advice.loc[i, "voordeel_dit_jaar"] == 0
        elif row["klant"] == "Webwinkel Bakker":  # crossing on day 355 of 2026: 354/365 of the year
            assert advice.loc[i, "voordeel_dit_jaar"] == pytest.approx(one.gain * 354 / 365)
        else:
            assert advice.loc[i, "voordeel_dit_jaar"] == pytest.approx(one.gain)


def random_clients(count: int, seed: int) -> pd.DataFrame:
    """Client rows as an office's file has them (text), over the whole valid domain."""
    rng = np.random.default_rng(seed)
    years = kt.tax_years()
    turnover = rng.uniform(0, 30_000, count).round(2)
    share = rng.choice([0.0, 1.0, *rng.uniform(0, 1, 8)], count)
    frame = pd.DataFrame(
        {
            "klant": [f"klant {i}" for i in range(count)],
            "omzet_consumenten": (turnover * share).round(2),
            "omzet_bedrijven": (turnover * (1 - share)).round(2),
            "kosten_met_btw": (turnover * rng.uniform(0, 0.5, count)).round(2),
            "kosten_zonder_btw": (turnover * rng.uniform(0, 0.1, count)).round(2),
            "btw_tarief": rng.choice([f"{100 * r:g}" for r in kt.vat_rates(years[-1])], count),
            "omzet_vorig_jaar": np.where(
                rng.uniform(size=count) < 0.8, turnover, rng.uniform(0, 30_000, count)
            ).round(2),
            "investering_btw": np.where(
                rng.uniform(size=count) < 0.4, rng.uniform(0, 12_000, count), 0
            ).round(2),
            "investering_jaar": rng.integers(years[0] - 10, years[-1] + 1, count),
            "investering_soort": rng.choice(["roerend", "onroerend"], count),
            "geplande_investering_btw": np.where(
                rng.uniform(size=count) < 0.3, rng.uniform(0, 3_000, count), 0
            ).round(2),
            "beleid": rng.choice(["consumentenprijs", "nettoprijs", "marge"], count),
            "jaar": rng.choice(list(years), count),
            # the entrepreneur's columns (kortools.inputs; empty: the default, 1225 and 0):
            # under and over the urencriterium, a partner, hours of other work
            "uren": rng.choice(["", "800", "1225", "1500,5", "2000"], count),
            "uren_partner": rng.choice(["", "0", "600"], count),
            "uren_ander_werk": rng.choice(["", "0", "1000"], count),
        }
    )
    # as a Dutch Excel writes them: a decimal comma
    return frame.astype(str).replace(r"^(-?\d+)\.(\d+)$", r"\1,\2", regex=True)


def with_years(clients: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The clients with optional per-year turnover columns (issue #20), about half empty."""
    rng = np.random.default_rng(seed)
    last = kt.tax_years()[-1]
    for year in (last - 1, last, last + 2):
        given = rng.uniform(size=len(clients)) < 0.5
        amounts = rng.uniform(0, 30_000, len(clients)).round(2).astype(str)
        clients[f"omzet_{year}"] = np.where(given, np.char.replace(amounts, ".", ","), "")
    clients.loc[clients.index % 3 == 0, "omzet_vorig_jaar"] = ""  # then omzet_<jaar − 1> counts
    return clients


@pytest.mark.parametrize("years", [False, True], ids=["same every year", "per-year columns"])
def test_every_portfolio_row_equals_the_models_advice_for_that_client(years):
    """500 random clients: each row is kt.advise(kt.evaluate(scenario)) of that client."""
    clients = random_clients(500, seed=7)
    good, errors = portfolio.validate_rows(with_years(clients, 3) if years else clients)
    assert errors.empty and len(good) == 500
    rows = portfolio.assess(good)
    verdicts = set()
    for i, client in good.iterrows():
        result = kt.evaluate(portfolio.scenario_for(client))
        advice = kt.advise(result)
        row = rows.loc[i]
        verdicts.add(advice.verdict)
        assert row["advies"] == advice.verdict_nl
        assert row["voordeel_5_jaar"] == pytest.approx(advice.total_difference, abs=1e-6)
        assert row["voordeel_per_kor_jaar"] == pytest.approx(advice.gain_per_kor_year, abs=1e-6)
        assert row["netto_voordeel_5_jaar"] == pytest.approx(advice.net_total_difference, abs=1e-6)
        assert row["netto_voordeel_per_kor_jaar"] == pytest.approx(advice.net_gain_per_kor_year, abs=1e-6)
        assert row["herziening_5_jaar"] == pytest.approx(advice.herziening_total, abs=1e-6)
        assert row["kor_jaren"] == ", ".join(map(str, advice.kor_years))
        assert row["redenen"] == " | ".join(r.text_nl for r in advice.reasons)
        assert row["waarschuwingen"] == "; ".join(w.title for w in result.warnings)
        first = result.table.iloc[0]
        assert row["voordeel_dit_jaar"] == pytest.approx(first["margin_gain"], abs=1e-6)
        assert row["komt_in_aanmerking"] == first["kor_applies"]
        assert row["kor_omzet"] == pytest.approx(result.margins[result.scenario.first_year].kor_turnover)
    assert verdicts == {"meedoen", "niet_meedoen", "nader_bekijken"}  # every branch reached


BAD = """client;consumer_sales;business_sales;costs_with_vat;vat_rate
ok 1;10000;0;2000;21
text;tienduizend;0;2000;21
negative;-5;0;2000;21
missing;;0;2000;21
rate;10000;0;2000;150
ok 2;5000;5000;1000;9
"""


def test_bad_rows_are_reported_and_good_rows_still_processed(tmp_path):
    source, out = run(tmp_path, BAD, "advies.xlsx")
    advice = pd.read_excel(out, sheet_name="advies")
    errors = pd.read_excel(out, sheet_name="fouten")
    assert sorted(advice["Klant"]) == ["ok 1", "ok 2"]  # English headers and ';' accepted
    # header is line 1, so the rows are lines 2–7; each error names the client and the value
    assert errors[["Regel", "Klant", "Kolom"]].values.tolist() == [
        [3, "text", "omzet_consumenten"],
        [4, "negative", "omzet_consumenten"],
        [5, "missing", "omzet_consumenten"],
        [6, "rate", "btw_tarief"],
    ]
    assert "tienduizend" in errors.loc[0, "Reden"] and errors.loc[0, "Waarde"] == "tienduizend"
    assert "ontbreekt" in errors.loc[2, "Reden"]
    assert source.read_text() == BAD  # the input is never changed


def test_missing_required_column_is_a_clear_error(tmp_path, capsys):
    source = tmp_path / "klanten.csv"
    source.write_text("klant,omzet_consumenten\nx,100\n")
    assert cli.main(["portfolio", str(source), "--out", str(tmp_path / "a.csv"), "--quiet"]) == 2
    assert "omzet_bedrijven" in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists()


def test_output_is_atomic(tmp_path, monkeypatch, capsys):
    _, out = run(tmp_path, BAD)
    before = out.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("crash while writing")

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash)
    # a crash is one Dutch line, not a traceback (issue #18), and leaves the old files
    assert cli.main(["portfolio", str(tmp_path / "klanten.csv"), "--out", str(out), "--quiet"]) == 1
    assert "onverwachte fout (RuntimeError); er is niets geschreven" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["advies.csv", "advies.fouten.csv", "klanten.csv"]


def test_help_describes_every_option_and_column():
    result = subprocess.run(
        [sys.executable, "-m", "kortools.cli", "portfolio", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for word in ("--out", "--quiet", "clients", *(c.name for c in portfolio.COLUMNS)):
        assert word in result.stdout
    top = subprocess.run(
        [sys.executable, "-m", "kortools.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "portfolio" in top.stdout and "report" in top.stdout


def test_the_entry_point_is_installed():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "kortools"]
    assert script.value == "kortools.cli:main"


DUTCH_EXCEL = (
    "klant;omzet_consumenten;omzet_bedrijven;kosten_met_btw;btw_tarief;omzet_vorig_jaar\r\n"
    "Café Één;€ 16.500,00;0;2.500;9%;16.500\r\n"
    "Bakkerij;13.604;0;1.000,50;21 %;13.604\r\n"
    "Twijfel;16,500;0;0;21;0\r\n"
)


def test_a_dutch_excel_csv_in_cp1252_is_read_as_a_dutch_person_means_it(tmp_path):
    source = tmp_path / "klanten.csv"
    source.write_bytes(DUTCH_EXCEL.encode("cp1252"))  # Excel's default on Windows
    out = tmp_path / "advies.csv"
    assert cli.main(["portfolio", str(source), "--out", str(out), "--quiet"]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Regel;Klant;")  # the input's dialect: ';' ...
    advice = read_output(out, sep=";", decimal=",").set_index("klant")
    # € 16.500,00 at 9% kept prices: KOR turnover 16,500 × 1.09 = 17,985 (... and ',' decimals)
    assert advice.loc["Café Één", "kor_omzet"] == pytest.approx(17985)
    # 13.604 is thirteen thousand six hundred and four: 13,604 × 1.21 = 16,460.84
    assert advice.loc["Bakkerij", "kor_omzet"] == pytest.approx(13604 * 1.21)
    errors = read_output(tmp_path / "advies.fouten.csv", sep=";")
    (reason,) = errors.loc[errors["klant"] == "Twijfel", "reden"]
    assert "niet eenduidig" in reason  # 16,500: never guessed


def test_an_xlsx_in_and_a_formatted_xlsx_out(tmp_path):
    import openpyxl

    source = tmp_path / "klanten.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["klant", "omzet_consumenten", "omzet_bedrijven", "kosten_met_btw", "btw_tarief", "beleid"])
    sheet.append(["Kapsalon", 16500, 0, 2500, 9, "consumentenprijs"])  # number cells
    sheet.append(["Adviseur", "500", "18.500", "4.000", "21", "nettoprijs"])  # text cells, Dutch
    book.save(source)
    out = tmp_path / "advies.xlsx"
    assert cli.main(["portfolio", str(source), "--out", str(out), "--quiet"]) == 0
    result = openpyxl.load_workbook(out)
    assert result.sheetnames == ["advies", "samenvatting", "fouten"]
    advice = result["advies"]
    headers = [c.value for c in advice[1]]
    assert headers[:3] == ["Regel", "Klant", "Omzet die meetelt"] and "Netto voordeel 5 jaar" in headers
    assert advice.freeze_panes == "A2" and advice.auto_filter.ref
    money = advice.cell(2, headers.index("KOR-omzet") + 1)
    assert money.number_format == "€ #,##0.00"
    # sorted by verdict: meedoen (the hairdresser) before niet meedoen (the consultant)
    assert [advice.cell(r, 2).value for r in (2, 3)] == ["Kapsalon", "Adviseur"]
    assert advice.cell(2, headers.index("Advies") + 1).value == "meedoen"
    summary = {row[0].value: row[1].value for row in result["samenvatting"].iter_rows(min_row=2)}
    assert summary["Advies: meedoen"] == 1 and summary["Advies: niet meedoen"] == 1


def test_a_missing_output_folder_is_a_dutch_message_and_files_are_shared(tmp_path, capsys):
    source = tmp_path / "klanten.csv"
    source.write_text(BAD)
    assert cli.main(["portfolio", str(source), "--out", str(tmp_path / "nergens" / "a.xlsx"), "--quiet"]) == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "portfolio", str(source), "--out", str(tmp_path / "no" / "a.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err
    out = tmp_path / "a.xlsx"
    assert cli.main(["portfolio", str(source), "--out", str(out), "--quiet"]) == 0
    assert out.stat().st_mode & 0o044  # readable by colleagues (the umask), not private


def test_an_excel_percent_cell_is_the_rate(tmp_path):
    # issue #20: a percent cell (21% shown, 0.21 stored) was refused; no VAT rate is below 1%
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    lines = EXAMPLE.read_text().splitlines()
    header = lines[0].split(",")
    sheet.append(header)
    row = lines[1].split(",")
    cells = [float(x) if x.replace(".", "").isdigit() else x for x in row]
    cells[header.index("btw_tarief")] = 0.09  # the kapper's 9%, as an Excel percent cell
    sheet.append(cells)
    sheet.cell(2, header.index("btw_tarief") + 1).number_format = "0%"
    book.save(tmp_path / "klanten.xlsx")
    out = tmp_path / "advies.csv"
    assert cli.main(["portfolio", str(tmp_path / "klanten.xlsx"), "--out", str(out), "--quiet"]) == 0
    assert read_output(tmp_path / "advies.fouten.csv", sep=";").empty
    advice = read_output(out, sep=";", decimal=",")
    # Kapsalon Anna at 9%: 0.09 × 16,500 − 0.21 × 2,500 = 960 a year (as the CSV example)
    assert advice.loc[0, "voordeel_dit_jaar"] == 960


def test_a_client_advised_to_join_gets_the_request_deadline(tmp_path, monkeypatch):
    # issue #20 item 6: the column "aanmelden uiterlijk". On 1 December 2026 a client whose
    # first KOR year is 2027 asks by 3 December 2026 (1 January 2027 − 29 days, kor-dates.md §1)
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")
    text = EXAMPLE.read_text().replace(",2026\n", ",2027\n")
    _, out = run(tmp_path, text)
    advice = read_output(out, keep_default_na=False)
    joining = advice[advice["advies"] == "meedoen"]
    assert len(joining) and set(joining["aanmelden_uiterlijk"]) == {"3 december 2026"}
    assert set(advice.loc[advice["advies"] != "meedoen", "aanmelden_uiterlijk"]) <= {""}


def test_a_year_column_before_the_first_year_is_the_previous_year(tmp_path):
    # issue #20: 2025 € 19.000, 2026 € 21.500: the 2025 column is the previous-year test
    text = "klant;omzet_consumenten;omzet_bedrijven;kosten_met_btw;btw_tarief;beleid;jaar;omzet_2025\n"
    text += "Historie;21.500;0;1.000;21;nettoprijs;2026;19.000\n"
    text += "Zonder;21.500;0;1.000;21;nettoprijs;2026;\n"
    raw, _ = portfolio.normalise_columns(
        pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    )
    good, errors = portfolio.validate_rows(raw)
    assert errors.empty
    assert good["omzet_vorig_jaar"].tolist() == [19_000, 21_500]
    rows = portfolio.assess(good)
    assert rows.loc[1, "reden"].startswith("2026: omzet vorig jaar te hoog")
    assert not rows.loc[0, "reden"].startswith("2026: omzet vorig jaar te hoog")


def test_a_bad_year_cell_is_a_dutch_line():
    text = "klant;omzet_consumenten;omzet_bedrijven;kosten_met_btw;omzet_2027\nA;1000;0;0;veel\n"
    raw, _ = portfolio.normalise_columns(
        pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    )
    good, errors = portfolio.validate_rows(raw)
    assert good.empty and errors.loc[0, "kolom"] == "omzet_2027" and "geen getal" in errors.loc[0, "reden"]


def semicolon_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)


def test_the_dutch_csv_has_the_headers_an_adviser_reads_and_english_keeps_the_names(tmp_path):
    # issue #22 item 5: Dutch output has the workbook's headers and ja/nee; --lang en the names
    dutch, english = tmp_path / "advies.csv", tmp_path / "advice.csv"
    assert cli.main(["portfolio", str(EXAMPLE), "--out", str(dutch), "--quiet"]) == 0
    assert cli.main(["portfolio", str(EXAMPLE), "--out", str(english), "--quiet", "--lang", "en"]) == 0
    header = dutch.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header == list(portfolio.OUTPUT_HEADERS.values())
    assert set(pd.read_csv(dutch)["KOR in eerste jaar"]) == {"ja", "nee"}  # Schilder Visser: nee
    assert "True" not in dutch.read_text(encoding="utf-8-sig")
    names = pd.read_csv(english)
    assert list(names.columns) == list(portfolio.OUTPUT_COLUMNS)
    assert names["komt_in_aanmerking"].dtype == bool


def test_the_summary_sheets_totals_are_in_euros_and_its_counts_whole(tmp_path):
    import openpyxl

    out = tmp_path / "advies.xlsx"
    assert cli.main(["portfolio", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    sheet = openpyxl.load_workbook(out)["samenvatting"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert "€" in cells["Netto voordeel 5 jaar, alle klanten met advies 'meedoen'"].number_format
    assert "€" in cells["Bruto voordeel 5 jaar, idem"].number_format
    assert (
        cells["Klanten met een advies"].value == 8
        and "€" not in cells["Klanten met een advies"].number_format
    )


def test_the_cli_help_is_dutch():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kortools.cli import main; sys.exit(main(['portfolio', '--help']))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for english in ("usage:", "positional arguments", "options:", "show this help", "sales to consumers"):
        assert english not in result.stdout, english
    assert "gebruik:" in result.stdout and "omzet aan consumenten" in result.stdout
