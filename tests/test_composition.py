"""The rules composed over years, as the law does: hand-worked multi-year cases.

rules/kor.md §1 (current and previous year, the crossing supply), §2 (re-entry),
rules/herziening.md (the KOR years that really applied, part years, after the last
year), rules/deductions.md §3 (startersaftrek history), and the one verdict.
"""

import pytest

import kortools as kt


def business(**changes):
    base = dict(
        name="test",
        first_year=2025,
        last_year=2027,
        consumer_sales=15000,
        business_sales=0,
        costs_with_vat=0,
        vat_rate=0.21,
        policy="keep_consumer_prices",
        kor_start_year=2026,
        hours=1300,
    )
    return kt.Scenario(**{**base, **changes})


def test_previous_year_bars_the_kor():
    # Sales 21,000 in 2025 and 15,000 from 2026, KOR chosen from 2026, consumer prices kept
    # (15,000 × 1.21 = 18,150 counted under the KOR, within 20,000).
    # 2026: the previous year's 21,000 > 20,000 (kor.md §1, current AND previous year from
    # 2025), so no KOR: gain 0, not 0.21 × 15,000 = 3,150. 2027: 2026's 15,000 is within,
    # so the KOR applies: gain 3,150.
    result = kt.evaluate(business(overrides={2025: {"consumer_sales": 21000}}))
    table = result.table
    assert table["kor_status"].tolist() == ["geen KOR gekozen", "omzet vorig jaar te hoog", "in KOR"]
    assert table["kor_status_en"].tolist() == ["KOR not chosen", "turnover last year too high", "in KOR"]
    assert table["margin_gain"].tolist() == pytest.approx([0, 0, 3150])
    advice = kt.advise(result)
    assert advice.kor_years == (2027,)
    assert advice.gain_per_kor_year == pytest.approx(3150)
    assert advice.total_difference == pytest.approx(3150)
    assert advice.verdict == "nader_bekijken"
    assert advice.reasons[0].code == "previous_year_too_high"  # the barred year first
    assert advice.reasons[0].amount == pytest.approx(21000)
    assert "€ 21.000,00 in 2025" in advice.reasons[0].text_nl


def test_the_drempel_example_ends_at_the_crossing_and_bars_the_next_year():
    # kor.md §1: 17,000 at kept consumer prices → 20,570 counted a year under the KOR.
    # Evenly spread over 365 days, day d brings the total to d × 20,570 / 365; the first
    # d above 20,000 is d = floor(20,000 × 365 / 20,570) + 1 = floor(354.89) + 1 = 355,
    # 21 December. The KOR covers days 1–354: 354/365 of the sales. Gain a full year:
    # 0.21 × 17,000 − 0.21 × 3,000 = 2,940; in 2025: 2,940 × 354/365 = 2,851.40.
    # 2026: barred (exit in 2025 → re-entry 1 Jan 2027, kor.md §2), and 2025's counted
    # turnover is above 20,000 too. 2027: in again and crossing again on 21 December.
    # Total 2 × 2,851.40 = 5,702.79, at most 2 × 2,940 = 5,880 (not 3 × 2,940 = 8,820).
    result = kt.evaluate(kt.example_scenario("drempel"))
    table = result.table
    assert table["kor_status"].tolist() == [
        "grens overschreden op 21 december 2025",  # dates in Dutch words (issue #20)
        "nog niet toegestaan tot 1 januari 2027",
        "grens overschreden op 21 december 2027",
    ]
    assert table["kor_share"].tolist() == pytest.approx([354 / 365, 0, 354 / 365])
    assert table["margin_gain"].tolist() == pytest.approx([2940 * 354 / 365, 0, 2940 * 354 / 365])
    # counted turnover 2025: 20,570 × 354/365 + 17,000 × 11/365 = 20,462.41
    assert table.loc[2025, "kor_turnover"] == pytest.approx(20570 * 354 / 365 + 17000 * 11 / 365)
    advice = kt.advise(result)
    assert advice.total_difference == pytest.approx(2 * 2940 * 354 / 365)
    assert advice.total_difference <= 5880
    assert advice.kor_years == (2025, 2027)
    assert advice.verdict == "nader_bekijken"
    assert [r.code for r in advice.reasons[:3]] == [
        "threshold_crossed",
        "reentry_blocked",
        "threshold_crossed",
    ]


def test_monthly_sales_move_the_crossing_day():
    # All sales in December: 20,570 over its 31 days, 663.55 a day; the total passes
    # 20,000 on day 31 (30 × 663.55 = 19,906.45 ≤ 20,000 < 31 × 663.55), 31 December.
    # The KOR covers 30/31 of the year's sales.
    december = (0,) * 11 + (1,)
    result = kt.evaluate(
        kt.example_scenario("drempel").__class__(
            **{
                **kt.example_scenario("drempel").to_dict(),
                "monthly_sales": december,
                "last_year": 2025,
                "kor_last_year": None,
            }
        )
    )
    assert result.table.loc[2025, "kor_status"] == "grens overschreden op 31 december 2025"
    assert result.table.loc[2025, "kor_share"] == pytest.approx(30 / 31)


def test_exactly_the_threshold_keeps_the_kor_all_year():
    # "niet meer dan" (kor.md §1): 20,000 / 1.21 at kept consumer prices counts 20,000.
    result = kt.evaluate(business(consumer_sales=20000 / 1.21, policy="keep_consumer_prices"))
    assert result.table["kor_status"].tolist()[1:] == ["in KOR", "in KOR"]


def test_before_2025_the_block_runs_three_years_from_the_exit():
    # Crossing in 2024 (a leap year): d = floor(20,000 × 366 / 20,570) + 1 = 356, 21 Dec.
    # Until 2024 re-entry is blocked for 3 years after the exit (kor.md §2): 21 Dec 2027,
    # so the first whole KOR year is 2028 (a year after the tax data: figures of the last).
    s = business(
        first_year=2024,
        last_year=2028,
        kor_start_year=2024,
        consumer_sales=17000,
        policy="keep_consumer_prices",
    )
    statuses = kt.evaluate(s).table["kor_status"].tolist()
    blocked = "nog niet toegestaan tot 1 januari 2028"
    assert statuses == [
        "grens overschreden op 21 december 2024",
        blocked,
        blocked,
        blocked,
        "grens overschreden op 21 december 2028",
    ]


def test_herziening_follows_the_years_the_kor_really_applied():
    # Car first used 2024, VAT 4,500 → 900 a year in the period 2024–2028 (herziening.md).
    # KOR chosen 2026–2027, but 2026 is barred by 2025's 21,000: repaid only in 2027.
    car = kt.Asset("auto", "movable", 2024, 4500)
    result = kt.evaluate(business(overrides={2025: {"consumer_sales": 21000}}, assets=[car]))
    assert result.table["herziening"].tolist() == pytest.approx([0, 0, 900])
    assert result.herziening["payable"].loc[2025:2027].tolist() == pytest.approx([0, 0, 900])


def test_a_part_year_is_revised_pro_rata():
    # The drempel business with the car: 2025 in the KOR for 354/365 of its sales, so
    # 900 × 354/365 = 872.88 (≥ 500, repaid); 2026 barred: 0; 2027: 872.88 again.
    s = kt.example_scenario("drempel")
    s = s.__class__(**{**s.to_dict(), "assets": [kt.Asset("auto", "movable", 2024, 4500)]})
    result = kt.evaluate(s)
    assert result.table["herziening"].tolist() == pytest.approx([900 * 354 / 365, 0, 900 * 354 / 365])
    assert "herziening_part_year" in {a.key for a in result.assumptions}


def test_herziening_after_the_last_year_is_reported():
    # The starter's machine (4,200 VAT, 2025): 840 a year for 2026–2029. A scenario that
    # ends in 2027 still owes 2028 and 2029 if the KOR goes on: 2 × 840 = 1,680.
    s = kt.example_scenario("starter")
    short = s.__class__(**{**s.to_dict(), "last_year": 2027, "kor_last_year": None})
    result = kt.evaluate(short)
    assert result.herziening_after_last_year == pytest.approx(1680)
    advice = kt.advise(result)
    (after,) = [r for r in advice.reasons if r.code == "herziening_after_last_year"]
    assert after.amount == pytest.approx(1680)
    # ... and the KVK warning counts all of it: 4 × 840 = 3,360 to repay.
    (warning,) = [w for w in result.warnings if w.code == "herziening_due"]
    assert "€ 3.360,00" in warning.detail


@pytest.mark.parametrize(
    ("start", "uses_before", "with_sa"),
    [
        (2015, None, []),  # started 2015: a starter in 2015–2019 only
        (2021, None, []),  # 2021–2024 before 2025: 4 starter years → 3 uses, none left
        (2023, None, [2025]),  # 2023, 2024 used → the 3rd and last use in 2025
        (2023, 0, [2025, 2026, 2027]),  # told: never used → 3 uses in 2025–2027 (2023 + 4)
        (2025, None, [2025, 2026, 2027]),  # started in the first year
    ],
)
def test_startersaftrek_history(start, uses_before, with_sa):
    # deductions.md §3: at most 3 uses, only in the first 5 years (start … start + 4).
    s = business(business_start_year=start, starter_uses_before=uses_before, hours=1300)
    result = kt.evaluate(s)
    for variant in ("regular", "kor"):
        table = result.deductions_table(variant)
        assert [y for y in table.index if table.loc[y, "startersaftrek"] > 0] == with_sa


def test_the_deductions_tab_gives_the_startersaftrek_at_most_three_times():
    table = kt.deductions_table(kt.tax_years(), 30000, 1300, starter=True)
    assert (table["startersaftrek"] > 0).sum() == min(3, len(kt.tax_years()))


def test_one_verdict_for_the_examples():
    # kapper: 960 a KOR year (0.09 × 16,500 − 0.21 × 2,500), total 1,920: meedoen.
    kapper = kt.advise(kt.evaluate(kt.example_scenario("kapper")))
    assert (kapper.verdict, kapper.gain_per_kor_year, kapper.total_difference) == (
        "meedoen",
        pytest.approx(960),
        pytest.approx(1920),
    )
    assert kapper.kor_years == (2026, 2027)
    # net: below the credit cap only the Zvw bites, 960 × 0.873 × 4.85% = 40.65 in 2026 and
    # 960 × 0.873 × 5.02% = 42.07 in 2027 (rules/tax-2027.md, onbevestigd): 919.35 + 917.93 =
    # 1,837.28 in all, 918.64 a KOR year.
    net_2026, net_2027 = 960 - 960 * 0.873 * 0.0485, 960 - 960 * 0.873 * 0.0502
    assert kapper.net_gain_per_kor_year == pytest.approx((net_2026 + net_2027) / 2)
    assert kapper.net_total_difference == pytest.approx(net_2026 + net_2027)
    # consultant: −0.21 × 4,000 = −840 a KOR year: niet meedoen.
    consultant = kt.advise(kt.evaluate(kt.example_scenario("consultant")))
    assert consultant.verdict == "niet_meedoen"
    assert consultant.gain_per_kor_year == pytest.approx(-840)
    # starter: margin 0.21 × 14,000 − 0.21 × 3,000 = 2,310 a year in 2026–2029, less
    # 4 × 840 herziening: 4 × 2,310 − 3,360 = 5,880; herziening is a warning: nader bekijken.
    starter = kt.advise(kt.evaluate(kt.example_scenario("starter")))
    assert starter.total_difference == pytest.approx(5880)
    assert starter.herziening_total == pytest.approx(3360)
    assert starter.verdict == "nader_bekijken"


def test_small_gain_limit_is_data():
    # 0.21 × 1,000 = 210 a KOR year < the 250 of data/parameters/advice_small_gain_per_year.
    limit = kt.value("advice_small_gain_per_year", 2025)
    advice = kt.advise(kt.evaluate(business(consumer_sales=1000, policy="keep_consumer_prices")))
    assert advice.gain_per_kor_year == pytest.approx(210) and limit > 210
    assert advice.verdict == "nader_bekijken"
    assert advice.reasons[-1].code == "small_gain"


def test_assumptions_are_exactly_what_was_used():
    # A 2025-only business without investments, deductions or crossings uses no unconfirmed
    # threshold or herziening rule; a 2027 one uses the proposed 2027 income-tax figures.
    only_2025 = kt.evaluate(business(last_year=2025, kor_start_year=2025, previous_year_turnover=15000))
    keys = {a.key for a in only_2025.assumptions}
    assert not any(k.startswith("kor_threshold") or k.startswith("herziening") for k in keys)
    assert "kor_join_1_january" in keys
    in_2027 = {a.key for a in kt.evaluate(business()).assumptions}
    assert "box1_brackets:2027" in in_2027 and "kor_threshold:2027" not in in_2027  # the threshold is law
    for key in in_2027:  # each a rule assumption or an unconfirmed value of that year
        if ":" in key:
            name, year = key.split(":")
            assert not kt.parameter(name, int(year)).confirmed
        else:
            assert key in kt.parameters.rule_assumptions() or key == "tax_data_extrapolated"


def test_scenario_checks_cross_field_rules_itself():
    twins = [kt.Asset("a", "movable", 2024, 100), kt.Asset("a", "movable", 2024, 200)]
    with pytest.raises(kt.InputError, match="unique"):
        business(assets=twins)
    with pytest.raises(kt.InputError, match="investment services"):
        business(assets=[kt.Asset("v", "investment_service", 2025, 100)])
    with pytest.raises(kt.InputError, match="business_start_year"):
        business(starter_uses_before=2)
    with pytest.raises(kt.InputError, match="monthly_sales"):
        business(monthly_sales=(1, 2, 3))
