"""The tax data files: schema, sources, coverage of every tax year."""

import copy
import json
import shutil

import jsonschema
import pytest
import yaml

import kortools as kt
from kortools.parameters import all_parameters, data_dir, load_yaml, read_parameter_file, use_data_dir

SCHEMA = json.loads((data_dir() / "parameters" / "schema.json").read_text())
FILES = sorted((data_dir() / "parameters").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_parameter_file_matches_schema(path):
    jsonschema.validate(read_parameter_file(path), SCHEMA)


def test_a_misspelt_key_fails_the_schema():
    doc = read_parameter_file(data_dir() / "parameters" / "zelfstandigenaftrek.yaml")
    for mutate in (
        lambda d: d.update(valid_trough=2027),
        lambda d: d["values"]["2024-01-01"].update(confirmd=False),
        lambda d: d["values"]["2024-01-01"]["source"].update(url="https://x"),
        lambda d: d["values"].update({"2024-07-01": d["values"]["2024-01-01"]}),
    ):
        broken = copy.deepcopy(doc)
        mutate(broken)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_a_rate_above_one_fails_the_schema():
    doc = read_parameter_file(data_dir() / "parameters" / "mkb_winstvrijstelling.yaml")
    doc["values"]["2025-01-01"]["value"] = 12.7
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_every_yearly_parameter_covers_the_tax_years():
    years = kt.tax_years()
    assert len(years) >= 1
    for name, p in all_parameters().items():
        for year in years:
            if p.first_year <= year:
                assert p.at(year).source.href.startswith("https://"), name
            else:  # only standing rules may start later than the first tax year
                assert p.valid_through is None, name


def test_unconfirmed_values_are_marked():
    # deductions.md §12: 2026 MKB and cap, and everything for 2027 except ZA 900, provisional
    assert not kt.parameter("mkb_winstvrijstelling", 2026).confirmed
    assert not kt.parameter("deduction_rate_cap", 2026).confirmed
    assert kt.parameter("zelfstandigenaftrek", 2027).confirmed
    for name in ("startersaftrek", "mkb_winstvrijstelling", "deduction_rate_cap", "box1_brackets"):
        assert not kt.parameter(name, 2027).confirmed, name


# rules/tax-2027.md, "Figures for 2027": each figure's status
STATUS_2027 = {
    "box1_brackets": "voorstel",
    "startersaftrek": "voorstel",
    "deduction_rate_cap": "onbevestigd",  # derived (from bracket 2 as proposed)
    "algemene_heffingskorting": "onbevestigd",  # the phase-out from s:calc27 only
    "arbeidskorting": "onbevestigd",  # the bands from s:calc27 only
    "zvw_rate": "onbevestigd",
    "zvw_max_income": "onbevestigd",
    "mkb_winstvrijstelling": "aangenomen",  # no 2027 figure found
    "box1_brackets_aow": "aangenomen",  # AOW-age brackets and credits: not found
    "arbeidskorting_aow": "aangenomen",
    "zelfstandigenaftrek": "wet",  # Belastingplan 2023 schedule
    "kor_threshold": "wet",  # art. 25 Wet OB, not indexed
}


@pytest.mark.parametrize(("name", "status"), STATUS_2027.items())
def test_2027_statuses_are_those_of_the_rules(name, status):
    assert kt.parameter_status(name, 2027) == status


def test_2027_and_2028_figures_of_the_belastingplan():
    # rules/tax-2027.md: box 1 36.23% to 39,247, 38.16% to 78,426; AHK 3,154; AK max 5,929;
    # startersaftrek 10 in 2027 and 0 from 2028 (BP27-WV art. I G, art. II C)
    assert kt.value("box1_brackets", 2027) == [
        {"upto": 39247, "rate": 0.3623},
        {"upto": 78426, "rate": 0.3816},
        {"upto": None, "rate": 0.495},
    ]
    assert kt.value("algemene_heffingskorting", 2027)["max"] == 3154
    assert kt.value("arbeidskorting", 2027)[-1]["base"] == 5929
    assert (kt.value("startersaftrek", 2027), kt.value("startersaftrek", 2028)) == (10, 0)
    assert kt.parameter_status("startersaftrek", 2028) == "voorstel"
    # a later year with no figure of its own carries the last one forward: aangenomen
    assert kt.parameter_status("mkb_winstvrijstelling", 2028) == "aangenomen"
    assert kt.parameter("box1_brackets", 2028).status_nl == "aangenomen gelijk aan 2027"


def test_every_value_has_one_of_the_four_statuses_and_a_source():
    for name, p in all_parameters().items():
        for v in p.values:
            assert v.status in ("wet", "voorstel", "onbevestigd", "aangenomen"), (name, v.since)
            if v.status in ("voorstel", "onbevestigd"):
                assert v.source.href.startswith("https://") and len(v.source.title) > 10, (name, v.since)
            if v.status == "voorstel":
                assert v.proposal, (name, v.since)  # the bill it is in, shown beside the figure
            if v.status != "wet":
                assert v.note_nl, (name, v.since)  # why, in Dutch


def test_a_file_from_before_statuses_is_still_read(tmp_path):
    # issue #34: "confirmed" is replaced by "status"; an old file keeps working
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    path = copy / "parameters" / "startersaftrek.yaml"
    doc = read_parameter_file(path)
    for entry in doc["values"].values():
        entry.pop("status"), entry.pop("proposal", None)
    doc["values"]["2027-01-01"]["confirmed"] = False
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    use_data_dir(copy)
    try:
        assert kt.parameter_status("startersaftrek", 2026) == "wet"
        assert kt.parameter_status("startersaftrek", 2027) == "onbevestigd"
    finally:
        use_data_dir(None)


def test_a_status_is_checked_by_the_schema():
    schema = SCHEMA
    doc = read_parameter_file(data_dir() / "parameters" / "startersaftrek.yaml")
    doc["values"]["2027-01-01"]["status"] = "vastgesteld"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)
    doc["values"]["2027-01-01"]["status"] = "voorstel"
    del doc["values"]["2027-01-01"]["proposal"]
    with pytest.raises(jsonschema.ValidationError):  # a proposal names its bill
        jsonschema.validate(doc, schema)


def test_lookup_outside_the_data_names_the_years():
    years = kt.tax_years()
    with pytest.raises(kt.InputError, match=f"{years[0]}–{years[-1]}") as error:
        kt.value("zelfstandigenaftrek", years[-1] + 1)
    assert error.value.field == "year"
    with pytest.raises(kt.InputError):
        kt.value("zelfstandigenaftrek", "2025")


def test_assumptions_file_has_text_and_source():
    doc = yaml.safe_load((data_dir() / "assumptions.yaml").read_text())
    for key, entry in doc.items():
        assert set(entry) == {"en", "nl", "source"}, key
        assert set(entry["source"]) == {"title", "href"}, key
        assert entry["source"]["href"].startswith("https://"), key


def test_example_scenarios_are_shipped():
    assert set(kt.example_scenarios()) >= {"kapper", "consultant", "starter", "drempel"}


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.127, "rate", "12,7%"),
        (0.2, "rate", "20%"),
        (0.3756, "rate", "37,56%"),
        (0.0, "rate", "0%"),
        (20000, "EUR", "€ 20.000"),
        (1061.5, "EUR", "€ 1.061,50"),
        (
            [{"upto": 38883, "rate": 0.3575}, {"upto": None, "rate": 0.495}],
            "brackets",
            "35,75% tot € 38.883; daarboven 49,5%",
        ),
        ([{"from_hours": 525, "rate": 0.0125}], "bands", "1,25% vanaf 525 uur"),
    ],
)
def test_values_are_shown_in_dutch(value, unit, text):
    from kortools.parameters import format_value_nl

    assert format_value_nl(value, unit) == text


def test_unconfirmed_values_are_explained_in_dutch():
    (assumption,) = kt.compare_margin(100, 0, 0, year=2023).assumptions
    assert assumption.text_nl.startswith("Omzetgrens KOR 2023: € 20.000 — onbevestigd (")


def test_the_fast_yaml_loader_reads_every_data_file_as_the_safe_loader_does():
    # libyaml's loader (kortools.parameters.load_yaml) must not change a single value
    files = sorted(data_dir().rglob("*.yaml"))
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


def test_a_year_past_the_data_is_assumed_and_a_wrong_name_is_said():
    last = kt.tax_years()[-1]
    assert kt.parameter_status("box1_brackets", last + 2) == "aangenomen"  # as a result uses it
    with pytest.raises(kt.InputError, match="data/parameters"):
        kt.parameter_status("startersaftrekk", 2027)
    with pytest.raises(kt.InputError):
        kt.parameter_status("startersaftrek", 1990)
