"""Issue #35 without a browser: what an adviser types is read as meant, or questioned, and
investments are entered as the client says them (a price incl. or excl. VAT)."""

from __future__ import annotations

import pytest

import kortools as kt
from kortools import ui
from kortools.ui.text import words_html
from kortools.ui.verkenner_fields import verkenner_specs

SPECS = verkenner_specs()


@pytest.mark.parametrize("typed", ["3,5", "3,5 %", "3,5%", " 3,5% "])
def test_every_percentage_reads_three_and_a_half(typed):
    assert SPECS["groei"].parse(typed) == 3.5


@pytest.mark.parametrize("typed", ["90", "90%", "90 %"])
def test_the_consumer_share_reads_a_percent_sign(typed):
    assert SPECS["consumenten"].parse(typed) == 90


@pytest.mark.parametrize(
    ("name", "typed"),
    [("uren", ""), ("uren", "1225,5"), ("eerder_jaar", "1999"), ("groei", "350"), ("consumenten", "9,5")],
)
def test_what_cannot_be_read_exactly_is_refused_not_changed(name, typed):
    with pytest.raises(ValueError):
        SPECS[name].parse(typed)


def test_a_small_turnover_is_read_as_typed_and_questioned():
    # "16,5" is € 16,50 in Dutch; where turnover runs in thousands the page asks
    assert SPECS["omzet"].read_nl("16,5") == "= € 16,50 — bedoelt u € 16.500?"
    assert SPECS["omzet"].read_nl("16.500") is None  # as typed: nothing to say
    assert SPECS["kosten_btw"].read_nl("50") == "= € 50 — bedoelt u € 50.000?"
    assert SPECS["groei"].read_nl("3,5 %") == "= 3,5%"


def test_the_dashboard_reads_the_growth_and_says_a_small_amount():
    app = ui.kor_verkenner("kapper", query="groei=3,5&omzet=16,5")
    assert app.result.scenario.growth == pytest.approx(0.035)  # not 35 %
    assert "bedoelt u € 16.500?" in app.labels["omzet"].value
    app.controls["uren"].value = ""  # emptied: refused, not 1.225
    assert "vul een heel getal in" in app.labels["uren"].value
    assert app.values["uren"] == 1300  # the last valid case stays on screen


def test_an_investment_as_the_client_says_it():
    # a laptop of € 2.000 incl. 21 % btw: 2.000 × 21/121 = 347,11; a van of € 30.000 excl.
    # btw planned: 30.000 × 21 % = 6.300
    query = "eerder_btw=2.000&eerder_bedrag=incl&eerder_jaar=2025&investering=30.000&investering_bedrag=excl"
    app = ui.kor_verkenner("kapper", query=query)
    vat = {a.name: a.vat for a in app.result.scenario.assets}
    assert vat["Eerdere investering"] == pytest.approx(2000 * 21 / 121)
    assert vat["Geplande investering"] == pytest.approx(6300)
    assert "= btw € 347,11" in app.labels["eerder_btw"].value
    # the same as the model's own reading of a price (kt.Asset.bought, kor.md §7)
    bought = kt.Asset.bought("laptop", "movable", 2025, 2000, including_vat=True)
    assert bought.vat == pytest.approx(vat["Eerdere investering"])
    # an older link gave the VAT itself: still read so
    older = ui.kor_verkenner("kapper", query="eerder_btw=420&eerder_jaar=2024")
    assert older.values["eerder_bedrag"] == "btw"


def test_the_links_to_the_other_dashboards_carry_the_shared_fields():
    app = ui.kor_verkenner("starter", query="uren=1400")
    nav = app.title.value
    assert "aftrekposten.ipynb?uren=1400&amp;starter=ja&amp;aow=nee" in nav
    assert "herziening.ipynb?kor_vanaf=2026-01-01" in nav and "btw_1=4200" in nav


def test_the_aftrekposten_page_takes_a_wage_as_the_main_page_does():
    # the same person as kt.net_income with a wage of € 20.000 and 1.000 hours in employment
    app = ui.aftrekposten_app(query="winst=30000&uren=1400&ander_inkomen=20.000&uren_ander_werk=1000")
    year = kt.tax_years()[-1]
    expected = kt.net_income(year, 30000, 1400, other_income=20000, other_work_hours=1000)
    assert app.net.loc[year, "net_income"] == pytest.approx(expected.net_income)
    assert "ander_inkomen=20000" in ui.kor_verkenner("kapper", query="ander_inkomen=20000").title.value


def test_the_herziening_page_takes_a_quarter_and_moves_a_start_no_longer_possible(monkeypatch):
    # a machine's VAT of € 4.200, first used 2025, 5 years: € 840 a year. From 1 April 2027
    # the KOR covers 275 of 2027's 365 days (kor-dates.md §5, pro rata by time): 840 × 275/365
    # = 632,88 ≥ 500, repaid; 2028 and 2029 whole years: 840 each
    app = ui.herziening_app(query="kor_vanaf=2027-04-01")
    schedule = app.schedule
    assert schedule.loc[2027, "payable"] == pytest.approx(840 * 275 / 365)
    assert schedule.loc[2028, "payable"] == pytest.approx(840)
    # an older link's year still means 1 January
    older = ui.herziening_app(query="kor_vanaf=2027&kor_tot=0")
    assert (older.controls["kor_vanaf"].value, older.controls["kor_tot"].value) == ("2027-01-01", "")
    # on 5 December 2026 a start on 1 January 2027 is too late (by 3 December): 1 April is used
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-05")
    late = ui.herziening_app(query="kor_vanaf=2027-01-01")
    assert "gebruikt: 1 april 2027" in late.labels["kor_vanaf"].value
    assert late.schedule.loc[2027, "payable"] == pytest.approx(840 * 275 / 365)
    # an end before the start: refused beside "KOR tot en met"
    bad = ui.herziening_app(query="kor_vanaf=2027-04-01&kor_tot=2026-12-31")
    assert "kt-error" in bad.labels["kor_tot"].value


def test_a_warning_is_said_once_on_the_page():
    # the starter's herziening warning was both a reason under the verdict and under "Let op"
    app = ui.kor_verkenner("starter", query="")
    assert app.shown.warnings
    page = app.headline.value + app.warnings.value
    for warning in app.shown.warnings:
        assert page.count(words_html(warning.detail)) == 1, warning.code


def test_a_part_year_is_not_said_to_be_a_whole_year():
    # the Herziening page by date: the assumptions say the part year's rule, not "hele kalenderjaren"
    keys = {a.key for a in ui.herziening_app(query="kor_vanaf=2027-04-01").schedule.attrs["assumptions"]}
    assert "herziening_part_year" in keys and "herziening_whole_years" not in keys
    keys = {a.key for a in ui.herziening_app(query="kor_vanaf=2027-01-01").schedule.attrs["assumptions"]}
    assert "herziening_whole_years" in keys and "herziening_part_year" not in keys
