"""Net income after income tax and Zvw: every worked case of rules/inkomstenbelasting.md.

The rules round each step to the cent; the model does not round, so a figure may differ
by a cent or two (inkomstenbelasting.md §11: "differs by at most a few cents").
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kortools as kt

CENTS = 0.02

# The worked cases N1–N11 of inkomstenbelasting.md §11 are data: tests/cases/inkomstenbelasting.yaml.


@pytest.mark.parametrize(
    ("year", "profit", "rate"),
    [
        # §12: below the credit cap only the Zvw bites: 0.873 × 5.26% = 4.592% (2025),
        # 0.873 × 4.85% = 4.234% (2026)
        (2025, 20000, 0.873 * 0.0526),
        (2026, 15000, 0.873 * 0.0485),
        # §12 example (b): 0.873 × (35.82 + 6.337 + 5.26)% − 2.258% = 39.137%
        (2025, 40000, 0.873 * (0.3582 + 0.06337 + 0.0526) - 0.02258),
        # §12: 2026, 92,161–132,920: 0.873 × 49.50% + 0.127 × 11.94% + 6.51% = 51.24%
        (2026, 120000, 0.873 * 0.495 + 0.127 * 0.1194 + 0.0651),
    ],
)
def test_marginal_rate(year, profit, rate):
    assert kt.net_income(year, profit, 1300).marginal_rate == pytest.approx(rate, abs=1e-4)


def test_example_b_a_thousand_more_profit():
    # §12 example (b): net(41,000) − net(40,000) = 35,470.78 − 34,862.15 = 608.63 (2025)
    gain = kt.net_income(2025, 41000, 1300).net_income - kt.net_income(2025, 40000, 1300).net_income
    assert gain == pytest.approx(608.63, abs=CENTS)


def test_example_a_the_kor_in_net_terms():
    # §12 example (a): regular W = 11,000 → net 10,608.30; KOR W = 13,310 → net 12,812.23;
    # gross gain 2,310, net gain 2,203.93 ≈ 2,310 × (1 − 4.59%).
    regular = kt.net_income(2025, 11000, 1300).net_income
    kor = kt.net_income(2025, 13310, 1300).net_income
    assert regular == pytest.approx(10608.30, abs=CENTS)
    assert kor == pytest.approx(12812.23, abs=CENTS)
    assert kor - regular == pytest.approx(2203.93, abs=CENTS)


def test_tax_value_of_the_deductions_is_the_difference_in_net_income():
    # deductions.md case 1 (2025, W = 50,000, 1,400 h): OA 2,470, MKB 6,036.31, BW 41,493.69.
    # With them: tariff 38,441 × 35.82% + 3,052.69 × 37.48% = 14,913.71; AHK 3,068 −
    # 6.337% × 13,087.69 = 2,238.63; AK 5,599 − 6.51% × 6,929 = 5,147.92; tax 7,527.16;
    # Zvw 5.26% × 41,493.69 = 2,182.57: 9,709.73.
    # Without: tariff 13,769.57 + 11,559 × 37.48% = 18,101.88; AHK 3,068 − 6.337% × 21,594
    # = 1,699.59; AK 5,147.92; tax 11,254.37; Zvw 2,630.00: 13,884.37.
    # Saved 4,174.64 (deductions.md's ≈ 3,188.16 values each euro at 37.48% and leaves out
    # the credits and the Zvw).
    assert kt.entrepreneur_deductions(2025, 50000, 1400).tax_value == pytest.approx(4174.64, abs=CENTS)


def test_credits_are_not_paid_out_and_aow_halves_the_first_bracket():
    low = kt.net_income(2025, 5000, 1300)
    assert low.income_tax == 0 and low.algemene_heffingskorting + low.arbeidskorting > low.box1_tax
    assert "net_income_scope" in {a.key for a in low.assumptions}


years = st.sampled_from(list(kt.tax_years()))
profiles = dict(
    hours=st.sampled_from([0, 800, 1225, 2000]),
    starter=st.booleans(),
    aow=st.booleans(),
    partner=st.sampled_from([0, 600, 900, 1300, 1800]),
    year=years,
)


@settings(max_examples=300, deadline=None)
@given(w=st.floats(0.01, 500_000), **profiles)
def test_net_income_never_exceeds_profit_and_tax_is_never_negative(w, hours, starter, aow, partner, year):
    n = kt.net_income(year, w, hours, starter=starter, aow=aow, partner_hours=partner)
    assert n.income_tax >= 0 and n.zvw >= 0
    assert n.net_income <= w + 1e-9


@settings(max_examples=300, deadline=None)
@given(w=st.floats(-50_000, 300_000), more=st.floats(0.01, 20_000), **profiles)
def test_net_income_rises_with_profit(w, more, hours, starter, aow, partner, year):
    """No cliff in profit within a profile: every effective marginal rate is below 100%
    (§12 table); the cliffs are in hours (the urencriterium) and in the KOR threshold."""
    a = kt.net_income(year, w, hours, starter=starter, aow=aow, partner_hours=partner)
    b = kt.net_income(year, w + more, hours, starter=starter, aow=aow, partner_hours=partner)
    assert b.net_income >= a.net_income - 1e-6
