"""Bad input raises kortools.InputError naming the field; nothing else escapes (hypothesis)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kortools as kt


def test_input_error_is_a_value_error():
    assert issubclass(kt.InputError, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed"),
    [
        ({"consumer_sales": -1}, "consumer_sales", "0 to"),
        ({"business_sales": float("nan")}, "business_sales", "NaN"),
        ({"costs_with_vat": "abc"}, "costs_with_vat", "number"),
        ({"costs_without_vat": float("inf")}, "costs_without_vat", "0 to"),
        ({"vat_rate": 1.5}, "vat_rate", "0 to 1"),
        ({"input_vat_rate": -0.1}, "input_vat_rate", "0 to 1"),
        ({"policy": "cheap"}, "policy", "keep_consumer_prices"),
        ({"year": 2019}, "year", "2023–2027"),
        ({"consumer_sales": True}, "consumer_sales", "number"),
    ],
)
def test_compare_margin_bad_input(kwargs, field, allowed):
    args = {"consumer_sales": 1000, "business_sales": 0, "costs_with_vat": 100, **kwargs}
    with pytest.raises(kt.InputError, match=allowed) as error:
        kt.compare_margin(**args)
    assert error.value.field == field
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: kt.Asset("car", "boat", 2024, 100), "kind of car"),
        (lambda: kt.Asset("car", "movable", 2024, -5), "vat of car"),
        (lambda: kt.Asset("", "movable", 2024, 5), "asset name"),
        (lambda: kt.herziening_schedule([], 2026, 2025), "kor_last_year"),
        (lambda: kt.herziening_schedule([], 2019), "kor_start_year"),
        (
            lambda: kt.herziening_schedule(
                [kt.Asset("a", "movable", 2024, 1), kt.Asset("a", "movable", 2024, 2)], 2025
            ),
            "assets",
        ),
        (lambda: kt.entrepreneur_deductions(2025, 1000, -1), "hours"),
        (lambda: kt.entrepreneur_deductions(2025, 1000, 9000), "hours"),
        (lambda: kt.entrepreneur_deductions(2025, 1000, 1300, starter="yes"), "starter"),
        (lambda: kt.entrepreneur_deductions(2025, 1000, 1300, starter_uses=4), "starter_uses"),
        (lambda: kt.entrepreneur_deductions(2025, float("nan"), 1300), "profit"),
    ],
)
def test_other_bad_input(call, field):
    with pytest.raises(kt.InputError) as error:
        call()
    assert error.value.field == field


anything = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e308, max_value=1e308),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)


def _finite(*values):
    return all(math.isfinite(x) for x in values)


@settings(max_examples=300)
@given(a=anything, b=anything, c=anything, d=anything, r=anything, r_in=anything, y=anything)
def test_compare_margin_fuzz(a, b, c, d, r, r_in, y):
    try:
        res = kt.compare_margin(a, b, c, d, r, r_in, "keep_margin", y)
    except kt.InputError as error:
        assert str(error)
        return
    assert _finite(res.regular_margin, res.kor_margin, res.gain, res.kor_turnover)


@settings(max_examples=300)
@given(year=anything, profit=anything, hours=anything, partner=anything, starter=anything)
def test_entrepreneur_deductions_fuzz(year, profit, hours, partner, starter):
    try:
        d = kt.entrepreneur_deductions(year, profit, hours, starter, False, partner)
    except kt.InputError as error:
        assert str(error)
        return
    assert _finite(d.ondernemersaftrek, d.mkb_winstvrijstelling, d.taxable_profit, d.tax_value)


@settings(max_examples=200)
@given(name=anything, kind=anything, first=anything, vat=anything, start=anything, last=anything)
def test_herziening_fuzz(name, kind, first, vat, start, last):
    try:
        df = kt.herziening_schedule([kt.Asset(name, kind, first, vat)], start, last)
    except kt.InputError as error:
        assert str(error)
        return
    assert df["payable"].map(math.isfinite).all()


field_values = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "first_year",
            "last_year",
            "consumer_sales",
            "business_sales",
            "costs_with_vat",
            "vat_rate",
            "policy",
            "kor_start_year",
            "assets",
            "hours",
            "overrides",
            "bogus",
        ]
    ),
    anything,
)


@settings(max_examples=200)
@given(changes=field_values)
def test_scenario_fuzz(changes):
    data = {
        "name": "x",
        "first_year": 2025,
        "last_year": 2026,
        "consumer_sales": 1000,
        "business_sales": 0,
        "costs_with_vat": 100,
        **changes,
    }
    try:
        table = kt.Scenario.from_dict(data).compare()
    except kt.InputError as error:
        assert str(error)
        return
    assert table.select_dtypes("number").map(math.isfinite).all().all()


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))),
    suffix=st.sampled_from([".yaml", ".json"]),
)
def test_scenario_file_fuzz(tmp_path_factory, text, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"s{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        scenario = kt.load_scenario(path)
    except kt.InputError as error:
        assert str(error)
        return
    assert kt.evaluate(scenario).table.select_dtypes("number").map(math.isfinite).all().all()


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "-1", "1e308", "NaN", "inf", "12,5", "21", "9"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "klant": cell,
                "omzet_consumenten": cell,
                "omzet_bedrijven": cell,
                "kosten_met_btw": cell,
                "btw_tarief": cell,
                "investering_btw": cell,
                "investering_jaar": cell,
                "beleid": cell,
                "jaar": cell,
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_portfolio_reader_fuzz(rows):
    import pandas as pd

    from kortools import portfolio

    raw, missing = portfolio.normalise_columns(pd.DataFrame(rows, dtype=str))
    assert missing == []
    good, errors = portfolio.validate_rows(raw)
    assert len(good) + errors["regel"].nunique() == len(rows)  # nothing silently dropped
    advice = portfolio.assess(good)
    numbers = advice.select_dtypes("number")
    assert numbers.map(math.isfinite).all().all()
