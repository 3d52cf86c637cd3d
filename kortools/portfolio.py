"""Portfolio run: which of an office's clients the KOR suits, all clients at once.

One row per client in, one row per client out. The input columns are documented in
``COLUMNS`` (Dutch or English names); see ``data/portfolio/klanten.csv``. Amounts in
euros a year excl. VAT; ``btw_tarief`` in percent. Each client is the scenario
:func:`scenario_for` builds: the same sales every year, the KOR chosen from ``jaar``
for ``YEARS_AHEAD`` years. Every figure and the advice come from the model
(``kortools.evaluation.advise_many``, the vectorised twin of
``kt.advise(kt.evaluate(scenario))``); this module only reads, maps and writes.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import numpy as np
import pandas as pd

from kortools import _validate
from kortools.advice import AANMELDEN, UITSTAPPEN, Advice
from kortools.clock import today
from kortools.columns import TAX_FIGURES_NL
from kortools.dutch import format_number_nl, read_numbers_nl
from kortools.evaluation import Calendar, advise_many
from kortools.herziening import Asset, revision_periods
from kortools.inputs import PERSON_COLUMN_INPUTS, input_named
from kortools.kor import kor_exit_date, kor_request_deadline, kor_start_date, whole_year_start
from kortools.kor_years import NOT_CHOSEN, KorDates, days_in
from kortools.margin import vat_rates
from kortools.parameters import tax_year_for, tax_years, weakest
from kortools.portfolio_columns import (  # the names after "as" re-exported (kortools.portfolio.*)
    BY_NAME as BY_NAME,
)
from kortools.portfolio_columns import (
    COLUMNS,
    Column,
    year_columns,
)
from kortools.portfolio_columns import (
    KIND_NAMES as KIND_NAMES,
)
from kortools.portfolio_columns import (
    POLICY_NAMES as POLICY_NAMES,
)
from kortools.portfolio_columns import (
    YEAR_COLUMN as YEAR_COLUMN,
)
from kortools.portfolio_columns import (
    normalise_columns as normalise_columns,
)
from kortools.record import Businesses, default_person, year_inputs
from kortools.scenario import DEFAULT_INPUT_VAT_RATE, Scenario
from kortools.steps import dutch_date
from kortools.yearly import AssetArrays, VatYears, YearInputs

#: The years each client is advised over, from ``jaar`` on (the KOR chosen in all of them).
YEARS_AHEAD = 5
PAST_NAME = "Eerdere investering"
PLANNED_NAME = "Geplande investering"


MAX_AMOUNT = _validate.MAX_AMOUNT  # said once (kortools.inputs)
MAX_HOURS = _validate.MAX_HOURS


def default_kor_year() -> int:
    """The first KOR year when a row names none: the year a request made today can start in
    (kor-dates.md §1; one calendar, issue #33), within the years with tax data."""
    years = tax_years()
    return min(max(kor_start_date(today()).year, years[0]), years[-1])


def validate_rows(raw: pd.DataFrame, first_line: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse the text columns of ``raw`` (all str) into typed columns, vectorised.

    Returns (clean rows with a ``regel`` column = line number in the file, errors with
    ``regel``, ``kolom``, ``reden``). A row with any error is left out of the clean rows
    and reported; every other row is kept.
    """
    years = tax_years()
    default_year = default_kor_year()
    lines = np.arange(first_line, first_line + len(raw))
    clean = pd.DataFrame({"regel": lines}, index=raw.index)
    problems: list[pd.DataFrame] = []

    names = raw["klant"].astype("string").fillna("") if "klant" in raw else pd.Series("", index=raw.index)

    def report(mask: pd.Series, column: str, reason) -> None:
        if mask.any():
            reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=raw.index)
            given = raw[column] if column in raw else pd.Series("", index=raw.index)
            problems.append(
                pd.DataFrame(
                    {
                        "regel": lines[mask.to_numpy()],
                        "klant": names[mask].to_numpy(),
                        "kolom": column,
                        "waarde": given[mask].astype("string").fillna("").str.slice(0, 40).to_numpy(),
                        "reden": reasons[mask].to_numpy(),
                    }
                )
            )

    for column in COLUMNS:
        text = raw[column.name] if column.name in raw else pd.Series(pd.NA, index=raw.index, dtype="object")
        text = text.astype("string").str.strip()
        empty = text.isna() | (text == "")
        if column.required:
            report(empty, column.name, "ontbreekt (verplicht)")
        if column.kind == "text":
            clean[column.name] = text.fillna("")
            continue
        if column.kind == "date":
            dates = read_dates_nl(text)
            report(~empty & dates.isna(), column.name, "geen datum; schrijf bijv. 1-1-2025 of 2025-01-01")
            future = ~empty & dates.notna() & (dates > pd.Timestamp(today()))
            report(
                future,
                column.name,
                f"moet vóór of op vandaag liggen ({dutch_date(today())}): de klant doet al mee",
            )
            clean[column.name] = [None if pd.isna(d) else d.date() for d in dates]
            continue
        if column.kind == "choice":
            options = column.options or {}
            lowered = text.str.lower()
            known = lowered.isin(list(options))
            report(~empty & ~known, column.name, "onbekend; kies uit " + ", ".join(dict.fromkeys(options)))
            clean[column.name] = lowered.map(options).where(~empty, options[str(column.default)])
            continue
        numbers, reasons = read_numbers_nl(text, percent=column.kind == "percent")
        bad_text = ~empty & numbers.isna()
        report(bad_text, column.name, reasons.fillna("geen getal"))
        if column.kind == "amount":
            out_of_range = (
                ~bad_text & ~empty & ((numbers < 0) | (numbers > MAX_AMOUNT) | ~np.isfinite(numbers))
            )
            report(out_of_range, column.name, "moet tussen 0 en 1.000.000.000.000 liggen")
        elif column.kind == "hours":
            out_of_range = ~bad_text & ~empty & ((numbers < 0) | (numbers > MAX_HOURS))
            report(
                out_of_range,
                column.name,
                f"uren per jaar: van 0 tot en met {format_number_nl(MAX_HOURS)}",
            )
        elif column.kind == "percent":
            rates = vat_rates_percent(default_year)
            # an Excel percent cell holds the fraction (21% is 0.21): no rate is below 1%
            fraction = (numbers > 0) & (numbers < 1) & (numbers * 100).round(6).isin(rates)
            numbers = numbers.where(~fraction, numbers * 100)
            out_of_range = ~bad_text & ~empty & ~numbers.isin(rates)
            report(out_of_range, column.name, "btw-tarief in %: " + ", ".join(f"{r:g}" for r in rates))
        else:  # year
            low = years[0] if column.name == "jaar" else 1950
            out_of_range = ~bad_text & ~empty & ((numbers < low) | (numbers > years[-1]) | (numbers % 1 != 0))
            report(out_of_range, column.name, f"jaar van {low} tot en met {years[-1]}")
        default = default_year if column.name == "jaar" else column.default
        clean[column.name] = numbers.where(~empty, default)
    for year, name in year_columns(raw).items():
        text = raw[name].astype("string").str.strip()
        empty = text.isna() | (text == "")
        numbers, reasons = read_numbers_nl(text)
        report(~empty & numbers.isna(), name, reasons.fillna("geen getal"))
        bad = ~empty & numbers.notna() & ((numbers < 0) | (numbers > MAX_AMOUNT))
        report(bad, name, "moet tussen 0 en 1.000.000.000.000 liggen")
        clean[name] = numbers.where(~empty)
        # the given year before the first is the previous-year test (issue #20 item 2)
        before = clean["omzet_vorig_jaar"].isna() & (clean["jaar"] - 1 == year)
        clean["omzet_vorig_jaar"] = clean["omzet_vorig_jaar"].where(~before, clean[name])
    consumer, business = clean["omzet_consumenten"], clean["omzet_bedrijven"]
    clean["omzet_vorig_jaar"] = clean["omzet_vorig_jaar"].fillna(consumer + business)
    errors = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame({name: [] for name in ERROR_COLUMNS})
    )
    errors = errors.sort_values(["regel", "kolom"], kind="stable").reset_index(drop=True)
    good = ~clean["regel"].isin(errors["regel"])
    return clean[good].reset_index(drop=True), errors


_ISO_DATE = r"^\d{4}-\d{1,2}-\d{1,2}"
_DUTCH_DATE = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$"


def read_dates_nl(text: pd.Series) -> pd.Series:
    """Dates as an office writes them: ``2025-01-01`` (also Excel's ``2025-01-01 00:00:00``)
    or the Dutch day first, ``1-1-2025``, ``01/01/2025``, ``1.1.2025``; NaT for anything else
    (a date is never guessed: ``2025-13-01`` or ``1-1-25`` is refused)."""
    iso = text.str.match(_ISO_DATE, na=False)
    dutch = text.str.match(_DUTCH_DATE, na=False)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if iso.any():
        parsed[iso] = pd.to_datetime(text[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    if dutch.any():
        normal = text[dutch].str.replace(r"[/.]", "-", regex=True)
        parsed[dutch] = pd.to_datetime(normal, format="%d-%m-%Y", errors="coerce")
    return parsed


def vat_rates_percent(year: int) -> list[float]:
    """The VAT rates on sales of ``year`` in percent, from the model (kor.md §7)."""
    return [round(100 * rate, 6) for rate in vat_rates(year)]


def one_to_one_columns() -> tuple[Column, ...]:
    """The columns that are one Scenario field each, by their English name (a percent
    column holds the fraction × 100)."""
    fields = set(Scenario.__dataclass_fields__)
    return tuple(c for c in COLUMNS if c.english in fields)


def scenario_for(row: pd.Series) -> Scenario:
    """The scenario the portfolio advises one client (a row of ``validate_rows``) on: the
    one-to-one columns by their declaration, then the client's name, years and assets."""
    first = int(row["jaar"])
    fields = {
        c.english: row[c.name] / 100 if c.kind == "percent" else row[c.name] for c in one_to_one_columns()
    }
    overrides = {
        year: dict(zip(("consumer_sales", "business_sales"), split_turnover(row, row[name]), strict=True))
        for year, name in year_columns(row.to_frame().T).items()
        if first <= year < first + YEARS_AHEAD and pd.notna(row[name])
    }
    assets = []
    if row["investering_btw"] > 0:
        assets.append(
            Asset(PAST_NAME, row["investering_soort"], int(row["investering_jaar"]), row["investering_btw"])
        )
    if row["geplande_investering_btw"] > 0:
        assets.append(Asset(PLANNED_NAME, "movable", first, row["geplande_investering_btw"]))
    return Scenario(
        **fields,
        name=str(row["klant"]),
        first_year=first,
        last_year=first + YEARS_AHEAD - 1,
        kor_start_year=first,
        assets=tuple(assets),
        overrides=overrides,
    )


def split_turnover(rows, turnover):
    """(consumer, business) sales of a year's own ``turnover``, in the rows' consumer share
    (all to consumers where the sales columns are both 0)."""
    total = rows["omzet_consumenten"] + rows["omzet_bedrijven"]
    share = np.where(total > 0, rows["omzet_consumenten"] / np.where(total > 0, total, 1), 1.0)
    return turnover * share, turnover * (1 - share)


ERROR_COLUMNS = ("regel", "klant", "kolom", "waarde", "reden")
ERROR_HEADERS = {"regel": "Regel", "klant": "Klant", "kolom": "Kolom", "waarde": "Waarde", "reden": "Reden"}
#: The order of the advice sheet: the verdicts, then the largest net gain first.
VERDICT_ORDER = ("meedoen", "nader bekijken", "niet meedoen")

#: The output columns, declared once: the name (CSV header, a documented contract; the
#: ``_5_jaar`` names keep their spelling, the horizon is YEARS_AHEAD) and the Dutch header
#: an adviser reads in the workbook.
OUTPUT = (
    ("regel", "Regel"),
    ("klant", "Klant"),
    ("omzet_telt_mee", "Omzet die meetelt"),
    ("kor_omzet", "KOR-omzet"),
    ("komt_in_aanmerking", "KOR in eerste jaar"),
    ("reden", "Reden geen KOR"),
    ("voordeel_dit_jaar", "Voordeel eerste jaar (bruto)"),
    ("herziening_5_jaar", f"Herziening {YEARS_AHEAD} jaar"),
    ("netto_voordeel_5_jaar", f"Netto voordeel {YEARS_AHEAD} jaar"),
    ("netto_voordeel_per_kor_jaar", "Netto voordeel per KOR-jaar"),
    ("voordeel_5_jaar", f"Bruto voordeel {YEARS_AHEAD} jaar"),
    ("voordeel_per_kor_jaar", "Bruto voordeel per KOR-jaar"),
    ("kor_jaren", "KOR-jaren"),
    ("waarschuwingen", "Waarschuwingen"),
    ("redenen", "Toelichting"),
    ("advies", "Advies"),
    ("aanmelden_uiterlijk", "Aanmelden uiterlijk"),  # advies meedoen: next-steps.md A3, from kt.today()
    # issue #33: what to do now (aanmelden, niet aanmelden, in de KOR blijven, uit de KOR
    # stappen, nader bekijken), the day it takes effect and the last day to ask for it
    ("actie", "Wat nu"),
    ("actie_per", "Met ingang van"),
    ("aanvragen_uiterlijk", "Aanvragen uiterlijk"),
    ("netto_voordeel_volledig_kor_jaar", "Netto voordeel volledig KOR-jaar"),
    # issue #34: the weakest status of the tax figures behind the net columns (wet, onbevestigd,
    # aangenomen, voorstel) and, by year, the words shown beside a figure that is not law
    ("belastingstatus", "Status belastingcijfers"),
    ("belastingcijfers", TAX_FIGURES_NL),
)
OUTPUT_COLUMNS = tuple(name for name, _ in OUTPUT)
#: The output columns as an adviser reads them (the XLSX headers).
OUTPUT_HEADERS = dict(OUTPUT)


def row_from(advice: Advice, vat: VatYears, row: int, warnings) -> dict[str, object]:
    """One output row (without ``regel`` and ``klant``): the model's figures, nothing computed;
    what to do now, from when, and the last day to ask for it (issue #33)."""
    asked = ""  # the last day to ask for the action (its date − 29 days)
    if advice.action in (AANMELDEN, UITSTAPPEN) and advice.action_date is not None:
        asked = dutch_date(kor_request_deadline(advice.action_date))
    plan = vat.kor
    applies = bool(plan.share[0][row] > 0)
    return {
        "omzet_telt_mee": float(vat.regular_turnover[0][row]),
        "kor_omzet": float(vat.kor_turnover[0][row]),
        "komt_in_aanmerking": applies,
        "reden": "" if applies else _first_year_reason(advice, vat, row),
        "voordeel_dit_jaar": float(vat.margin_gain[0][row]),
        "herziening_5_jaar": advice.herziening_total,
        "netto_voordeel_5_jaar": advice.net_total_difference,
        "netto_voordeel_per_kor_jaar": advice.net_gain_per_kor_year,
        "voordeel_5_jaar": advice.total_difference,
        "voordeel_per_kor_jaar": advice.gain_per_kor_year,
        "kor_jaren": ", ".join(map(str, advice.kor_years)),
        "waarschuwingen": "; ".join(w.title for w in warnings),
        "redenen": " | ".join(r.text_nl for r in advice.reasons),
        "advies": advice.verdict_nl,
        "aanmelden_uiterlijk": asked if advice.action == AANMELDEN else "",
        "actie": advice.action_nl,
        "actie_per": dutch_date(advice.action_date) if advice.action_date else "",
        "aanvragen_uiterlijk": asked,
        "netto_voordeel_volledig_kor_jaar": advice.net_gain_full_kor_year,
        "belastingstatus": weakest(advice.tax_status),
        "belastingcijfers": advice.tax_marks_nl(),
    }


def _first_year_reason(advice: Advice, vat: VatYears, row: int) -> str:
    """Why the KOR does not apply in the first year: a refusal first, or that it starts later."""
    if int(vat.kor.code[0][row]) == NOT_CHOSEN:  # the books' clients: the KOR planned from a later date
        later = ", ".join(map(str, advice.kor_years))
        return f"KOR nog niet gekozen in {vat.years[0]}" + (f"; KOR-jaren {later}" if later else "")
    return advice.reasons[0].text_nl


def _asset_arrays(group: pd.DataFrame) -> list[AssetArrays]:
    first = group["jaar"].to_numpy(int)
    past_year = group["investering_jaar"].to_numpy(int)
    past_vat = group["investering_btw"].to_numpy(float)
    kinds = group["investering_soort"].to_numpy()
    # A row without a past investment has no year: any valid year serves, its VAT is 0.
    past_year = np.where(past_vat > 0, past_year, first)
    planned = group["geplande_investering_btw"].to_numpy(float)
    return [
        AssetArrays(past_vat, past_year, revision_periods(kinds, past_year)),
        AssetArrays(planned, first, revision_periods(np.full(len(first), "movable"), first)),
    ]


def calendar_of_clients(group: pd.DataFrame, first_year: int, on: dt.date) -> Calendar:
    """The dates of client rows with one ``jaar``, seen from ``on`` (issue #33): a client in
    the KOR since its ``in_kor_sinds``; the others' whole-year plan from ``jaar``, moved when
    1 January's request deadline has passed (the rule of :class:`kortools.Scenario`)."""
    plan = whole_year_start(first_year, on)
    since = group["in_kor_sinds"] if "in_kor_sinds" in group else pd.Series(None, index=group.index)
    starts = tuple(d if isinstance(d, dt.date) else plan for d in since)
    january = dt.date(first_year, 1, 1)
    return Calendar(
        starts=starts,
        in_kor=tuple((start or january) <= on for start in starts),
        next_start=kor_start_date(on),
        next_exit=kor_exit_date(on),
    )


def kor_dates_of_clients(years: tuple[int, ...], calendar: Calendar) -> KorDates | None:
    """:class:`KorDates` of client rows: the days of each year the KOR is wanted from their
    start in force (:func:`calendar_of_clients`); None: all whole years."""
    starts = calendar.starts
    if all(start is None for start in starts):
        return None
    n = len(starts)
    return KorDates(
        from_day=tuple(
            np.array([s.timetuple().tm_yday if s is not None and s.year == y else 1 for s in starts])
            for y in years
        ),
        until_day=tuple(np.full(n, days_in(y)) for y in years),
        late=tuple(np.zeros(n, dtype=bool) for _ in years),  # a whole-year plan moves within its year
        moved_to=np.zeros(n, dtype=np.int64),
        exit_year=np.zeros(n, dtype=np.int64),
        reentry_year=np.zeros(n, dtype=np.int64),
    )


def businesses_of_clients(
    group: pd.DataFrame, first_year: int, policy: str, calendar: Calendar | None = None
) -> Businesses:
    """The record of client rows (``validate_rows``) with one ``jaar`` and ``beleid``: what
    :func:`scenario_for` gives each of them, as arrays (the KOR chosen in every year of
    ``jaar .. jaar + YEARS_AHEAD − 1`` and going on; the person from the entrepreneur's
    columns, the catalogue's defaults for the rest)."""
    years = tuple(range(first_year, first_year + YEARS_AHEAD))
    n = len(group)
    own = year_columns(group)

    def sales_in(year: int) -> YearInputs:
        consumer = group["omzet_consumenten"].to_numpy(float)
        business = group["omzet_bedrijven"].to_numpy(float)
        if year in own:
            given = group[own[year]].to_numpy(float)
            split = split_turnover(group, given)
            consumer = np.where(np.isnan(given), consumer, np.asarray(split[0], dtype=float))
            business = np.where(np.isnan(given), business, np.asarray(split[1], dtype=float))
        turnover = {"consumer_sales": consumer, "business_sales": business}
        return year_inputs(n, lambda name: turnover[name] if name in turnover else column_values(group, name))

    # a client in the KOR since a later year than ``jaar`` has the KOR from that year
    starts = calendar.starts if calendar is not None else (None,) * n
    first_kor_years = np.array([max(first_year, s.year) if s is not None else first_year for s in starts])
    given = {i.name: group[i.column].to_numpy(float) for i in PERSON_COLUMN_INPUTS if i.column in group}
    person = default_person(years, n, given)
    return Businesses(
        years=years,
        tax_years=tuple(tax_year_for(y) for y in years),
        sales=tuple(sales_in(y) for y in years),
        input_vat_rate=np.full(n, DEFAULT_INPUT_VAT_RATE),
        policy=policy,
        chosen=tuple(np.asarray(first_kor_years <= y) for y in years),
        turnover_before=group["omzet_vorig_jaar"].to_numpy(float),
        assets=tuple(_asset_arrays(group)),
        kor_continues=np.ones(n, dtype=bool),
        excluded=np.zeros(n, dtype=bool),
        person=person,
        kor_dates=None if calendar is None else kor_dates_of_clients(years, calendar),
    )


def column_values(group: pd.DataFrame, name: str) -> np.ndarray:
    """Input ``name`` of the catalogue from its client-list column (a rate typed in percent)."""
    declared = input_named(name)
    values = group[declared.column].to_numpy(float)
    return values / 100 if declared.kind == "rate" else values


def assess(clients: pd.DataFrame) -> pd.DataFrame:
    """One advice row per valid client row (see ``validate_rows``), by the model, per year and policy."""
    rows: list[dict[str, object]] = [{} for _ in range(len(clients))]
    on = today()
    for (policy, year), group in clients.groupby(["beleid", "jaar"], sort=False):
        at = clients.index.get_indexer(group.index)
        calendar = calendar_of_clients(group, int(cast(int, year)), on)
        record = businesses_of_clients(group, int(cast(int, year)), str(policy), calendar)
        vat, _, advice = advise_many(record, calendar)
        for row, (position, (one, warnings)) in enumerate(zip(at, advice, strict=True)):
            rows[position] = row_from(one, vat, row, warnings)
    out = pd.DataFrame(rows, index=clients.index, columns=OUTPUT_COLUMNS[2:])
    out.insert(0, "klant", clients["klant"])
    out.insert(0, "regel", clients["regel"])
    return out
