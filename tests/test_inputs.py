"""The input catalogue (kortools.inputs; issue #36 item 1): every input declared once, and
the places that must name it, named to it."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pandas as pd
import pytest

import kortools as kt
from kortools import _validate, portfolio
from kortools.deduction_years import DeductionTrack
from kortools.deductions import DeductionInputs, entrepreneur_deductions
from kortools.errors import InputError
from kortools.inputs import (
    BUSINESS_YEARLY,
    DASHBOARD_MAX_AMOUNT,
    DEDUCTION_INPUTS,
    DEDUCTION_YEARLY,
    INPUTS,
    PERSON_YEARLY,
    input_named,
)
from kortools.record import (
    Entrepreneur,
    YearInputs,
    businesses_of,
    default_person,
    entrepreneur,
    person_of,
    year_inputs,
)
from kortools.scenario import YEARLY_FIELDS, Scenario
from kortools.ui.aftrekposten_app import aftrekposten_specs
from kortools.ui.verkenner_fields import verkenner_specs

SCENARIO = dict(
    name="x", first_year=2026, last_year=2027, consumer_sales=10_000, business_sales=0, costs_with_vat=0
)


def test_every_input_is_a_scenario_field_with_the_catalogues_default():
    fields = {f.name: f for f in dataclasses.fields(Scenario)}
    for name, declared in INPUTS.items():
        assert name in fields, name
        if declared.default is not None:
            assert fields[name].default == declared.default, name
        else:
            assert fields[name].default is dataclasses.MISSING, name


def test_the_yearly_fields_are_the_catalogues_yearly_inputs():
    # as Scenario.YEARLY_FIELDS was written out before the catalogue (issue #36: unchanged)
    before = ("consumer_sales", "business_sales", "costs_with_vat", "costs_without_vat", "hours")
    before += ("partner_hours", "vat_rate", "other_work_hours", "so_hours", "pregnancy_weeks", "other_income")
    assert [f for f in YEARLY_FIELDS if f in before] == list(before)  # a new one may come in between
    assert set(before) <= set(YEARLY_FIELDS)
    assert set(YEARLY_FIELDS) == set(Scenario(**SCENARIO).inputs(2026))


def test_the_entrepreneurs_inputs_reach_the_record_from_both_builders():
    person = {n for n, i in INPUTS.items() if i.person}
    assert set(default_person((2026,), 1).inputs) == person  # every one, by its name
    assert not person & {f.name for f in dataclasses.fields(Entrepreneur)}  # said once: the catalogue
    # one scenario: its values; a client list: the catalogue's defaults, for every year
    scenario = Scenario(**SCENARIO, so_hours=12.0, overrides={2027: {"so_hours": 500.0}})
    one = businesses_of(scenario).person
    assert [float(x[0]) for x in one.so_hours] == [12.0, 500.0]
    many = default_person((2026, 2027), 3)
    for name in PERSON_YEARLY:
        assert [list(x) for x in getattr(many, name)] == [[INPUTS[name].default] * 3] * 2, name
    assert list(many.profit_share) == [1.0] * 3 and list(many.hours_per_week) == [0.0] * 3


def test_the_deductions_take_each_deduction_input_by_its_name():
    keywords = set(inspect.signature(entrepreneur_deductions).parameters)
    arrays = {f.name for f in dataclasses.fields(DeductionInputs)}
    for name in DEDUCTION_INPUTS:
        assert name in keywords and name in arrays, name
    assert set(DEDUCTION_YEARLY) <= set(PERSON_YEARLY) and set(DEDUCTION_INPUTS) <= set(INPUTS)
    assert {"so_hours", "pregnancy_weeks", "hours_per_week"} <= set(DEDUCTION_INPUTS)


def test_the_track_passes_a_years_deduction_inputs_by_their_catalogue_names():
    # rules/deductions.md §6: 500 S&O hours or more give the S&O-aftrek; the track takes the
    # year's S&O hours by name, as entrepreneur_deductions does for one year
    one_year = entrepreneur_deductions(2026, 40_000.0, 1500.0, so_hours=600.0)
    track = DeductionTrack().year(2026, 40_000.0, 1500.0, so_hours=600.0)
    assert one_year.so_aftrek > 0 and float(track.so_aftrek) == pytest.approx(one_year.so_aftrek)
    assert float(DeductionTrack().year(2026, 40_000.0, 1500.0).so_aftrek) == 0.0  # the default: 0 h
    with pytest.raises(TypeError, match="so_hour"):
        DeductionTrack().year(2026, 40_000.0, 1500.0, so_hour=600.0)  # a misspelt input is refused


def test_net_income_takes_the_deduction_inputs_of_the_catalogue():
    # net_income passes the catalogue's deduction inputs on to entrepreneur_deductions: its
    # deductions are that function's, and its tax is on the profit less them
    net = kt.net_income(2026, 40_000.0, 1500.0, so_hours=600.0)
    alone = entrepreneur_deductions(2026, 40_000.0, 1500.0, so_hours=600.0)
    assert net.deductions.so_aftrek == pytest.approx(alone.so_aftrek) and alone.so_aftrek > 0
    without = kt.net_income(2026, 40_000.0, 1500.0)
    assert net.net_income > without.net_income  # the S&O-aftrek lowers the tax
    with pytest.raises(TypeError, match=r"known: .*so_hours"):
        kt.net_income(2026, 40_000.0, 1500.0, so_hour=600.0)


def test_one_builder_makes_the_entrepreneur_of_a_scenario_and_of_a_client_list():
    # the client list's hours per business, the same in both years; the rest the defaults
    many = default_person((2026, 2027), 2, {"hours": np.array([800.0, 1500.0])})
    assert [list(x) for x in many.hours] == [[800.0, 1500.0]] * 2
    assert [list(x) for x in many.so_hours] == [[0.0, 0.0]] * 2  # not given: the default
    assert list(many.aow) == [False] * 2 and np.isnan(many.business_start_year).all()
    # the builder itself: a value per business, or one for all
    built = entrepreneur((2026,), 2, lambda name, _: [10.0, 20.0] if name == "so_hours" else 0.0, aow=True)
    assert list(built.so_hours[0]) == [10.0, 20.0] and list(built.hours[0]) == [0.0, 0.0]
    assert list(built.aow) == [True, True]
    # a scenario repeated for three businesses: its values, per year
    scenario = Scenario(**SCENARIO, hours=900.0, aow=True, overrides={2027: {"hours": 1300.0}})
    person = person_of(scenario, (2026, 2027), 3)
    assert [list(x) for x in person.hours] == [[900.0] * 3, [1300.0] * 3]
    assert list(person.aow) == [True] * 3 and list(person.profit_share) == [1.0] * 3


def test_the_so_hours_of_a_year_reach_its_so_aftrek():
    # rules/deductions.md §6: the S&O-aftrek needs 500 S&O hours; without them it is 0
    years = kt.evaluate(Scenario(**SCENARIO, hours=1500, overrides={2027: {"so_hours": 600.0}}))
    parts = years.income.regular
    assert float(parts[0].so_aftrek[0]) == 0.0 and float(parts[1].so_aftrek[0]) > 0.0


@pytest.mark.parametrize(
    ("name", "bad", "words"),
    [
        ("hours", 8785, "allowed 0 to 8,784 hours a year"),
        ("so_hours", -1, "allowed 0 to 8,784 hours a year"),
        ("pregnancy_weeks", 53, "allowed 0 to 52 weeks"),
        ("hours_per_week", 169, "allowed 0 to 168 hours"),
        ("other_income", -1, "euros"),
        ("vat_rate", 21, "(a fraction: 0.21 means 21%)"),
        ("growth", 2, "(a fraction a year: 0.05 is 5%)"),
    ],
)
def test_a_value_outside_its_range_is_refused_naming_the_input_and_the_range(name, bad, words):
    with pytest.raises(InputError) as error:
        Scenario(**SCENARIO, **{name: bad})
    assert error.value.field == name and words in str(error.value)
    if INPUTS[name].yearly:  # the same check for one year's value
        with pytest.raises(InputError) as error:
            Scenario(**SCENARIO, overrides={2027: {name: bad}})
        assert error.value.field == f"{name} (2027)" and words in str(error.value)


def test_the_limits_are_said_once():
    from kortools.ui import base

    assert portfolio.MAX_AMOUNT == _validate.MAX_AMOUNT == INPUTS["consumer_sales"].high == 1e12
    assert INPUTS["hours"].high == _validate.MAX_HOURS == 366 * 24  # a leap year's hours
    assert base.MAX_AMOUNT == DASHBOARD_MAX_AMOUNT


def test_the_dashboard_fields_of_an_input_take_its_range_and_label():
    specs = [*verkenner_specs().items(), *aftrekposten_specs().items()]
    by_field = [(key, spec) for key, spec in specs if spec.field in INPUTS]
    assert {spec.field for _, spec in by_field} >= {"hours", "other_work_hours", "other_income"}
    for key, spec in by_field:
        declared = input_named(spec.field)
        if declared.kind == "hours":
            assert (spec.kind, spec.low, spec.high) == ("int", 0, declared.high), key
            assert spec.label == declared.label_nl and key == declared.url, key
        if declared.kind == "amount":
            assert (spec.low, spec.high) == (0, DASHBOARD_MAX_AMOUNT), key
        assert spec.label == declared.label_nl and key == declared.url, key
    # the growth field: the catalogue's range (−0.5 to 1 a year) typed in percent
    growth = verkenner_specs()["groei"]
    assert (growth.kind, growth.low, growth.high) == ("percent", -50, 100)
    assert growth.label == INPUTS["growth"].label_nl


def test_the_partners_hours_on_the_aftrekposten_page_take_the_catalogues_range():
    spec = aftrekposten_specs()["partner_uren"]
    assert (spec.low, spec.high, spec.label) == (0, INPUTS["partner_hours"].high, "Uren meewerkende partner")


def test_an_unknown_input_is_named_with_the_known_ones():
    with pytest.raises(KeyError, match="so_hours"):
        input_named("so_uren")
    assert np.isclose(input_named("vat_rate").default, 0.21)


def test_a_client_lists_columns_of_the_inputs_come_from_the_catalogue():
    columns = {c.name: c for c in portfolio.COLUMNS}
    kinds = {"amount": "amount", "rate": "percent", "hours": "hours"}  # a rate typed as 21 (%)
    for declared in (i for i in INPUTS.values() if i.column):
        column = columns[declared.column]
        assert (column.english, column.kind) == (declared.name, kinds[declared.kind]), declared.name
        if declared.person:  # empty: the catalogue's default
            assert column.default == declared.default and not column.required, declared.name
    business = {"omzet_consumenten", "omzet_bedrijven", "kosten_met_btw", "kosten_zonder_btw", "btw_tarief"}
    assert business | {"uren", "uren_partner", "uren_ander_werk", "uren_so"} <= set(columns)
    # every column that is one Scenario number of the catalogue is declared there
    named = {c.english for c in portfolio.COLUMNS if c.english in INPUTS}
    assert named == {i.name for i in INPUTS.values() if i.column}


def test_a_client_lists_hours_reach_both_builders_and_a_bad_one_is_one_dutch_line():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "klant": ["Weinig uren", "Standaard", "Te veel"],
            "omzet_consumenten": ["15000", "15000", "15000"],
            "omzet_bedrijven": ["0", "0", "0"],
            "uren": ["800", "", "9000"],
            "jaar": ["2027", "2027", "2027"],
        }
    )
    good, errors = portfolio.validate_rows(frame)
    assert list(good["klant"]) == ["Weinig uren", "Standaard"]
    assert errors[["klant", "kolom", "reden"]].values.tolist() == [
        ["Te veel", "uren", "uren per jaar: van 0 tot en met 8.784"]
    ]
    record = portfolio.businesses_of_clients(good, 2027, "keep_consumer_prices")
    assert list(record.person.hours[0]) == [800.0, 1225.0]  # empty: the catalogue's default
    assert [portfolio.scenario_for(row).hours for _, row in good.iterrows()] == [800.0, 1225.0]


def test_one_builder_makes_a_years_sales_and_costs_from_the_catalogue():
    # the record's year is the business's yearly inputs of the catalogue, nothing else
    assert {f.name for f in dataclasses.fields(YearInputs)} == set(BUSINESS_YEARLY)
    year = year_inputs(2, lambda name: [1.0, 2.0] if name == "consumer_sales" else 0.21)
    assert list(year.consumer_sales) == [1.0, 2.0] and list(year.vat_rate) == [0.21, 0.21]
    # a client list's VAT rate is typed in percent: 9 in the column is 0.09 in the record
    clients = pd.DataFrame(
        {"klant": ["a"], "omzet_consumenten": ["10000"], "omzet_bedrijven": ["0"], "btw_tarief": ["9"]}
    )
    rows, _ = portfolio.validate_rows(clients)
    record = portfolio.businesses_of_clients(rows, int(rows["jaar"].iloc[0]), "keep_consumer_prices")
    assert float(record.sales[0].vat_rate[0]) == 0.09 and float(record.sales[0].consumer_sales[0]) == 10_000


def test_the_tables_over_the_years_take_the_deduction_inputs_of_the_catalogue():
    # rules/deductions.md §1: weeks not worked because of pregnancy count as the usual hours a
    # week, so 1,000 h + 10 weeks × 40 h = 1,400 h ≥ 1,225 h: the zelfstandigenaftrek is
    # given; without them 1,000 h fall short and it is 0
    year = kt.tax_years()[0]
    short = kt.deductions_table([year], 40_000.0, 1000.0)
    counted = kt.deductions_table([year], 40_000.0, 1000.0, pregnancy_weeks=10, hours_per_week=40)
    assert short["zelfstandigenaftrek"].iloc[0] == 0 and counted["zelfstandigenaftrek"].iloc[0] > 0
    net = kt.net_income_table([year], 40_000.0, 1000.0, pregnancy_weeks=10, hours_per_week=40)
    assert net.attrs["deductions"]["zelfstandigenaftrek"].iloc[0] == counted["zelfstandigenaftrek"].iloc[0]
    with pytest.raises(InputError) as error:  # the catalogue's range: at most 52 weeks
        kt.deductions_table([year], 40_000.0, 1000.0, pregnancy_weeks=53)
    assert error.value.field == "pregnancy_weeks"
    with pytest.raises(TypeError, match="net_income_table"):
        kt.net_income_table([year], 40_000.0, 1000.0, pregnancy_week=10)
