"""One record, one computation (issue #19): ``kt.evaluate`` is the n = 1 case of the
arrays, and where it shows a figure another public function also gives, they agree.

- the margins of each year = ``kt.compare_margin`` of that year's inputs;
- the herziening schedule = ``kt.herziening_schedule`` of the assets with the KOR shares
  the evaluation found (the scenario's years, then the KOR going on);
- the record of a scenario holds its inputs (n = 1).
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import kortools as kt
from kortools.record import businesses_of

EXAMPLES = ("kapper", "consultant", "starter", "drempel")


@st.composite
def scenarios(draw):
    base = kt.example_scenario(draw(st.sampled_from(EXAMPLES)))
    years = list(base.years)
    vat = draw(st.floats(0, 20_000))
    first_use = draw(st.integers(years[0] - 4, years[-1]))
    kind = draw(st.sampled_from(["movable", "immovable"]))
    assets = (kt.Asset("Machine", kind, first_use, vat),) if vat > 0 else ()
    return dataclasses.replace(
        base,
        consumer_sales=draw(st.floats(0, 40_000)),
        business_sales=draw(st.floats(0, 20_000)),
        kor_start_year=draw(st.sampled_from(years)),
        kor_last_year=None,
        assets=assets,
    )


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_the_margins_are_compare_margin_of_each_year(scenario):
    result = kt.evaluate(scenario)
    for year, margin in result.margins.items():
        i = scenario.inputs(year)
        expected = kt.compare_margin(
            i["consumer_sales"],
            i["business_sales"],
            i["costs_with_vat"],
            i["costs_without_vat"],
            i["vat_rate"],
            scenario.input_vat_rate,
            scenario.policy,
            scenario.tax_year(year),
        )
        assert margin == expected


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_the_schedule_is_herziening_schedule_with_the_shares_found(scenario):
    result = kt.evaluate(scenario)
    share = dict(zip(scenario.years, result.table["kor_share"], strict=True))
    going_on = float(scenario.kor_continues and share[scenario.last_year] == 1.0)
    after = [y for y in result.herziening.index if y > scenario.last_year]
    expected = kt.herziening_schedule(
        scenario.assets,
        scenario.first_year,
        kor_share={**share, **dict.fromkeys(after, going_on)},
        last_year=scenario.last_year,
    )
    pd.testing.assert_frame_equal(result.herziening, expected)
    assert result.herziening.attrs["assumptions"] == expected.attrs["assumptions"]


def test_the_record_of_a_scenario_holds_its_inputs():
    scenario = kt.example_scenario("kapper")
    record = businesses_of(scenario)
    assert record.n == 1 and record.years == tuple(scenario.years)
    assert [float(s.consumer_sales[0]) for s in record.sales] == [
        scenario.inputs(y)["consumer_sales"] for y in scenario.years
    ]
    assert [bool(c[0]) for c in record.chosen] == [y in scenario.kor_years for y in scenario.years]
    assert [float(a.vat[0]) for a in record.assets] == [a.vat for a in scenario.assets]
    assert record.person is not None and float(record.person.hours[0][0]) == scenario.hours
