"""Today, the request deadline and what to do next (rules/kor-dates.md, next-steps.md;
issue #20, the model's first part). Tests that depend on the date set KORTOOLS_TODAY."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kortools as kt
from kortools.steps import INVOICE_TEXT, dutch_date

D = dt.date


def test_today_is_the_environment_date_when_set(monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")
    assert kt.today() == D(2026, 12, 1)
    monkeypatch.setenv("KORTOOLS_TODAY", "1 december")
    with pytest.raises(kt.InputError, match="YYYY-MM-DD"):
        kt.today()
    monkeypatch.delenv("KORTOOLS_TODAY")
    assert kt.today() == dt.date.today()


@given(st.dates(D(2025, 1, 1), D(2030, 12, 31)))
def test_the_deadline_is_the_inverse_of_the_start_date(request_day):
    # kor-dates.md §1: the deadline of the start a request reaches is on or after the
    # request, and a day later would reach only the next quarter
    start = kt.kor_start_date(request_day)
    deadline = kt.kor_request_deadline(start)
    assert deadline >= request_day
    assert kt.kor_start_date(deadline) == start
    assert kt.kor_start_date(deadline + dt.timedelta(days=1)) > start


def test_a_start_that_is_no_period_start_is_refused():
    with pytest.raises(kt.InputError, match="first day of a quarter"):
        kt.kor_request_deadline(D(2027, 2, 1))
    assert kt.kor_request_deadline(D(2027, 2, 1), period="month") == D(2027, 1, 3)  # 1 Feb − 29 days


def joining_case() -> kt.Scenario:
    # the kapper's case, KOR chosen from 2027 (a year whose sign-up is still open on 1 Dec 2026)
    return dataclasses.replace(kt.example_scenario("kapper"), kor_start_year=2027, kor_last_year=None)


def test_on_1_december_2026_the_request_for_1_january_2027_is_due_by_3_december(monkeypatch):
    # next-steps.md A3: S = 1 January 2027, request received by S − 29 days = 3 December 2026
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")
    steps = {s.kind: s for s in kt.next_steps(kt.evaluate(joining_case()))}
    assert steps["aanmelden"].date == D(2026, 12, 3)
    assert "uiterlijk 3 december 2026" in steps["aanmelden"].text_nl
    assert "Mijn Belastingdienst Zakelijk" in steps["aanmelden"].text_nl
    assert "1 januari 2027" in steps["aanmelden"].text_nl
    assert steps["factuur"].date == D(2027, 1, 1) and INVOICE_TEXT in steps["factuur"].text_nl
    assert {"administratie", "urencriterium"} <= set(steps)
    assert all(s.source for s in steps.values())


def test_on_5_march_2027_the_next_start_is_1_july(monkeypatch):
    # next-steps.md A3: today 5 Mar 2027 → S = 1 Jul 2027, by 2 Jun 2027 (the 1 April start
    # needed the request by 3 March)
    # (issue #33: the scenario reasons from that day, so the plan is dated as a plan then: the
    # wanted start of 1 April 2027 is still to come; a start before that day would be a fact)
    case = dataclasses.replace(joining_case(), kor_start=D(2027, 4, 1), as_of=D(2027, 3, 5))
    steps = {s.kind: s for s in kt.next_steps(kt.evaluate(case))}
    assert steps["aanmelden"].date == D(2027, 6, 2)
    assert "1 juli 2027" in steps["aanmelden"].text_nl
    assert "niet officieel bevestigd" in steps["aanmelden"].text_nl  # a July start: unconfirmed


def test_a_forecast_crossing_is_a_step_with_its_date():
    # the drempel case crosses the threshold in its KOR years (kor.md §1): from 1 Jan 2026 on,
    # the 2027 crossing is still to come
    result = kt.evaluate(kt.example_scenario("drempel"))
    crossed = [y for y, s in result.table["kor_status"].items() if s.startswith("grens overschreden")]
    steps = [s for s in kt.next_steps(result, today=D(2026, 1, 1)) if s.kind == "afmelden"]
    assert crossed and [s.date.year for s in steps] == [y for y in crossed if y >= 2026]
    assert all("Meld u dan direct af" in s.text_nl for s in steps)


def test_dates_are_dutch_words():
    assert dutch_date(D(2026, 11, 6)) == "6 november 2026"


def test_every_public_name_is_the_object_not_a_module():
    # a module named like a function (kortools/today.py) would shadow kt.today
    import types

    assert all(not isinstance(getattr(kt, name), types.ModuleType) for name in kt.__all__)


def test_wat_nu_is_under_the_verdict_and_on_the_first_page_of_the_report(monkeypatch):
    # the page and the PDF show the model's steps (kt.next_steps), dates in Dutch words
    import io

    import pypdf

    from kortools import ui
    from kortools.ui.base import url_value
    from kortools.ui.report import report
    from kortools.ui.verkenner_fields import scenario_to_values

    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")
    values = scenario_to_values(joining_case())
    query = "&".join(
        f"{k}={url_value(v)}" for k, v in values.items() if k in ("kor_vanaf", "al_in_kor", "van", "tot")
    )
    app = ui.kor_verkenner("kapper", query=query)
    assert "Wat nu?" in app.headline.value and "3 december 2026" in app.headline.value
    first_page = pypdf.PdfReader(io.BytesIO(report(joining_case()))).pages[0].extract_text()
    assert "Wat nu?" in first_page and "uiterlijk 3 december 2026" in first_page
