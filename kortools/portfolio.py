"""Portfolio run: which of an office's clients the KOR suits, all clients at once (vectorised).

One row per client in, one row per client out. The input columns are documented in
``COLUMNS`` (Dutch or English names); see ``data/portfolio/klanten.csv``. Amounts in
euros a year excl. VAT; ``btw_tarief`` in percent (21, 9 or 0). The KOR is assumed to
start in ``jaar`` and run 5 years; herziening follows rules/herziening.md for one past
investment per client, the margin rules/margin.md, eligibility rules/kor.md §1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kortools.herziening import FIRST_KOR_YEAR
from kortools.margin import KEEP_CONSUMER_PRICES, KEEP_MARGIN, KEEP_NET_PRICES, _margin_table
from kortools.parameters import tax_years, value

YEARS_AHEAD = 5
#: Below this KOR gain a year (after herziening) the advice is "nader bekijken": the
#: administrative saving is real but small. kortools' own limit, shown in the README.
SMALL_GAIN_PER_YEAR = 250.0


@dataclass(frozen=True)
class Column:
    name: str  # Dutch, as written in the output
    english: str
    kind: str  # "text" | "amount" | "percent" | "year" | "choice"
    required: bool = False
    default: object = None
    options: dict[str, str] | None = None
    help: str = ""


POLICY_NAMES = {
    "consumentenprijs": KEEP_CONSUMER_PRICES,
    "nettoprijs": KEEP_NET_PRICES,
    "marge": KEEP_MARGIN,
    KEEP_CONSUMER_PRICES: KEEP_CONSUMER_PRICES,
    KEEP_NET_PRICES: KEEP_NET_PRICES,
    KEEP_MARGIN: KEEP_MARGIN,
}
KIND_NAMES = {"roerend": "movable", "onroerend": "immovable", "movable": "movable", "immovable": "immovable"}

COLUMNS = (
    Column("klant", "client", "text", required=True, help="client name or number"),
    Column("omzet_consumenten", "consumer_sales", "amount", required=True, help="sales to consumers"),
    Column("omzet_bedrijven", "business_sales", "amount", required=True, help="sales to businesses"),
    Column("kosten_met_btw", "costs_with_vat", "amount", default=0.0, help="costs that carry 21% VAT"),
    Column("kosten_zonder_btw", "costs_without_vat", "amount", default=0.0, help="costs without VAT"),
    Column("btw_tarief", "vat_rate", "percent", default=21.0, help="VAT rate on sales in %: 21, 9 or 0"),
    Column(
        "omzet_vorig_jaar",
        "previous_year_turnover",
        "amount",
        help="counted turnover last year (default: this year's)",
    ),
    Column(
        "investering_btw", "investment_vat", "amount", default=0.0, help="VAT deducted on one past investment"
    ),
    Column("investering_jaar", "investment_year", "year", default=0, help="its year of first use"),
    Column(
        "investering_soort",
        "investment_kind",
        "choice",
        default="roerend",
        options=KIND_NAMES,
        help="roerend/movable (5 years) or onroerend/immovable (10 years)",
    ),
    Column(
        "geplande_investering_btw",
        "planned_investment_vat",
        "amount",
        default=0.0,
        help="VAT on an investment planned for the first KOR year",
    ),
    Column(
        "beleid",
        "policy",
        "choice",
        default="consumentenprijs",
        options=POLICY_NAMES,
        help="pricing under the KOR: consumentenprijs, nettoprijs or marge",
    ),
    Column("jaar", "year", "year", default=None, help="first KOR year (default: the latest with data)"),
)
BY_NAME = {c.name: c for c in COLUMNS} | {c.english: c for c in COLUMNS}
MAX_AMOUNT = 1e12


def normalise_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rename Dutch/English headers (case and spaces ignored) to the Dutch names.

    Returns the frame and the names of required columns that are missing.
    """
    renamed = {}
    for header in frame.columns:
        key = str(header).strip().lower().replace(" ", "_")
        if key in BY_NAME:
            renamed[header] = BY_NAME[key].name
    frame = frame.rename(columns=renamed)
    missing = [c.name for c in COLUMNS if c.required and c.name not in frame.columns]
    return frame, missing


def validate_rows(raw: pd.DataFrame, first_line: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse the text columns of ``raw`` (all str) into typed columns, vectorised.

    Returns (clean rows with a ``regel`` column = line number in the file, errors with
    ``regel``, ``kolom``, ``reden``). A row with any error is left out of the clean rows
    and reported; every other row is kept.
    """
    years = tax_years()
    default_year = years[-1]
    lines = np.arange(first_line, first_line + len(raw))
    clean = pd.DataFrame({"regel": lines}, index=raw.index)
    problems: list[pd.DataFrame] = []

    def report(mask: pd.Series, column: str, reason) -> None:
        if mask.any():
            reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=raw.index)
            problems.append(
                pd.DataFrame(
                    {"regel": lines[mask.to_numpy()], "kolom": column, "reden": reasons[mask].to_numpy()}
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
        if column.kind == "choice":
            lowered = text.str.lower()
            known = lowered.isin(list(column.options))
            report(
                ~empty & ~known, column.name, "onbekend; kies uit " + ", ".join(dict.fromkeys(column.options))
            )
            clean[column.name] = lowered.map(column.options).where(~empty, column.options[column.default])
            continue
        numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        bad_text = ~empty & numbers.isna()
        report(bad_text, column.name, "geen getal: '" + text.fillna("").str.slice(0, 30) + "'")
        if column.kind == "amount":
            out_of_range = (
                ~bad_text & ~empty & ((numbers < 0) | (numbers > MAX_AMOUNT) | ~np.isfinite(numbers))
            )
            report(out_of_range, column.name, "moet tussen 0 en 1.000.000.000.000 liggen")
        elif column.kind == "percent":
            out_of_range = ~bad_text & ~empty & ~numbers.isin([0, 9, 21])
            report(out_of_range, column.name, "btw-tarief in %: 21, 9 of 0")
        else:  # year
            low = years[0] if column.name == "jaar" else 1950
            out_of_range = ~bad_text & ~empty & ((numbers < low) | (numbers > years[-1]) | (numbers % 1 != 0))
            report(out_of_range, column.name, f"jaar van {low} tot en met {years[-1]}")
        default = default_year if column.name == "jaar" else column.default
        clean[column.name] = numbers.where(~empty, default)
    consumer, business = clean["omzet_consumenten"], clean["omzet_bedrijven"]
    clean["omzet_vorig_jaar"] = clean["omzet_vorig_jaar"].fillna(consumer + business)
    errors = (
        pd.concat(problems, ignore_index=True)
        if problems
        else pd.DataFrame({"regel": [], "kolom": [], "reden": []})
    )
    errors = errors.sort_values(["regel", "kolom"], kind="stable").reset_index(drop=True)
    good = ~clean["regel"].isin(errors["regel"])
    return clean[good].reset_index(drop=True), errors


def herziening_5_years(vat, first_use, kind_period, start_year) -> np.ndarray:
    """Repayment over the KOR years start..start+4 for one past asset per client (vectorised).

    Same rule as :func:`kortools.herziening_schedule`: share = VAT / period for each KOR
    year inside the period (first use < year ≤ first use + period − 1), skipped in a year
    whose total is under the €500 minimum; an asset first used in or after the start year
    was bought under the KOR and is not revised on joining.
    """
    total = np.zeros(len(vat))
    share = vat / kind_period
    for offset in range(YEARS_AHEAD):
        year = start_year + offset
        inside = (first_use < year) & (year <= first_use + kind_period - 1) & (first_use < start_year)
        amount = np.where(inside, share, 0.0)
        by_year = {
            y: float(value("herziening_minimum", max(FIRST_KOR_YEAR, int(y)))) for y in np.unique(year)
        }
        minimum = np.array([by_year[y] for y in year]) if len(year) else np.zeros(0)
        total += np.where(np.abs(amount) < minimum, 0.0, amount)
    return total


def assess(clients: pd.DataFrame) -> pd.DataFrame:
    """One advice row per valid client row (see ``validate_rows``), vectorised per policy and year."""
    out = pd.DataFrame({"regel": clients["regel"], "klant": clients["klant"]}, index=clients.index)
    sc, sb = clients["omzet_consumenten"].to_numpy(float), clients["omzet_bedrijven"].to_numpy(float)
    c, o = clients["kosten_met_btw"].to_numpy(float), clients["kosten_zonder_btw"].to_numpy(float)
    r = clients["btw_tarief"].to_numpy(float) / 100
    year = clients["jaar"].to_numpy(int)
    gain = np.zeros(len(clients))
    kor_turnover = np.zeros(len(clients))
    threshold = np.zeros(len(clients))
    for (policy, y), group in clients.groupby(["beleid", "jaar"], sort=False):
        at = clients.index.get_indexer(group.index)
        limit = float(value("kor_threshold", int(y)))
        t = _margin_table(sc[at], sb[at], c[at], o[at], r[at], 0.21, policy, limit)
        gain[at], kor_turnover[at], threshold[at] = t["gain"], t["kor_turnover"], limit
    counted = sc + sb
    previous = clients["omzet_vorig_jaar"].to_numpy(float)
    periods = np.where(clients["investering_soort"].to_numpy() == "immovable", 10, 5)
    herziening = herziening_5_years(
        clients["investering_btw"].to_numpy(float), clients["investering_jaar"].to_numpy(float), periods, year
    )
    planned = clients["geplande_investering_btw"].to_numpy(float)
    gain_5 = YEARS_AHEAD * gain - herziening - planned

    eligible_now = counted <= threshold
    eligible_before = previous <= threshold
    eligible = eligible_now & eligible_before
    crossed = kor_turnover > threshold
    share_business = np.divide(sb, counted, out=np.zeros_like(sb), where=counted > 0)
    many_business = (sb > 0) & ((share_business >= 0.5) | (gain < 0))
    large_investment = planned > np.maximum(gain, 0)

    reasons = np.full(len(clients), "", dtype=object)
    reasons[~eligible_now] = "omzet dit jaar boven de grens"
    reasons[eligible_now & ~eligible_before] = "omzet vorig jaar boven de grens"
    warnings = _join_flags(
        {
            "omzetgrens overschreden onder de KOR": crossed & eligible,
            "veel zakelijke klanten": many_business,
            "grote investering gepland": large_investment,
            "herziening": herziening > 0,
        }
    )
    advice = np.where(
        ~eligible | (gain_5 <= 0),
        "niet meedoen",
        np.where(
            crossed | (warnings != "") | (gain_5 < SMALL_GAIN_PER_YEAR * YEARS_AHEAD),
            "nader bekijken",
            "meedoen",
        ),
    )
    out["omzet_telt_mee"] = counted
    out["kor_omzet"] = kor_turnover
    out["komt_in_aanmerking"] = eligible
    out["reden"] = reasons
    out["voordeel_dit_jaar"] = gain
    out["herziening_5_jaar"] = herziening
    out["voordeel_5_jaar"] = gain_5
    out["waarschuwingen"] = warnings
    out["advies"] = advice
    return out


def _join_flags(flags: dict[str, np.ndarray]) -> np.ndarray:
    size = len(next(iter(flags.values())))
    joined = np.full(size, "", dtype=object)
    for label, mask in flags.items():
        joined = np.where(mask, np.where(joined == "", label, joined + "; " + label), joined)
    return joined
