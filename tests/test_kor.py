"""Worked cases and rules of rules/kor.md."""

import datetime as dt

import pytest

import kortools as kt
from kortools.kor import COUNTED_KINDS, NOT_COUNTED_KINDS

D = dt.date


@pytest.mark.parametrize("kind", sorted(COUNTED_KINDS))
def test_counted_kinds_count(kind):
    assert kt.counted_turnover([kt.Supply(D(2025, 3, 1), 1000, kind)]) == 1000


@pytest.mark.parametrize("kind", sorted(NOT_COUNTED_KINDS))
def test_other_kinds_do_not_count(kind):
    # kor.md §1: other exempt turnover, turnover taxed abroad, private use, sale of fixed assets
    assert kt.counted_turnover([kt.Supply(D(2025, 3, 1), 1000, kind)]) == 0


def test_counted_turnover_mixes():
    supplies = [
        kt.Supply(D(2025, 1, 5), 12000, "taxed"),
        kt.Supply(D(2025, 2, 5), 3000, "exempt_real_estate"),  # rental counts
        kt.Supply(D(2025, 3, 5), 5000, "exempt_other"),  # e.g. sports lessons: not
    ]
    assert kt.counted_turnover(supplies) == 15000  # 12,000 + 3,000


def test_exactly_the_threshold_is_eligible():
    # kor.md §1: "niet meer dan" €20,000
    assert kt.kor_eligibility(2025, 20000, 20000).eligible
    over = kt.kor_eligibility(2025, 20000.01, 0)
    assert not over.eligible and "2025" in over.reasons[0]


def test_previous_year_counts_from_2025():
    result = kt.kor_eligibility(2025, 15000, 25000)
    assert not result.eligible
    assert "2024" in result.reasons[0]


def test_previous_year_test_before_2025_is_an_assumption():
    # kor.md §1: the previous-year test is explicit from 2025; for 2024 it is unconfirmed,
    # so the parameter's 2024 value is recorded as an assumption, and 2025's is not.
    result = kt.kor_eligibility(2024, 15000, 25000)
    assert not result.eligible
    assert "kor_previous_year_test:2024" in {a.key for a in result.assumptions}
    confirmed = kt.kor_eligibility(2025, 15000, 25000)
    assert not any(a.key.startswith("kor_previous_year_test") for a in confirmed.assumptions)


def test_threshold_crossing_belastingdienst_example():
    # kor.md §1: €19,750 by 15 Sept 2024, a €500 advance on 16 Sept → KOR ends 16 Sept,
    # VAT on the full €500 (19,750 + 500 = 20,250 > 20,000).
    supplies = [
        kt.Supply(D(2024, 9, 16), 500),
        kt.Supply(D(2024, 9, 15), 9750),
        kt.Supply(D(2024, 3, 1), 10000),
    ]
    crossing = kt.threshold_crossing(supplies, 2024)
    assert crossing.date == D(2024, 9, 16)
    assert crossing.index == 0
    assert crossing.total_before == pytest.approx(19750)
    assert crossing.taxed_from_here == pytest.approx(500)


def test_later_supplies_are_taxed_too_and_uncounted_are_skipped():
    supplies = [
        kt.Supply(D(2025, 1, 1), 19000),
        kt.Supply(D(2025, 2, 1), 5000, "exempt_other"),  # does not count: no crossing here
        kt.Supply(D(2025, 3, 1), 1000),  # 20,000: not above
        kt.Supply(D(2025, 4, 1), 300),  # 20,300: crosses
        kt.Supply(D(2025, 5, 1), 200),
    ]
    crossing = kt.threshold_crossing(supplies, 2025)
    assert crossing.date == D(2025, 4, 1)
    assert crossing.taxed_from_here == pytest.approx(500)  # 300 + 200


def test_no_crossing_within_threshold():
    assert kt.threshold_crossing([kt.Supply(D(2025, 1, 1), 20000)], 2025) is None


def test_warnings_follow_the_kvk_list():
    warnings = kt.kvk_warnings(
        consumer_sales=2000,
        business_sales=15000,
        kor_gain=-500,
        planned_investment_vat=2100,
        herziening_due=900,
        vat_taxed_rental=True,
        foreign_or_reverse_charge=True,
        kor_turnover=21000,
        threshold=20000,
    )
    codes = [w.code for w in warnings]
    assert codes == [
        "many_business_customers",
        "large_investment",
        "herziening_due",
        "vat_taxed_rental",
        "foreign_or_reverse_charge",
        "threshold_crossed",
    ]
    blocking = {w.code for w in warnings if w.blocking}
    assert blocking == {"vat_taxed_rental", "threshold_crossed"}
    assert "€ 900,00" in warnings[2].detail


def test_no_warnings_for_a_pure_consumer_business():
    assert kt.kvk_warnings(15000, 0, 1000) == ()


def test_vat_taxed_rental_books_no_kor_year_and_says_why():
    # rules/kor.md §4: renting out a building with VAT (option-taxed rental): the KOR is
    # not possible, so no year is "in KOR", no margin gain is counted, no herziening is due
    # and each year's status says why. (Before: 2026 "in KOR" with a gain of € 3.150.)
    import dataclasses

    scenario = dataclasses.replace(kt.example_scenario("kapper"), vat_taxed_rental=True)
    result = kt.evaluate(scenario)
    table = result.table
    assert not table["kor_applies"].any() and (table["kor_share"] == 0).all()
    assert (table["margin_gain"] == 0).all() and (table["herziening"] == 0).all()
    assert (table["difference"] == 0).all() and result.total_difference == 0
    chosen = list(scenario.kor_years)
    assert set(table.loc[chosen, "kor_status"]) == {"KOR niet mogelijk: btw-belaste verhuur"}
    assert set(table.loc[chosen, "kor_status_en"]) == {"KOR not possible: VAT-taxed rental"}
    advice = kt.advise(result)
    assert advice.kor_years == () and advice.verdict == "niet_meedoen"
    assert result.herziening_after_last_year == 0
