"""The KOR-verkenner's fields, declared once, and the two ways between a :class:`Scenario`
and the dashboard's values (``scenario_to_values``, ``values_to_scenario``): used by the
dashboard (kortools.ui.verkenner), its variants (kortools.ui.variants) and the link."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import kortools as kt
from kortools.money import format_percent
from kortools.other_income import OTHER_INCOME_KINDS
from kortools.scenario import DEFAULT_INPUT_VAT_RATE
from kortools.ui.base import MAX_AMOUNT
from kortools.ui.fields import FieldSpec
from kortools.ui.herziening_app import kind_labels
from kortools.ui.text import POLICY_LABELS

LEGAL_FORM_OPTIONS = {"eenmanszaak": "eenmanszaak", "bv": "bv"}
POLICY_OPTIONS = {
    "consumentenprijs": "keep_consumer_prices",
    "nettoprijs": "keep_net_prices",
    "marge": "keep_margin",
}
KIND_OPTIONS = {"roerend": "movable", "onroerend": "immovable"}
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


def verkenner_specs() -> dict[str, FieldSpec]:
    """Every field of the KOR-verkenner, declared once (URL name, kind, range, words, control)."""
    years = kt.tax_years()
    span = scenario_years()
    year_choices = tuple((str(y), y) for y in years)
    span_choices = tuple((str(y), y) for y in span)
    money = partial(FieldSpec, "float", 0, MAX_AMOUNT)
    return {
        "klant": FieldSpec("text", 1, 120, label="Klant", field="name"),
        "adviseur": FieldSpec(
            "text", 0, 120, label="Adviseur", help=" (komt in het rapport)", field="adviser"
        ),
        "kantoor": FieldSpec("text", 0, 120, label="Kantoor", field="office"),
        "omzet": money(label="Omzet per jaar", help=" (€, excl. btw)"),
        "consumenten": FieldSpec(
            "int",
            0,
            100,
            label="Aandeel consumenten",
            help=" (% van de omzet; de rest is zakelijk)",
            widget="slider",
        ),
        "btw": FieldSpec(
            "choice",
            options=vat_options(),
            label="Btw-tarief verkopen",
            widget="toggle",
            choices=tuple((f"{k}%", k) for k in vat_options()),
            field="vat_rate",
        ),
        "kosten_btw": money(
            label="Kosten met btw",
            help=f" (€ per jaar, bedrag zonder de {format_percent(INPUT_VAT_RATE)} btw die erop zit)",
            field="costs_with_vat",
        ),
        "kosten_zonder": money(label="Kosten zonder btw", help=" (€ per jaar)", field="costs_without_vat"),
        "beleid": FieldSpec(
            "choice",
            options=POLICY_OPTIONS,
            label="Prijsbeleid",
            choices=tuple((POLICY_LABELS[p], k) for k, p in POLICY_OPTIONS.items()),
            width="290px",
            field="policy",
        ),
        "investering": money(label="Geplande investering", help=" (€ excl. btw, in het eerste KOR-jaar)"),
        "eerder_btw": money(label="Btw op eerdere investering", help=" (afgetrokken btw, €)"),
        "eerder_jaar": FieldSpec("int", 2000, years[-1], label="Jaar eerdere investering", widget="bounded"),
        "eerder_soort": FieldSpec(
            "choice",
            options=KIND_OPTIONS,
            label="Soort eerdere investering",
            choices=tuple((kind_labels()[KIND_OPTIONS[k]], k) for k in KIND_OPTIONS),
            width="180px",
        ),
        "uren": FieldSpec("int", 0, 8784, label="Uren per jaar", help=" (aan het bedrijf)", field="hours"),
        "starter": FieldSpec("bool", label="Starter", description="startersaftrek mogelijk"),
        "aow": FieldSpec("bool", label="AOW-leeftijd", description="AOW-leeftijd bereikt", field="aow"),
        "uren_ander_werk": FieldSpec(
            "int",
            0,
            8784,
            label="Uren ander werk",
            help=" (gewerkte uren in loondienst of ander werk; telt niet voor starters)",
            field="other_work_hours",
        ),
        "ander_inkomen": money(
            label="Loon of uitkering", help=" (€ per jaar, bruto, naast het bedrijf)", field="other_income"
        ),
        "soort_inkomen": FieldSpec(
            "choice",
            options={k.key: k.key for k in OTHER_INCOME_KINDS},
            label="Soort loon of uitkering",
            choices=tuple((k.label_nl, k.key) for k in OTHER_INCOME_KINDS),
            width="290px",
            field="other_income_kind",
        ),
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
            "int",
            span[0],
            span[-1],
            label="KOR vanaf",
            widget="dropdown",
            choices=span_choices,
            field="kor_start_year",
        ),
    }


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
    """Turnover and consumer share, the two investments, starter: several inputs each."""
    total = s.consumer_sales + s.business_sales
    past = [a for a in s.assets if a.first_use_year < s.kor_start_year]
    planned = [a for a in s.assets if a.first_use_year >= s.kor_start_year]
    return {
        "omzet": total,
        "consumenten": round(100 * s.consumer_sales / total) if total else 100,
        "investering": sum(kt.investment_price(a.vat, a.first_use_year) for a in planned),
        "eerder_btw": sum(a.vat for a in past),
        "eerder_jaar": past[0].first_use_year if past else s.kor_start_year - 1,
        "eerder_soort": next(
            k for k, v in KIND_OPTIONS.items() if v == (past[0].kind if past else "movable")
        ),
        "starter": s.business_start_year is not None,
    }


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
        kind = KIND_OPTIONS[values["eerder_soort"]]
        assets.append(kt.Asset(PAST_NAME, kind, values["eerder_jaar"], values["eerder_btw"]))
    if values["investering"] > 0:
        first_use = values["kor_vanaf"]
        vat = kt.investment_vat(values["investering"], first_use)
        assets.append(kt.Asset(PLANNED_NAME, "movable", first_use, vat))
    return {
        "consumer_sales": total * share,
        "business_sales": total * (1 - share),
        "assets": tuple(assets),
        "business_start_year": values["van"] if values["starter"] else None,
    }


def model_fields() -> dict[str, str]:
    """Scenario field → dashboard field, to put a model error next to its control: the
    declared ones, and the inputs a combined field makes."""
    declared = {spec.field: name for name, spec in one_to_one(verkenner_specs()).items()}
    return {**declared, "consumer_sales": "omzet", "business_sales": "omzet", "assets": "eerder_btw"}
