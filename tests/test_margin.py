"""Margin rules beyond the worked cases (those are data: tests/cases/margin.yaml)."""

import pytest

import kortools as kt

CONSUMER, NET, KEEP_MARGIN = "keep_consumer_prices", "keep_net_prices", "keep_margin"


def test_break_even_consumer_sales():
    # margin.md: Sc* = r_in·C / r = 0.21 × 4,000 / 0.21 = 4,000; at 9%: 840 / 0.09 = 9,333.33.
    assert kt.compare_margin(0, 0, 4000).break_even_consumer_sales == pytest.approx(4000)
    r9 = kt.compare_margin(0, 0, 4000, vat_rate=0.09)
    assert r9.break_even_consumer_sales == pytest.approx(9333.33, abs=0.01)
    # at a 0% sales rate no consumer sales make up for lost input VAT
    assert kt.compare_margin(0, 0, 4000, vat_rate=0.0).break_even_consumer_sales is None
    # the gain is zero exactly at break-even
    assert kt.compare_margin(4000, 0, 4000).gain == pytest.approx(0)


def test_keep_margin_solves_the_b2b_price_rise():
    # Sc 2,000, Sb 10,000, C 4,000 at 21%. Needed B2B revenue Sb' = Sb − r·Sc + r_in·C
    # = 10,000 − 420 + 840 = 10,420: a rise of 420, 4.2% of 10,000. Margin unchanged.
    r = kt.compare_margin(2000, 10000, 4000, policy=KEEP_MARGIN)
    assert r.b2b_price_change == pytest.approx(420)
    assert r.b2b_price_change_pct == pytest.approx(0.042)
    assert r.gain == pytest.approx(0)
    assert r.margin_kept


def test_keep_margin_without_business_sales_cannot_keep_the_margin():
    # No B2B sales: no price to raise; KOR margin as keep-consumer-prices: gain r·Sc − r_in·C
    # = 0.21 × 1,000 − 0.21 × 4,000 = −630.
    r = kt.compare_margin(1000, 0, 4000, policy=KEEP_MARGIN)
    assert r.gain == pytest.approx(-630)
    assert not r.margin_kept
    assert r.b2b_price_change_pct is None


def test_threshold_comes_from_the_year():
    assert kt.compare_margin(100, 0, 0, year=2026).threshold == 20000
    unconfirmed_2023 = kt.compare_margin(100, 0, 0, year=2023).assumptions  # rules/kor.md: not for 2023
    assert any("kor_threshold" in a.key for a in unconfirmed_2023)
    assert kt.compare_margin(100, 0, 0, year=2027).assumptions == ()  # art. 25 Wet OB: not indexed
    assert kt.compare_margin(100, 0, 0, year=2025).assumptions == ()


def test_sweep_matches_single_cases():
    sweep = kt.margin_sweep([0, 10000, 17000], [10000, 0, 0], 4000, policy=CONSUMER)
    for i, (sc, sb) in enumerate([(0, 10000), (10000, 0), (17000, 0)]):
        one = kt.compare_margin(sc, sb, 4000, policy=CONSUMER)
        assert sweep.loc[i, "gain"] == pytest.approx(one.gain)
        assert sweep.loc[i, "kor_turnover"] == pytest.approx(one.kor_turnover)
        assert bool(sweep.loc[i, "within_threshold"]) == one.within_threshold


def test_gain_by_consumer_share_is_linear_under_keep_consumer_prices():
    # total 20,000, C 4,000: gain(share) = 0.21 × 20,000 × share − 840; at 0: −840, at 1: 3,360.
    curve = kt.gain_by_consumer_share(20000, 4000, points=5)
    assert list(curve.index) == [0, 0.25, 0.5, 0.75, 1]
    assert curve["gain"].iloc[0] == pytest.approx(-840)
    assert curve["gain"].iloc[-1] == pytest.approx(3360)
    assert curve["gain"].iloc[2] == pytest.approx(1260)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1234.5, "€ 1.234,50"), (7327.155, "€ 7.327,16"), (-840, "€ -840,00"), (0.005, "€ 0,01")],
)
def test_dutch_money_format_rounds_half_up(amount, text):
    from kortools.money import format_euro

    assert format_euro(amount) == text
