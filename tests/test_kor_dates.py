"""The KOR by date in a Scenario (issue #20 items 1 and 3; rules/kor-dates.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

import kortools as kt

D = dt.date


@pytest.fixture(autouse=True)
def first_of_december(monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")


def client(**changes) -> kt.Scenario:
    base = kt.Scenario(
        name="Datum",
        first_year=2026,
        last_year=2028,
        consumer_sales=15_000,
        business_sales=0,
        costs_with_vat=1_000,
        previous_year_turnover=15_000,
    )
    return replace(base, **{"kor_start_year": None, "kor_last_year": None, **changes})


def test_a_start_before_today_is_a_fact():
    # issue #33: a start on a date before the scenario's day is a fact (the client joined
    # then), not a plan to move: on 1 December 2026, 1 January 2026 is when it joined
    s = client(kor_start=D(2026, 1, 1))
    assert s.kor_from == D(2026, 1, 1) and not s.kor_start_moved and s.kor_start_year == 2026
    assert s.kor_start == D(2026, 1, 1)  # kept as given (saved as is)


def test_a_plan_in_time_is_not_moved():
    s = client(kor_start=D(2027, 1, 1))
    assert s.kor_from == D(2027, 1, 1) and not s.kor_start_moved


def test_after_the_deadline_for_january_the_plan_moves_to_april(monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-04")  # 4 December: too late for 1 January
    s = client(kor_start=D(2027, 1, 1))
    assert s.kor_from == D(2027, 4, 1)
    table = kt.evaluate(s).table
    assert table.loc[2027, "kor_status"] == (
        "in KOR vanaf 1 april 2027 (aanmelden voor 1 januari 2027 kon niet meer: uiterlijk 3 december 2026)"
    )
    assert 0.74 < table.loc[2027, "kor_share"] < 0.76  # 1 April to 31 December of evenly spread sales


def test_a_client_already_in_the_kor_is_not_checked_against_deadlines():
    s = client(kor_since=D(2024, 4, 1))
    assert s.kor_from == D(2024, 4, 1) and s.kor_start_year == 2026
    assert kt.evaluate(s).table["kor_share"].tolist() == [1.0, 1.0, 1.0]
    steps = kt.next_steps(kt.evaluate(s))
    assert not [x for x in steps if x.kind == "aanmelden"]  # already in: nothing to ask for
    assert [x for x in steps if x.kind == "factuur"]


def test_the_whole_year_fields_keep_their_meaning_without_a_date_check():
    s = client(kor_start_year=2026)
    assert s.kor_from is None and kt.evaluate(s).table.loc[2026, "kor_share"] == 1.0


def test_a_start_must_be_the_first_day_of_a_return_period():
    with pytest.raises(kt.InputError, match=r"kor_start.*1 January, 1 April"):
        client(kor_start=D(2027, 2, 1))
    assert client(kor_start=D(2027, 2, 1), return_period="month").kor_from == D(2027, 2, 1)


def test_an_end_must_be_the_last_day_of_a_return_period_within_the_scenario():
    with pytest.raises(kt.InputError, match=r"kor_end.*30 June"):
        client(kor_start=D(2027, 1, 1), kor_end=D(2027, 6, 15))
    with pytest.raises(kt.InputError, match="kor_end"):
        client(kor_start=D(2027, 1, 1), kor_end=D(2026, 12, 31))  # before the start


def test_kor_since_is_a_past_date_and_not_beside_a_plan():
    with pytest.raises(kt.InputError, match=r"kor_since.*past date"):
        client(kor_since=D(2027, 1, 1))
    with pytest.raises(kt.InputError, match="kor_since"):
        client(kor_since=D(2025, 1, 1), kor_start=D(2027, 1, 1))


def test_a_start_moved_past_the_last_year_is_refused():
    # a monthly filer's plan for 1 December 2026, made on 1 December: the first start a
    # request made then reaches is 1 January 2027, after the scenario's last year
    with pytest.raises(kt.InputError, match=r"kor_start.*after last_year"):
        client(last_year=2026, kor_start=D(2026, 12, 1), return_period="month")


def test_text_dates_are_read_and_bad_ones_refused():
    assert client(kor_start="2027-01-01").kor_from == D(2027, 1, 1)
    with pytest.raises(kt.InputError, match=r"kor_start.*YYYY-MM-DD"):
        client(kor_start="1-1-2027")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_dates_survive_save_and_load(tmp_path, suffix):
    s = client(kor_start=D(2027, 4, 1), kor_end=D(2028, 9, 30))
    back = kt.load_scenario(kt.save_scenario(s, tmp_path / f"s{suffix}"))
    assert (back.kor_start, back.kor_end, back.kor_from) == (D(2027, 4, 1), D(2028, 9, 30), D(2027, 4, 1))
    assert kt.evaluate(back).table.equals(kt.evaluate(s).table)


def test_a_voluntary_exit_says_when_to_leave_and_when_to_return():
    s = client(kor_start=D(2027, 1, 1), kor_end=D(2027, 6, 30))
    steps = [x for x in kt.next_steps(kt.evaluate(s)) if x.kind == "afmelden"]
    # leave on 1 July 2027: ask by 1 July − 29 days = 2 June 2027; back from 1 January 2029
    assert steps[0].date == D(2027, 6, 2)
    assert "uiterlijk 2 juni 2027" in steps[0].text_nl and "1 januari 2029" in steps[0].text_nl
    assert not s.kor_continues  # the herziening after the last year: the KOR has ended


def test_the_moved_start_gives_the_right_request_deadline(monkeypatch):
    # issue #33 item 1: a whole-year plan for 2027 on 4 December 2026 (1 January needed
    # 3 December) starts on 1 April 2027, asked by 3 March 2027, in the table and the steps
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-04")
    result = kt.evaluate(client(kor_start_year=2027, last_year=2028))
    join = next(x for x in kt.next_steps(result) if x.kind == "aanmelden")
    assert join.date == D(2027, 3, 3) and "uiterlijk 3 maart 2027" in join.text_nl
    assert "vanaf 1 april 2027" in join.text_nl
    assert result.table.loc[2026, "kor_share"] == 0 and 0.74 < result.table.loc[2027, "kor_share"] < 0.76
