"""The portfolio's input columns, declared once (Dutch and English names, kind, default,
help in both languages): the CLI's help, the header check and the validation of
:mod:`kortools.portfolio` all read this declaration."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from kortools.inputs import PERSON_COLUMN_INPUTS, input_named
from kortools.margin import KEEP_CONSUMER_PRICES, KEEP_MARGIN, KEEP_NET_PRICES, vat_rates
from kortools.parameters import tax_years
from kortools.scenario import DEFAULT_INPUT_VAT_RATE


@dataclass(frozen=True)
class Column:
    name: str  # Dutch, as written in the output
    english: str  # also the Scenario field it is, where there is one (scenario_for maps those)
    kind: str  # "text" | "amount" | "percent" | "year" | "choice" | "date" | "hours"
    required: bool = False
    default: object = None
    options: dict[str, str] | None = None
    help: str = ""  # English (--lang en)
    help_nl: str = ""  # Dutch (the CLI's help)


#: A catalogue kind → the client list's kind (a rate is typed in percent: 21, not 0.21).
COLUMN_KINDS = {"amount": "amount", "rate": "percent", "hours": "hours"}


def input_column(name: str, **declared) -> Column:
    """The client list's column of input ``name`` of the catalogue (kortools.inputs): its
    Dutch column name, its Scenario field and its kind from there; ``declared`` the rest
    (required or default, help in both languages)."""
    i = input_named(name)
    return Column(i.column, i.name, COLUMN_KINDS[i.kind], **declared)


POLICY_NAMES = {
    "consumentenprijs": KEEP_CONSUMER_PRICES,
    "nettoprijs": KEEP_NET_PRICES,
    "marge": KEEP_MARGIN,
    KEEP_CONSUMER_PRICES: KEEP_CONSUMER_PRICES,
    KEEP_NET_PRICES: KEEP_NET_PRICES,
    KEEP_MARGIN: KEEP_MARGIN,
}
KIND_NAMES = {"roerend": "movable", "onroerend": "immovable", "movable": "movable", "immovable": "immovable"}

COLUMNS: tuple[Column, ...] = (
    Column(
        "klant",
        "client",
        "text",
        required=True,
        help="client name or number",
        help_nl="naam of nummer van de klant",
    ),
    input_column(
        "consumer_sales",
        required=True,
        help="sales to consumers",
        help_nl="omzet aan consumenten (excl. btw)",
    ),
    input_column(
        "business_sales", required=True, help="sales to businesses", help_nl="omzet aan bedrijven (excl. btw)"
    ),
    input_column(
        "costs_with_vat",
        default=0.0,
        help=f"costs that carry {100 * DEFAULT_INPUT_VAT_RATE:g}% VAT",
        help_nl=f"kosten waarop u {100 * DEFAULT_INPUT_VAT_RATE:g}% btw betaalt (excl. die btw)",
    ),
    input_column("costs_without_vat", default=0.0, help="costs without VAT", help_nl="kosten zonder btw"),
    input_column(
        "vat_rate",
        default=100 * vat_rates(tax_years()[-1])[0],
        help="VAT rate on sales in %: " + ", ".join(f"{100 * r:g}" for r in vat_rates(tax_years()[-1])),
        help_nl="btw-tarief op de verkopen in %: "
        + ", ".join(f"{100 * r:g}" for r in vat_rates(tax_years()[-1])),
    ),
    Column(
        "omzet_vorig_jaar",
        "previous_year_turnover",
        "amount",
        help="counted turnover last year (default: this year's)",
        help_nl="omzet die vorig jaar meetelde (standaard: die van dit jaar)",
    ),
    Column(
        "investering_btw",
        "investment_vat",
        "amount",
        default=0.0,
        help="VAT deducted on one past investment",
        help_nl="afgetrokken btw op één eerdere investering",
    ),
    Column(
        "investering_jaar",
        "investment_year",
        "year",
        default=0,
        help="its year of first use",
        help_nl="het jaar waarin die investering in gebruik kwam",
    ),
    Column(
        "investering_soort",
        "investment_kind",
        "choice",
        default="roerend",
        options=KIND_NAMES,
        help="roerend/movable (5 years) or onroerend/immovable (10 years)",
        help_nl="roerend (5 jaar) of onroerend (10 jaar)",
    ),
    Column(
        "geplande_investering_btw",
        "planned_investment_vat",
        "amount",
        default=0.0,
        help="VAT on a movable investment planned for the first KOR year",
        help_nl="btw op een roerende investering gepland in het eerste KOR-jaar",
    ),
    Column(
        "beleid",
        "policy",
        "choice",
        default="consumentenprijs",
        options=POLICY_NAMES,
        help="pricing under the KOR: consumentenprijs, nettoprijs or marge",
        help_nl="prijsbeleid onder de KOR: consumentenprijs, nettoprijs of marge",
    ),
    Column(
        "jaar",
        "year",
        "year",
        default=None,
        help="first KOR year (default: the year a request made today can start in)",
        help_nl="eerste KOR-jaar (standaard: het jaar waarin een aanmelding van vandaag kan ingaan)",
    ),
    Column(
        "in_kor_sinds",
        "kor_since",
        "date",
        default=None,
        help="a client already in the KOR: the date it joined (e.g. 1-1-2025 or 2025-01-01)",
        help_nl="een klant die al in de KOR zit: de datum waarop hij meedoet (bijv. 1-1-2025)",
    ),
)
#: The entrepreneur's columns, from the input catalogue (the same value every year; empty: the
#: catalogue's default, as before the column existed).
COLUMNS += tuple(
    input_column(
        i.name,
        default=i.default,
        help=f"{i.name.replace('_', ' ')} a year, the same every year (default {i.default:g})",
        help_nl=f"{i.label_nl[0].lower()}{i.label_nl[1:]}, elk jaar hetzelfde (standaard {i.default:g})",
    )
    for i in PERSON_COLUMN_INPUTS
)
BY_NAME = {c.name: c for c in COLUMNS} | {c.english: c for c in COLUMNS}

#: Optional columns of a year's own turnover (``omzet_2027``: excl. VAT, consumers and
#: businesses together, split as the row's two sales columns): history and forecast per year.
YEAR_COLUMN = re.compile(r"^(?:omzet|turnover)_(\d{4})$")


def year_columns(frame: pd.DataFrame) -> dict[int, str]:
    """The per-year turnover columns of a (normalised) frame, by year."""
    found = (YEAR_COLUMN.match(str(c)) for c in frame.columns)
    return {int(m[1]): m[0] for m in found if m}


def normalise_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rename Dutch/English headers (case and spaces ignored) to the Dutch names.

    Returns the frame and the names of required columns that are missing.
    """
    renamed = {}
    for header in frame.columns:
        key = str(header).strip().lower().replace(" ", "_")
        if key in BY_NAME:
            renamed[header] = BY_NAME[key].name
        elif match := YEAR_COLUMN.match(key):
            renamed[header] = "omzet_" + match[1]
    frame = frame.rename(columns=renamed)
    missing = [c.name for c in COLUMNS if c.required and c.name not in frame.columns]
    return frame, missing
