"""Properties that hold for all inputs (hypothesis)."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import kortools as kt

money = st.floats(min_value=0, max_value=1e7, allow_nan=False)
rates = st.sampled_from([0.0, 0.09, 0.21])
years = st.sampled_from(list(kt.tax_years()))


@given(sc=money, sb=money, c=money, o=money, r=rates, r_in=rates, year=years)
def test_keep_consumer_prices_gain_is_r_sc_minus_r_in_c(sc, sb, c, o, r, r_in, year):
    # margin.md: gain = r·Sc − r_in·C under "keep consumer prices"
    res = kt.compare_margin(sc, sb, c, o, r, r_in, "keep_consumer_prices", year)
    assert res.gain == pytest.approx(r * sc - r_in * c, abs=1e-6 * (1 + sc + c))
    assert res.kor_turnover == pytest.approx(sc * (1 + r) + sb, rel=1e-12, abs=1e-9)


@given(sc=money, sb=money, c=money, r=rates, r_in=rates)
def test_keep_net_prices_loses_exactly_the_input_vat(sc, sb, c, r, r_in):
    res = kt.compare_margin(sc, sb, c, 0, r, r_in, "keep_net_prices", 2025)
    assert res.gain == pytest.approx(-r_in * c, abs=1e-6 * (1 + sc + sb + c))


@given(sc=money, sb=st.floats(min_value=1, max_value=1e7), c=money, r=rates, r_in=rates)
def test_keep_margin_keeps_the_margin_when_business_revenue_can_absorb_it(sc, sb, c, r, r_in):
    res = kt.compare_margin(sc, sb, c, 0, r, r_in, "keep_margin", 2025)
    if sb - r * sc + r_in * c >= 0:  # the solved business revenue is not negative
        assert res.gain == pytest.approx(0, abs=1e-6 * (1 + sc + sb + c))
        assert res.margin_kept


asset_st = st.builds(
    kt.Asset,
    name=st.text(alphabet="abcdefgh", min_size=1, max_size=6),
    kind=st.sampled_from(["movable", "immovable"]),
    first_use_year=st.integers(2010, 2030),
    vat=st.floats(min_value=0, max_value=1e6),
)


@settings(max_examples=150)
@given(
    assets=st.lists(asset_st, max_size=5, unique_by=lambda a: a.name),
    start=st.integers(2020, 2030),
    length=st.one_of(st.none(), st.integers(0, 12)),
)
def test_herziening_never_exceeds_the_vat(assets, start, length):
    last = None if length is None else start + length
    df = kt.herziening_schedule(assets, start, last)
    for a in assets:
        assert df[a.name].abs().sum() <= a.vat * (1 + 1e-9) + 1e-9
        # one sign per asset: repay (bought before) or extra deduction (bought under the KOR)
        assert (df[a.name] >= 0).all() or (df[a.name] <= 0).all()
    total_vat = sum(a.vat for a in assets)
    assert df["payable"].abs().sum() <= total_vat * (1 + 1e-9) + 1e-9
    # €500 rule: each year either all of gross or nothing
    for gross, payable in zip(df["gross"], df["payable"], strict=True):
        assert payable == gross or (payable == 0 and abs(gross) < 500)


profiles = dict(
    hours=st.sampled_from([0, 1000, 1225, 1800]),
    starter=st.booleans(),
    aow=st.booleans(),
    partner=st.sampled_from([0, 600, 900, 1300, 1800]),
    year=years,
)


@given(w1=st.floats(-1e6, 1e6), w2=st.floats(-1e6, 1e6), **profiles)
def test_taxable_profit_is_monotone_in_profit(w1, w2, hours, starter, aow, partner, year):
    low, high = sorted((w1, w2))
    # deductions.md §9 edge case (unconfirmed, flagged): a non-starter's ZA capped at profit
    # plus meewerkaftrek on top gives a small loss for profits below the ZA. Monotone elsewhere.
    edge = not starter and partner >= 525 and hours >= 1225 and low < kt.value("zelfstandigenaftrek", year)
    assume(not edge)
    a = kt.entrepreneur_deductions(year, low, hours, starter, aow, partner)
    b = kt.entrepreneur_deductions(year, high, hours, starter, aow, partner)
    assert a.taxable_profit <= b.taxable_profit + 1e-6
    # ondernemersaftrek never falls as profit rises (ZA cap and meewerk grow with profit)
    assert a.ondernemersaftrek <= b.ondernemersaftrek + 1e-6


@given(w=st.floats(-1e6, 1e6), **profiles)
def test_non_starter_za_never_creates_a_loss(w, hours, starter, aow, partner, year):
    d = kt.entrepreneur_deductions(year, w, hours, False, aow, 0)
    if w >= 0:
        assert d.taxable_profit >= -1e-9
    assert d.zelfstandigenaftrek <= max(0.0, w) + 1e-9
    assert (math.isfinite(d.tax_value) and d.tax_value >= -1e-9) or w < 0


def test_meewerk_edge_case_is_flagged_not_hidden():
    # W = 1,000 < ZA 2,470 (2025): ZA 1,000 + meewerk 2% × 1,000 = 20 → W − OA = −20
    d = kt.entrepreneur_deductions(2025, 1000, 1300, partner_hours=900)
    assert d.ondernemersaftrek - d.profit == pytest.approx(20)
    assert "loss_with_meewerkaftrek" in {a.key for a in d.assumptions}
