"""Worked cases of rules/herziening.md."""

import pandas as pd
import pytest

import kortools as kt

A = kt.Asset


def test_car_belastingdienst_example():
    # Car first used 2021, VAT 4,500, KOR from 2022: 4,500 / 5 = 900 in each of 2022–2025.
    df = kt.herziening_schedule([A("car", "movable", 2021, 4500)], 2022)
    assert list(df.index) == [2022, 2023, 2024, 2025]
    assert df["payable"].tolist() == pytest.approx([900] * 4)
    assert df["payable"].sum() == pytest.approx(3600)
    assert df.loc[2023, "gross"] == pytest.approx(900)


def test_laptop_alone_is_below_500_every_year():
    # Laptop first used 2025, VAT 630, KOR from 2026: share 630 / 5 = 126 < 500 → nothing.
    df = kt.herziening_schedule([A("laptop", "movable", 2025, 630)], 2026)
    assert list(df.index) == [2026, 2027, 2028, 2029]
    assert df["gross"].tolist() == pytest.approx([126] * 4)
    assert (df["payable"] == 0).all()
    assert df["below_minimum"].all()


def test_500_is_all_or_nothing_over_all_assets():
    # 1,500/5 = 300 and 1,250/5 = 250: 550 ≥ 500, so both are revised in full.
    assets = [A("a", "movable", 2024, 1500), A("b", "movable", 2024, 1250)]
    df = kt.herziening_schedule(assets, 2025)
    assert df.loc[2025, "payable"] == pytest.approx(550)
    assert df.loc[2025, "a"] == pytest.approx(300)


def test_exactly_500_is_revised_and_flagged():
    # 2,500 / 5 = 500: "minder dan €500" skips, so exactly 500 is revised; boundary flagged.
    df = kt.herziening_schedule([A("machine", "movable", 2024, 2500)], 2025)
    assert df.loc[2025, "payable"] == pytest.approx(500)
    keys = {a.key for a in df.attrs["assumptions"]}
    assert "herziening_500_boundary" in keys
    # one cent less is skipped: 2,499.95 / 5 = 499.99
    below = kt.herziening_schedule([A("machine", "movable", 2024, 2499.95)], 2025)
    assert below.loc[2025, "payable"] == 0


def test_immovable_runs_ten_years():
    # Building first used 2020, VAT 20,000, KOR from 2023: 2,000 a year for 2023–2029
    # (period 2020–2029), 14,000 in all.
    df = kt.herziening_schedule([A("building", "immovable", 2020, 20000)], 2023)
    assert df["payable"].loc[2023:2029].tolist() == pytest.approx([2000] * 7)
    assert df["payable"].sum() == pytest.approx(14000)


def test_leaving_gives_an_extra_deduction():
    # KOR 2022–2023; machine first used 2023 (under the KOR, no VAT deducted), VAT 5,000.
    # After leaving: −1,000 for each remaining year of 2023–2027: 2024–2027, −4,000 in all.
    df = kt.herziening_schedule([A("machine", "movable", 2023, 5000)], 2022, 2023)
    assert df["payable"].loc[2024:2027].tolist() == pytest.approx([-1000] * 4)
    assert df.loc[2023, "payable"] == 0
    keys = {a.key for a in df.attrs["assumptions"]}
    assert "herziening_whole_years" in keys


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
