"""The KOR-verkenner on a real client today: a new case, the year table, KOR dates, the
link with cents and per-year fields, amounts shown as read (issue #20 items 1, 2, 8)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import kortools as kt
from kortools.money import format_euro
from kortools.ui import app as ui
from kortools.ui.verkenner import NEW_CASE


def given_values(app) -> dict:
    """The page's values, without the year cells left empty (no figures of their own)."""
    return {k: v for k, v in app.values.items() if v is not None}


def query_of(app) -> str:
    return app.link.value.split('href="?')[1].split('"')[0].replace("&amp;", "&")


def test_the_page_opens_on_a_new_case_from_today():
    app = ui.kor_verkenner(query="")  # today: 1 December 2026 (tests/conftest.py)
    assert app.values["van"] == 2026 and app.values["kor_vanaf"] == "2027-01-01"
    assert app.values["al_in_kor"] is False and app.values["omzet"] == 0
    assert "KOR-verkenner: Nieuwe klant" in app.title.value
    assert NEW_CASE in app.headline.value  # no verdict on an empty case
    # the example clients are a choice
    app.example.value = "kapper"
    assert "Kapsalon Anna" in app.title.value and app.advice.verdict == "meedoen"
    app.example.value = ""
    assert "Nieuwe klant" in app.title.value


def test_an_example_opens_from_the_link():
    app = ui.kor_verkenner(query="voorbeeld=kapper")
    assert app.advice.gain_per_kor_year == 960.0  # 0.09 × 16.500 − 0.21 × 2.500


def test_history_in_the_year_table_is_the_previous_year_test():
    # issue #20: 2025 € 19.000, 2026 € 21.500 at net prices. Without 2025 the page said
    # "2026: omzet vorig jaar te hoog" (it took 2025 as 21.500 too)
    base = "omzet=21.500&consumenten=100&btw=21&beleid=nettoprijs&van=2026&tot=2028"
    base += "&kor_vanaf=2026-01-01&al_in_kor=ja"
    without = ui.kor_verkenner(query=base)
    assert without.result.table.loc[2026, "kor_status"] == "omzet vorig jaar te hoog"
    app = ui.kor_verkenner(query=base + "&omzet_2025=19.000")
    assert app.result.table.loc[2026, "kor_status"] != "omzet vorig jaar te hoog"
    assert app.year_table.cells["omzet_2025"].value == "19.000"
    # the empty cells show the model's figure for that year
    assert app.year_table.cells["omzet_2027"].placeholder == "21.500"
    assert "2027 <small>prognose</small>" in app.year_table.year_labels[2027].value


def test_typing_a_year_and_a_growth():
    app = ui.kor_verkenner(query="voorbeeld=kapper")
    app.year_table.cells["omzet_2027"].value = "18.000"
    assert app.result.table.loc[2027, "turnover"] == 18_000
    assert "omzet_2027=18000" in query_of(app)
    app.controls["groei"].value = "10"
    # 2026 = 16.500 × 1,10 (a year after the first, 2025); 2027 typed over stays 18.000
    assert app.result.table.loc[2026, "turnover"] == 16_500 * 1.1
    assert app.result.table.loc[2027, "turnover"] == 18_000
    app.year_table.cells["omzet_2026"].value = "veel"
    assert "Omzet 2026" in app.year_table.errors.value


def test_the_link_keeps_cents_and_per_year_fields():
    query = "voorbeeld=kapper&eerder_btw=5206,61&omzet=16.500,5&omzet_2026=17.250,25&kosten_2027=2.600,10"
    app = ui.kor_verkenner(query=query)
    again = ui.kor_verkenner(query=query_of(app))
    assert given_values(again) == given_values(app)
    assert again.values["eerder_btw"] == 5206.61 and again.values["omzet_2026"] == 17250.25
    assert again.result.table.equals(app.result.table)


def test_an_amount_shows_what_it_was_read_as():
    app = ui.kor_verkenner(query="voorbeeld=kapper")
    app.controls["omzet"].value = "16,5"  # read as € 16,50, not 16.500
    assert "= € 16,50" in app.labels["omzet"].value
    app.controls["omzet"].value = "16.500,-"  # whole euros
    assert app.values["omzet"] == 16_500 and "= € 16.500" in app.labels["omzet"].value
    app.controls["omzet"].value = "16.500"
    assert "kt-read" not in app.labels["omzet"].value  # as typed: nothing to say


def test_a_client_already_in_the_kor_and_a_planned_exit():
    app = ui.kor_verkenner(query="voorbeeld=kapper&kor_vanaf=2025-04-01&al_in_kor=ja&kor_tot=2027-06-30")
    table = app.result.table
    assert table.loc[2025, "kor_status"] == "in KOR vanaf 1 april 2025"
    assert table.loc[2027, "kor_status"] == "in KOR tot en met 30 juni 2027"
    assert "Meld u af" in app.headline.value and "1 januari 2029" in app.headline.value


def test_a_future_date_as_already_in_is_refused_in_dutch():
    app = ui.kor_verkenner(query="voorbeeld=kapper&kor_vanaf=2027-01-01&al_in_kor=ja")
    assert "ligt nog niet in het verleden" in app.labels["kor_vanaf"].value


def test_an_older_link_with_a_kor_year_still_works():
    app = ui.kor_verkenner(query="voorbeeld=kapper&kor_vanaf=2027&al_in_kor=nee")
    assert app.values["kor_vanaf"] == "2027-01-01" and app.result.kor_years == (2027,)


amounts = st.decimals(0, 100_000, places=2).map(float)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # a page takes a second: no long shrinking
)
@given(
    omzet=amounts,
    eerder=amounts,
    year=st.sampled_from([2024, 2025, 2026, 2027]),
    per_year=amounts,
    start=st.sampled_from(["2025-01-01", "2025-07-01", "2026-04-01"]),
    end=st.sampled_from(["", "2027-03-31", "2027-12-31"]),
    growth=st.integers(-50, 100),
)
def test_every_state_of_the_page_survives_its_link(omzet, eerder, year, per_year, start, end, growth):
    from kortools.ui.base import url_value

    pairs = dict(
        voorbeeld="kapper",
        omzet=omzet,
        eerder_btw=eerder,
        kor_vanaf=start,
        al_in_kor=True,
        kor_tot=end,
        groei=growth,
        **{f"omzet_{year}": per_year},
    )
    app = ui.kor_verkenner(query="&".join(f"{k}={url_value(v)}" for k, v in pairs.items()))
    assert app.result is not None
    again = ui.kor_verkenner(query=query_of(app))
    assert given_values(again) == given_values(app)
    assert dict(parse_qsl(query_of(again))) == dict(parse_qsl(query_of(app)))
    assert kt.evaluate(again.result.scenario).table.equals(app.result.table)


def test_at_a_threshold_crossing_the_headline_chart_and_table_show_one_figure():
    # issue #20 item 7: "Winkel op de grens" headlined the split year's gain while the chart
    # said the full-year figure. Now the chart is the table's year (the split year)
    from kortools.ui import charts

    charts.PNG_CACHE.clear()  # drawn here, not taken from an earlier page's cache
    app = ui.kor_verkenner(query="voorbeeld=drempel")
    result = app.result
    year = result.shown_year
    row = result.table.loc[year]
    assert 0 < row["kor_share"] < 1  # the threshold is crossed in that year
    assert app.advice.gain_per_kor_year == sum(
        result.table.loc[y, "margin_gain"] for y in result.kor_years
    ) / len(result.kor_years)
    chart_title = app._margin_figure.axes.get_title()  # drawn: the cache was cleared
    assert chart_title.endswith(format_euro(row["margin_gain"], cents=False))
    assert format_euro(row["margin_gain"], cents=False) in app.margin_chart.tooltip  # its words too
    assert format_euro(row["margin_gain"], cents=False) in app.headline.value or len(result.kor_years) > 1
    full_year = result.margins[year].gain
    assert format_euro(full_year, cents=False) not in chart_title


def test_a_variant_is_never_pinned_from_an_invalid_input():
    app = ui.kor_verkenner(query="voorbeeld=kapper")
    app.controls["omzet"].value = "16,5,0"  # not a number
    app.pin_variant()
    assert app.variants == {} and "alleen geldige invoer" in app.variants_note.value
    app.controls["omzet"].value = "16.500"
    app.pin_variant()
    assert list(app.variants) == ["A"]
