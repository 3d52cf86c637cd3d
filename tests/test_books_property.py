"""Never a crash on a readable file (issue #32): ledgers generated with random accounts,
signs, VAT codes and customers, written as auditfiles, are read, made a scenario, evaluated
and advised; the sales by customer kind always add up to the turnover."""

from __future__ import annotations

import tempfile
from pathlib import Path

from auditfiles.writer import Ledger, Line, Tx, write
from hypothesis import event, given, settings
from hypothesis import strategies as st
from verdicts import verdict_follows_the_figures

import kortools as kt

WORDS = (
    "Omzet",
    "Omzet hoog tarief",
    "Omzet laag",
    "Opbrengst diversen",
    "Kostprijs verkopen",
    "Inkoop",
    "Prijsverschillen bij inkoop",
    "Kleine ondernemersregeling BTW",
    "Privé opnamen",
    "Inventaris",
    "Afschrijving inventaris",
    "Lening",
    "Huur",
    "Lonen",
    "Ontvangen ziekengeld",
    "Kas",
    "Af te dragen btw",
    "Te vorderen btw",
)
CODE_WORDS = ("Btw hoog 21%", "Laag 9%", "Voorbelasting", "Verlegd", "Intracommunautair", "Geen", "")
accounts = st.dictionaries(
    st.sampled_from(
        ["0100", "0300", "0510", "1000", "1300", "1510", "1520", "4000", "7000", "8000", "8100", "8900"]
    ),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(["P", "B"]), st.just("")),
    min_size=2,
)
codes = st.dictionaries(st.sampled_from(["1", "2", "5", "V21", "10"]), st.sampled_from(CODE_WORDS))
customers = st.dictionaries(
    st.sampled_from(["K1", "K2", "KAS"]),
    st.tuples(
        st.sampled_from(["Bakker BV", "Contanten Debiteur", "Jansen"]),
        st.sampled_from(["", "NL001B01"]),
        st.just(""),
    ),
)


@st.composite
def ledgers(draw) -> Ledger:
    chart = draw(accounts)
    vat_codes = draw(codes)
    people = draw(customers)
    line = st.builds(
        Line,
        account=st.sampled_from(sorted(chart)),
        amount=st.floats(0.01, 50_000, allow_nan=False).map(lambda x: round(x, 2)),
        side=st.sampled_from(["D", "C"]),
        customer=st.sampled_from([None, *sorted(people)]),
        vat=st.none()
        | st.tuples(
            st.sampled_from([*sorted(vat_codes), "-V21", "X"]),
            st.sampled_from([0.0, 9.0, 21.0, 7.0]),
            st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 2)),
        ),
    )
    day = st.dates(
        min_value=__import__("datetime").date(2024, 1, 1), max_value=__import__("datetime").date(2024, 12, 31)
    )
    transactions = draw(
        st.lists(st.builds(Tx, date=day.map(str), lines=st.lists(line, min_size=1, max_size=5)), max_size=12)
    )
    return Ledger(accounts=chart, vat_codes=vat_codes, customers=people, transactions=transactions)


@given(ledgers())
@settings(max_examples=100, deadline=None)
def test_any_readable_ledger_gets_an_advice_and_its_sales_add_up(generated):
    with tempfile.TemporaryDirectory() as folder:
        books = kt.read_auditfile(write(generated, Path(folder) / "gegenereerd.xaf"))
    row = books.summary.loc[2024]
    parts = row["consumer_sales"] + row["business_sales"] + row["unknown_sales"]
    assert abs(parts - row["turnover"]) < 0.01
    by_kind = sum(row[f"turnover_{k}"] for k in kt.auditfile.VAT_KINDS)
    assert abs(by_kind - row["turnover"]) < 0.01
    scenario = kt.scenario_from_books(books, first_year=2026)
    advice = kt.advise(kt.evaluate(scenario))
    verdict_follows_the_figures(advice)
    event(
        "a negative total" if any(f.code == "negative_total" for f in books.findings) else "no negative total"
    )
    event("turnover" if row["turnover"] > 0 else "no turnover")
    event(f"verdict {advice.verdict}")
