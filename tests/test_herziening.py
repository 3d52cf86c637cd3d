"""Herziening rules beyond the worked cases (those are data: tests/cases/herziening.yaml)."""

import pandas as pd
import pytest

import kortools as kt

A = kt.Asset


def test_leaving_stops_the_repayment():
    # Car 2021, VAT 4,500, KOR only 2022–2023: repay 900 in 2022 and 2023, nothing after.
    df = kt.herziening_schedule([A("car", "movable", 2021, 4500)], 2022, 2023)
    assert df["payable"].tolist() == pytest.approx([900, 900, 0, 0])


def test_asset_past_its_period_is_not_revised():
    df = kt.herziening_schedule([A("old van", "movable", 2015, 9000)], 2022)
    assert (df["gross"] == 0).all()


def test_asset_in_the_kor_start_year_is_treated_as_bought_under_the_kor():
    df = kt.herziening_schedule([A("tablet", "movable", 2026, 3000)], 2026)
    assert (df["gross"] == 0).all()  # stays in the KOR: nothing deducted, nothing revised
    assert "herziening_same_year_asset" in {a.key for a in df.attrs["assumptions"]}


def test_investment_services_only_from_2026():
    df = kt.herziening_schedule([A("verbouwing", "investment_service", 2026, 10000)], 2027)
    assert df.loc[2027, "payable"] == pytest.approx(2000)  # 10,000 / 5
    assert "herziening_investment_service_500" in {a.key for a in df.attrs["assumptions"]}
    with pytest.raises(kt.InputError, match="from 2026"):
        kt.herziening_schedule([A("verbouwing", "investment_service", 2025, 10000)], 2027)


def test_index_is_the_year_as_int():
    df = kt.herziening_schedule([], 2025)
    assert isinstance(df.index, pd.Index) and df.index.tolist() == [2025]
    assert df.loc[2025, "payable"] == 0


def test_investment_service_bought_under_a_kor_that_began_earlier():
    # KOR 2025–2026; renovation (investment service) first used 2026 under the KOR, VAT 10,000:
    # after leaving, an extra deduction of 10,000 / 5 = 2,000 for 2027–2030.
    df = kt.herziening_schedule([A("verbouwing", "investment_service", 2026, 10000)], 2025, 2026)
    assert df["payable"].loc[2027:2030].tolist() == pytest.approx([-2000] * 4)
