"""Dutch numbers in: every documented form (docs/model.md "Dutch numbers in"), read the same by
the dashboard field, the URL and the portfolio reader; the ambiguous ones refused."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kortools import portfolio
from kortools.dutch import read_number_nl
from kortools.ui import app as ui

ACCEPTED = {
    "16500": 16500,
    "16.500": 16500,
    "€ 16.500": 16500,
    "16.500,-": 16500,  # whole euros, as written on invoices (issue #20)
    "€ 16.500,-": 16500,
    "€16.500": 16500,
    "€ 16.500,00": 16500,
    "16.500,50": 16500.5,
    "16500,50": 16500.5,
    "16,5": 16.5,
    "16,50": 16.5,
    "123.456,89": 123456.89,
}
REFUSED = {
    "16,500": "niet eenduidig",
    "1.5": "niet eenduidig",
    "12.34": "niet eenduidig",
    "abc": "geen getal",
}
RATES = {"21": 21, "21%": 21, "21 %": 21, "9,5%": 9.5}


@pytest.mark.parametrize(("text", "meant"), ACCEPTED.items())
def test_accepted_forms_everywhere(text, meant):
    assert read_number_nl(text) == meant
    values, errors = ui.parse_inputs({"omzet": text}, ui.verkenner_specs())  # the field
    assert errors == {} and values["omzet"] == meant
    values, errors = ui.parse_query(
        "omzet=" + text.replace("€", "%E2%82%AC").replace(" ", "+"), ui.verkenner_specs()
    )
    assert errors == {} and values["omzet"] == meant  # the URL
    row = {"klant": "x", "omzet_consumenten": text, "omzet_bedrijven": "0"}
    good, bad = portfolio.validate_rows(portfolio.normalise_columns(pd.DataFrame([row], dtype=str))[0])
    assert bad.empty and good.loc[0, "omzet_consumenten"] == meant  # the portfolio reader


@pytest.mark.parametrize(("text", "reason"), REFUSED.items())
def test_ambiguous_or_wrong_forms_are_refused_everywhere(text, reason):
    with pytest.raises(ValueError, match=reason):
        read_number_nl(text)
    _, errors = ui.parse_inputs({"omzet": text}, ui.verkenner_specs())
    assert reason in errors["omzet"] and "vul een bedrag in tussen € 0 en € 1.000.000" in errors["omzet"]
    _, errors = ui.parse_query("omzet=" + text, ui.verkenner_specs())
    assert reason in errors["omzet"]
    row = {"klant": "x", "omzet_consumenten": text, "omzet_bedrijven": "0"}
    good, bad = portfolio.validate_rows(portfolio.normalise_columns(pd.DataFrame([row], dtype=str))[0])
    assert good.empty and reason in bad.loc[0, "reden"]


@pytest.mark.parametrize(("text", "percent"), RATES.items())
def test_rates_in_the_portfolio(text, percent):
    row = {"klant": "x", "omzet_consumenten": "1000", "omzet_bedrijven": "0", "btw_tarief": text}
    good, bad = portfolio.validate_rows(portfolio.normalise_columns(pd.DataFrame([row], dtype=str))[0])
    if percent in (21, 9, 0):
        assert bad.empty and good.loc[0, "btw_tarief"] == percent
    else:  # 9,5% is read, and refused as not a Dutch VAT rate
        assert "btw-tarief" in bad.loc[0, "reden"]


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_a_column_is_rounded_as_one_amount_is(amount):
    # one rounding rule everywhere (issue #19): the CLI's columns as the page's amounts
    from kortools.money import to_cents, to_cents_array

    assert to_cents_array([amount])[0] == to_cents(amount)


def test_the_cli_rounds_half_up_as_the_page_does(tmp_path):
    # 0.125 → 0.13 (half up, kortools.money), not numpy's half-to-even 0.12
    import pandas as pd

    from kortools.cli import write_outputs
    from kortools.portfolio_files import DUTCH

    advice = pd.DataFrame({"klant": ["A"], "advies": ["meedoen"], "netto_voordeel_5_jaar": [0.125]})
    errors = pd.DataFrame({"regel": [], "klant": [], "kolom": [], "waarde": [], "reden": []})
    write_outputs(advice, errors, tmp_path / "a.csv", DUTCH)
    assert "0,13" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")


def test_one_formatter_writes_every_amount():
    from kortools.dutch import amount_range_nl, euro_nl
    from kortools.money import format_amount, format_euro
    from kortools.ui.fields import amount_text

    assert euro_nl(-16500) == format_euro(-16500, cents=None) == "€ -16.500"
    assert amount_text(16500.5) == format_amount(16500.5, cents=None) == "16.500,50"
    assert amount_range_nl(0, 1_000_000) == "vul een bedrag in tussen € 0 en € 1.000.000"
