"""Scenarios side by side, and the KOR-minus-regular difference split into parts that add up."""

import dataclasses
import io

import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kortools as kt


def test_compare_scenarios_equals_evaluate_per_scenario():
    a = kt.example_scenario("kapper")
    b = dataclasses.replace(a, name="KOR pas vanaf 2027", kor_start_year=2027)
    table = kt.compare_scenarios([a, b])
    for s in (a, b):
        own = kt.evaluate(s).table
        for column in ("net_difference", "cumulative_net_difference", "herziening", "lost_investment_vat"):
            assert table.loc[s.name, column].tolist() == pytest.approx(own[column].tolist())
        assert table.loc[s.name, "kor_applies"].tolist() == own["kor_applies"].tolist()
    # KOR from 2027: one KOR year instead of two
    assert table.loc[b.name, "kor_applies"].tolist() == [False, False, True]
    with pytest.raises(kt.InputError, match="distinct"):
        kt.compare_scenarios([a, a])
    with pytest.raises(kt.InputError, match="1 to 4"):
        kt.compare_scenarios([dataclasses.replace(a, name=str(i)) for i in range(5)])


def test_explain_the_hairdresser():
    # 2026 (rules/margin.md, inkomstenbelasting.md): VAT kept 0.09 × 16,500 = 1,485; prices
    # kept, so no change for customers; input VAT lost 0.21 × 2,500 = 525. Profit 12,800 →
    # 13,760. With the regular deductions (ZA 1,200, MKB 12.70% × 11,600 = 1,473.20) the
    # taxable profit rises from 10,126.80 to 11,086.80: tax 0 either way (credits), Zvw 4.85%
    # × 960 = 46.56 more. The KOR's own MKB (12.70% × 12,560 = 1,595.12) takes 121.92 off the
    # taxable profit: Zvw 5.91 less. Net: 1,485 − 525 − 46.56 + 5.91 = 919.35.
    parts = kt.explain_difference(kt.evaluate(kt.example_scenario("kapper")), 2026)
    assert parts["vat_on_sales_kept"] == pytest.approx(1485)
    assert parts["price_change_passed_on"] == pytest.approx(0)
    assert parts["input_vat_lost"] == pytest.approx(-525)
    assert parts["tax_on_extra_profit"] == pytest.approx(-0.0485 * 960, abs=0.01)
    assert parts["deductions_change"] == pytest.approx(0.0485 * 0.127 * 960, abs=0.01)
    assert parts.sum() == pytest.approx(parts.name) == pytest.approx(919.35, abs=0.01)


def test_explain_the_consultant():
    # Businesses at net prices (2026): the VAT on all sales, 0.21 × 19,000 = 3,990, is kept
    # but passed on to the customers (−3,990): they no longer pay it. Input VAT lost:
    # 0.21 × 4,000 = 840. Gross −840 a year.
    parts = kt.explain_difference(kt.evaluate(kt.example_scenario("consultant")), 2026)
    assert parts["vat_on_sales_kept"] == pytest.approx(3990)
    assert parts["price_change_passed_on"] == pytest.approx(-3990)
    assert parts["input_vat_lost"] == pytest.approx(-840)
    assert parts.sum() == pytest.approx(parts.name)


@pytest.mark.parametrize("name", sorted(kt.example_scenarios()))
def test_parts_add_up_for_every_example(name):
    result = kt.evaluate(kt.example_scenario(name))
    total = kt.explain_difference(result)
    assert total.sum() == pytest.approx(result.net_total_difference, abs=1e-6)
    for year in result.table.index:
        one = kt.explain_difference(result, int(year))
        assert one.sum() == pytest.approx(result.table.loc[year, "net_difference"], abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    consumer=st.floats(0, 30_000),
    business=st.floats(0, 30_000),
    costs=st.floats(0, 10_000),
    rate=st.sampled_from(kt.vat_rates(kt.tax_years()[-1])),
    policy=st.sampled_from(["keep_consumer_prices", "keep_net_prices", "keep_margin"]),
    asset_vat=st.floats(0, 20_000),
    asset_year=st.integers(2018, 2027),
    hours=st.sampled_from([800, 1225, 2000]),
    start=st.sampled_from([None, 2020, 2024]),
    form=st.sampled_from([("eenmanszaak", 1.0), ("vof", 0.5), ("bv", 1.0)]),
)
def test_parts_add_up_for_random_scenarios(
    consumer, business, costs, rate, policy, asset_vat, asset_year, hours, start, form
):
    s = kt.Scenario(
        name="x",
        first_year=2025,
        last_year=2027,
        consumer_sales=consumer,
        business_sales=business,
        costs_with_vat=costs,
        vat_rate=rate,
        policy=policy,
        kor_start_year=2025,
        assets=[kt.Asset("a", "movable", asset_year, asset_vat)],
        hours=hours,
        business_start_year=start,
        legal_form=form[0],
        profit_share=form[1],
    )
    result = kt.evaluate(s)
    parts = kt.explain_difference(result)
    assert parts.sum() == pytest.approx(parts.name, abs=1e-6)


def test_compare_command_writes_the_sheets(tmp_path):
    import openpyxl

    from kortools import cli
    from kortools.parameters import data_dir

    scenarios = [str(data_dir() / "scenarios" / f"{n}.yaml") for n in ("kapper", "consultant")]
    out = tmp_path / "vergelijking.xlsx"
    assert cli.main(["compare", *scenarios, "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["vergelijking", "verklaring"]
    rows = list(book["verklaring"].iter_rows(values_only=True))
    total = {name: value for name, value in zip(rows[0][1:], rows[-1][1:], strict=True)}
    kapper = kt.advise(kt.evaluate(kt.example_scenario("kapper")))
    assert total[kt.example_scenario("kapper").name] == pytest.approx(kapper.net_total_difference)
    assert cli.main(["compare", *scenarios, "--out", str(tmp_path / "x.pdf")]) == 0
    pdf = (tmp_path / "x.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert all(kt.example_scenario(n).name in text for n in ("kapper",))  # the compared cases
    assert cli.main(["compare", *scenarios, "--out", str(tmp_path / "x.csv")]) == 2
