"""Every worked case of the rules, as data (tests/cases/*.yaml), run by one test (issue #19).

A case names a public kortools function (``call``), its arguments (``args``; assets as
mappings become :class:`kortools.Asset`), the rule it comes from (``rule``) and the
expected figures (``expect``): an attribute of the result, a column of a DataFrame result
(``{year: amount}``), its ``index``, or the ``result`` itself. Amounts are compared to the
cent, half up (kortools.money), or within ``tolerance``; ``assumptions`` lists keys the
result must record. The arithmetic is a comment beside each case.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kortools as kt
from kortools.money import to_cents

CASES = Path(__file__).with_name("cases")


def load_cases() -> list:
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


def arguments(args: dict) -> dict:
    if "scenario" in args:  # call: evaluate, on a scenario given as its fields
        return {"scenario": kt.Scenario.from_dict(args["scenario"])}
    if "assets" in args:
        args = {**args, "assets": [kt.Asset(**a) for a in args["assets"]]}
    return args


def same(got, expected, tolerance: float | None) -> bool:
    if isinstance(expected, bool) or expected is None or isinstance(expected, str | dt.date):
        return got == expected
    if tolerance is not None:
        return abs(float(got) - expected) <= tolerance + 1e-9  # binary noise
    return to_cents(float(got)) == to_cents(float(expected))


def figure(result, name: str):
    if name == "result":
        return result
    if "." in name:  # e.g. table.kor_share, herziening.gross: a column of a frame on the result
        head, rest = name.split(".", 1)
        return figure(getattr(result, head), rest)
    if isinstance(result, pd.DataFrame):
        return list(result.index) if name == "index" else result[name]
    return getattr(result, name)


@pytest.mark.parametrize("case", load_cases())
def test_worked_case(case, monkeypatch):
    if "today" in case:  # a case that depends on the date (kt.today)
        monkeypatch.setenv("KORTOOLS_TODAY", case["today"].isoformat())
    result = getattr(kt, case["call"])(**arguments(case["args"]))
    tolerance = case.get("tolerance")
    for name, expected in case["expect"].items():
        got = figure(result, name)
        if isinstance(expected, dict):  # a column by year
            for year, amount in expected.items():
                assert same(got.loc[year], amount, tolerance), (case["rule"], name, year, got.loc[year])
        elif isinstance(expected, list):
            assert got == expected, (case["rule"], name, got)
        else:
            assert same(got, expected, tolerance), (case["rule"], name, got, expected)
    if "assumptions" in case:
        recorded = result.attrs["assumptions"] if isinstance(result, pd.DataFrame) else result.assumptions
        assert set(case["assumptions"]) <= {a.key for a in recorded}


def test_every_rules_file_with_worked_cases_has_its_cases_here():
    files = {p.stem for p in CASES.glob("*.yaml")}
    assert {
        "margin",
        "deductions",
        "inkomstenbelasting",
        "herziening",
        "kor",
        "kor-dates",
        "other-income",
    } <= files
    assert all(case.values[0]["rule"] for case in load_cases())
