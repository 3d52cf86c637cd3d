"""Bad input raises kortools.InputError naming the field; nothing else escapes (hypothesis)."""

import math
from collections import Counter

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from verdicts import verdict_follows_the_figures

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
        ({"year": 2019}, "year", f"{kt.tax_years()[0]}–{kt.tax_years()[-1]}"),
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


def maybe(valid):
    """A value from the valid domain, one time in ten anything at all (a perturbation).

    (Not ``st.one_of(valid, anything)``: hypothesis flattens the branches of ``anything``,
    and the valid domain would be drawn one time in seven.)
    """
    return st.integers(0, 9).flatmap(lambda k: anything if k == 0 else valid)


YEARS = st.sampled_from(list(kt.tax_years()))
AMOUNT = st.floats(0, 1_000_000)
RATE = st.one_of(st.sampled_from(kt.vat_rates(kt.tax_years()[-1])), st.floats(0, 1))


def fuzz(body, max_examples: int, **strategies) -> Counter:
    """Run ``body`` on generated inputs: a finite result or an InputError, nothing else.

    Counts both outcomes (shown with ``--hypothesis-show-statistics`` as events) and
    asserts that both were reached, so the check of the result really runs.
    """
    outcomes: Counter = Counter()

    @settings(max_examples=max_examples, deadline=None)
    @given(**strategies)
    def run(**kwargs):
        try:
            body(**kwargs)
        except kt.InputError as error:
            assert str(error)
            outcomes["InputError"] += 1
            event("InputError")
            return
        outcomes["result checked"] += 1
        event("result checked")

    run()
    print(f"{body.__qualname__.split('.')[0]}: {dict(outcomes)}")  # shown with pytest -rP
    assert outcomes["result checked"] >= max_examples // 10, outcomes
    assert outcomes["InputError"] >= max_examples // 20, outcomes
    return outcomes


def _finite(*values):
    return all(math.isfinite(x) for x in values)


def test_compare_margin_fuzz():
    def body(a, b, c, d, r, r_in, y):
        res = kt.compare_margin(a, b, c, d, r, r_in, "keep_margin", y)
        assert _finite(res.regular_margin, res.kor_margin, res.gain, res.kor_turnover)

    amount, rate = maybe(AMOUNT), maybe(RATE)
    fuzz(body, 300, a=amount, b=amount, c=amount, d=amount, r=rate, r_in=rate, y=maybe(YEARS))


def test_entrepreneur_deductions_fuzz():
    def body(year, profit, hours, partner, starter):
        d = kt.entrepreneur_deductions(year, profit, hours, starter, False, partner)
        assert _finite(d.ondernemersaftrek, d.mkb_winstvrijstelling, d.taxable_profit, d.tax_value)

    hours = maybe(st.floats(0, 8784))
    fuzz(
        body,
        300,
        year=maybe(YEARS),
        profit=maybe(st.floats(-1_000_000, 1_000_000)),
        hours=hours,
        partner=hours,
        starter=maybe(st.booleans()),
    )


def test_herziening_fuzz():
    def body(name, kind, first, vat, start, last):
        df = kt.herziening_schedule([kt.Asset(name, kind, first, vat)], start, last)
        assert df["payable"].map(math.isfinite).all()
        assert (df["payable"].abs() <= vat).all()  # never more than the VAT itself

    fuzz(
        body,
        200,
        name=maybe(st.sampled_from(["laptop", "auto", "pand"])),
        kind=maybe(st.sampled_from(["movable", "immovable", "investment_service"])),
        first=maybe(st.integers(2015, 2035)),
        vat=maybe(AMOUNT),
        start=maybe(st.integers(2020, 2035)),
        last=maybe(st.one_of(st.none(), st.integers(2020, 2040))),
    )


VALID_FIELDS = {
    "name": st.sampled_from(["Kapsalon", "Bureau"]),
    "first_year": YEARS,
    "last_year": YEARS,
    "consumer_sales": st.floats(0, 40_000),
    "business_sales": st.floats(0, 40_000),
    "costs_with_vat": st.floats(0, 10_000),
    "vat_rate": RATE,
    "policy": st.sampled_from(["keep_consumer_prices", "keep_net_prices", "keep_margin"]),
    "kor_start_year": YEARS,
    "assets": st.lists(
        st.fixed_dictionaries(
            {
                "name": st.sampled_from(["a", "b", "c"]),
                "kind": st.sampled_from(["movable", "immovable"]),
                "first_use_year": st.integers(2015, 2027),
                "vat": st.floats(0, 20_000),
            }
        ),
        max_size=2,
    ),
    "hours": st.floats(0, 3000),
    "business_start_year": st.integers(2010, 2027),
    "previous_year_turnover": st.floats(0, 40_000),
    "overrides": st.just({}),
    "bogus": anything,
}
field_values = st.dictionaries(
    st.sampled_from(sorted(VALID_FIELDS)), anything, max_size=2
) | st.fixed_dictionaries({}, optional={k: maybe(v) for k, v in VALID_FIELDS.items() if k != "bogus"})


def test_scenario_fuzz():
    def body(changes):
        data = {
            "name": "x",
            "first_year": 2025,
            "last_year": 2026,
            "consumer_sales": 1000,
            "business_sales": 0,
            "costs_with_vat": 100,
            **changes,
        }
        result = kt.evaluate(kt.Scenario.from_dict(data))
        assert result.table.select_dtypes("number").map(math.isfinite).all().all()
        advice = kt.advise(result)
        verdict_follows_the_figures(advice)
        assert set(advice.kor_years) <= set(result.scenario.kor_years)

    fuzz(body, 200, changes=field_values)


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
