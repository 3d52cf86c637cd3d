"""The dashboards: ipywidgets apps the notebooks build in one line.

Design (see README "Dashboard design"): no ``interactive_output`` and no ``Output``
widgets. Charts are PNG bytes set on persistent ``Image`` widgets and text is set on
``HTML`` widgets, so nothing is captured from stdout or the display system (the
Voila hang in shared/repro/voila-hang needs both). Every callback is guarded: an
error shows a Dutch message and the last valid result stays; no traceback reaches
the page.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import ipywidgets as w

import kortools as kt
from kortools.dutch import amount_range_nl, euro_nl, format_number_nl, read_number_nl
from kortools.herziening import FIRST_KOR_YEAR, first_year_revised, periods_by_kind
from kortools.money import format_euro, format_percent
from kortools.ui import charts
from kortools.ui.models import SharedModels
from kortools.ui.text import (
    FIELD_LABELS,
    NAVIGATION,
    POLICY_LABELS,
    STYLE,
    assumptions_html,
    comparison_table_nl,
    deductions_table_nl,
    dutch_error,
    escape,
    headline_html,
    herziening_table_nl,
    html_table,
    net_by_turnover_html,
    net_income_html,
    warnings_html,
)

log = logging.getLogger("kortools.ui")
if os.environ.get("KORTOOLS_LOG_FILE"):
    log.addHandler(logging.FileHandler(os.environ["KORTOOLS_LOG_FILE"]))

GENERIC_ERROR = (
    "Er ging iets mis bij het rekenen. De laatste geldige uitkomst blijft staan; "
    "probeer andere invoer of laad de pagina opnieuw."
)
MAX_AMOUNT = 1_000_000


def running_under_voila() -> bool:
    return any(key.startswith("VOILA_") for key in os.environ)


def query_string() -> str | None:
    """The page's query string under Voila (waits for the request with pre-heated kernels).

    ``None`` when Voila could not pass it on (its pre-heat handshake gives up after 5 s
    under load); the apps then say so instead of silently showing the default case.
    """
    if not running_under_voila():
        return ""
    from kortools.ui.voila_query import get_query_string  # not voila.utils: 41 MB per kernel

    try:
        return get_query_string()
    except Exception:  # the page must still render
        log.exception("could not read the query string from Voila")
        return None


LINK_LOST = (
    "De instellingen uit de link konden niet worden gelezen; hieronder staat het standaardvoorbeeld. "
    "Laad de pagina opnieuw om de link te gebruiken."
)


# --- query-string and input parsing ---------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A dashboard input: its kind and allowed values, shared by the URL and the controls."""

    kind: str  # "float" | "int" | "choice" | "bool" | "text" (low: 1 = required, high: most characters)
    low: float = 0
    high: float = 0
    options: Mapping[str, Any] | None = None

    def allowed_nl(self) -> str:
        if self.kind == "choice":
            return "kies uit " + ", ".join(self.options)
        if self.kind == "text":
            return f"vul een tekst in van hoogstens {self.high:.0f} tekens"
        if self.kind == "bool":
            return "kies ja of nee"
        if self.kind == "float":
            return amount_range_nl(self.low, self.high)
        low, high = (whole_nl(x) for x in (self.low, self.high))
        return f"vul een heel getal in van {low} tot en met {high}"

    def parse(self, raw: Any) -> Any:
        """The value from text or a control; raises ValueError with a Dutch message (no label).

        Numbers are read as a Dutch person means them (``kortools.dutch``): ``16.500`` is
        sixteen thousand five hundred; what could mean two things is refused.
        """
        if self.kind == "choice":
            if str(raw) not in self.options:
                raise ValueError(f"‘{_shown(raw)}’ kan niet; {self.allowed_nl()}")
            return str(raw)
        if self.kind == "text":
            text = str(raw).strip()
            if len(text) > self.high or (self.low and not text):
                raise ValueError(self.allowed_nl())
            return text
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("ja", "1", "true"):
                return True
            if str(raw).lower() in ("nee", "0", "false"):
                return False
            raise ValueError(f"‘{_shown(raw)}’ kan niet; {self.allowed_nl()}")
        try:
            number = read_number_nl(raw)
        except ValueError as reason:
            what = "" if str(reason) == "leeg" else f"‘{_shown(raw)}’ is {reason}; "
            raise ValueError(f"{what}{self.allowed_nl()}") from None
        if self.kind == "int" and not number.is_integer():
            raise ValueError(f"{format_number_nl(number, 2)} is geen heel getal; {self.allowed_nl()}")
        if not self.low <= number <= self.high:
            shown = euro_nl(number) if self.kind == "float" else whole_nl(number)
            raise ValueError(f"{shown} kan niet; {self.allowed_nl()}")
        return int(number) if self.kind == "int" else number


def whole_nl(number: float) -> str:
    """A whole number in Dutch: ``1.000.000``; under 10.000 (years, hours) without a dot."""
    return format_number_nl(number) if abs(number) >= 10_000 else f"{number:.0f}"


def _shown(raw: Any) -> str:
    shown = str(raw).strip()
    return shown if len(shown) <= 40 else shown[:37] + "…"


def amount_text(value: float) -> str:
    """An amount for a text field: ``16.500`` or ``16.500,50`` (Dutch notation)."""
    return format_number_nl(value, 0 if float(value).is_integer() else 2)


def parse_inputs(raw: Mapping[str, Any], specs: Mapping[str, FieldSpec]) -> tuple[dict, dict]:
    """(valid values, Dutch error messages) for the known fields in ``raw``; unknown ones ignored."""
    values, errors = {}, {}
    for name, spec in specs.items():
        if name not in raw:
            continue
        try:
            values[name] = spec.parse(raw[name])
        except ValueError as reason:
            errors[name] = f"{FIELD_LABELS.get(name, name)}: {reason}."
    return values, errors


def parse_query(query: str, specs: Mapping[str, FieldSpec]) -> tuple[dict, dict]:
    return parse_inputs(dict(parse_qsl(query.lstrip("?"), keep_blank_values=True)), specs)


def guarded(method: Callable) -> Callable:
    """Run a callback so that no exception escapes to the page: log it, show a Dutch message."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:  # the page must never show a traceback
            log.exception("dashboard callback failed")
            self.last_error = error
            self.status.value = f'<div class="kt-message">{GENERIC_ERROR}</div>'
            return None

    return wrapper


# --- controls -------------------------------------------------------------------------


def label_html(name: str, help_text: str, error: str | None) -> str:
    """A control's label, with its error message (if any) right under it, above the control."""
    label = f"<b>{escape(FIELD_LABELS.get(name, name))}</b>{escape(help_text)}"
    return label + (f'<div class="kt-error">{escape(error)}</div>' if error else "")


class App:
    """Shared machinery: controls with an error line under each, status line, refresh guard."""

    specs: Mapping[str, FieldSpec] = {}

    def __init__(self) -> None:
        self.make = SharedModels()
        self.controls: dict[str, w.Widget] = {}
        self.labels: dict[str, w.HTML] = {}
        self.help: dict[str, str] = {}
        self.status = self.make.html()
        self.notice = ""  # shown above any other message, e.g. LINK_LOST
        self.last_error: Exception | None = None
        self._silent = False

    def add_control(self, name: str, control: w.Widget, help_text: str = "") -> list[w.Widget]:
        """Register a control; returns [label with error line, control] for the layout.

        One HTML widget per control carries both label and error: every widget is a model
        (plus layout and style models) the browser builds at page load.
        """
        self.controls[name] = control
        control.add_class(f"kt-field-{name}")  # for the browser tests; no extra widget model
        self.help[name] = help_text
        self.labels[name] = self.make.html(label_html(name, help_text, None))
        control.observe(self._on_change, names="value")
        return [self.labels[name], control]

    def money_input(self, value: float) -> w.Text:
        """An amount typed as a Dutch person types it (``16.500``), shown in Dutch notation."""
        return self.make(w.Text, value=amount_text(value), continuous_update=False, layout={"width": "150px"})

    def chart_image(self) -> w.Image:
        """A chart's place on the page: PNG bytes set on it by ``charts.to_png``."""
        return self.make(w.Image, format="png", layout={"width": "100%", "max_width": "640px"})

    def _on_change(self, _change=None) -> None:
        if not self._silent:
            self.refresh()

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set controls without a refresh per control."""
        self._silent = True
        try:
            for name, value in values.items():
                control = self.controls[name]
                is_text = isinstance(control, w.Text) and not isinstance(value, str)
                control.value = amount_text(value) if is_text else value
        finally:
            self._silent = False

    def current_values(self) -> tuple[dict, dict]:
        return parse_inputs({n: c.value for n, c in self.controls.items()}, self.specs)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        for name, label in self.labels.items():
            label.value = label_html(name, self.help[name], errors.get(name))
        self.status.value = (
            f'<div class="kt-message">{escape(self.notice)}</div>' if self.notice else ""
        ) + (
            '<div class="kt-message">Niet alle invoer is geldig (zie rood); de uitkomst hieronder '
            "hoort bij de laatste geldige invoer.</div>"
            if errors
            else ""
        )

    def apply_query(self, query: str | None) -> dict[str, str]:
        """Pre-fill controls from a query string; returns the Dutch errors for bad fields.

        ``None`` (Voila could not pass the query on) keeps the defaults and says so.
        """
        if query is None:
            self.notice = LINK_LOST
            query = ""
        values, errors = parse_query(query, self.specs)
        self.set_values(values)
        return errors

    @guarded
    def refresh(self) -> None:
        values, errors = self.current_values()
        if not errors:
            fault = os.environ.get("KORTOOLS_TEST_FAULT")  # test hook: an exception in the model
            if fault and _url_value(values.get(fault.split("=")[0])) == fault.split("=")[-1]:
                raise RuntimeError(f"injected fault {fault}")
            try:
                self.compute(values)
            except kt.InputError as error:
                field, message = dutch_error(error)
                errors = {field if field in self.controls else next(iter(self.controls)): message}
        self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self) -> None:
        """Display the app (``widget``) in Jupyter or Voila."""
        from IPython.display import display

        display(self.widget)

    def print_summary(self) -> None:
        """Print ``summary_text()`` in Jupyter and under nbval; nothing under Voila."""
        if not running_under_voila():
            print(self.summary_text())


# --- the main dashboard ---------------------------------------------------------------

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


def verkenner_specs() -> dict[str, FieldSpec]:
    years = kt.tax_years()
    year = FieldSpec("int", years[0], years[-1])
    span = scenario_years()
    return {
        "klant": FieldSpec("text", 1, 120),
        "adviseur": FieldSpec("text", 0, 120),
        "kantoor": FieldSpec("text", 0, 120),
        "omzet": FieldSpec("float", 0, MAX_AMOUNT),
        "consumenten": FieldSpec("int", 0, 100),
        "btw": FieldSpec("choice", options=vat_options()),
        "kosten_btw": FieldSpec("float", 0, MAX_AMOUNT),
        "kosten_zonder": FieldSpec("float", 0, MAX_AMOUNT),
        "beleid": FieldSpec("choice", options=POLICY_OPTIONS),
        "investering": FieldSpec("float", 0, MAX_AMOUNT),
        "eerder_btw": FieldSpec("float", 0, MAX_AMOUNT),
        "eerder_jaar": FieldSpec("int", 2000, years[-1]),
        "eerder_soort": FieldSpec("choice", options=KIND_OPTIONS),
        "uren": FieldSpec("int", 0, 8784),
        "uren_ander_werk": FieldSpec("int", 0, 8784),
        "starter": FieldSpec("bool"),
        "aow": FieldSpec("bool"),
        "rechtsvorm": FieldSpec("choice", options=LEGAL_FORM_OPTIONS),
        "verhuur_met_btw": FieldSpec("bool"),
        "buitenland": FieldSpec("bool"),
        "van": year,
        "tot": FieldSpec("int", span[0], span[-1]),
        "kor_vanaf": FieldSpec("int", span[0], span[-1]),
    }


def scenario_to_values(s: kt.Scenario) -> dict[str, Any]:
    """Control values (in the URL's units) for a scenario."""
    total = s.consumer_sales + s.business_sales
    past = [a for a in s.assets if a.first_use_year < s.kor_start_year]
    planned = [a for a in s.assets if a.first_use_year >= s.kor_start_year]
    options = vat_options()
    vat = min(options, key=lambda k: abs(options[k] - s.vat_rate))
    return {
        "klant": s.name,
        "adviseur": s.adviser,
        "kantoor": s.office,
        "omzet": total,
        "consumenten": round(100 * s.consumer_sales / total) if total else 100,
        "btw": vat,
        "kosten_btw": s.costs_with_vat,
        "kosten_zonder": s.costs_without_vat,
        "beleid": next(k for k, v in POLICY_OPTIONS.items() if v == s.policy),
        "investering": sum(kt.investment_price(a.vat, a.first_use_year) for a in planned),
        "eerder_btw": sum(a.vat for a in past),
        "eerder_jaar": past[0].first_use_year if past else s.kor_start_year - 1,
        "eerder_soort": next(
            k for k, v in KIND_OPTIONS.items() if v == (past[0].kind if past else "movable")
        ),
        "uren": int(s.hours),
        "starter": s.business_start_year is not None,
        "aow": s.aow,
        "uren_ander_werk": int(s.other_work_hours),
        "rechtsvorm": s.legal_form if s.legal_form != "vof" else "eenmanszaak",
        "verhuur_met_btw": s.vat_taxed_rental,
        "buitenland": s.foreign_or_reverse_charge,
        "van": s.first_year,
        "tot": s.last_year,
        "kor_vanaf": s.kor_start_year,
    }


def values_to_scenario(values: Mapping[str, Any], name: str) -> kt.Scenario:
    """The model scenario for the dashboard's values (planned investment: VAT at the general rate)."""
    total, share = values["omzet"], values["consumenten"] / 100
    assets = []
    if values["eerder_btw"] > 0:
        kind = KIND_OPTIONS[values["eerder_soort"]]
        assets.append(kt.Asset(PAST_NAME, kind, values["eerder_jaar"], values["eerder_btw"]))
    if values["investering"] > 0:
        first_use = values["kor_vanaf"]
        vat = kt.investment_vat(values["investering"], first_use)
        assets.append(kt.Asset(PLANNED_NAME, "movable", first_use, vat))
    return kt.Scenario(
        name=values.get("klant") or name,
        adviser=values.get("adviseur", ""),
        office=values.get("kantoor", ""),
        first_year=values["van"],
        last_year=values["tot"],
        consumer_sales=total * share,
        business_sales=total * (1 - share),
        costs_with_vat=values["kosten_btw"],
        costs_without_vat=values["kosten_zonder"],
        vat_rate=vat_options()[values["btw"]],
        policy=POLICY_OPTIONS[values["beleid"]],
        kor_start_year=values["kor_vanaf"],
        assets=assets,
        hours=values["uren"],
        aow=values["aow"],
        other_work_hours=values["uren_ander_werk"],
        legal_form=values["rechtsvorm"],
        vat_taxed_rental=values["verhuur_met_btw"],
        foreign_or_reverse_charge=values["buitenland"],
        business_start_year=values["van"] if values["starter"] else None,
    )


def threshold_html(kor_turnover: float, threshold: float, policy: str, crossed: bool) -> str:
    """Counted KOR turnover against the threshold as a bar; red with the reason when ``crossed``."""
    scale = max(threshold, kor_turnover) * 1.1 or 1
    colour = charts.WARNING if crossed else charts.KOR
    bar = (
        f'<div class="kt-bar"><div class="kt-bar-fill" style="width:{100 * kor_turnover / scale:.1f}%;'
        f'background:{colour}"></div><div class="kt-bar-line" style="left:{100 * threshold / scale:.1f}%">'
        "</div></div>"
    )
    head = f"KOR-omzet {format_euro(kor_turnover)} van de grens {format_euro(threshold)}"
    if not crossed:
        return f'<div class="kt-threshold" data-crossed="false">{head}{bar}</div>'
    why = (
        "U houdt de consumentenprijzen gelijk: onder de KOR telt de hele prijs die u rekent als omzet."
        if policy in ("keep_consumer_prices", "keep_margin")
        else "De omzet die meetelt is hoger dan de grens."
    )
    return (
        f'<div class="kt-threshold kt-threshold-crossed" data-crossed="true">⚠ Omzetgrens overschreden: '
        f"{head}. {why} De KOR stopt dan direct tijdens het jaar.{bar}</div>"
    )


class KorVerkenner(App):
    """The main dashboard: margin, break-even, threshold, herziening, years, warnings, assumptions."""

    TABS = ("Omslagpunt", "Netto-inkomen", "Herziening", "Meerdere jaren", "Aannames")

    def __init__(self, scenario: kt.Scenario, query: str = "") -> None:
        super().__init__()
        self.specs = verkenner_specs()
        self.name = scenario.name
        self.result: kt.ScenarioResult | None = None
        self.values: dict[str, Any] = {}
        self._build_controls(scenario)
        self._build_outputs()
        query_errors = self.apply_query(query)
        self.refresh()
        if query_errors:
            self.show_errors({**query_errors})

    # layout
    def _build_controls(self, s: kt.Scenario) -> None:
        v = scenario_to_values(s)
        total = s.consumer_sales + s.business_sales
        exact = 100 * s.consumer_sales / total if total else 100.0
        share_help = " (% van de omzet; de rest is zakelijk)"
        if abs(exact - v["consumenten"]) > 1e-9:  # the slider holds whole percents: say so
            share_help += f"; scenario: {format_percent(exact / 100, 2)}, afgerond"
        years = [str(y) for y in kt.tax_years()]
        year_options = [(y, int(y)) for y in years]
        span_options = [(str(y), y) for y in scenario_years()]
        text = {"layout": {"width": "280px"}, "continuous_update": False}
        self.sections = [
            self.make.html("<h3>Klant</h3>"),
            *self.add_control("klant", self.make(w.Text, v["klant"], **text)),
            *self.add_control("adviseur", self.make(w.Text, v["adviseur"], **text), " (komt in het rapport)"),
            *self.add_control("kantoor", self.make(w.Text, v["kantoor"], **text)),
            self.make.html("<h3>Bedrijf</h3>"),
            *self.add_control("omzet", self.money_input(v["omzet"]), " (€, excl. btw)"),
            *self.add_control(
                "consumenten",
                self.make(
                    w.IntSlider,
                    v["consumenten"],
                    min=0,
                    max=100,
                    step=1,
                    continuous_update=False,
                    readout_format="d",
                    layout={"width": "260px"},
                ),
                share_help,
            ),
            *self.add_control(
                "btw",
                self.make(
                    w.ToggleButtons,
                    options=[(f"{k}%", k) for k in vat_options()],
                    value=v["btw"],
                    style={"button_width": "55px"},
                ),
            ),
            *self.add_control(
                "kosten_btw", self.money_input(v["kosten_btw"]), " (€ per jaar, excl. 21% btw)"
            ),
            *self.add_control("kosten_zonder", self.money_input(v["kosten_zonder"]), " (€ per jaar)"),
            *self.add_control(
                "beleid",
                self.make(
                    w.Dropdown,
                    options=[(POLICY_LABELS[p], k) for k, p in POLICY_OPTIONS.items()],
                    value=v["beleid"],
                    layout={"width": "290px"},
                ),
            ),
            self.make.html("<h3>Investeringen</h3>"),
            *self.add_control(
                "investering", self.money_input(v["investering"]), " (€ excl. btw, in het eerste KOR-jaar)"
            ),
            *self.add_control("eerder_btw", self.money_input(v["eerder_btw"]), " (afgetrokken btw, €)"),
            *self.add_control(
                "eerder_jaar",
                self.make(
                    w.BoundedIntText,
                    v["eerder_jaar"],
                    min=2000,
                    max=int(years[-1]),
                    layout={"width": "100px"},
                ),
            ),
            *self.add_control(
                "eerder_soort",
                self.make(
                    w.Dropdown,
                    options=[(kind_labels()[KIND_OPTIONS[k]], k) for k in KIND_OPTIONS],
                    value=v["eerder_soort"],
                    layout={"width": "180px"},
                ),
            ),
            self.make.html("<h3>Ondernemer en jaren</h3>"),
            *self.add_control(
                "uren", self.make(w.IntText, v["uren"], layout={"width": "100px"}), " (aan het bedrijf)"
            ),
            *self.add_control(
                "starter",
                self.make(w.Checkbox, v["starter"], description="startersaftrek mogelijk", indent=False),
            ),
            *self.add_control(
                "aow", self.make(w.Checkbox, v["aow"], description="AOW-leeftijd bereikt", indent=False)
            ),
            *self.add_control(
                "uren_ander_werk",
                self.make(w.IntText, v["uren_ander_werk"], layout={"width": "100px"}),
                " (loondienst of ander werk; telt niet voor starters)",
            ),
            *self.add_control(
                "rechtsvorm",
                self.make(
                    w.Dropdown,
                    options=[("eenmanszaak", "eenmanszaak"), ("bv (alleen btw)", "bv")],
                    value=v["rechtsvorm"],
                    layout={"width": "180px"},
                ),
            ),
            *self.add_control(
                "verhuur_met_btw",
                self.make(
                    w.Checkbox, v["verhuur_met_btw"], description="pand verhuurd met btw", indent=False
                ),
            ),
            *self.add_control(
                "buitenland",
                self.make(
                    w.Checkbox,
                    v["buitenland"],
                    description="buitenlandse klanten of verlegde btw",
                    indent=False,
                ),
            ),
            *self.add_control(
                "van", self.make(w.Dropdown, options=year_options, value=v["van"], layout={"width": "100px"})
            ),
            *self.add_control(
                "tot", self.make(w.Dropdown, options=span_options, value=v["tot"], layout={"width": "100px"})
            ),
            *self.add_control(
                "kor_vanaf",
                self.make(w.Dropdown, options=span_options, value=v["kor_vanaf"], layout={"width": "100px"}),
            ),
        ]

    def _build_outputs(self) -> None:
        self.headline = self.make.html()
        self.threshold = self.make.html()
        self.margin_chart = self.chart_image()
        self.break_even_chart = self.chart_image()
        self.break_even_text = self.make.html()
        self.net_chart = self.chart_image()
        self.net_text = self.make.html()
        self.herziening_chart = self.chart_image()
        self.herziening_table = self.make.html()
        self.years_chart = self.chart_image()
        self.years_table = self.make.html()
        self.warnings = self.make.html()
        self.assumptions = self.make.html()
        self.link = self.make.html()
        self.report_button = self.make(
            w.Button, description="Download rapport (PDF)", icon="download", layout={"width": "220px"}
        )
        self.report_button.on_click(self.make_report)
        self.report_link = self.make.html()
        self._report_count = 0
        self.tabs = self.make(
            w.Tab,
            children=[
                self.make(w.VBox, [self.break_even_chart, self.break_even_text]),
                self.make(w.VBox, [self.net_chart, self.net_text]),
                self.make(w.VBox, [self.herziening_chart, self.herziening_table]),
                self.make(w.VBox, [self.years_table, self.years_chart]),
                self.make(w.VBox, [self.assumptions]),
            ],
        )
        for i, title in enumerate(self.TABS):
            self.tabs.set_title(i, title)
        self.tabs.observe(lambda _c: self.render_tab(), names="selected_index")
        self._stale: set[int] = set()
        self._margin_chart = charts.MarginChart()
        self._break_even_chart = charts.BreakEvenChart()

    @property
    def widget(self) -> w.Widget:
        controls = self.make(w.VBox, self.sections, layout={"width": "330px", "padding": "0 12px 0 0"})
        results = self.make(
            w.VBox,
            [
                self.status,
                self.headline,
                self.threshold,
                self.warnings,
                self.margin_chart,
                self.tabs,
                self.link,
                self.make(w.HBox, [self.report_button, self.report_link]),
            ],
            layout={"flex": "1", "min_width": "400px"},
        )
        title = self.make.html(f"{STYLE}{NAVIGATION}<h2>KOR-verkenner: {escape(self.name)}</h2>")
        return self.make(
            w.VBox, [title, self.make(w.HBox, [controls, results], layout={"flex_flow": "row wrap"})]
        )

    # computing and drawing
    def compute(self, values: Mapping[str, Any]) -> None:
        result = kt.evaluate(values_to_scenario(values, self.name))
        self.result, self.values = result, dict(values)
        self.render_headline()
        self.warnings.value = warnings_html(result.warnings)
        self.margin_chart.value = charts.to_png(self._margin_figure())
        self._stale = set(range(len(self.TABS)))
        self.render_tab()
        self.link.value = self._link_html()

    @property
    def first_kor_margin(self) -> kt.MarginComparison:
        return self.result.margins[self.result.scenario.kor_start_year]

    def render_headline(self) -> None:
        """The verdict, the gain per KOR year and the total: ``kt.advise``, words around its figures."""
        self.advice = kt.advise(self.result)
        self.headline.value = headline_html(self.advice)
        m = self.first_kor_margin
        self.threshold.value = threshold_html(m.kor_turnover, m.threshold, m.policy, not m.within_threshold)

    def _margin_figure(self):
        m = self.first_kor_margin
        return self._margin_chart.update(m.regular_margin, m.kor_margin, m.gain)

    @guarded
    def render_tab(self) -> None:
        index = self.tabs.selected_index or 0
        if self.result is None or index not in self._stale:
            return
        self._stale.discard(index)
        renderers = [
            self._render_break_even,
            self._render_net,
            self._render_herziening,
            self._render_years,
            self._render_notes,
        ]
        renderers[index]()

    def _render_break_even(self) -> None:
        m = self.first_kor_margin
        total = m.consumer_sales + m.business_sales
        curve = kt.gain_by_consumer_share(
            total, m.costs_with_vat, m.costs_without_vat, m.vat_rate, m.input_vat_rate, m.policy, m.year
        )
        share = m.consumer_sales / total if total else 0.0
        self.break_even_chart.value = charts.to_png(self._break_even_chart.update(curve, share, m.gain))
        be = m.break_even_consumer_sales
        if be is None:
            text = "Bij 0% btw op uw verkopen levert de KOR nooit meer marge op."
        elif total and be <= total:
            text = (
                f"Bij gelijke consumentenprijzen loont de KOR vanaf {format_euro(be, cents=False)} omzet aan "
                f"consumenten (excl. btw), dat is {format_percent(be / total)} van uw omzet."
            )
        else:
            text = f"De KOR loont pas vanaf {format_euro(be, cents=False)} omzet aan consumenten."
        self.break_even_text.value = f"<p>{escape(text)}</p>"

    def _render_herziening(self) -> None:
        schedule = self.result.herziening
        names = [a.name for a in self.result.scenario.assets]
        self.herziening_chart.value = charts.to_png(charts.herziening_chart(schedule, names))
        note = (
            "<p>Per boekjaar: is het totaal van alle investeringen samen minder dan € 500, dan vervalt "
            "de herziening dat jaar helemaal; vanaf € 500 wordt alles herzien.</p>"
        )
        self.herziening_table.value = html_table(herziening_table_nl(schedule, names)) + note

    def _render_years(self) -> None:
        self.years_table.value = html_table(comparison_table_nl(self.result.table))
        self.years_chart.value = charts.to_png(charts.cumulative_chart(self.result.table))

    def _render_net(self) -> None:
        """Net income against turnover for the case on screen (``kt.net_by_turnover``)."""
        frame = kt.net_by_turnover(self.result.scenario)
        turnover = self.values["omzet"]
        self.net_chart.value = charts.to_png(charts.net_by_turnover_chart(frame, turnover))
        self.net_text.value = net_by_turnover_html(frame)

    def _render_notes(self) -> None:
        self.assumptions.value = assumptions_html(self.result.assumptions)

    @guarded
    def make_report(self, _button=None) -> None:
        """The client report for the case on screen, offered as a download (works read-only).

        The PDF travels as a data: link; the kortools Voila template clicks it once.
        """
        if self.result is None:
            return
        import base64

        from kortools.ui.report import report, report_file_name

        self.report_link.value = "<i>Rapport wordt gemaakt…</i>"
        pdf = report(self.result.scenario)
        self._report_count += 1
        href = "data:application/pdf;base64," + base64.b64encode(pdf).decode("ascii")
        self.report_link.value = (
            f'<a class="kt-autodownload" data-kt-id="{self._report_count}" '
            f'download="{escape(report_file_name(self.result.scenario))}" '
            f'href="{href}">Klik hier als de download niet vanzelf begint</a>'
        )

    def _link_html(self) -> str:
        query = urlencode({k: _url_value(v) for k, v in self.values.items()})
        return (
            '<p class="kt-share">Deze berekening bewaren of delen: '
            f'<a class="kt-link" href="?{escape(query)}" target="_blank" rel="noopener">link naar deze '
            f'berekening</a> <button class="kt-copy" type="button" data-query="?{escape(query)}">'
            f'Kopieer link</button></p><div class="kt-share-url" data-query="?{escape(query)}"></div>'
        )

    def summary_text(self) -> str:
        """The default scenario's tables as text (the nbval regression target)."""
        m = self.first_kor_margin
        a = self.advice
        lines = [
            f"Scenario: {self.name}",
            f"Advies: {a.verdict_nl}; per KOR-jaar {format_euro(a.gain_per_kor_year)}; "
            f"totaal {format_euro(a.total_difference)}; "
            f"KOR-jaren: {', '.join(map(str, a.kor_years)) or 'geen'}",
            f"Marge {m.year}: gewone btw {format_euro(m.regular_margin)}, KOR {format_euro(m.kor_margin)}, "
            f"verschil {format_euro(m.gain)}",
            f"KOR-omzet {format_euro(m.kor_turnover)}; grens {format_euro(m.threshold)}; "
            f"binnen de grens: {'ja' if m.within_threshold else 'nee'}",
            "",
            comparison_table_nl(self.result.table).to_string(),
            "",
            "Waarschuwingen: " + (", ".join(w.title for w in self.result.warnings) or "geen"),
            f"Aannames: {len(self.result.assumptions)}",
        ]
        return "\n".join(lines)


def _url_value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def kor_verkenner(scenario: kt.Scenario | str = "kapper", query: str | None = None) -> KorVerkenner:
    """Build the main dashboard on ``scenario`` (an example name or a Scenario), URL applied."""
    if isinstance(scenario, str):
        scenario = kt.example_scenario(scenario)
    return KorVerkenner(scenario, query_string() if query is None else query)


# --- herziening -----------------------------------------------------------------------

ASSET_ROWS = 4


def herziening_years() -> range:
    """KOR years the herziening page offers: from the new KOR (2020) to the end of the longest
    revision period after the last tax year."""
    return range(FIRST_KOR_YEAR, kt.tax_years()[-1] + kt.longest_revision_period())


KIND_NAMES = {"movable": "roerend", "immovable": "onroerend", "investment_service": "investeringsdienst"}


def kind_labels() -> dict[str, str]:
    """Asset kinds with their revision periods from the data, e.g. "roerend (5 jaar)"."""
    periods = periods_by_kind(kt.tax_years()[-1])
    labels = {}
    for kind, name in KIND_NAMES.items():
        since = first_year_revised(kind)
        labels[kind] = f"{name} ({periods[kind]} jaar{f', vanaf {since}' if since > FIRST_KOR_YEAR else ''})"
    return labels


def herziening_specs() -> dict[str, FieldSpec]:
    specs = {
        "kor_vanaf": FieldSpec("int", herziening_years()[0], herziening_years()[-1]),
        "kor_tot": FieldSpec("int", 0, herziening_years()[-1]),  # 0: the KOR does not end
    }
    for i in range(1, ASSET_ROWS + 1):
        specs[f"soort_{i}"] = FieldSpec("choice", options=kind_labels())
        specs[f"jaar_{i}"] = FieldSpec("int", 2000, herziening_years()[-1])
        specs[f"btw_{i}"] = FieldSpec("float", 0, MAX_AMOUNT)
    return specs


for _i in range(1, ASSET_ROWS + 1):
    FIELD_LABELS.update(
        {
            f"soort_{_i}": f"Investering {_i}: soort",
            f"jaar_{_i}": f"Investering {_i}: jaar",
            f"btw_{_i}": f"Investering {_i}: btw",
        }
    )


class HerzieningApp(App):
    """Assets and KOR years in; the yearly herziening schedule (table and chart) out."""

    def __init__(
        self, assets: list[kt.Asset], kor_start_year: int, kor_last_year: int | None = None, query: str = ""
    ) -> None:
        super().__init__()
        self.specs = herziening_specs()
        year_options = [(str(y), y) for y in herziening_years()]
        rows = [
            self.make.html("<h3>KOR-jaren</h3>"),
            *self.add_control(
                "kor_vanaf",
                self.make(w.Dropdown, options=year_options, value=kor_start_year, layout={"width": "100px"}),
            ),
            *self.add_control(
                "kor_tot",
                self.make(
                    w.Dropdown,
                    options=[("geen einde", 0), *year_options],
                    value=kor_last_year or 0,
                    layout={"width": "130px"},
                ),
            ),
        ]
        for i in range(1, ASSET_ROWS + 1):
            a = assets[i - 1] if i <= len(assets) else None
            rows += [
                self.make.html(f"<h4>Investering {i}{': ' + escape(a.name) if a else ''}</h4>"),
                *self.add_control(
                    f"soort_{i}",
                    self.make(
                        w.Dropdown,
                        options=[(v, k) for k, v in kind_labels().items()],
                        value=a.kind if a else "movable",
                    ),
                ),
                *self.add_control(
                    f"jaar_{i}",
                    self.make(
                        w.BoundedIntText,
                        a.first_use_year if a else kor_start_year - 1,
                        min=2000,
                        max=herziening_years()[-1],
                        layout={"width": "100px"},
                    ),
                    " (eerste gebruik)",
                ),
                *self.add_control(
                    f"btw_{i}", self.money_input(a.vat if a else 0.0), " (btw op de factuur, €)"
                ),
            ]
        self.names = [a.name for a in assets] + [f"Investering {i}" for i in range(len(assets) + 1, 5)]
        self.sections = rows
        self.chart = self.chart_image()
        self.table = self.make.html()
        self.total = self.make.html()
        self.assumptions = self.make.html()
        self.schedule = None
        errors = self.apply_query(query)
        self.refresh()
        if errors:
            self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:
        assets = [
            kt.Asset(self.names[i - 1], values[f"soort_{i}"], values[f"jaar_{i}"], values[f"btw_{i}"])
            for i in range(1, ASSET_ROWS + 1)
            if values[f"btw_{i}"] > 0
        ]
        schedule = kt.herziening_schedule(assets, values["kor_vanaf"], values["kor_tot"] or None)
        self.schedule = schedule
        names = [a.name for a in assets]
        self.chart.value = charts.to_png(charts.herziening_chart(schedule, names))
        self.table.value = html_table(herziening_table_nl(schedule, names))
        total = float(schedule["payable"].sum())
        self.total.value = (
            f'<div class="kt-headline">Herziening in totaal: <b class="kt-herziening-total" '
            f'data-total="{total:.2f}">{format_euro(total)}</b> '
            f"({'terugbetalen' if total >= 0 else 'extra aftrek'})</div>"
        )
        self.assumptions.value = assumptions_html(schedule.attrs["assumptions"])

    @property
    def widget(self) -> w.Widget:
        controls = self.make(w.VBox, self.sections, layout={"width": "330px"})
        results = self.make(
            w.VBox,
            [
                self.status,
                self.total,
                self.chart,
                self.table,
                self.make.html("<h4>Aannames</h4>"),
                self.assumptions,
            ],
            layout={"flex": "1", "min_width": "400px"},
        )
        return self.make(
            w.VBox,
            [
                self.make.html(f"{STYLE}{NAVIGATION}<h2>Herziening bij de KOR</h2>"),
                self.make(w.HBox, [controls, results]),
            ],
        )

    def summary_text(self) -> str:
        names = [c for c in self.schedule.columns if c not in ("gross", "payable", "below_minimum")]
        return herziening_table_nl(self.schedule, names).to_string()


def herziening_app(scenario: kt.Scenario | str = "starter", query: str | None = None) -> HerzieningApp:
    if isinstance(scenario, str):
        scenario = kt.example_scenario(scenario)
    return HerzieningApp(
        list(scenario.assets), scenario.kor_start_year, None, query_string() if query is None else query
    )


# --- aftrekposten ---------------------------------------------------------------------


#: The Aftrekposten sliders' ranges (a URL value outside them gets a Dutch message).
PROFIT_RANGE = (-50_000, 250_000, 500)
HOURS_RANGE = (0, 3_000, 25)


def aftrekposten_specs() -> dict[str, FieldSpec]:
    return {
        "winst": FieldSpec("float", PROFIT_RANGE[0], PROFIT_RANGE[1]),
        "uren": FieldSpec("int", HOURS_RANGE[0], HOURS_RANGE[1]),
        "partner_uren": FieldSpec("int", 0, 8784),
        "starter": FieldSpec("bool"),
        "aow": FieldSpec("bool"),
    }


class AftrekpostenApp(App):
    """Deductions and net income over the tax years for one profit/hours/starter/AOW profile."""

    def __init__(
        self,
        profit: float,
        hours: int,
        starter: bool = False,
        aow: bool = False,
        partner_hours: int = 0,
        query: str = "",
    ) -> None:
        super().__init__()
        self.specs = aftrekposten_specs()
        low, high, step = PROFIT_RANGE
        hours_low, hours_high, hours_step = HOURS_RANGE
        marks = (
            kt.value("urencriterium_hours", kt.tax_years()[-1]),
            kt.value("reduced_hours_test", kt.tax_years()[-1]),
        )
        self.sections = [
            *self.add_control(
                "winst",
                self.make(
                    w.IntSlider,
                    int(profit),
                    min=low,
                    max=high,
                    step=step,
                    continuous_update=False,
                    layout={"width": "300px"},
                ),
                " (€ per jaar, vóór ondernemersaftrek)",
            ),
            *self.add_control(
                "uren",
                self.make(
                    w.IntSlider,
                    int(hours),
                    min=hours_low,
                    max=hours_high,
                    step=hours_step,
                    continuous_update=False,
                    layout={"width": "300px"},
                ),
                " (urencriterium {:,.0f}; bij arbeidsongeschiktheid {:,.0f})".format(*marks).replace(
                    ",", "."
                ),
            ),
            *self.add_control(
                "partner_uren",
                self.make(w.IntText, partner_hours, layout={"width": "100px"}),
                " (onbetaald, per jaar)",
            ),
            *self.add_control(
                "starter",
                self.make(w.Checkbox, starter, description="gestart in het eerste jaar", indent=False),
            ),
            *self.add_control(
                "aow", self.make(w.Checkbox, aow, description="AOW-leeftijd bereikt", indent=False)
            ),
        ]
        self.chart = self.chart_image()
        self.table_html = self.make.html()
        self.assumptions = self.make.html()
        self.table = None
        errors = self.apply_query(query)
        self.refresh()
        if errors:
            self.show_errors(errors)

    def compute(self, values: Mapping[str, Any]) -> None:
        table = kt.deductions_table(
            kt.tax_years(),
            values["winst"],
            values["uren"],
            values["starter"],
            values["aow"],
            values["partner_uren"],
        )
        net = kt.net_income_table(
            kt.tax_years(),
            values["winst"],
            values["uren"],
            values["starter"],
            values["aow"],
            values["partner_uren"],
        )
        self.table, self.net = table, net
        self.chart.value = charts.to_png(charts.deductions_chart(table))
        self.table_html.value = net_income_html(net) + html_table(deductions_table_nl(table))
        self.assumptions.value = assumptions_html(
            tuple(dict.fromkeys([*table.attrs["assumptions"], *net.attrs["assumptions"]]))
        )

    @property
    def widget(self) -> w.Widget:
        controls = self.make(w.VBox, self.sections, layout={"width": "330px"})
        results = self.make(
            w.VBox,
            [
                self.status,
                self.table_html,
                self.chart,
                self.make.html("<h4>Aannames</h4>"),
                self.assumptions,
            ],
            layout={"flex": "1", "min_width": "400px"},
        )
        return self.make(
            w.VBox,
            [
                self.make.html(f"{STYLE}{NAVIGATION}<h2>Aftrekposten voor ondernemers per jaar</h2>"),
                self.make(w.HBox, [controls, results]),
            ],
        )

    def summary_text(self) -> str:
        return deductions_table_nl(self.table).to_string()


def aftrekposten_app(
    profit: float = 30000,
    hours: int = 1300,
    starter: bool = False,
    aow: bool = False,
    partner_hours: int = 0,
    query: str | None = None,
) -> AftrekpostenApp:
    return AftrekpostenApp(
        profit, hours, starter, aow, partner_hours, query_string() if query is None else query
    )
