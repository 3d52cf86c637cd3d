"""The main dashboard, the KOR-verkenner: margin, threshold, verdict, net income,
herziening, years, warnings and assumptions for one business."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, urlencode

import ipywidgets as w

import kortools as kt
from kortools.books import Books, books_scenario
from kortools.error_text import books_error_nl
from kortools.kor_years import date_words
from kortools.money import format_euro, format_percent
from kortools.steps import moved_dates_nl
from kortools.ui import charts
from kortools.ui.base import (
    App,
    guarded,
    name_control,
    page_for,
    running_under_voila,
)
from kortools.ui.books_panel import (
    books_note_html,
    upload_files,
    upload_status_html,
    upload_widget,
)
from kortools.ui.cooldown import REPORT_COOLDOWN_S, Cooldown
from kortools.ui.first_charts import margin_chart_spec
from kortools.ui.text import (
    NAVIGATION,
    STYLE,
    comparison_table_nl,
    escape,
    headline_html,
    navigation_html,
    steps_html,
    warnings_html,
)
from kortools.ui.variants import Variants, variant_parameter, variants_from_query
from kortools.ui.verkenner_fields import (  # the last three re-exported: ui.app names them here
    INVESTMENT_AMOUNTS,
    investment_read_nl,
    model_fields,
    scenario_to_values,
    shared_queries,
    values_to_scenario,
    verkenner_specs,
    year_field,
)
from kortools.ui.verkenner_tabs import VerkennerTabs
from kortools.ui.year_table import YearTable

__all__ = [
    "KorVerkenner",
    "kor_verkenner",
    "scenario_to_values",
    "threshold_html",
    "values_to_scenario",
    "verkenner_specs",
]

# --- the main dashboard ---------------------------------------------------------------

NEW_CASE = (
    "Nieuwe berekening: vul de omzet en de kosten in (of kies een voorbeeldklant); "
    "het advies verschijnt hier."
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


class KorVerkenner(App, VerkennerTabs, Variants):
    """The main dashboard: margin, break-even, threshold, herziening, years, warnings, assumptions."""

    def model_fields(self) -> dict[str, str]:
        return model_fields()  # the declared ones and those of the combined fields

    def __init__(self, scenario: kt.Scenario, query: str | None = "", example: str = "") -> None:
        super().__init__()
        self.example_key = example  # the example client the page opened on ("" a new case)
        self.specs = verkenner_specs()
        self.name = scenario.name
        self.result: kt.ScenarioResult | None = None  # None until the first valid input
        self.values: dict[str, Any] = {}
        self.variants: dict[str, dict] = {}
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
        rounded = ""
        if abs(exact - v["consumenten"]) > 1e-9:  # the slider holds whole percents: say so
            rounded = f"; scenario: {format_percent(exact / 100, 2)}, afgerond"
        sections = {
            "Klant": ("klant", "adviseur", "kantoor"),
            "Jaren en KOR": ("van", "tot", "kor_vanaf", "al_in_kor", "kor_tot"),
            "Bedrijf": ("omzet", "consumenten", "btw", "kosten_btw", "kosten_zonder", "beleid"),
            "Omzet en kosten per jaar": ("groei",),
            "Investeringen": (
                "investering",
                "investering_bedrag",
                "investering_jaar",
                "eerder_btw",
                "eerder_bedrag",
                "eerder_jaar",
                "eerder_soort",
            ),
            "Ondernemer": (
                "uren",
                "starter",
                "aow",
                "uren_ander_werk",
                "ander_inkomen",
                "soort_inkomen",
                "rechtsvorm",
                "verhuur_met_btw",
                "buitenland",
            ),
        }
        self.year_table = YearTable(self.make, self.add_bare_control, self.titles_of)
        self.sections = self._example_choice()
        for heading, names in sections.items():
            self.sections.append(self.make.html(f"<h3>{heading}</h3>"))
            for name in names:
                self.sections += self.field(name, v[name], rounded if name == "consumenten" else "")
            if heading == "Klant":
                self.books: Books | None = None
                self.upload = upload_widget(self.make)
                self.upload.observe(self._read_books, names="value")
                self.upload.observe(self._refused_upload, names="problem")
                self.books_status = self.make.html(upload_status_html())
                self.sections += [self.upload, self.books_status]
            if heading == "Omzet en kosten per jaar":
                self.sections.append(self.year_table.widget)
        self.year_table.show_years(v["van"], v["tot"], None)
        self.set_values({k: x for k, x in v.items() if year_field(k)})

    def _example_choice(self) -> list[w.Widget]:
        """A choice of the example clients (the page opens on a new case, issue #20)."""
        names = {"": "nieuwe klant"} | {k: kt.example_scenario(k).name for k in kt.example_scenarios()}
        self.example = self.make(
            w.Dropdown,
            options=[(label, key) for key, label in names.items()],
            value=self.example_key if self.example_key in names else "",
            layout={"width": "280px"},
        )
        self.example.add_class("kt-example")
        name_control(self.example, "Voorbeeldklant laden")
        self.example.observe(self._load_example, names="value")
        return [self.make.html("<b>Voorbeeldklant laden</b>"), self.example]

    @guarded
    def _load_example(self, change) -> None:
        scenario = kt.new_scenario() if not change["new"] else kt.example_scenario(change["new"])
        self.name = scenario.name
        self.books_inputs: dict[str, Any] = {}
        blank = {name: "" for name in self.controls if year_field(name)}
        self.set_values({**blank, **scenario_to_values(scenario)})
        self.refresh()

    @guarded
    def _read_books(self, change) -> None:
        """The uploaded auditfiles, read in memory by the model; the inputs fill from them."""
        if not change["new"]:
            return
        try:
            books = kt.read_auditfiles(upload_files(change["new"]))
            scenario = books_scenario(books)
        except kt.InputError as error:  # the reader's (or the scenario's) Dutch reason, by the upload
            self.books_status.value = upload_status_html(books_error_nl(error))
            return
        finally:
            self.upload.value = ()  # the bytes leave the widget (and its state) again
        self.books, self.name = books, scenario.name
        # what the books say of their figures goes with the case (assumptions, the verdict)
        self.books_inputs = {
            "assumption_keys": scenario.assumption_keys,
            "input_notes": scenario.input_notes,
            "input_warnings": scenario.input_warnings,
        }
        blank = {name: "" for name in self.controls if year_field(name)}
        self.set_values({**blank, **scenario_to_values(scenario)})
        years = ", ".join(map(str, books.years))
        self.books_status.value = upload_status_html() + (
            f'<div class="kt-books-read">Ingelezen: {escape(books.company)}, {years}; '
            f"{len(books.findings)} melding(en) (zie Herkomst).</div>"
        )
        self.refresh()

    def _refused_upload(self, change) -> None:
        """The upload stopped before the file was complete: its Dutch reason under it."""
        if change["new"]:
            self.books_status.value = upload_status_html(change["new"])

    def read_note(self, name: str) -> str | None:
        """Beside "KOR vanaf"/"KOR tot", the date used when a late plan moved it (issue #33
        item 4); the field keeps what was typed, the page says why by the verdict."""
        result = getattr(self, "result", None)
        if name in ("kor_vanaf", "kor_tot") and result is not None:
            s = result.scenario
            if name == "kor_vanaf" and s.kor_start_moved and s.kor_from is not None:
                return f"gebruikt: {date_words(s.kor_from)}"
            if name == "kor_tot" and s.kor_end_moved:
                return f"gebruikt: {date_words(s.kor_until)}" if s.kor_until else "gebruikt: loopt door"
        if name in INVESTMENT_AMOUNTS and result is not None:
            return investment_read_nl(result.scenario, self.values, name) or super().read_note(name)
        return super().read_note(name)

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set controls (a year-table cell is made when a value for it arrives, e.g. a link)."""
        for name in values:
            if year_field(name) and name not in self.controls:
                self.year_table.cell(name)
        super().set_values({k: ("" if x is None else x) for k, x in values.items()})

    def show_errors(self, errors: Mapping[str, str]) -> None:
        super().show_errors(errors)
        if hasattr(self, "year_table"):
            notes = {name: self.read_note(name) for name in self.year_table.cells}
            self.year_table.show_errors(dict(errors), notes)

    def _build_outputs(self) -> None:
        self.headline = self.make.html()
        self.headline.add_class("kt-live")  # the verdict is announced when it changes
        self.title = self.make.html(self._title_html(self.name))
        self.threshold = self.make.html()
        self.margin_chart = self.chart_image()
        self.break_even_chart = self.chart_image()
        self.break_even_text = self.make.html()
        self.warnings = self.make.html()
        self.link = self.make.html()
        self.report_button = self.make(
            w.Button, description="Download rapport (PDF)", layout={"width": "220px"}
        )
        self.report_button.on_click(self.make_report)
        self.report_link = self.make.html()
        self._report_count = 0
        self.report_cooldown = Cooldown(REPORT_COOLDOWN_S, "rapport")
        # a tab's widgets are made when it is first opened (the first paint has fewer models:
        # each costs the kernel, the server and the browser a message, issue #22 item 3)
        self.tabs = self.make(w.Tab, children=[self.make(w.VBox, []) for _ in self.TABS])
        self._built_tabs: set[int] = set()
        self._build_tab(0)
        for i, title in enumerate(self.TABS):
            self.tabs.set_title(i, title)
        self.tabs.observe(lambda _c: self.render_tab(), names="selected_index")
        self._stale: set[int] = set()

    @cached_property
    def widget(self) -> w.Widget:
        results = [
            self.status,
            self.headline,
            self.threshold,
            self.warnings,
            self.margin_chart,
            self.tabs,
            self.link,
            self.make(w.HBox, [self.report_button, self.report_link]),
        ]
        return self.make(w.VBox, [self.title, self.columns(self.sections, results, first=5)])

    @cached_property
    def _margin_figure(self) -> charts.MarginChart:
        """Made when a margin chart is not in the cache (the first ones are: first_charts)."""
        return charts.MarginChart()

    def _title_html(self, name: str) -> str:
        """The page's heading, its links to the other dashboards carrying the case's shared fields."""
        result = getattr(self, "result", None)
        nav = NAVIGATION if result is None else navigation_html(shared_queries(self.values, result.scenario))
        return f"{STYLE}{nav}<h2>KOR-verkenner: {escape(name)}</h2>"

    # computing and drawing
    def compute(self, values: Mapping[str, Any]) -> None:
        scenario = values_to_scenario(values, self.name)
        result = kt.evaluate(dataclasses.replace(scenario, **getattr(self, "books_inputs", {})))
        self.result, self.values = result, dict(values)
        self.year_table.show_years(values["van"], values["tot"], result)
        self.title.value = self._title_html(result.scenario.name)  # the heading follows the client
        self.render_headline()
        self.warnings.value = warnings_html(result.warnings)
        self._draw_margin()
        self._stale = set(range(len(self.TABS)))
        self.render_tab()
        self.link.value = self._link_html()

    @property
    def first_kor_margin(self) -> kt.MarginComparison:
        return self.shown.margins[self.shown.shown_year]

    def render_headline(self) -> None:
        """The verdict, the gain per KOR year and the total: ``kt.advise``, words around its figures."""
        self.advice = kt.advise(self.result)
        if not any(self.shown.table["turnover"]):  # a new case: nothing to advise on yet
            self.headline.value = f'<div class="kt-verdict" data-verdict="">{escape(NEW_CASE)}</div>'
        else:
            moved = "".join(
                f'<p class="kt-moved">{escape(x)}</p>' for x in moved_dates_nl(self.shown.scenario)
            )
            warned = {w.text_nl for w in self.shown.warnings}  # said under "Let op", not twice
            headline = headline_html(self.advice, warned)
            self.headline.value = headline + moved + steps_html(kt.next_steps(self.shown))
        m = self.first_kor_margin
        self.threshold.value = threshold_html(m.kor_turnover, m.threshold, m.policy, not m.within_threshold)

    def _draw_margin(self) -> None:
        """The margin of the year the headline speaks of, as the table has it (a split year's)."""
        self.show_chart(self.margin_chart, *margin_chart_spec(self.shown, lambda: self._margin_figure))

    @property
    def shown(self) -> kt.ScenarioResult:
        """The result on screen (a render step runs only once there is one)."""
        if self.result is None:
            raise RuntimeError("no result yet")
        return self.result

    @guarded
    def make_report(self, _button=None) -> None:
        """The client report for the case on screen, offered as a download (works read-only).

        The PDF travels as a data: link; the kortools Voila template clicks it once.
        """
        if self.result is None:
            return
        if not self.report_cooldown.ready():
            self.report_link.value = f"<i>{escape(self.report_cooldown.message())}</i>"
            return
        import base64

        from kortools.ui.report import report, report_file_name

        self.report_link.value = "<i>Rapport wordt gemaakt…</i>"
        try:
            pdf = report(self.result.scenario, variants=self.variant_scenarios())
        finally:  # clicks queued while it was made arrive now, inside the cool-down
            self.report_cooldown.start()
        self._report_count += 1
        href = "data:application/pdf;base64," + base64.b64encode(pdf).decode("ascii")
        self.report_link.value = (
            f'<a class="kt-autodownload" data-kt-id="{self._report_count}" '
            f'download="{escape(report_file_name(self.result.scenario))}" '
            f'href="{href}">Klik hier als de download niet vanzelf begint</a>'
        )

    def apply_query(self, query: str | None) -> dict[str, str]:
        """The URL's fields, then its variants (``variant=B;kor_vanaf=2027``, see ui.variants)."""
        errors = super().apply_query(query)
        current, _ = self.current_values()
        self.variants, problems = variants_from_query(query or "", current, self.specs)
        if self.variants or problems:
            self._build_tab(self.TABS.index("Varianten"))
            self.variant_choice.options = list(self.variants)
        if problems:
            self._say(" ".join(problems))
        return errors

    def address_query(self, values: Mapping[str, Any]) -> str:
        """The case's fields (App.address_query) and its variants: the share link, and the
        page's address."""
        variants = urlencode([("variant", variant_parameter(n, v, values)) for n, v in self.variants.items()])
        return "&".join(q for q in (super().address_query(values), variants) if q)

    def _link_html(self) -> str:
        query = self.address_query(self.values)
        books = getattr(self, "books", None)
        return (books_note_html(books) if books is not None else "") + (
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
            comparison_table_nl(self.shown.table).to_string(),
            "",
            "Waarschuwingen: " + (", ".join(w.title for w in self.shown.warnings) or "geen"),
            f"Aannames: {len(self.shown.assumptions)}",
        ]
        return "\n".join(lines)


def kor_verkenner(scenario: kt.Scenario | str | None = None, query: str | None = None) -> KorVerkenner:
    """Build the main dashboard on ``scenario`` (an example name, a Scenario, or None: a new
    case from today, ``kt.new_scenario``), URL applied; ``?voorbeeld=kapper`` in the URL
    opens an example."""
    return page_for(lambda link: _verkenner_on(scenario, link), query)  # None: the visitor's link


def _verkenner_on(scenario: kt.Scenario | str | None, query: str | None) -> KorVerkenner:
    example = dict(parse_qsl((query or "").lstrip("?"))).get("voorbeeld", "")
    if example in kt.example_scenarios():
        scenario = example
    key = scenario if isinstance(scenario, str) else ""
    if scenario is None:
        scenario = kt.new_scenario()
    elif isinstance(scenario, str):
        scenario = kt.example_scenario(scenario)
    return KorVerkenner(scenario, query, key)


def print_example_summary(name: str = "kapper") -> None:
    """Print the KOR-verkenner's figures for an example client (the notebook's nbval
    regression target); nothing under Voila, where the page opens on a new case."""
    if not running_under_voila():
        print(kor_verkenner(name, query="").summary_text())
