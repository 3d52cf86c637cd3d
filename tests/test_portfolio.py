"""The portfolio run: vectorised advice per client, bad rows reported, atomic output."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

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
    assert "Omzetgrens overschreden" in by_client.loc["Webwinkel Bakker", "waarschuwingen"]
    assert by_client.loc["Webwinkel Bakker", "advies"] == "nader bekijken"
    # Schilder Visser: 21,000 last year > 20,000
    assert not by_client.loc["Schilder Visser", "komt_in_aanmerking"]
    assert by_client.loc["Schilder Visser", "reden"].startswith("2026: omzet vorig jaar te hoog")
    assert pd.read_csv(tmp_path / "advies.fouten.csv").empty


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
        }
    )
    return frame.astype(str)


def test_every_portfolio_row_equals_the_models_advice_for_that_client():
    """500 random clients: each row is kt.advise(kt.evaluate(scenario)) of that client."""
    good, errors = portfolio.validate_rows(random_clients(500, seed=7))
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
