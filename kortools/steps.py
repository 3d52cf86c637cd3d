"""What to do next, after the verdict (rules/next-steps.md; issue #20, a first version).

:func:`next_steps` turns an evaluated scenario into dated steps: when and where to ask
for the KOR (A3/A4), the invoice text (A7), a forecast threshold crossing (B1), the
herziening to report (A8/A9), what to keep and how long (D1/D2), the hours record (D3).
Dates are real dates from ``kt.today()``; a person reads them in Dutch words
(:func:`dutch_date`). The 29-day deadline for quarters other than January is
unconfirmed (kor-dates.md §1) and said so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from kortools.advice import AANMELDEN, UITSTAPPEN, advise
from kortools.evaluation import ScenarioResult, evaluate
from kortools.herziening import IMMOVABLE
from kortools.kor import kor_reentry_date, kor_request_deadline
from kortools.kor_years import CROSSED, date_words
from kortools.money import format_euro
from kortools.parameters import value

KINDS = ("aanmelden", "factuur", "afmelden", "herziening", "administratie", "urencriterium")
WHERE = "Mijn Belastingdienst Zakelijk"
INVOICE_TEXT = "Factuur vrijgesteld van OB o.g.v. artikel 25 Wet OB"
KEEP_YEARS, KEEP_YEARS_REAL_ESTATE = 7, 10


@dataclass(frozen=True)
class Step:
    """One thing to do: its ``kind`` (see :data:`KINDS`), the date it is due by (or None),
    the words in Dutch and English, and the source (a rules file section)."""

    kind: str
    date: dt.date | None
    text_nl: str
    text_en: str
    source: str


def dutch_date(day: dt.date) -> str:
    """``3 december 2026``: a date as a Dutch person reads it (kortools.kor_years.date_words)."""
    return date_words(day, True)


def moved_dates_nl(s) -> tuple[str, ...]:
    """What the calendar did to the case, said where the verdict is (issue #33 item 4): a
    planned start or exit whose request deadline had passed, and where it went."""
    said = []
    if s.kor_start_moved and s.kor_planned_start is not None and s.kor_from is not None:
        wanted, start, period = s.kor_planned_start, s.kor_from, s.return_period
        said.append(
            f"Aanmelden voor {dutch_date(wanted)} kan niet meer: uiterlijk "
            f"{dutch_date(kor_request_deadline(wanted, period))}. Vroegst mogelijk: "
            f"{dutch_date(start)}, aanmelden uiterlijk {dutch_date(kor_request_deadline(start, period))}."
        )
    if s.kor_end_moved and s.kor_planned_end is not None:
        wanted = s.kor_planned_end + dt.timedelta(days=1)
        end = s.kor_until
        until = f"de KOR loopt tot en met {dutch_date(end)}" if end else "de KOR loopt door tot het einde"
        said.append(
            f"Afmelden voor {dutch_date(wanted)} kan niet meer: uiterlijk "
            f"{dutch_date(kor_request_deadline(wanted, s.return_period))}; {until}."
        )
    return tuple(said)


def next_steps(result: ScenarioResult, today: dt.date | None = None) -> tuple[Step, ...]:
    """The steps for the adviser after the verdict (rules/next-steps.md), from ``today``
    (default the scenario's ``as_of``): for a client in the KOR, stay (the invoice text) or
    leave (the exit request, the re-entry date); otherwise the request to join, from the
    first KOR day of the table (issue #33). Every step is dated on or after that day."""
    s = result.scenario
    on = today or s.as_of
    advice = advise(result)
    steps: list[Step] = []
    if s.in_kor_on(on):
        if advice.action == UITSTAPPEN and advice.action_date is not None:
            steps += _leaving(advice.action_date - dt.timedelta(days=1), s.return_period, on)
        else:
            steps += _invoices(max(s.kor_from or dt.date(s.kor_start_year, 1, 1), on))
            steps += _planned_exit(s, on)
    elif advice.action == AANMELDEN and advice.action_date is not None:
        steps += _joining(advice.action_date, s.return_period)
        steps += _planned_exit(s, on)
    steps += _crossings(result, on)
    steps += _herziening(result, on)
    steps += _hours_missed(result)
    steps += _records(result)
    return tuple(steps)


def _joining(start: dt.date, period: str) -> list[Step]:
    deadline = kor_request_deadline(start, period)
    unsure = "" if start.month == 1 else " (de precieze laatste dag is niet officieel bevestigd)"
    return [
        Step(
            "aanmelden",
            deadline,
            f"Meld de KOR aan in {WHERE}, uiterlijk {dutch_date(deadline)}{unsure}: dan geldt de KOR "
            f"vanaf {dutch_date(start)}. Doe tot die datum gewoon btw-aangifte.",
            f"Request the KOR in {WHERE}, received by {deadline:%d %B %Y}: it then applies from "
            f"{start:%d %B %Y}. File normal VAT returns until then.",
            "next-steps.md A3–A5; kor-dates.md §1",
        ),
        *_invoices(start),
    ]


def _invoices(start: dt.date) -> list[Step]:
    return [
        Step(
            "factuur",
            start,
            f"Vanaf {dutch_date(start)} zet u geen btw op uw facturen, maar: “{INVOICE_TEXT}”. "
            "Btw die u toch op een factuur zet, moet u betalen.",
            f"From {start:%d %B %Y} invoices show no VAT but: “{INVOICE_TEXT}”. VAT shown is owed.",
            "next-steps.md A7; kor-dates.md §6",
        )
    ]


def _planned_exit(s, on: dt.date) -> list[Step]:
    """The scenario's own exit, still to come (moved when its request deadline had passed)."""
    if s.kor_until is None or s.kor_until < on:
        return []
    if s.kor_end_requested:
        exit_day = s.kor_until + dt.timedelta(days=1)
        return [
            Step(
                "afmelden",
                None,
                f"Afgemeld: de KOR stopt na {dutch_date(s.kor_until)}; vanaf {dutch_date(exit_day)} doet u "
                "weer gewoon btw-aangifte. Opnieuw meedoen kan vanaf "
                f"{dutch_date(kor_reentry_date(exit_day))}.",
                f"Deregistered: the KOR ends after {s.kor_until:%d %B %Y}.",
                "kor-dates.md §2, §4",
            )
        ]
    return _leaving(s.kor_until, s.return_period, on, s.kor_planned_end)


def _leaving(end: dt.date, period: str, on: dt.date, planned: dt.date | None = None) -> list[Step]:
    """A voluntary exit after ``end``: when to ask, and the re-entry block (kor-dates.md §2,
    §4); ``planned``: the exit as planned, when a passed deadline moved it to ``end``."""
    exit_day = end + dt.timedelta(days=1)
    deadline = kor_request_deadline(exit_day, period)
    again = kor_reentry_date(exit_day)
    late = ""
    if planned is not None:
        wanted = planned + dt.timedelta(days=1)
        late = (
            f" Afmelden voor {dutch_date(wanted)} kon niet meer (uiterlijk "
            f"{dutch_date(kor_request_deadline(wanted, period))}): de KOR loopt tot en met {dutch_date(end)}."
        )
    return [
        Step(
            "afmelden",
            deadline,
            f"Meld u af in {WHERE}, uiterlijk {dutch_date(deadline)}: dan stopt de KOR na "
            f"{dutch_date(end)} en doet u vanaf {dutch_date(exit_day)} weer gewoon btw-aangifte. "
            f"Opnieuw meedoen kan pas vanaf {dutch_date(again)}.{late}",
            f"Deregister in {WHERE} by {deadline:%d %B %Y}: the KOR ends after {end:%d %B %Y}; "
            f"rejoining is possible from {again:%d %B %Y}.",
            "kor-dates.md §2, §4",
        )
    ]


def _crossings(result: ScenarioResult, on: dt.date) -> list[Step]:
    steps = []
    plan = result.vat.kor
    for i, year in enumerate(result.vat.years):
        if int(plan.code[i][0]) != CROSSED:
            continue
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(plan.day[i][0]) - 1)
        if day < on:  # a crossing forecast for a day already past is no step to take
            continue
        steps.append(
            Step(
                "afmelden",
                day,
                f"Naar verwachting gaat uw omzet rond {dutch_date(day)} over de "
                f"{format_euro(result.vat.threshold[i], cents=False)}: vanaf die levering rekent u btw. "
                f"Meld u dan direct af in {WHERE} met die datum als einddatum.",
                f"Turnover is forecast to pass {format_euro(result.vat.threshold[i], cents=False)} around "
                f"{day:%d %B %Y}: that supply and later ones carry VAT; deregister at once with that date.",
                "next-steps.md B1; kor-dates.md §3",
            )
        )
    return steps


def _herziening(result: ScenarioResult, on: dt.date) -> list[Step]:
    steps = []
    schedule = result.herziening
    for year, payable in zip(schedule.index.astype(int), schedule["payable"], strict=True):
        if payable <= 0 or year < on.year:
            continue
        steps.append(
            Step(
                "herziening",
                dt.date(int(year), 12, 31),
                f"Herziening {year}: betaal {format_euro(payable)} terug in de aangifte over het laatste "
                f"tijdvak van {year} (het vierde kwartaal).",
                f"Herziening {year}: repay {format_euro(payable)} in the return for the last period of "
                f"{year} (Q4).",
                "next-steps.md A8–A9; herziening.md",
            )
        )
    return steps


def hours_test_cost(result: ScenarioResult) -> dict[int, float]:
    """Per year in which the urencriterium is not met (deductions.md §1, other-income.md §1 (f)):
    what the client would keep more, net with the KOR, had it been met (the same case with
    no hours elsewhere and at least the required hours). Empty for a bv."""
    if result.scenario.legal_form == "bv":
        return {}
    table = result.deductions_table("kor")
    missed = [int(y) for y, met in zip(table.index, table["urencriterium_met"], strict=True) if not met]
    if not missed:
        return {}
    s = result.scenario
    required = max(float(value("urencriterium_hours", s.tax_year(y))) for y in missed)
    hours_free = {y: {k: x for k, x in o.items() if "hours" not in k} for y, o in s.overrides.items()}
    met = evaluate(replace(s, hours=max(s.hours, required), other_work_hours=0.0, overrides=hours_free))
    net_met, net = met.table["kor_net_income"], result.table["kor_net_income"]
    return {y: float(net_met[y] - net[y]) for y in missed}


def _hours_missed(result: ScenarioResult) -> list[Step]:
    costs = hours_test_cost(result)
    if not costs:
        return []
    years = sorted(costs)
    s, year = result.scenario, years[0]
    hours, elsewhere = s.inputs(year)["hours"], s.inputs(year)["other_work_hours"]
    cost = costs[year]
    required = float(value("urencriterium_hours", s.tax_year(year)))
    because = f"{format_hours(hours)} uur in uw bedrijf" + (
        f" en {format_hours(elsewhere)} uur in loondienst of ander werk" if elsewhere else ""
    )
    return [
        Step(
            "urencriterium",
            None,
            f"Urencriterium niet gehaald in {_years_nl(years)} ({because}): geen zelfstandigenaftrek en "
            f"startersaftrek. Dat kost u {format_euro(cost, cents=False)} netto in {year}. Nodig: minstens "
            f"{format_hours(required)} uur in uw bedrijf en meer dan in loondienst (of een starter).",
            f"Hours test not met in {', '.join(map(str, years))}: no zelfstandigenaftrek or startersaftrek; "
            f"it costs {format_euro(cost, cents=False)} net in {year}.",
            "deductions.md §1; other-income.md §1 (f)",
        )
    ]


def format_hours(hours: float) -> str:
    return f"{hours:,.0f}".replace(",", ".")


def _years_nl(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else ", ".join(map(str, years[:-1])) + f" en {years[-1]}"


def _records(result: ScenarioResult) -> list[Step]:
    real_estate = any(a.kind == IMMOVABLE for a in result.scenario.assets)
    keep = f"{KEEP_YEARS} jaar"
    if real_estate:
        keep += f", gegevens over onroerend goed {KEEP_YEARS_REAL_ESTATE} jaar"
    steps = [
        Step(
            "administratie",
            None,
            f"Bewaar uw administratie (boeken, facturen, bankafschriften, omzetoverzicht) {keep}.",
            f"Keep the books, invoices, bank statements and turnover record for {KEEP_YEARS} years"
            + (f" ({KEEP_YEARS_REAL_ESTATE} for real estate)." if real_estate else "."),
            "next-steps.md D1–D2",
        )
    ]
    if result.scenario.legal_form != "bv":
        steps.append(
            Step(
                "urencriterium",
                None,
                "Houd per dag bij hoeveel uur u aan uw bedrijf werkt en waaraan, controleerbaar met agenda, "
                "mail en facturen: weekblokken of één vage activiteit per dag zijn door rechters afgewezen.",
                "Keep an hours record per day with the activity, verifiable against agenda, e-mail and "
                "invoices: weekly blocks were rejected in court.",
                "next-steps.md D3; deductions.md §1",
            )
        )
    return steps
