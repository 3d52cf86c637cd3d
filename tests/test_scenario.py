"""The multi-year scenario: regular VAT vs the KOR, load and save."""

import json

import pytest

import kortools as kt


def consumer_business(**changes):
    base = dict(
        name="test",
        first_year=2025,
        last_year=2027,
        consumer_sales=10000,
        business_sales=0,
        costs_with_vat=4000,
        kor_start_year=2026,
        hours=1300,
    )
    return kt.Scenario(**{**base, **changes})


def test_margins_by_year_follow_the_kor_years():
    # Before the KOR both variants are the same; in KOR years the M4 figures apply:
    # regular 6,000, KOR 7,260, difference +1,260 a year, cumulative 0, 1,260, 2,520.
    table = kt.evaluate(consumer_business()).table
    assert table["in_kor"].tolist() == [False, True, True]
    assert table["regular_margin"].tolist() == pytest.approx([6000] * 3)
    assert table["kor_margin"].tolist() == pytest.approx([6000, 7260, 7260])
    assert table["cumulative_difference"].tolist() == pytest.approx([0, 1260, 2520])


def test_herziening_and_lost_vat_reduce_kor_profit():
    # Car 2024, VAT 4,500 → 900 a year repaid in 2026 and 2027 (period 2024–2028).
    # A 2,100-VAT machine first used in 2027 under the KOR: its VAT is a cost in 2027.
    # KOR profit 2026 = 7,260 − 900 = 6,360; 2027 = 7,260 − 900 − 2,100 = 4,260.
    scenario = consumer_business(
        assets=[
            {"name": "car", "kind": "movable", "first_use_year": 2024, "vat": 4500},
            {"name": "machine", "kind": "movable", "first_use_year": 2027, "vat": 2100},
        ]
    )
    result = kt.evaluate(scenario)
    table = result.table
    assert table["herziening"].tolist() == pytest.approx([0, 900, 900])
    assert table["lost_investment_vat"].tolist() == pytest.approx([0, 0, 2100])
    assert table["kor_profit"].tolist() == pytest.approx([6000, 6360, 4260])
    codes = {w.code for w in result.warnings}
    assert {"herziening_due", "large_investment"} <= codes


def test_deductions_per_variant():
    # 2026, KOR profit 7,260: ZA 1,200; MKB 12.70% × 6,060 = 769.62; taxable 5,290.38
    table = kt.evaluate(consumer_business()).table
    assert table.loc[2026, "kor_deductions"] == pytest.approx(1200 + 769.62)
    assert table.loc[2026, "kor_taxable_profit"] == pytest.approx(5290.38)


def test_startersaftrek_counted_at_most_three_times():
    # Business started 2023: starter 2023–2027, but the startersaftrek only 3 times.
    scenario = consumer_business(first_year=2023, business_start_year=2023, kor_start_year=2023)
    result = kt.evaluate(scenario)
    starters = [
        kt.entrepreneur_deductions(y, result.table.loc[y, "regular_profit"], 1300) for y in scenario.years
    ]
    extra = result.table["regular_deductions"] - [d.total for d in starters]
    assert (extra.loc[2023:2025] > 0).all()  # with startersaftrek
    assert extra.loc[2026:2027].tolist() == pytest.approx([0, 0])


def test_threshold_breach_is_flagged_per_year():
    # KOR from 2026 at kept consumer prices: 17,000 × 1.21 = 20,570 > 20,000, so the KOR
    # ends in 2026 (kor.md §1) and 2027 is barred (re-entry from 1 Jan 2028, kor.md §2);
    # 2027's counted turnover is the regular 17,000 again, within the threshold.
    scenario = consumer_business(consumer_sales=17000, costs_with_vat=0)
    result = kt.evaluate(scenario)
    assert result.table["within_threshold"].tolist() == [True, False, True]
    assert result.table["kor_status"].tolist()[1:] == [
        "grens overschreden op 21 december 2026",
        "nog niet toegestaan tot 1 januari 2028",
    ]
    assert "threshold_crossed" in {w.code for w in result.warnings}


def test_years_without_data_use_the_last_year_as_an_assumption_unless_refused():
    years = kt.tax_years()
    last = years[-1]
    with pytest.raises(kt.InputError, match=f"{years[0]}–{last}"):
        consumer_business(last_year=last + 3, assume_last_tax_year=False)
    extended = consumer_business(last_year=last + 3)  # the default: extrapolate, and say so
    result = kt.evaluate(extended)
    assert len(result.table) == last + 3 - 2025 + 1
    assert "tax_data_extrapolated" in {a.key for a in result.assumptions}


def test_overrides_change_one_year():
    table = kt.evaluate(consumer_business(overrides={2027: {"consumer_sales": 12000}})).table
    # 2027 KOR margin: 12,000 × 1.21 − 4,840 = 9,680
    assert table.loc[2027, "kor_margin"] == pytest.approx(9680)
    assert table.loc[2026, "kor_margin"] == pytest.approx(7260)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_save_and_load_round_trip(tmp_path, suffix):
    scenario = consumer_business(
        assets=[kt.Asset("car", "movable", 2024, 4500)], overrides={2027: {"hours": 1000}}
    )
    path = kt.save_scenario(scenario, tmp_path / f"s{suffix}")
    assert kt.load_scenario(path) == scenario


def test_save_is_atomic_and_keeps_the_old_file_on_error(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    kt.save_scenario(consumer_business(), path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("kortools.files.os.replace", crash)
    with pytest.raises(OSError):
        kt.save_scenario(consumer_business(consumer_sales=1), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml"]  # no temporary left behind


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("name: x\nfirst_year: [", "not valid YAML"),
        ("- 1\n- 2\n", "mapping"),
        ("name: x\nfirst_yeer: 2025\n", "unknown field"),
        ("name: x\n", "missing"),
    ],
)
def test_bad_scenario_files(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(kt.InputError, match=match):
        kt.load_scenario(path)


def test_truncated_json(tmp_path):
    path = tmp_path / "s.json"
    kt.save_scenario(consumer_business(), path)
    path.write_text(path.read_text()[:40])
    with pytest.raises(kt.InputError, match="not valid JSON"):
        kt.load_scenario(path)
    json.loads(json.dumps(consumer_business().to_dict()))  # to_dict is JSON-safe


@pytest.mark.parametrize("name", ["kapper", "consultant", "starter", "drempel"])
def test_example_scenarios_load_and_tell_their_story(name):
    result = kt.evaluate(kt.example_scenario(name))
    codes = {w.code for w in result.warnings}
    total = result.total_difference
    if name == "kapper":  # 9% consumer sales: KOR gains 0.09 × 16,500 − 0.21 × 2,500 = 960 a year
        assert total == pytest.approx(2 * 960) and not codes
    if name == "consultant":  # business customers: KOR loses the input VAT 0.21 × 4,000 = 840
        assert total == pytest.approx(-2 * 840) and "many_business_customers" in codes
    if name == "starter":  # machine 4,200 VAT first used 2025: 840 repaid in 2026–2029 (2025 + 4)
        assert result.table["herziening"].tolist() == pytest.approx([0, 840, 840, 840, 840])
        assert result.herziening_after_last_year == 0  # the scenario runs to the end of the period
    if name == "drempel":  # 17,000 × 1.21 = 20,570 > 20,000
        assert "threshold_crossed" in codes


def test_compare_still_works_and_says_it_is_deprecated():
    with pytest.warns(DeprecationWarning, match="kt.evaluate"):
        table = consumer_business().compare()
    assert table.equals(kt.evaluate(consumer_business()).table)
