"""Turnover per year: history, actuals and a forecast (issue #20 item 2)."""

from __future__ import annotations

import dataclasses

import pytest

import kortools as kt


@pytest.fixture(autouse=True)
def first_of_december(monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")


def client(**changes) -> kt.Scenario:
    fields = dict(
        name="Historie",
        first_year=2026,
        last_year=2028,
        consumer_sales=21_500,
        business_sales=0,
        costs_with_vat=1_000,
        policy="keep_net_prices",
    )
    return kt.Scenario(**{**fields, **changes})


def test_the_given_year_before_the_first_is_the_previous_year_test():
    # issue #20: 2025 € 19.000, 2026 € 21.500. Without the history the tool took 2025 as
    # 21.500 and said "omzet vorig jaar te hoog"; with it, 19.000 ≤ 20.000: 2026 may use the KOR
    without = kt.evaluate(client()).table
    assert without.loc[2026, "kor_status"] == "omzet vorig jaar te hoog"
    history = client(overrides={2025: {"consumer_sales": 19_000, "business_sales": 0}})
    assert history.history_turnover == 19_000
    table = kt.evaluate(history).table
    # 2026 at net prices: counted 21.500 > 20.000 → the KOR ends at the crossing in 2026;
    # the status is no longer the previous year's
    assert table.loc[2026, "kor_status"].startswith("grens overschreden op")
    assert "turnover_before_first_year" not in {a.key for a in kt.evaluate(history).assumptions}


def test_a_given_previous_year_turnover_wins_over_the_history():
    s = client(
        previous_year_turnover=25_000, overrides={2025: {"consumer_sales": 19_000, "business_sales": 0}}
    )
    assert kt.evaluate(s).table.loc[2026, "kor_status"] == "omzet vorig jaar te hoog"


def test_growth_fills_the_years_without_their_own_figures():
    s = client(consumer_sales=10_000, growth=0.05, overrides={2027: {"consumer_sales": 12_000}})
    table = kt.evaluate(s).table
    # 2026: 10.000 (the plain value holds in the first year); 2027 typed over: 12.000;
    # 2028: 10.000 × 1.05² = 11.025
    assert table["turnover"].tolist() == pytest.approx([10_000, 12_000, 11_025])


def test_no_growth_keeps_every_year_as_before():
    s = client(consumer_sales=10_000)
    assert kt.evaluate(s).table["turnover"].tolist() == [10_000] * 3


def test_past_years_are_actuals_and_later_years_a_forecast():
    s = client(first_year=2024, overrides={2024: {"consumer_sales": 9_000, "business_sales": 0}})
    # today 1 December 2026: 2024 given → werkelijk; 2025 not given → aangenomen; 2026 on: prognose
    assert kt.evaluate(s).table["basis"].tolist() == [
        "werkelijk",
        "aangenomen",
        "prognose",
        "prognose",
        "prognose",
    ]
    # a year from now on with figures the adviser typed is theirs, not the model's forecast
    typed = dataclasses.replace(
        s, overrides={**s.overrides, 2027: {"consumer_sales": 12_000, "business_sales": 0}}
    )
    assert kt.evaluate(typed).table.loc[2027, "basis"] == "opgegeven"


def test_the_year_before_may_hold_only_sales():
    with pytest.raises(kt.InputError, match="overrides 2025"):
        client(overrides={2025: {"hours": 1000}})
    with pytest.raises(kt.InputError, match="overrides year"):
        client(overrides={2024: {"consumer_sales": 1000}})


def test_a_growth_out_of_range_is_refused():
    with pytest.raises(kt.InputError, match="growth"):
        client(growth=1.5)


def test_investments_in_any_year_with_their_amount_incl_or_excl_vat():
    # issue #20 item 4: a past machine (2024, € 6.050 incl. 21% btw → btw 1.050) and a planned
    # one (2027, € 2.000 excl. btw → btw 420), KOR from 2026 (whole years)
    s = client(
        first_year=2026,
        last_year=2028,
        kor_start_year=2026,
        previous_year_turnover=15_000,
        consumer_sales=15_000,
        assets=[
            {"name": "machine", "kind": "movable", "first_use_year": 2024, "amount_incl_vat": 6_050},
            {"name": "laptop", "kind": "movable", "first_use_year": 2027, "amount_excl_vat": 2_000},
        ],
    )
    machine, laptop = s.assets
    assert machine.vat == pytest.approx(1_050) and laptop.vat == pytest.approx(420)
    assert not machine.planned(2026) and laptop.planned(2026)
    table = kt.evaluate(s).table
    # the machine: 1.050 / 5 = 210 a year in 2026–2028, < 500 each year → not revised;
    # the laptop is bought in a KOR year: its 420 btw cannot be deducted (a cost in 2027)
    assert table["lost_investment_vat"].tolist() == pytest.approx([0, 420, 0])


def test_an_asset_with_two_amounts_is_refused():
    with pytest.raises(kt.InputError, match="one of vat, amount_excl_vat"):
        client(
            assets=[{"name": "x", "kind": "movable", "first_use_year": 2025, "vat": 1, "amount_excl_vat": 5}]
        )
