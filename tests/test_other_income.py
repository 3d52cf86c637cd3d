"""A wage or benefit beside the business in a scenario (rules/other-income.md, issue #20 item 5)."""

from __future__ import annotations

from dataclasses import replace

import pytest

import kortools as kt
from kortools.money import format_euro
from kortools.parameters import tax_years

YEAR = tax_years()[-1]


def part_timer(**changes) -> kt.Scenario:
    """A consultant with a 1,600-hour job beside 1,300 hours of business (issue #20)."""
    base = kt.Scenario(
        name="Deeltijder",
        first_year=YEAR,
        last_year=YEAR,
        consumer_sales=15_000,
        business_sales=0,
        costs_with_vat=2_000,
        hours=1_300,
        other_work_hours=1_600,
        other_income=30_000,
    )
    return replace(base, **changes)


def test_the_net_figures_are_the_tax_on_the_total_with_the_wage_fixed():
    s = part_timer()
    row = kt.evaluate(s).table.loc[YEAR]
    for variant in ("regular", "kor"):
        alone = kt.net_income(
            YEAR,
            row[f"{variant}_profit"],
            s.hours,
            other_work_hours=s.other_work_hours,
            other_income=s.other_income,
        )
        assert row[f"{variant}_net_income"] == pytest.approx(alone.net_income, abs=0.005)
    assert row["net_difference"] == pytest.approx(row["kor_net_income"] - row["regular_net_income"])


def test_a_wage_lifts_the_kor_gain_into_a_higher_bracket():
    with_wage = kt.evaluate(part_timer()).table.loc[YEAR]
    without = kt.evaluate(part_timer(other_income=0.0)).table.loc[YEAR]
    # the same profit gain (VAT side unchanged) ...
    assert with_wage["difference"] == pytest.approx(without["difference"])
    # ... is worth less net: with the wage, the marginal rate is 40-49 % (other-income.md O1)
    # where alone it is a few percent (N6): the net gain is below 60 % of the profit gain.
    assert with_wage["net_difference"] < 0.6 * with_wage["difference"]
    assert without["net_difference"] > 0.9 * without["difference"]


def test_a_wage_is_in_the_net_income_once():
    row = kt.evaluate(part_timer()).table.loc[YEAR]
    alone = kt.evaluate(part_timer(other_income=0.0)).table.loc[YEAR]
    # the net income with a wage of 30,000 lies between the wage and wage + the net alone
    assert 30_000 < row["regular_net_income"] < 30_000 + alone["regular_net_income"]


def test_per_year_other_income_overrides():
    s = part_timer(first_year=YEAR - 1, overrides={YEAR: {"other_income": 0.0}})
    table = kt.evaluate(s).table
    assert table.loc[YEAR - 1, "regular_net_income"] > 30_000
    assert table.loc[YEAR, "regular_net_income"] < 15_000


def test_an_unknown_kind_is_refused():
    with pytest.raises(kt.InputError, match="other_income_kind"):
        part_timer(other_income_kind="salaris")


def test_a_negative_wage_is_refused():
    with pytest.raises(kt.InputError, match="other_income"):
        part_timer(other_income=-1)


def test_the_benefit_assumptions_are_shown():
    result = kt.evaluate(part_timer(other_income_kind="uitkering", other_work_hours=0))
    keys = {a.key for a in result.assumptions}
    assert {"benefit_zvw_room", "benefit_kind_unknown"} <= keys


def test_the_page_says_the_urencriterium_is_missed_and_what_it_costs():
    result = kt.evaluate(part_timer())  # 1,300 h in the business < 1,600 h in the job
    steps = [s for s in kt.next_steps(result) if s.text_nl.startswith("Urencriterium niet gehaald")]
    assert len(steps) == 1
    text = steps[0].text_nl
    assert f"niet gehaald in {YEAR}" in text and "1.300 uur" in text and "1.600 uur" in text
    met = kt.evaluate(part_timer(other_work_hours=0.0)).table.loc[YEAR, "kor_net_income"]
    cost = met - result.table.loc[YEAR, "kor_net_income"]
    assert cost > 0  # the ZA is worth something at a 40 % marginal rate
    assert format_euro(cost, cents=False) in text


def test_no_hours_step_when_the_test_is_met():
    result = kt.evaluate(part_timer(other_work_hours=1_000))
    assert not [s for s in kt.next_steps(result) if "niet gehaald" in s.text_nl]
