"""Deduction rules beyond the worked cases of rules/deductions.md §10 (those are data:
tests/cases/deductions.yaml).

The rules round the mkb-winstvrijstelling to the cent before subtracting it (case 6:
55,050 − 7,327.16 = 47,722.84); the model keeps euros unrounded (47,722.845), as the
brief requires. So amounts are compared within half a cent of the rules' figures.
"""

import pytest

import kortools as kt


def cents(expected):
    return pytest.approx(expected, abs=0.005 + 1e-9)


def test_case_1_tax_value_counts_more_than_the_bracket_rate():
    # deductions.md §10 values 8,506.31 of deductions at 37.48% ≈ 3,188.16 and says it
    # ignores the heffingskortingen. The model computes net income with and without the
    # deductions (inkomstenbelasting.md; 4,174.64, arithmetic in test_net_income.py): the
    # lower income also keeps more algemene heffingskorting and saves Zvw.
    saved = kt.entrepreneur_deductions(2025, 50000, 1400).tax_value
    assert saved > 3188.16 + 0.0526 * 8506.31  # more than the bracket rate plus the Zvw alone


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
