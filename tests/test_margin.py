"""Worked cases of rules/margin.md and kor.md §1 (counted turnover under the KOR)."""

import pytest

import kortools as kt
from kortools.money import to_cents

CONSUMER, NET, KEEP_MARGIN = "keep_consumer_prices", "keep_net_prices", "keep_margin"


def test_m1_hourly_rate_consumer_pays_incl_vat_regular_and_net_under_kor():
    # M1: €50 excl. VAT to a consumer. Regular: 50 × 1.21 = 60.50. KOR, net prices: 50.
    r = kt.compare_margin(50, 0, 0, policy=NET, year=2025)
    assert r.consumers_pay_regular == pytest.approx(60.50)
    assert r.consumers_pay_kor == pytest.approx(50.00)


def test_m2_consumer_price_kept_keeps_the_vat():
    # M2: consumer pays 60.50 in both. Regular keeps 50 (remits 10.50); KOR keeps 60.50.
    r = kt.compare_margin(50, 0, 0, policy=CONSUMER, year=2025)
    assert r.consumers_pay_kor == pytest.approx(60.50)
    assert r.regular_margin == pytest.approx(50.00)
    assert r.kor_margin == pytest.approx(60.50)
    assert r.gain == pytest.approx(10.50)


def test_m3_largest_gain_at_the_threshold():
    # M3: €20,000 incl. VAT, consumers only, no input VAT: Sc = 20,000 / 1.21 = 16,528.93;
    # gain = 0.21 × Sc = 3,471.07. Counted KOR turnover is exactly 20,000: still eligible.
    r = kt.compare_margin(20000 / 1.21, 0, 0, policy=CONSUMER, year=2025)
    assert to_cents(r.gain) == 3471.07
    assert r.kor_turnover == pytest.approx(20000)
    assert r.within_threshold


def test_m4_consumers_keep_consumer_prices():
    # M4: Sc 10,000 at 21%, C 4,000 (+840 VAT). Regular 10,000 − 4,000 = 6,000;
    # KOR 12,100 − 4,840 = 7,260; gain +1,260 = 0.21 × 10,000 − 0.21 × 4,000.
    r = kt.compare_margin(10000, 0, 4000, policy=CONSUMER, year=2025)
    assert r.regular_margin == pytest.approx(6000)
    assert r.kor_margin == pytest.approx(7260)
    assert r.gain == pytest.approx(1260)


def test_m5_businesses_keep_net_prices():
    # M5: Sb 10,000; regular 6,000; KOR 10,000 − 4,840 = 5,160 (−840).
    r = kt.compare_margin(0, 10000, 4000, policy=NET, year=2025)
    assert r.regular_margin == pytest.approx(6000)
    assert r.kor_margin == pytest.approx(5160)
    assert r.gain == pytest.approx(-840)


def test_m6_laptop_vat_not_recoverable():
    # M6: laptop €1,200 incl. VAT: 1,200 / 1.21 × 0.21 = 208.26 lost under the KOR.
    r = kt.compare_margin(0, 0, 1200 / 1.21, year=2025)
    assert to_cents(r.lost_input_vat) == 208.26


def test_kor_md_consumer_prices_kept_push_turnover_over_threshold():
    # kor.md §1: €17,000 net B2C at 21% kept at €20,570 gross → counted 20,570 > 20,000.
    r = kt.compare_margin(17000, 0, 0, policy=CONSUMER, year=2025)
    assert r.kor_turnover == pytest.approx(20570)
    assert not r.within_threshold
    assert r.threshold_excess == pytest.approx(570)
    # keeping net prices keeps the counted turnover at 17,000
    assert kt.compare_margin(17000, 0, 0, policy=NET, year=2025).within_threshold


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
    unconfirmed_2027 = kt.compare_margin(100, 0, 0, year=2027).assumptions
    assert any("kor_threshold" in a.key for a in unconfirmed_2027)
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
