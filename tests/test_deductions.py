"""Worked cases of rules/deductions.md §10.

The rules round the mkb-winstvrijstelling to the cent before subtracting it (case 6:
55,050 − 7,327.16 = 47,722.84); the model keeps euros unrounded (47,722.845), as the
brief requires. So amounts are compared within half a cent of the rules' figures.
"""

import pytest

import kortools as kt


def cents(expected):
    return pytest.approx(expected, abs=0.005 + 1e-9)


def test_case_1_non_starter_2025():
    # OA = ZA 2,470; W − OA = 47,530; MKB = 12.70% × 47,530 = 6,036.31; taxable 41,493.69
    d = kt.entrepreneur_deductions(2025, 50000, 1400)
    assert d.zelfstandigenaftrek == 2470
    assert d.startersaftrek == 0
    assert d.mkb_winstvrijstelling == cents(6036.31)
    assert d.total == cents(8506.31)
    assert d.taxable_profit == cents(41493.69)


def test_case_1_tax_value_counts_more_than_the_bracket_rate():
    # deductions.md §10 values 8,506.31 of deductions at 37.48% ≈ 3,188.16 and says it
    # ignores the heffingskortingen. The model computes net income with and without the
    # deductions (inkomstenbelasting.md; 4,174.64, arithmetic in test_net_income.py): the
    # lower income also keeps more algemene heffingskorting and saves Zvw.
    saved = kt.entrepreneur_deductions(2025, 50000, 1400).tax_value
    assert saved > 3188.16 + 0.0526 * 8506.31  # more than the bracket rate plus the Zvw alone


def test_case_2_starter_loss():
    # OA = 2,470 + 2,123 = 4,593 (no cap); W − OA = −1,593; MKB = 12.70% × −1,593 = −202.31
    d = kt.entrepreneur_deductions(2025, 3000, 1300, starter=True)
    assert d.ondernemersaftrek == 4593
    assert d.mkb_winstvrijstelling == cents(-202.31)
    assert d.total == cents(4390.69)
    assert d.taxable_profit == cents(-1390.69)


def test_case_3_za_capped_at_profit_and_carried_forward():
    # ZA = min(2,470; 1,500) = 1,500; 970 carries forward; W − OA = 0 so MKB = 0
    d = kt.entrepreneur_deductions(2025, 1500, 1300)
    assert d.zelfstandigenaftrek == 1500
    assert d.za_unused == 970
    assert d.mkb_winstvrijstelling == 0
    assert d.total == 1500
    assert d.taxable_profit == 0


def test_case_4_hours_not_met_only_mkb():
    # 1,000 h < 1,225: no OA; MKB = 12.70% × 30,000 = 3,810; taxable 26,190; 2026 pct unconfirmed
    d = kt.entrepreneur_deductions(2026, 30000, 1000)
    assert not d.urencriterium_met
    assert d.ondernemersaftrek == 0
    assert d.mkb_winstvrijstelling == pytest.approx(3810)
    assert d.taxable_profit == pytest.approx(26190)
    assert "mkb_winstvrijstelling:2026" in {a.key for a in d.assumptions}


def test_case_5_aow_halves_za():
    # ZA = 50% × 1,200 = 600; W − OA = 19,400; MKB = 2,463.80; taxable 16,936.20
    d = kt.entrepreneur_deductions(2026, 20000, 1300, aow=True)
    assert d.zelfstandigenaftrek == 600
    assert d.mkb_winstvrijstelling == pytest.approx(2463.80)
    assert d.total == cents(3063.80)
    assert d.taxable_profit == cents(16936.20)


def test_case_6_meewerkaftrek():
    # ZA 3,750 + meewerk 2% × 60,000 = 1,200 → OA 4,950; MKB 13.31% × 55,050 = 7,327.16
    d = kt.entrepreneur_deductions(2024, 60000, 1500, partner_hours=900)
    assert d.meewerkaftrek == pytest.approx(1200)
    assert d.ondernemersaftrek == pytest.approx(4950)
    assert d.mkb_winstvrijstelling == cents(7327.16)
    assert d.total == cents(12277.16)
    assert d.taxable_profit == cents(47722.84)


def test_loss_check_non_starter():
    # W = −10,000, hours met: ZA 0 (2,470 carried forward); MKB −1,270; taxable −8,730
    d = kt.entrepreneur_deductions(2025, -10000, 1300)
    assert d.zelfstandigenaftrek == 0
    assert d.za_unused == 2470
    assert d.mkb_winstvrijstelling == pytest.approx(-1270)
    assert d.taxable_profit == pytest.approx(-8730)


def test_aow_starter_gets_half_startersaftrek():
    # deductions.md §3: 50% of 2,123 = 1,061.50
    d = kt.entrepreneur_deductions(2025, 30000, 1300, starter=True, aow=True)
    assert d.startersaftrek == pytest.approx(1061.50)


def test_startersaftrek_at_most_three_times():
    used_three = kt.entrepreneur_deductions(2025, 30000, 1300, starter=True, starter_uses=3)
    assert used_three.startersaftrek == 0
    # without the startersaftrek the ZA cap applies again: min(2,470, 1,000) = 1,000
    capped = kt.entrepreneur_deductions(2025, 1000, 1300, starter=True, starter_uses=3)
    assert capped.zelfstandigenaftrek == 1000


@pytest.mark.parametrize(
    ("partner_hours", "rate"),
    [(524, 0), (525, 0.0125), (874, 0.0125), (875, 0.02), (1225, 0.03), (1749, 0.03), (1750, 0.04)],
)
def test_meewerkaftrek_bands(partner_hours, rate):
    # deductions.md §5 bands "≥ x, < y", on a profit of 10,000
    d = kt.entrepreneur_deductions(2025, 10000, 1300, partner_hours=partner_hours)
    assert d.meewerkaftrek == pytest.approx(rate * 10000)


def test_meewerkaftrek_2027_cut_is_an_assumption():
    # 2027 announced cut by 75%: 2% → 0.5%; 0.5% × 10,000 = 50
    d = kt.entrepreneur_deductions(2027, 10000, 1300, partner_hours=900)
    assert d.meewerkaftrek == pytest.approx(50)
    assert "meewerkaftrek_bands:2027" in {a.key for a in d.assumptions}


def test_grotendeelscriterium():
    # More hours on other work than on the business: no ZA, unless a starter.
    assert not kt.entrepreneur_deductions(2025, 20000, 1300, other_work_hours=1500).urencriterium_met
    starter = kt.entrepreneur_deductions(2025, 20000, 1300, starter=True, other_work_hours=1500)
    assert starter.urencriterium_met


def test_carry_forward_used_up_to_profit_minus_za():
    # 2025: pool 5,000; W = 4,000; ZA 2,470; usable 4,000 − 2,470 = 1,530
    d = kt.entrepreneur_deductions(2025, 4000, 1300, za_carry_forward=5000)
    assert d.za_carry_forward_used == pytest.approx(1530)
    assert "za_carry_forward_use" in {a.key for a in d.assumptions}
    # not with the urencriterium missed
    assert kt.entrepreneur_deductions(2025, 4000, 1000, za_carry_forward=5000).za_carry_forward_used == 0


def test_deductions_table_by_year():
    # Same profile across the years deductions.md §2 lists: ZA follows its yearly amounts.
    table = kt.deductions_table([2023, 2024, 2025, 2026, 2027], 40000, 1300)
    assert table["zelfstandigenaftrek"].tolist() == [5030, 3750, 2470, 1200, 900]
    # 2024: MKB = 13.31% × (40,000 − 3,750) = 4,824.875
    assert table.loc[2024, "mkb_winstvrijstelling"] == pytest.approx(4824.875)
    assert table.index.name == "year"
    assert table.attrs["assumptions"]


def test_year_without_data_names_the_years():
    years = kt.tax_years()
    with pytest.raises(kt.InputError, match=f"{years[0]}–{years[-1]}"):
        kt.entrepreneur_deductions(years[0] - 1, 10000, 1300)


def test_the_multi_year_track_keeps_the_hours_test_waiver_while_the_business_is_new():
    # rules/deductions.md §1: the second hours test is waived while the 5 preceding years
    # hold a year without the business. Started 2021: for 2025 the years 2020–2024 hold
    # 2020 (waived); for 2026 the years 2021–2025 do not (applies). 1,300 h ≥ 1,225 h but
    # less than 1,500 h of other work. The startersaftrek was used 3 times (2021–2023),
    # which must not end the waiver. ZA 2025 = € 2,470 (§2); 2026: the test fails, ZA 0.
    import dataclasses

    scenario = dataclasses.replace(
        kt.example_scenario("kapper"),
        first_year=2025,
        last_year=2026,
        kor_start_year=None,
        kor_last_year=None,
        business_start_year=2021,
        starter_uses_before=None,  # derived: 2021, 2022, 2023 (at most 3, §3)
        hours=1300,
        other_work_hours=1500,
    )
    table = kt.evaluate(scenario).deductions_table("regular")
    assert table.loc[2025, "zelfstandigenaftrek"] == 2470
    assert table.loc[2025, "startersaftrek"] == 0  # 3 uses before 2025
    assert table.loc[2026, "zelfstandigenaftrek"] == 0
    alone = kt.entrepreneur_deductions(
        2025, 20_000, 1300, starter=True, other_work_hours=1500, starter_uses=3
    )
    assert alone.zelfstandigenaftrek == 2470
