"""The rules the KVK pages name beyond the basic deductions: startersaftrek bij
arbeidsongeschiktheid, S&O-aftrek, pregnancy weeks, the second hours test, legal form,
registratiedrempel, EU-KOR, the VAT rate by year and leaving on request (rules/*.md)."""

import dataclasses
import datetime as dt

import pytest

import kortools as kt


def test_startersaftrek_bij_arbeidsongeschiktheid():
    # deductions.md §4: a starter with a disability benefit, 800 ≤ hours < 1,225:
    # 12,000 with no earlier use. W = 20,000: OA 12,000; MKB 12.70% × 8,000 = 1,016;
    # taxable 20,000 − 12,000 − 1,016 = 6,984.
    d = kt.entrepreneur_deductions(2025, 20000, 1000, starter=True, disability_benefit=True)
    assert (d.startersaftrek_ao, d.zelfstandigenaftrek) == (12000, 0)
    assert d.taxable_profit == pytest.approx(6984)
    # one earlier use → 8,000, capped at profit 5,000
    capped = kt.entrepreneur_deductions(2025, 5000, 1000, starter=True, disability_benefit=True, sa_ao_uses=1)
    assert capped.startersaftrek_ao == 5000
    # not for: a non-starter, 1,300 hours (the normal test is met), 700 hours, three uses
    assert kt.entrepreneur_deductions(2025, 20000, 1000, disability_benefit=True).startersaftrek_ao == 0
    met = kt.entrepreneur_deductions(2025, 20000, 1300, starter=True, disability_benefit=True)
    assert met.startersaftrek_ao == 0 and met.startersaftrek == 2123
    for hours, uses in ((700, 0), (1000, 3)):
        d = kt.entrepreneur_deductions(
            2025, 20000, hours, starter=True, disability_benefit=True, sa_ao_uses=uses
        )
        assert d.startersaftrek_ao == 0


def test_so_aftrek():
    # deductions.md §6 (2025, unconfirmed): 15,738 with ≥ 500 S&O hours and the
    # urencriterium; W = 60,000, 1,300 h: OA = 2,470 + 15,738 = 18,208;
    # MKB 12.70% × 41,792 = 5,307.58.
    d = kt.entrepreneur_deductions(2025, 60000, 1300, so_hours=600)
    assert d.so_aftrek == 15738
    assert d.ondernemersaftrek == pytest.approx(18208)
    assert d.mkb_winstvrijstelling == pytest.approx(0.127 * 41792)
    assert "so_aftrek_no_cap" in {a.key for a in d.assumptions}
    # a starter gets 7,875 more; 400 S&O hours give nothing; 2023 has no figure
    assert kt.entrepreneur_deductions(2025, 60000, 1300, starter=True, so_hours=600).so_aftrek == 15738 + 7875
    assert kt.entrepreneur_deductions(2025, 60000, 1300, so_hours=400).so_aftrek == 0
    with pytest.raises(kt.InputError, match="S&O"):
        kt.entrepreneur_deductions(2023, 60000, 1300, so_hours=600)


def test_pregnancy_weeks_count_as_hours():
    # deductions.md §1: 1,000 h + 8 weeks × 40 h = 1,320 ≥ 1,225 → zelfstandigenaftrek 2,470
    d = kt.entrepreneur_deductions(2025, 30000, 1000, pregnancy_weeks=8, hours_per_week=40)
    assert d.counted_hours == 1320 and d.zelfstandigenaftrek == 2470
    # at most 16 weeks: 30 weeks × 10 h count as 160 → 1,100 + 160 = 1,260 met, 1,000 + 160 not
    assert kt.entrepreneur_deductions(
        2025, 30000, 1100, pregnancy_weeks=30, hours_per_week=10
    ).urencriterium_met
    assert not kt.entrepreneur_deductions(
        2025, 30000, 1000, pregnancy_weeks=30, hours_per_week=10
    ).urencriterium_met


def test_second_hours_test_waived_for_starters():
    # deductions.md §1: more hours on the business than on other work, unless a starter
    assert not kt.entrepreneur_deductions(2025, 30000, 1300, other_work_hours=1500).urencriterium_met
    assert kt.entrepreneur_deductions(
        2025, 30000, 1300, starter=True, other_work_hours=1500
    ).urencriterium_met


def kapper(**changes):
    return dataclasses.replace(kt.example_scenario("kapper"), **changes)


def test_the_scenario_carries_the_person():
    # other work 1,500 h > 1,300 h on the business: no zelfstandigenaftrek in any year
    result = kt.evaluate(kapper(other_work_hours=1500))
    assert (result.deductions_table("kor")["zelfstandigenaftrek"] == 0).all()
    with pytest.raises(kt.InputError, match="hours_per_week"):
        kapper(pregnancy_weeks=4)


def test_vat_rate_by_year():
    # kor.md §7: logies 9% → 21% from 2026. Consumer sales 10,000 kept at today's prices,
    # no costs: the KOR gains 0.09 × 10,000 = 900 in 2025 and 0.21 × 10,000 = 2,100 after.
    s = kapper(
        consumer_sales=10000,
        costs_with_vat=0,
        costs_without_vat=0,
        assets=(),
        kor_start_year=2025,
        previous_year_turnover=10000,
        overrides={2026: {"vat_rate": 0.21}, 2027: {"vat_rate": 0.21}},
    )
    assert kt.evaluate(s).table["margin_gain"].tolist() == pytest.approx([900, 2100, 2100])


def test_legal_form():
    # A vof partner with half the profit: in the credit-cap zone only the Zvw bites, so the
    # partner keeps 0.5 × 960 × (1 − 0.873 × Zvw rate) a KOR year (kapper: 960 gross), the
    # mean of 2026 (4.85%) and 2027 (5.02%, rules/tax-2027.md): 0.5 × 960 × (1 − 0.873 × 4.935%).
    vof = kt.advise(kt.evaluate(kapper(legal_form="vof", profit_share=0.5)))
    assert vof.net_gain_per_kor_year == pytest.approx(0.5 * 960 * (1 - 0.873 * (0.0485 + 0.0502) / 2))
    # A bv: VAT only; no net income, said as the first reason after the refused years
    bv = kt.evaluate(kapper(legal_form="bv"))
    advice = kt.advise(bv)
    assert advice.total_difference == pytest.approx(1920)
    assert advice.net_total_difference != advice.net_total_difference  # NaN: not computed
    assert advice.reasons[0].code == "bv_vat_only"
    assert bv.table["net_difference"].isna().all()
    with pytest.raises(kt.InputError, match="profit_share"):
        kapper(profit_share=0.5)


def test_registratiedrempel_and_eu_kor_warnings():
    # kor.md §5: not at KVK and at most 1,800 turnover; §6: EU turnover above 100,000
    small = kapper(
        consumer_sales=1500, costs_with_vat=0, costs_without_vat=0, assets=(), kvk_registered=False
    )
    assert "registratiedrempel" in {w.code for w in kt.evaluate(small).warnings}
    assert "registratiedrempel" not in {w.code for w in kt.evaluate(kapper(kvk_registered=False)).warnings}
    eu = kt.evaluate(kapper(eu_turnover=120000))
    assert "eu_kor" in {w.code for w in eu.warnings}
    assert "eu_kor" not in {w.code for w in kt.evaluate(kapper(eu_turnover=90000)).warnings}


@pytest.mark.parametrize(
    ("request_on", "effective"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 4, 1)),  # 1 Mar + 4 weeks: the KOR ends 31 March
        (dt.date(2025, 3, 4), dt.date(2025, 7, 1)),  # too late for 1 April
    ],
)
def test_leaving_on_request(request_on, effective):
    # kor.md §2 (from 2025): takes effect on the first day of a return period, the request
    # more than 4 weeks before; re-entry from 1 January of the exit year + 2.
    assert kt.kor_exit_date(request_on) == effective
    assert kt.kor_reentry_date(effective) == dt.date(2027, 1, 1)


def test_solar_panels_before_2023_are_a_warning():
    # Solar panels on a home bought before 2023 with the VAT reclaimed: joining the KOR can
    # revise that VAT (deductions.md source s:rendement); the adviser adds them as an asset.
    codes = {w.code for w in kt.evaluate(kapper(solar_panels_before_2023=True)).warnings}
    assert "solar_panels" in codes
    assert "solar_panels" not in {w.code for w in kt.evaluate(kapper()).warnings}
