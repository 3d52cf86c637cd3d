"""The portfolio run: vectorised advice per client, bad rows reported, atomic output."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kortools as kt
from kortools import cli, portfolio
from kortools.parameters import data_dir

EXAMPLE = data_dir() / "portfolio" / "klanten.csv"


def run(tmp_path, text: str, out_name: str = "advies.csv"):
    source = tmp_path / "klanten.csv"
    source.write_text(text)
    out = tmp_path / out_name
    assert cli.main(["portfolio", str(source), "--out", str(out), "--quiet"]) == 0
    return source, out


def test_example_file_gives_one_row_per_client(tmp_path):
    out = tmp_path / "advies.csv"
    assert cli.main(["portfolio", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    advice = pd.read_csv(out)
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
    assert "omzetgrens" in by_client.loc["Webwinkel Bakker", "waarschuwingen"]
    assert by_client.loc["Webwinkel Bakker", "advies"] == "nader bekijken"
    # Schilder Visser: 21,000 last year > 20,000
    assert not by_client.loc["Schilder Visser", "komt_in_aanmerking"]
    assert by_client.loc["Schilder Visser", "reden"] == "omzet vorig jaar boven de grens"
    assert pd.read_csv(tmp_path / "advies.fouten.csv").empty


def test_portfolio_gain_matches_compare_margin_for_every_client():
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
            0.21,
            row["beleid"],
            int(row["jaar"]),
        )
        assert advice.loc[i, "voordeel_dit_jaar"] == pytest.approx(one.gain)
        assert advice.loc[i, "kor_omzet"] == pytest.approx(one.kor_turnover)


@settings(max_examples=150)
@given(
    vat=st.floats(0, 50_000),
    first_use=st.integers(2010, 2027),
    kind=st.sampled_from(["movable", "immovable"]),
    start=st.integers(2020, 2027),
)
def test_vectorised_herziening_equals_the_schedule(vat, first_use, kind, start):
    schedule = kt.herziening_schedule([kt.Asset("a", kind, first_use, vat)], start)
    expected = schedule["payable"].loc[start : start + 4].clip(lower=0).sum()
    period = 10 if kind == "immovable" else 5
    got = portfolio.herziening_5_years(
        np.array([vat]), np.array([first_use]), np.array([period]), np.array([start])
    )
    assert got[0] == pytest.approx(expected)


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
    assert advice["klant"].tolist() == ["ok 1", "ok 2"]  # English headers and ';' accepted
    # header is line 1, so the rows are lines 2–7
    assert errors[["regel", "kolom"]].values.tolist() == [
        [3, "omzet_consumenten"],
        [4, "omzet_consumenten"],
        [5, "omzet_consumenten"],
        [6, "btw_tarief"],
    ]
    assert "tienduizend" in errors.loc[0, "reden"]
    assert "ontbreekt" in errors.loc[2, "reden"]
    assert source.read_text() == BAD  # the input is never changed


def test_missing_required_column_is_a_clear_error(tmp_path, capsys):
    source = tmp_path / "klanten.csv"
    source.write_text("klant,omzet_consumenten\nx,100\n")
    assert cli.main(["portfolio", str(source), "--out", str(tmp_path / "a.csv"), "--quiet"]) == 2
    assert "omzet_bedrijven" in capsys.readouterr().err
    assert not (tmp_path / "a.csv").exists()


def test_output_is_atomic(tmp_path, monkeypatch):
    _, out = run(tmp_path, BAD)
    before = out.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("crash while writing")

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash)
    with pytest.raises(RuntimeError):
        cli.main(["portfolio", str(tmp_path / "klanten.csv"), "--out", str(out), "--quiet"])
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
