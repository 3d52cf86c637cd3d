"""A new tax year is a data change: add it to a copy of data/ and every example runs in it.

The way data/parameters/README.md says: raise ``valid_through`` in every yearly file and
add a dated value where a figure changes; leave ``checked_through`` until the sources are
checked. No code changes; kortools reads the copy through KORTOOLS_DATA_DIR.
"""

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from verdicts import verdict_follows_the_figures

import kortools as kt
from kortools.parameters import DATA_DIR_VARIABLE, data_dir, use_data_dir


def add_year(folder: Path, year: int) -> None:
    for path in sorted((folder / "parameters").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if yaml.safe_load(text)["valid_through"] is not None:
            text = text.replace(f"valid_through: {year - 1}\n", f"valid_through: {year}\n")
            path.write_text(text, encoding="utf-8")
    za = folder / "parameters" / "zelfstandigenaftrek.yaml"
    za.write_text(
        za.read_text(encoding="utf-8")
        + f"""  '{year}-01-01':
    value: 900
    source:
      title: 'Rijksoverheid: Zelfstandigenaftrek wordt verder afgebouwd'
      href: https://www.rijksoverheid.nl/onderwerpen/belastingplan/ondernemers/zelfstandigenaftrek
""",
        encoding="utf-8",
    )


def shifted(s: kt.Scenario, by: int) -> kt.Scenario:
    """The same business ``by`` years later."""
    return dataclasses.replace(
        s,
        first_year=s.first_year + by,
        last_year=s.last_year + by,
        kor_start_year=s.kor_start_year + by,
        kor_last_year=s.kor_last_year + by,
        assets=tuple(dataclasses.replace(a, first_use_year=a.first_use_year + by) for a in s.assets),
        business_start_year=None if s.business_start_year is None else s.business_start_year + by,
        overrides={y + by: o for y, o in s.overrides.items()},
    )


@pytest.fixture
def next_year(tmp_path):
    last = kt.tax_years()[-1]
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    add_year(copy, last + 1)
    use_data_dir(copy)
    yield last + 1
    use_data_dir(None)


def test_every_example_runs_in_the_new_year(next_year):
    assert kt.tax_years()[-1] == next_year
    for name in kt.example_scenarios():
        s = kt.example_scenario(name)
        s = shifted(s, next_year - s.last_year)
        result = kt.evaluate(s)
        keys = {a.key for a in result.assumptions}
        assert "tax_data_extrapolated" not in keys, name  # the new year has its own data
        assert len(result.table) == len(s.years)
        verdict_follows_the_figures(kt.advise(result))
        # Carried forward past checked_through: unconfirmed, said so automatically.
        hours = [a for a in result.assumptions if a.key == f"urencriterium_hours:{next_year}"]
        assert hours and "nog niet gecontroleerd" in hours[0].text_nl, name
        # Given for the new year with its source: confirmed, not an assumption.
        assert f"zelfstandigenaftrek:{next_year}" not in keys, name


def test_the_environment_variable_points_a_new_process_at_the_copy(next_year):
    code = "import kortools as kt; print(kt.tax_years()[-1])"
    env = {**os.environ, DATA_DIR_VARIABLE: str(data_dir())}
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == str(next_year)


def test_without_the_new_data_the_same_year_is_an_extrapolation():
    s = kt.example_scenario("kapper")
    last = kt.tax_years()[-1]
    result = kt.evaluate(shifted(s, last + 1 - s.last_year))
    assert "tax_data_extrapolated" in {a.key for a in result.assumptions}
