"""One calendar, one decision (issue #33): plans and facts, stay or leave, one figure.

Hand-worked figures: a kapsalon with € 12.000 of consumer sales (excl. VAT, 21 %) and
€ 2.000 of costs with 21 % VAT keeps under the KOR, in a whole year, the output VAT it no
longer pays less the input VAT it can no longer deduct: 12.000 × 21 % − 2.000 × 21 % =
2.520 − 420 = € 2.100 (margin.md, consumer prices kept).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import kortools as kt
from kortools import portfolio
from kortools.kor_years import date_words

D = dt.date
ON = D(2026, 12, 4)  # the day after the request deadline for 1 January 2027 (3 December)


def kapsalon(**changes) -> kt.Scenario:
    base = {
        "name": "Kapsalon",
        "first_year": 2026,
        "last_year": 2030,
        "consumer_sales": 12_000,
        "business_sales": 0,
        "costs_with_vat": 2_000,
        "previous_year_turnover": 12_000,
        "as_of": ON,
    }
    return kt.Scenario(**{**base, **changes})


def test_a_new_client_is_told_to_join_from_the_first_reachable_start():
    result = kt.evaluate(kapsalon(kor_start_year=2027))
    advice = kt.advise(result)
    assert (advice.action, advice.action_date) == ("aanmelden", D(2027, 4, 1))
    # the full-year figure is a whole year's (2028), not the average with the part year 2027
    assert advice.full_kor_year == 2028
    assert advice.gain_full_kor_year == pytest.approx(2_100)
    # 2027 from 1 April: 275 of 365 days of evenly spread sales → 2.100 × 275 / 365 = 1.582,19
    assert result.table.loc[2027, "margin_gain"] == pytest.approx(2_100 * 275 / 365)
    assert advice.gain_per_kor_year == pytest.approx((2_100 * 275 / 365 + 3 * 2_100) / 4)
    join = {s.kind: s for s in kt.next_steps(result)}
    assert join["aanmelden"].date == D(2027, 3, 3) and "vanaf 1 april 2027" in join["aanmelden"].text_nl


def test_gross_and_net_full_year_figures_are_made_of_the_same_parts():
    # an investment with VAT in 2028 under the KOR: its VAT is lost that year; herziening of a
    # past one as well: the gross figure is margin − herziening − lost VAT, as the net one
    past = kt.Asset("bus", "movable", 2025, 3_000)
    result = kt.evaluate(kapsalon(kor_start_year=2027, assets=(past,)))
    advice = kt.advise(result)
    row = result.table.loc[advice.full_kor_year]
    assert advice.gain_full_kor_year == pytest.approx(
        row["margin_gain"] - row["herziening"] - row["lost_investment_vat"]
    )
    assert advice.net_gain_full_kor_year == pytest.approx(row["net_difference"])
    assert (advice.gain_full_kor_year > 0) == (advice.net_gain_full_kor_year > 0)


def test_a_client_in_the_kor_who_gains_is_told_to_stay():
    result = kt.evaluate(kapsalon(kor_since=D(2025, 1, 1)))
    advice = kt.advise(result)
    # the first exit a request on 4 December reaches is 1 April 2027
    assert (advice.action, advice.action_date) == ("blijven", D(2027, 4, 1))
    assert advice.stay_gain > 0
    steps = {s.kind: s for s in kt.next_steps(result)}
    assert "aanmelden" not in steps and "afmelden" not in steps
    assert steps["factuur"].date == ON  # the invoice text, from today on


def test_a_client_in_the_kor_who_loses_is_told_to_leave_with_the_exit_request():
    # mostly business customers: they cannot deduct the VAT they no longer pay, the KOR
    # costs the input VAT (2.000 × 21 % = 420) and gains little on 1.000 of consumer sales
    result = kt.evaluate(kapsalon(kor_since=D(2025, 1, 1), consumer_sales=1_000, business_sales=15_000))
    advice = kt.advise(result)
    assert (advice.action, advice.action_date) == ("uitstappen", D(2027, 4, 1))
    steps = [s for s in kt.next_steps(result)]
    leave = next(s for s in steps if s.kind == "afmelden")
    assert leave.date == D(2027, 3, 3)  # 1 April 2027 − 29 days
    assert "Opnieuw meedoen kan pas vanaf 1 januari 2029" in leave.text_nl
    assert not [s for s in steps if s.kind == "factuur"]  # no exemption text for one leaving


def test_a_past_what_if_reasons_from_its_own_day():
    # on 1 December 2026 the 1 January 2027 start was still reachable
    early = kapsalon(kor_start_year=2027, as_of=D(2026, 12, 1))
    assert early.kor_from is None and early.kor_start_year == 2027  # whole years, in time
    assert kt.evaluate(early).table.loc[2027, "kor_share"] == 1


# -- the property: the table and the steps tell one story, from any day ---------------------

quarter_starts = st.sampled_from([D(y, m, 1) for y in range(2025, 2030) for m in (1, 4, 7, 10)])


@st.composite
def cases(draw):
    first = draw(st.integers(2025, 2028))
    as_of = draw(st.dates(D(2025, 1, 1), D(2028, 12, 31)))
    fields = {
        "name": "eigenschap",
        "first_year": first,
        "last_year": first + draw(st.integers(1, 4)),
        "consumer_sales": draw(st.floats(0, 30_000)),
        "business_sales": draw(st.floats(0, 10_000)),
        "costs_with_vat": draw(st.floats(0, 5_000)),
        "return_period": draw(st.sampled_from(["quarter", "month"])),
        "as_of": as_of,
    }
    how = draw(st.sampled_from(["years", "start", "since"]))
    if how == "years":
        fields["kor_start_year"] = draw(st.integers(first, first + 2))
    elif how == "start":
        fields["kor_start"] = draw(quarter_starts)
    else:
        fields["kor_since"] = draw(st.dates(D(2023, 1, 1), as_of))
    if draw(st.booleans()):
        fields["kor_end"] = draw(quarter_starts) - dt.timedelta(days=1)
        fields["kor_end_requested"] = draw(st.booleans())
    return fields


@given(cases())
@settings(max_examples=150, deadline=None)
def test_the_first_kor_day_of_the_table_is_the_join_steps_start_and_no_step_is_past(fields):
    try:
        scenario = kt.Scenario(**fields)
    except kt.InputError:
        event("refused (a date outside the scenario)")
        assume(False)
    result = kt.evaluate(scenario)
    steps = kt.next_steps(result)
    on = scenario.as_of
    assert all(step.date is None or step.date >= on for step in steps), [(s.kind, s.date) for s in steps]
    kinds = [s.kind for s in steps]
    event(f"in the KOR: {scenario.in_kor}; action {kt.advise(result).action}")
    if "aanmelden" in kinds:
        start = steps[kinds.index("aanmelden") + 1].date  # the invoice text from the start
        table = result.table
        first = next(y for y, share in zip(table.index, table["kor_share"], strict=True) if share > 0)
        assert start.year == first
        if start != D(first, 1, 1):  # a start within the year: the year's status names it
            assert date_words(start) in table.loc[first, "kor_status"]
            assert 0 < table.loc[first, "kor_share"] < 1
        event("a join step")


# -- the portfolio reasons from today with the same rule ------------------------------------


def test_the_portfolio_dates_a_whole_year_plan_and_reads_in_kor_sinds(monkeypatch):
    monkeypatch.setenv("KORTOOLS_TODAY", ON.isoformat())
    raw = pd.DataFrame(
        {
            "klant": ["nieuw", "al in de KOR", "datum fout", "toekomst"],
            "omzet_consumenten": ["12000", "12000", "12000", "12000"],
            "omzet_bedrijven": ["0", "0", "0", "0"],
            "kosten_met_btw": ["2000", "2000", "2000", "2000"],
            "jaar": ["2027", "2026", "2027", "2027"],
            "in_kor_sinds": ["", "1-1-2025", "31-2-2025", "2027-01-01"],
        }
    )
    good, errors = portfolio.validate_rows(raw)
    assert sorted(errors["klant"]) == ["datum fout", "toekomst"]
    rows = portfolio.assess(good).set_index("klant")
    # "nieuw": the KOR from 2027, asked on 4 December: from 1 April 2027 (by 3 March 2027)
    assert rows.loc["nieuw", "actie"] == "aanmelden" and rows.loc["nieuw", "actie_per"] == "1 april 2027"
    assert rows.loc["nieuw", "aanmelden_uiterlijk"] == "3 maart 2027"
    assert rows.loc["nieuw", "netto_voordeel_volledig_kor_jaar"] > 0
    # the five-year figures of each row are the model's for that client (one rule)
    for _, client in good.iterrows():
        advice = kt.advise(kt.evaluate(portfolio.scenario_for(client)))
        name = client["klant"]
        assert rows.loc[name, "netto_voordeel_5_jaar"] == pytest.approx(advice.net_total_difference)
        assert rows.loc[name, "actie"] == advice.action_nl
    assert rows.loc["al in de KOR", "actie"] == "in de KOR blijven"
    assert rows.loc["al in de KOR", "actie_per"] == "1 april 2027"


def test_every_portfolio_row_equals_the_model_on_a_day_that_moves_plans(monkeypatch):
    from test_portfolio import random_clients

    monkeypatch.setenv("KORTOOLS_TODAY", ON.isoformat())
    clients = random_clients(200, seed=11)
    clients["in_kor_sinds"] = ["1-4-2025" if i % 4 == 0 else "" for i in range(len(clients))]
    good, errors = portfolio.validate_rows(clients)
    assert errors.empty
    rows = portfolio.assess(good)
    actions = set()
    for i, client in good.iterrows():
        advice = kt.advise(kt.evaluate(portfolio.scenario_for(client)))
        row = rows.loc[i]
        actions.add(advice.action)
        assert row["netto_voordeel_5_jaar"] == pytest.approx(advice.net_total_difference, abs=1e-6)
        assert row["voordeel_per_kor_jaar"] == pytest.approx(advice.gain_per_kor_year, abs=1e-6)
        assert row["kor_jaren"] == ", ".join(map(str, advice.kor_years))
        assert row["actie"] == advice.action_nl
        assert row["actie_per"] == (date_words(advice.action_date) if advice.action_date else "")
    assert {"aanmelden", "blijven"} <= actions


def test_a_scenario_saved_today_reasons_from_the_day_it_is_opened(tmp_path):
    s = dataclasses.replace(kapsalon(kor_start_year=2027), as_of=None)
    assert "as_of" not in s.to_dict()
    pinned = kapsalon(kor_start_year=2027)
    assert pinned.to_dict()["as_of"] == ON  # a what-if of another day keeps its day


def test_the_page_says_a_moved_start_where_the_verdict_is(monkeypatch):
    # issue #33 item 4: "KOR vanaf: 1 januari 2027" on 4 December 2026, said by the verdict
    monkeypatch.setenv("KORTOOLS_TODAY", ON.isoformat())
    from kortools.ui import app as ui

    app = ui.kor_verkenner(query="voorbeeld=kapper")
    app.set_values({"kor_vanaf": "2027-01-01", "al_in_kor": False, "omzet": "16500"})
    app.refresh()
    assert (
        "Aanmelden voor 1 januari 2027 kan niet meer: uiterlijk 3 december 2026. Vroegst mogelijk: "
        "1 april 2027, aanmelden uiterlijk 3 maart 2027." in app.headline.value
    )
    assert "Wat nu: aanmelden per 1 april 2027." in app.headline.value
    assert "gebruikt: 1 april 2027" in app.labels["kor_vanaf"].value  # the date used, by the field


def test_the_dashboards_import_as_functions_whatever_was_imported_first():
    # a kernel forked after the zygote had imported the module kortools.ui.herziening_app
    # found the module, not the function, under that name ("'module' object is not callable")
    import subprocess
    import sys

    code = (
        "import kortools.ui.herziening_app, kortools.ui.aftrekposten_app\n"
        "from kortools.ui import herziening_app, aftrekposten_app, kor_verkenner\n"
        "print(type(herziening_app('starter')).__name__, type(aftrekposten_app()).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["HerzieningApp", "AftrekpostenApp"], out.stderr


def test_an_investment_first_used_after_the_exit_keeps_its_vat():
    # in the KOR since 2025, out after 31 March 2027 (requested): a van of € 6.300 VAT first
    # used on 1 June 2027 is a regular purchase, its VAT deducted in full; by the year's share
    # alone it lost 90 of 365 days' worth: 6.300 × 90 / 365 = 1.553,42
    exit_ = {"kor_since": D(2025, 1, 1), "kor_end": D(2027, 3, 31), "kor_end_requested": True}
    dated = kt.Asset("bestelbus", "movable", 2027, 6_300, first_use_date=D(2027, 6, 1))
    undated = kt.Asset("bestelbus", "movable", 2027, 6_300)
    with_day = kt.evaluate(kapsalon(**exit_, assets=(dated,))).table
    by_year = kt.evaluate(kapsalon(**exit_, assets=(undated,))).table
    assert with_day.loc[2027, "lost_investment_vat"] == 0
    assert by_year.loc[2027, "lost_investment_vat"] == pytest.approx(6_300 * 90 / 365)
    # first used inside the KOR period (1 February 2027): lost in full
    inside = kt.Asset("bestelbus", "movable", 2027, 6_300, first_use_date=D(2027, 2, 1))
    assert kt.evaluate(kapsalon(**exit_, assets=(inside,))).table.loc[2027, "lost_investment_vat"] == 6_300


def test_an_investment_first_used_before_a_part_year_start_is_regular_then_revised():
    # the KOR from 1 April 2027; a machine first used on 1 February 2027 (VAT 5.000, 5 years):
    # its VAT deducted in full in 2027; in 2028, a whole KOR year, a fifth is repaid (1.000)
    machine = kt.Asset("machine", "movable", 2027, 5_000, first_use_date=D(2027, 2, 1))
    table = kt.evaluate(kapsalon(kor_start_year=2027, assets=(machine,))).table
    assert table.loc[2027, "lost_investment_vat"] == 0
    assert table.loc[2028, "herziening"] == pytest.approx(1_000)


def test_a_first_use_date_outside_its_year_is_refused():
    with pytest.raises(kt.InputError, match="first_use_date of bus"):
        kt.Asset("bus", "movable", 2027, 1_000, first_use_date=D(2028, 1, 1))
    s = kapsalon(
        assets=[
            {
                "name": "bus",
                "kind": "movable",
                "first_use_year": 2027,
                "vat": 1_000,
                "first_use_date": "2027-06-01",
            }
        ]
    )
    assert s.assets[0].first_use_date == D(2027, 6, 1)
    assert kt.Scenario.from_dict(s.to_dict()).assets == s.assets


def test_the_examples_live_today(monkeypatch):
    # written as of December 2026: a new client deciding to join (the photographer, KOR from
    # next year) and one in the KOR deciding to stay or leave (the hairdresser, since 2026)
    monkeypatch.setenv("KORTOOLS_TODAY", "2026-12-01")
    new = kt.advise(kt.evaluate(kt.example_scenario("fotograaf")))
    member = kt.advise(kt.evaluate(kt.example_scenario("kapper")))
    assert (new.action, new.action_date) == ("aanmelden", D(2027, 1, 1))
    assert member.action in ("blijven", "uitstappen") and member.action_date == D(2027, 1, 1)
    # a year later the same examples are a year later: still deciding, from the next year
    monkeypatch.setenv("KORTOOLS_TODAY", "2027-12-01")
    later = kt.example_scenario("fotograaf")
    assert (later.first_year, later.kor_start_year) == (2027, 2028)
    assert kt.advise(kt.evaluate(later)).action_date == D(2028, 1, 1)


def test_a_second_start_after_a_voluntary_exit():
    # out after 31 December 2026 (requested): blocked for 2027 and 2028 (kor-dates.md §4),
    # back in the KOR from 1 January 2029
    left = {"kor_since": D(2025, 1, 1), "kor_end": D(2026, 12, 31), "kor_end_requested": True}
    table = kt.evaluate(kapsalon(**left, kor_restart=D(2029, 1, 1))).table
    assert table["kor_share"].tolist() == [1, 0, 0, 1, 1]
    assert table.loc[2027, "kor_status"] == "afgemeld; weer mogelijk vanaf 1 januari 2029"
    # before the re-entry date: refused, in Dutch on the page and in the command
    with pytest.raises(kt.InputError, match="re-entry date 2029-01-01") as refused:
        kapsalon(**left, kor_restart=D(2028, 1, 1))
    from kortools.error_text import LABELS_NL, dutch_error

    assert "opnieuw meedoen kan pas vanaf 1 januari 2029" in dutch_error(refused.value, LABELS_NL)[1]
    with pytest.raises(kt.InputError, match="after a voluntary exit"):
        kapsalon(kor_since=D(2025, 1, 1), kor_restart=D(2029, 1, 1))
