"""The KOR-verkenner's fields, declared once, and the two ways between a :class:`Scenario`
and the dashboard's values (``scenario_to_values``, ``values_to_scenario``): used by the
dashboard (kortools.ui.verkenner), its variants (kortools.ui.variants) and the link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import urlencode

import kortools as kt
from kortools.inputs import input_named
from kortools.money import format_euro, format_percent
from kortools.other_income import OTHER_INCOME_KINDS
from kortools.scenario import DEFAULT_INPUT_VAT_RATE
from kortools.steps import dutch_date
from kortools.ui.base import MAX_AMOUNT, url_value
from kortools.ui.fields import FieldSpec, input_field
from kortools.ui.herziening_app import kind_labels
from kortools.ui.text import POLICY_LABELS

LEGAL_FORM_OPTIONS = {"eenmanszaak": "eenmanszaak", "bv": "bv"}
POLICY_OPTIONS = {
    "consumentenprijs": "keep_consumer_prices",
    "nettoprijs": "keep_net_prices",
    "marge": "keep_margin",
}
KIND_OPTIONS = {"roerend": "movable", "onroerend": "immovable"}
#: What an investment's amount is (issue #35 item 4): the VAT itself, or the price incl./excl. VAT
PAST_AMOUNT_OPTIONS = {
    "btw": "het btw-bedrag zelf",
    "incl": "de prijs incl. btw",
    "excl": "de prijs excl. btw",
}
PLANNED_AMOUNT_OPTIONS = {"excl": "de prijs excl. btw", "incl": "de prijs incl. btw"}
PAST_NAME = "Eerdere investering"
PLANNED_NAME = "Geplande investering"


def vat_options() -> dict[str, float]:
    """The sales VAT rates of the latest tax year, keyed by their percent ("21", "9", "0")."""
    return {f"{100 * rate:g}": rate for rate in kt.vat_rates(kt.tax_years()[-1])}


def scenario_years() -> range:
    """The years a scenario may cover on the dashboard: the tax years, and on to the end of
    the longest revision period after the last of them (herziening; later years use the
    last year's tax figures, shown as an assumption)."""
    years = kt.tax_years()
    return range(years[0], years[-1] + kt.longest_revision_period())


#: The VAT on the costs with VAT (the model's default, Scenario.input_vat_rate).
INPUT_VAT_RATE = DEFAULT_INPUT_VAT_RATE
#: Turnover and costs run in thousands: "16,5" is read as € 16,50 and questioned (issue #35).
THOUSANDS = 100


def verkenner_specs() -> dict[str, FieldSpec]:
    """Every field of the KOR-verkenner, declared once (URL name, kind, range, words, control)."""
    years = kt.tax_years()
    span = scenario_years()
    year_choices = tuple((str(y), y) for y in years)
    span_choices = tuple((str(y), y) for y in span)
    money = partial(FieldSpec, "float", 0, MAX_AMOUNT)
    thousands = partial(money, usual_from=THOUSANDS)
    growth = input_named("growth")
    return {
        "klant": FieldSpec("text", 1, 120, label="Klant", field="name"),
        "adviseur": FieldSpec(
            "text", 0, 120, label="Adviseur", help=" (komt in het rapport)", field="adviser"
        ),
        "kantoor": FieldSpec("text", 0, 120, label="Kantoor", field="office"),
        "omzet": thousands(label="Omzet per jaar", help=" (€, excl. btw)"),
        "consumenten": FieldSpec(
            "int",
            0,
            100,
            label="Aandeel consumenten",
            help=" (% van de omzet; de rest is zakelijk)",
            widget="slider",
            unit="%",
        ),
        "btw": FieldSpec(
            "choice",
            options=vat_options(),
            label=input_named("vat_rate").label_nl,
            widget="toggle",
            choices=tuple((f"{k}%", k) for k in vat_options()),
            field="vat_rate",
        ),
        "kosten_btw": input_field(
            "costs_with_vat",
            help=f" (€ per jaar, exclusief die {format_percent(INPUT_VAT_RATE)} btw)",
            usual_from=THOUSANDS,
        ),
        "kosten_zonder": input_field("costs_without_vat", help=" (€ per jaar)", usual_from=THOUSANDS),
        "beleid": FieldSpec(
            "choice",
            options=POLICY_OPTIONS,
            label="Prijsbeleid",
            choices=tuple((POLICY_LABELS[p], k) for k, p in POLICY_OPTIONS.items()),
            width="290px",
            field="policy",
        ),
        "investering": money(label="Geplande investering", help=" (€, roerend)"),
        "investering_bedrag": amount_kind(PLANNED_AMOUNT_OPTIONS),
        "investering_jaar": FieldSpec(
            "int",
            span[0],
            span[-1],
            label="Jaar geplande investering",
            help=" (in gebruik genomen)",
            widget="dropdown",
            choices=span_choices,
        ),
        "eerder_btw": money(label="Eerdere investering", help=" (€: de afgetrokken btw, of de prijs)"),
        "eerder_bedrag": amount_kind(PAST_AMOUNT_OPTIONS),
        "eerder_jaar": FieldSpec("int", 2000, years[-1], label="Jaar eerdere investering", widget="bounded"),
        "eerder_soort": FieldSpec(
            "choice",
            options=KIND_OPTIONS,
            label="Soort eerdere investering",
            choices=tuple((kind_labels()[KIND_OPTIONS[k]], k) for k in KIND_OPTIONS),
            width="180px",
        ),
        "uren": input_field("hours", help=" (aan het bedrijf)"),
        "starter": FieldSpec("bool", label="Starter", description="startersaftrek mogelijk"),
        "aow": FieldSpec("bool", label="AOW-leeftijd", description="AOW-leeftijd bereikt", field="aow"),
        **other_income_specs(),
        "rechtsvorm": FieldSpec(
            "choice",
            options=LEGAL_FORM_OPTIONS,
            label="Rechtsvorm",
            choices=(("eenmanszaak", "eenmanszaak"), ("bv (alleen btw)", "bv")),
            width="180px",
            field="legal_form",
        ),
        "verhuur_met_btw": FieldSpec(
            "bool", label="Verhuur met btw", description="pand verhuurd met btw", field="vat_taxed_rental"
        ),
        "buitenland": FieldSpec(
            "bool",
            label="Buitenland of verlegde btw",
            description="buitenlandse klanten of verlegde btw",
            field="foreign_or_reverse_charge",
        ),
        "van": FieldSpec(
            "int",
            years[0],
            years[-1],
            label="Eerste jaar",
            widget="dropdown",
            choices=year_choices,
            field="first_year",
        ),
        "tot": FieldSpec(
            "int",
            span[0],
            span[-1],
            label="Laatste jaar",
            widget="dropdown",
            choices=span_choices,
            field="last_year",
        ),
        "kor_vanaf": FieldSpec(
            "choice",
            options={d.isoformat(): d for d in period_starts(span)},
            label="KOR vanaf",
            help=" (begin van een kwartaal)",
            choices=tuple((dutch_date(d), d.isoformat()) for d in period_starts(span)),
            width="180px",
        ),
        "al_in_kor": FieldSpec("bool", label="Al in de KOR", description="klant doet al mee sinds die datum"),
        "kor_tot": FieldSpec(
            "choice",
            options={"": None} | {d.isoformat(): d for d in period_ends(span)},
            label="KOR tot en met",
            help=" (afmelden; leeg: doorlopend)",
            choices=(("doorlopend", ""), *((dutch_date(d), d.isoformat()) for d in period_ends(span))),
            width="180px",
        ),
        "groei": FieldSpec(
            "percent",
            100 * growth.low,
            100 * growth.high,
            label=growth.label_nl,
            help=" (%, voor de jaren zonder eigen omzet)",
        ),
        **year_specs(span),
    }


def amount_kind(options: dict[str, str]) -> FieldSpec:
    """ "Dat bedrag is": what an investment's amount is (``options``: key → Dutch words)."""
    choices = tuple((words, key) for key, words in options.items())
    return FieldSpec("choice", options=options, label="Dat bedrag is", choices=choices, width="180px")


def other_income_specs() -> dict[str, FieldSpec]:
    """A wage or benefit beside the business and the hours of other work: the KOR-verkenner's
    and the Aftrekposten page's (issue #35 item 6), declared once."""
    return {
        "uren_ander_werk": input_field(
            "other_work_hours", help=" (gewerkte uren in loondienst of ander werk; telt niet voor starters)"
        ),
        "ander_inkomen": input_field("other_income", help=" (€ per jaar, bruto, naast het bedrijf)"),
        "soort_inkomen": FieldSpec(
            "choice",
            options={k.key: k.key for k in OTHER_INCOME_KINDS},
            label="Soort loon of uitkering",
            choices=tuple((k.label_nl, k.key) for k in OTHER_INCOME_KINDS),
            width="290px",
            field="other_income_kind",
        ),
    }


def period_starts(span: range) -> list[dt.date]:
    """The first days of the quarters in ``span`` (the KOR starts on one, kor-dates.md §1)."""
    return [dt.date(y, m, 1) for y in span for m in (1, 4, 7, 10)]


def period_ends(span: range) -> list[dt.date]:
    """The last days of the quarters in ``span`` (a voluntary exit after one, kor-dates.md §2)."""
    return [start - dt.timedelta(days=1) for start in period_starts(range(span[0], span[-1] + 2))[1:]]


def year_specs(span: range) -> dict[str, FieldSpec]:
    """The year table's fields: turnover and costs per year (``omzet_2026``), empty for a year
    without its own figures; turnover from the year before the first (history)."""
    specs = {}
    for year in range(span[0] - 1, span[-1] + 1):
        specs[f"omzet_{year}"] = FieldSpec(
            "float",
            0,
            MAX_AMOUNT,
            label=f"Omzet {year}",
            help=" (€, excl. btw)",
            optional=True,
            usual_from=100,
        )
        specs[f"kosten_{year}"] = FieldSpec(
            "float",
            0,
            MAX_AMOUNT,
            label=f"Kosten met btw {year}",
            help=" (€, excl. btw)",
            optional=True,
            usual_from=100,
        )
    return specs


def year_field(name: str) -> tuple[str, int] | None:
    """(``"omzet"`` or ``"kosten"``, year) for a year-table field name, else None."""
    kind, _, year = name.partition("_")
    return (kind, int(year)) if kind in ("omzet", "kosten") and year.isdigit() else None


def one_to_one(specs: Mapping[str, FieldSpec]) -> dict[str, FieldSpec]:
    """The fields that are one Scenario field each (``FieldSpec.field``)."""
    return {name: spec for name, spec in specs.items() if spec.field}


def scenario_to_values(s: kt.Scenario) -> dict[str, Any]:
    """Control values (in the URL's units) for a scenario: the declared one-to-one fields,
    then the ones that combine several inputs."""
    specs = verkenner_specs()
    values = {name: spec.from_model(getattr(s, spec.field)) for name, spec in one_to_one(specs).items()}
    if values["rechtsvorm"] is None:  # a vof: the dashboard shows its partner as an eenmanszaak
        values["rechtsvorm"] = "eenmanszaak"
    return {**values, **_derived_values(s)}


def _derived_values(s: kt.Scenario) -> dict[str, Any]:
    """Turnover and consumer share, the investments, starter, the KOR dates, the growth and
    the year table: several inputs each."""
    total = s.consumer_sales + s.business_sales
    past = [a for a in s.assets if a.name != PLANNED_NAME and a.first_use_year < s.kor_start_year]
    planned = [a for a in s.assets if a not in past]
    start = s.kor_since or s.kor_start or dt.date(s.kor_start_year, 1, 1)
    whole_years_in_past = s.kor_start is None and s.kor_since is None and start <= kt.today()
    end = s.kor_end
    if end is None and s.kor_last_year < s.last_year:
        end = dt.date(s.kor_last_year, 12, 31)
    return {
        "omzet": total,
        "consumenten": round(100 * s.consumer_sales / total) if total else 100,
        "investering": sum(kt.investment_price(a.vat, a.first_use_year) for a in planned),
        "investering_bedrag": "excl",
        "eerder_bedrag": "btw",
        "investering_jaar": planned[0].first_use_year if planned else s.kor_start_year,
        "eerder_btw": sum(a.vat for a in past),
        "eerder_jaar": past[0].first_use_year if past else s.kor_start_year - 1,
        "eerder_soort": next(
            k for k, v in KIND_OPTIONS.items() if v == (past[0].kind if past else "movable")
        ),
        "starter": s.business_start_year is not None,
        "kor_vanaf": start.isoformat(),
        "al_in_kor": s.kor_since is not None or whole_years_in_past,
        "kor_tot": end.isoformat() if end else "",
        "groei": round(100 * s.growth, 6),
        **_year_values(s),
    }


def _year_values(s: kt.Scenario) -> dict[str, float]:
    values = {}
    for year, given in s.overrides.items():
        if {"consumer_sales", "business_sales"} <= set(given):
            values[f"omzet_{year}"] = given["consumer_sales"] + given["business_sales"]
        if "costs_with_vat" in given:
            values[f"kosten_{year}"] = given["costs_with_vat"]
    return values


def values_to_scenario(values: Mapping[str, Any], name: str) -> kt.Scenario:
    """The model scenario for the dashboard's values: the declared one-to-one fields, then
    the ones that combine several inputs (planned investment: VAT at the general rate)."""
    specs = one_to_one(verkenner_specs())
    fields = {spec.field: spec.to_model(values[key]) for key, spec in specs.items() if key in values}
    fields["name"] = values.get("klant") or name
    return kt.Scenario(**{"adviser": "", "office": "", **fields, **_derived_fields(values)})


def _derived_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    total, share = values["omzet"], values["consumenten"] / 100
    assets = []
    if values["eerder_btw"] > 0:
        kind, year, amount = KIND_OPTIONS[values["eerder_soort"]], values["eerder_jaar"], values["eerder_btw"]
        given = values.get("eerder_bedrag", "btw")
        if given == "btw":
            assets.append(kt.Asset(PAST_NAME, kind, year, amount))
        else:  # the price as the client says it: its VAT at that year's general rate (kor.md §7)
            assets.append(kt.Asset.bought(PAST_NAME, kind, year, amount, including_vat=given == "incl"))
    if values["investering"] > 0:
        first_use = values.get("investering_jaar", values["van"])
        incl = values.get("investering_bedrag", "excl") == "incl"
        assets.append(
            kt.Asset.bought(PLANNED_NAME, "movable", first_use, values["investering"], including_vat=incl)
        )
    start = dt.date.fromisoformat(values["kor_vanaf"])
    end = values.get("kor_tot") or ""
    return {
        "consumer_sales": total * share,
        "business_sales": total * (1 - share),
        "assets": tuple(assets),
        "business_start_year": values["van"] if values["starter"] else None,
        "kor_since" if values.get("al_in_kor") else "kor_start": start,
        "kor_end": dt.date.fromisoformat(end) if end else None,
        "growth": values.get("groei", 0) / 100,
        "overrides": year_overrides(values, share),
    }


def year_overrides(values: Mapping[str, Any], share: float) -> dict[int, dict[str, float]]:
    """The year table's typed figures within the years shown (the year before the first:
    turnover only), as Scenario.overrides; the consumer share the same every year."""
    first, last = values["van"], values["tot"]
    overrides: dict[int, dict[str, float]] = {}
    for name, value in values.items():
        found = year_field(name)
        if value is None or found is None:
            continue
        kind, year = found
        if not first - (kind == "omzet") <= year <= last:
            continue
        given = overrides.setdefault(year, {})
        if kind == "omzet":
            given |= {"consumer_sales": value * share, "business_sales": value * (1 - share)}
        else:
            given["costs_with_vat"] = value
    return overrides


def model_fields() -> dict[str, str]:
    """Scenario field → dashboard field, to put a model error next to its control: the
    declared ones, and the inputs a combined field makes."""
    declared = {spec.field: name for name, spec in one_to_one(verkenner_specs()).items()}
    combined = {
        "consumer_sales": "omzet",
        "business_sales": "omzet",
        "assets": "eerder_btw",
        "growth": "groei",
    }
    dates = {
        "kor_start": "kor_vanaf",
        "kor_since": "kor_vanaf",
        "kor_start_year": "kor_vanaf",
        "kor_end": "kor_tot",
    }
    return {**declared, **combined, **dates, "overrides": "omzet"}


def shared_queries(values: Mapping[str, Any], s: kt.Scenario) -> dict[str, str]:
    """The fields the other dashboards share with the case (issue #35 item 2), as their query
    strings: Aftrekposten the hours, starter and AOW age; Herziening the KOR years and the two
    investments with the VAT the model read from them."""
    shared = ("uren", "starter", "aow", *other_income_specs())
    person = {k: url_value(values[k]) for k in shared if k in values}
    # the KOR's dates as typed (the Herziening page moves a late plan as this page does)
    herziening = {k: str(values.get(k) or "") for k in ("kor_vanaf", "kor_tot")}
    for i, asset in enumerate(s.assets[:4], start=1):
        herziening |= {
            f"soort_{i}": asset.kind,
            f"jaar_{i}": str(asset.first_use_year),
            f"btw_{i}": url_value(float(asset.vat)),
        }
    return {"aftrekposten": urlencode(person), "herziening": urlencode(herziening)}


#: The investment amount fields, with the field saying what the amount is and the asset's name.
INVESTMENT_AMOUNTS = {
    "eerder_btw": ("eerder_bedrag", PAST_NAME),
    "investering": ("investering_bedrag", PLANNED_NAME),
}


def investment_read_nl(s: kt.Scenario, values: Mapping[str, Any], name: str) -> str | None:
    """``= btw € 347,11``: the VAT the model read from a price incl. or excl. VAT (issue #35
    item 4); None for the VAT itself or no investment."""
    how, asset_name = INVESTMENT_AMOUNTS[name]
    if values.get(how, "btw") == "btw":
        return None
    asset = next((a for a in s.assets if a.name == asset_name), None)
    if asset is None:
        return None
    rate = kt.vat_rates(s.tax_year(asset.first_use_year))[0]
    return f"= btw {format_euro(asset.vat)} ({format_percent(rate)} van de prijs excl. btw)"
