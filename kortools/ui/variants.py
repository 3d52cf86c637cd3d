"""Variants on the KOR-verkenner: pin the case on screen under a name, keep changing the
inputs, and compare (the Varianten tab): the cumulative net difference by year, the
headline figures and where the difference comes from. Every figure is the model's
(``kt.evaluate``, ``kt.advise``, ``kt.explain_difference``).

In the URL a variant is one parameter ``variant=<name>;<field>=<value>;…`` holding only
the fields that differ from the case on screen: ``?omzet=18.000&variant=B;kor_vanaf=2027``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import ipywidgets as w
import pandas as pd

import kortools as kt
from kortools.compare import MAX_VARIANTS, PARTS
from kortools.money import format_euro
from kortools.ui import chart_text, charts
from kortools.ui.base import guarded, name_control, url_value
from kortools.ui.fields import parse_inputs
from kortools.ui.text import escape, html_table
from kortools.ui.verkenner_fields import values_to_scenario

CURRENT = "Huidige invoer"
LETTERS = "ABCD"


def variant_parameter(name: str, values: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    """``B;kor_vanaf=2027``: the name and the fields that differ from the case on screen."""
    changed = [f"{k}={url_value(v)}" for k, v in values.items() if current.get(k) != v]
    return ";".join([name.replace(";", ","), *changed])


def variants_from_query(query: str, current: Mapping[str, Any], specs) -> tuple[dict[str, dict], list[str]]:
    """The variants in a query string (each the current case with its changes), and Dutch
    messages for the parts that could not be read."""
    found: dict[str, dict] = {}
    problems = []
    for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if key != "variant" or len(found) >= MAX_VARIANTS:
            continue
        name, *pairs = text.split(";")
        name = name.strip()[:40] or LETTERS[len(found)]
        changes = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
        values, errors = parse_inputs(changes, specs)
        problems += [f"Variant {name}: {message}" for message in errors.values()]
        found[name] = {**current, **values}
    return found, problems


class Variants:
    """The Varianten tab of a :class:`~kortools.ui.verkenner.KorVerkenner` (a mixin)."""

    # Given by the app this is mixed into (kortools.ui.base.App, KorVerkenner).
    make: Any
    chart_image: Any
    show_chart: Any
    _build_tab: Any
    values: dict[str, Any]
    set_values: Any
    current_values: Any
    refresh: Any
    render_tab: Any
    link: Any
    _link_html: Any
    _stale: set
    TABS: Any
    result: Any

    def _build_variants(self) -> list[w.Widget]:
        """The Varianten tab's widgets (made when the tab is first opened)."""
        self.variants: dict[str, dict] = getattr(self, "variants", {})
        self.variant_name = self.make(
            w.Text, "", placeholder="naam, bijv. A", continuous_update=False, layout={"width": "160px"}
        )
        self.pin_button = self.make(w.Button, description="Bewaar als variant", layout={"width": "140px"})
        self.variant_choice = self.make(w.Dropdown, options=[], layout={"width": "160px"})
        self.load_button = self.make(w.Button, description="Laad in invoer", layout={"width": "140px"})
        self.rename_button = self.make(w.Button, description="Hernoem", layout={"width": "140px"})
        self.remove_button = self.make(w.Button, description="Verwijder", layout={"width": "140px"})
        name_control(self.variant_name, "Naam van de nieuwe variant")
        name_control(self.variant_choice, "Gekozen variant")
        self.variants_note = self.make.html()
        self.variants_table = self.make.html()
        self.variants_chart = self.chart_image()
        self.waterfall_chart = self.chart_image()
        self.pin_button.on_click(self.pin_variant)
        self.load_button.on_click(self.load_variant)
        self.rename_button.on_click(self.rename_variant)
        self.remove_button.on_click(self.remove_variant)
        self.variant_choice.observe(lambda _c: self._variants_changed(), names="value")
        return [
            self.make(w.HBox, [self.variant_name, self.pin_button]),
            self.make(
                w.HBox, [self.variant_choice, self.load_button, self.rename_button, self.remove_button]
            ),
            self.variants_note,
            self.variants_table,
            self.variants_chart,
            self.waterfall_chart,
        ]

    def _variant_widgets(self) -> None:
        """Make the Varianten tab's widgets if it has not been opened yet (a handler called
        from code, not from its button)."""
        self._build_tab(self.TABS.index("Varianten"))

    def _say(self, text: str) -> None:
        self._variant_widgets()
        self.variants_note.value = f'<div class="kt-message">{escape(text)}</div>' if text else ""

    def _variants_changed(self) -> None:
        self.variant_choice.options = list(self.variants)
        self._stale.add(self.TABS.index("Varianten"))
        self.render_tab()
        self.link.value = self._link_html()

    @guarded
    def pin_variant(self, _button=None) -> None:
        """Pin the case on screen (its last valid inputs) under the typed name (or A, B, C, D)."""
        self._variant_widgets()
        name = self.variant_name.value.strip()[:40] or next(
            (x for x in LETTERS if x not in self.variants), f"Variant {len(self.variants) + 1}"
        )
        if name not in self.variants and len(self.variants) >= MAX_VARIANTS:
            self._say(f"U kunt hoogstens {MAX_VARIANTS} varianten bewaren; verwijder er eerst een.")
            return
        if self.current_values()[1] or self.result is None:  # never the last valid case silently
            self._say("Een variant bewaart alleen geldige invoer: verbeter eerst wat rood staat.")
            return
        self.variants[name] = dict(self.values)
        self.variant_name.value = ""
        self._say("")
        self._variants_changed()
        self.variant_choice.value = name

    @guarded
    def load_variant(self, _button=None) -> None:
        """Put the chosen variant's inputs back in the controls."""
        self._variant_widgets()
        if self.variant_choice.value in self.variants:
            self.set_values(self.variants[self.variant_choice.value])
            self.refresh()

    @guarded
    def rename_variant(self, _button=None) -> None:
        self._variant_widgets()
        old, new = self.variant_choice.value, self.variant_name.value.strip()[:40]
        if old not in self.variants or not new or new in self.variants:
            self._say("Kies een variant en typ een nieuwe naam die nog niet bestaat.")
            return
        self.variants = {(new if k == old else k): v for k, v in self.variants.items()}
        self.variant_name.value = ""
        self._say("")
        self._variants_changed()
        self.variant_choice.value = new

    @guarded
    def remove_variant(self, _button=None) -> None:
        self._variant_widgets()
        self.variants.pop(self.variant_choice.value, None)
        self._variants_changed()

    def _render_variants(self) -> None:
        results = {name: kt.evaluate(values_to_scenario(v, name)) for name, v in self.variants.items()}
        results[CURRENT] = self.result
        rows = {}
        for name, result in results.items():
            a = kt.advise(result)
            rows[name] = {
                "Advies": a.verdict_nl,
                "Netto per KOR-jaar": format_euro(a.net_gain_per_kor_year),
                "Netto totaal": format_euro(a.net_total_difference),
                "Bruto totaal": format_euro(a.total_difference),
                "Herziening": format_euro(a.herziening_total),
                "KOR-jaren": ", ".join(map(str, a.kor_years)) or "geen",
            }
        self.variants_table.value = (
            f'<div class="kt-variants" data-count="{len(results)}">'
            + html_table(pd.DataFrame.from_dict(rows, orient="index"))
            + "</div>"
        )
        cumulative = {name: r.table["cumulative_net_difference"] for name, r in results.items()}
        figure = charts.variants_chart(cumulative)
        self.show_chart(self.variants_chart, figure, chart_text.variants_alt(cumulative))
        chosen = self.variant_choice.value if self.variant_choice.value in results else CURRENT
        parts = kt.explain_difference(results[chosen])
        title = f"Waar het verschil vandaan komt: {chosen}"
        figure = charts.waterfall_chart(parts, PARTS, title)
        self.show_chart(self.waterfall_chart, figure, chart_text.waterfall_alt(parts, PARTS, title))

    def variant_scenarios(self) -> list[kt.Scenario]:
        """The pinned variants as scenarios named after the variant (for the report)."""
        return [
            dataclasses.replace(values_to_scenario(v, name), name=name) for name, v in self.variants.items()
        ]
