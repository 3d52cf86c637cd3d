"""The dashboards' shared machinery: the app base (controls with an error line, a guarded
refresh, no traceback on the page), the query string under Voila, the logger.

Design (see docs/architecture.md, "The dashboard's design"): no ``interactive_output`` and no ``Output``
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
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlencode

import ipywidgets as w
from traitlets import Unicode

import kortools as kt
from kortools.inputs import DASHBOARD_MAX_AMOUNT
from kortools.ui import browser_state
from kortools.ui.fields import FieldSpec, amount_text, parse_inputs, parse_query
from kortools.ui.models import SharedModels, forget, holding, made_widgets
from kortools.ui.text import (
    NAVIGATION,
    STYLE,
    address_html,
    dutch_error,
    escape,
)

log = logging.getLogger("kortools.ui")
browser_state.install()  # a visitor's browser moves values, never limits, texts or code (#31)
if os.environ.get("KORTOOLS_LOG_FILE"):
    log.addHandler(logging.FileHandler(os.environ["KORTOOLS_LOG_FILE"]))

GENERIC_ERROR = (
    "Er ging iets mis bij het rekenen. De laatste geldige uitkomst blijft staan; "
    "probeer andere invoer of laad de pagina opnieuw."
)
MAX_AMOUNT = DASHBOARD_MAX_AMOUNT  # said once, in kortools.inputs


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


AppT = TypeVar("AppT", bound="App")


def page_for(build: Callable[[str | None], AppT], query: str | None) -> AppT:
    """``build(query)`` inside ``holding()``; ``query`` None: the visitor's, as
    ``built_for_visitor`` gets it under Voila."""

    def held(link: str | None) -> AppT:
        with holding():  # each widget's changes after it was made go in one message
            return build(link)

    return built_for_visitor(held) if query is None else held(query)


def built_for_visitor(build: Callable[[str | None], AppT]) -> AppT:
    """The page's app built on its query string (``build(query)``).

    A kernel of Voila's pool runs the notebook before anyone asks for the page: it builds
    the page without a query first, then waits for its visitor, and a visitor without one
    gets that page as it is: built and drawn before arriving (issue #22 item 3). A visitor
    with a link (or on another day than the early page's) gets a page built on it, the
    early one's widgets forgotten unsent.
    """
    from kortools.ui.voila_query import awaiting_visitor

    if not awaiting_visitor():
        return build(query_string())
    day = kt.today()
    with made_widgets() as early:
        app = build("")
        app.widget  # noqa: B018 - the page's boxes too: the whole page before the visitor
    query = query_string()  # waits for the visitor
    if query == "" and kt.today() == day:
        return app
    forget(early)
    return build(query)


LINK_LOST = (
    "De instellingen uit de link konden niet worden gelezen; hieronder staat een nieuwe berekening. "
    "Laad de pagina opnieuw om de link te gebruiken."
)


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


def label_html(title: str, help_text: str, error: str | None, read: str | None = None) -> str:
    """A control's label, with its error message (if any) right under it, above the control;
    ``read``: what an amount was read as (``= € 16,50``), shown where there is no error."""
    label = f"<b>{escape(title)}</b>{escape(help_text)}"
    if read:
        label += f' <span class="kt-read">{escape(read)}</span>'
    return label + (f'<div class="kt-error">{escape(error)}</div>' if error else "")


class ChartImage(w.Image):
    """An image whose tooltip (its title, the chart's figures in words) can be set.

    ipywidgets' JavaScript view reads ``description`` when it shows a tooltip, a trait an
    ``Image`` does not have (a TypeError, the chart not drawn); this one syncs an empty one.
    """

    description = Unicode("").tag(sync=True)


def name_control(control: w.Widget, title: str) -> None:
    """Give a control its programmatic name, the declared label (issue #22 item 1).

    ipywidgets links a ``description`` to the input (``<label for=…>``); the bold label
    above the control already shows the words, so the description is hidden visually
    (``.kt-named``) but stays the name a screen reader says. A checkbox keeps its own
    visible description. A slider's handle gets the same name from the page's script.
    """
    if isinstance(control, w.Checkbox) or "description" not in control.trait_names():
        return
    control.description = title
    control.add_class("kt-named")


def named_traits(name: str, title: str) -> dict[str, Any]:
    """What :func:`name_control` sets, given when field ``name``'s control is made (each trait
    set after is one more message at first paint, issue #22 item 3), with the class the
    browser tests find it by."""
    return {"description": title, "_dom_classes": (f"kt-field-{name}", "kt-named")}


class App:
    """Shared machinery: controls with an error line under each, status line, refresh guard."""

    specs: Mapping[str, FieldSpec] = {}
    sections: list[w.Widget]  # the controls, grouped (each dashboard builds its own)

    @cached_property
    def widget(self) -> w.Widget:
        """The dashboard's page (each dashboard lays out its own), made once."""
        raise NotImplementedError

    def summary_text(self) -> str:
        """The figures as text, for notebooks and nbval (each dashboard says its own)."""
        raise NotImplementedError

    def __init__(self) -> None:
        self.make = SharedModels()
        self.controls: dict[str, w.Widget] = {}
        self.labels: dict[str, w.HTML] = {}
        self.help: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.status = self.make.html()
        self._address_query = ""  # the case as the page's address (text.address_html)
        self.notice = ""  # shown above any other message, e.g. LINK_LOST
        self.last_error: Exception | None = None
        self._silent = False
        self.first_outputs: list[w.Widget] = []  # what a phone shows first (``columns``)

    def add_control(self, name: str, control: w.Widget, help_text: str = "") -> list[w.Widget]:
        """Register a control; returns [label with error line, control] for the layout.

        One HTML widget per control carries both label and error: every widget is a model
        (plus layout and style models) the browser builds at page load.
        """
        spec = self.specs.get(name)
        self.controls[name] = control
        control.add_class(f"kt-field-{name}")  # for the browser tests; no extra widget model
        self.help[name] = (spec.help if spec else "") + help_text
        self.titles[name] = self.titles_of(name)
        self.labels[name] = self.make.html(label_html(self.titles[name], self.help[name], None))
        name_control(control, self.titles[name])
        control.observe(self._on_change, names="value")
        return [self.labels[name], control]

    def titles_of(self, name: str) -> str:
        """Field ``name``'s label, from its declaration (its name where it has none)."""
        spec = self.specs.get(name)
        return spec.label if spec and spec.label else name

    def add_bare_control(self, name: str, control: w.Widget) -> None:
        """Register a control that has no label of its own (a year-table cell)."""
        self.controls[name] = control
        self.titles[name] = self.titles_of(name)
        name_control(control, self.titles[name])
        control.observe(self._on_change, names="value")

    def field(self, name: str, value: Any, help_text: str = "") -> list[w.Widget]:
        """The control of field ``name`` built from its declaration (``self.specs``), registered."""
        spec = self.specs[name]
        width = {"width": spec.width} if spec.width else None
        named = named_traits(name, self.titles_of(name))
        if spec.kind == "float":
            control = self.money_input(value, **named)
        elif spec.kind in ("percent", "int") and spec.widget in ("", "bounded"):
            # typed text read as a Dutch person means it (fields.FieldSpec.parse): a number
            # input would read "3,5" as 35 in a Dutch browser, turn an emptied field into the
            # last value and clamp out of range in silence (issue #35 item 1)
            layout = width or {"width": "100px"}
            text = spec.text_of(value)
            control = self.make(w.Text, text, continuous_update=False, layout=layout, **named)
        elif spec.kind == "text":
            layout = width or {"width": "280px"}
            control = self.make(w.Text, value, continuous_update=False, layout=layout, **named)
        elif spec.kind == "bool":
            control = self.make(
                w.Checkbox,
                value,
                description=spec.description,
                indent=False,
                _dom_classes=(f"kt-field-{name}",),
            )
        elif spec.widget == "toggle":
            control = self.make(
                w.ToggleButtons,
                options=list(spec.choices),
                value=value,
                style={"button_width": "55px"},
                **named,
            )
        elif spec.widget == "dropdown" or spec.kind == "choice":
            layout = width or {"width": "100px"}
            control = self.make(w.Dropdown, options=list(spec.choices), value=value, layout=layout, **named)
        elif spec.widget == "slider":
            control = self.make(
                w.IntSlider,
                value,
                min=int(spec.low),
                max=int(spec.high),
                step=1,
                continuous_update=False,
                readout_format="d",
                layout=width or {"width": "260px"},
                **named,
            )
        else:
            raise ValueError(f"no control for field {name} ({spec.kind}, {spec.widget})")
        return self.add_control(name, control, help_text)

    def page(self, title: str, outputs: list[w.Widget], first: int = 3) -> w.Widget:
        """The page of a one-column dashboard: title, the controls left, ``outputs`` right;
        on a phone the ``first`` outputs (the answer) come before the controls."""
        heading = self.make.html(f"{STYLE}{NAVIGATION}<h2>{escape(title)}</h2>")
        return self.make(w.VBox, [heading, self.columns(self.sections, outputs, first)])

    def columns(self, controls: list[w.Widget], outputs: list[w.Widget], first: int) -> w.Widget:
        """Controls left and results right; below 700 px one column with the ``first``
        results, then the controls, then the other results (``text.STYLE``, issue #22 item 2)."""
        self.first_outputs = outputs[:first]
        for output in self.first_outputs:
            output.add_class("kt-first")
        left = self.make(w.VBox, controls, layout={"width": "330px", "padding": "0 12px 0 0"})
        right = self.make(w.VBox, outputs, layout={"flex": "1", "min_width": "400px"})
        left.add_class("kt-controls")
        right.add_class("kt-results")
        row = self.make(w.HBox, [left, right], layout={"flex_flow": "row wrap"})
        row.add_class("kt-main")
        return row

    def money_input(self, value: float, **settings: Any) -> w.Text:
        """An amount typed as a Dutch person types it (``16.500``), shown in Dutch notation."""
        return self.make(
            w.Text, value=amount_text(value), continuous_update=False, layout={"width": "150px"}, **settings
        )

    def chart_image(self) -> w.Image:
        """A chart's place on the page: PNG bytes set on it by :meth:`show_chart`."""
        image = self.make(ChartImage, format="png", layout={"width": "100%", "max_width": "640px"})
        image.add_class("kt-chart")
        return image

    @staticmethod
    def show_chart(image: w.Image, figure: Any, alt: str, key: tuple | None = None) -> None:
        """Draw ``figure`` on ``image`` with its figures in words as the text alternative
        (``chart_text``; the widget's tooltip is the image's title, the page's script makes
        it the ``alt`` too). With ``key`` (what the chart shows), ``figure`` is a function that
        draws it, called only when the chart is not in ``charts.PNG_CACHE``."""
        from kortools.ui.charts import cached_png, to_png

        image.tooltip = alt  # first, so the image never shows without its words
        image.value = cached_png(key, figure) if key is not None else to_png(figure)

    def _on_change(self, _change=None) -> None:
        if not self._silent:
            self.refresh()

    def set_values(self, values: Mapping[str, Any]) -> None:
        """Set controls without a refresh per control."""
        self._silent = True
        try:
            for name, value in values.items():
                control, spec = self.controls[name], self.specs.get(name)
                if isinstance(control, w.Text) and not isinstance(value, str):
                    value = spec.text_of(value) if spec else amount_text(value)
                control.value = value
        finally:
            self._silent = False

    def current_values(self) -> tuple[dict, dict]:
        return parse_inputs({n: c.value for n, c in self.controls.items()}, self.specs)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        for name, label in self.labels.items():
            note = None if name in errors else self.read_note(name)
            label.value = label_html(self.titles[name], self.help[name], errors.get(name), note)
        self.status.value = (
            (f'<div class="kt-message">{escape(self.notice)}</div>' if self.notice else "")
            + (
                '<div class="kt-message">Niet alle invoer is geldig (zie rood); de uitkomst hieronder '
                "hoort bij de laatste geldige invoer.</div>"
                if errors
                else ""
            )
            + (address_html(self._address_query) if self._address_query else "")
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
            if fault and url_value(values.get(fault.split("=")[0])) == fault.split("=")[-1]:
                raise RuntimeError(f"injected fault {fault}")
            try:
                self.compute(values)
            except kt.InputError as error:
                field, message = dutch_error(error, dict(self.titles), self.model_fields())
                errors = {field if field in self.controls else next(iter(self.controls)): message}
            else:
                self._address_query = self.address_query(values)
        self.show_errors(errors)

    def address_query(self, values: Mapping[str, Any]) -> str:
        """The query string of the case on screen (its fields in the link's notation)."""
        return urlencode([(k, url_value(v)) for k, v in values.items() if v is not None])

    def read_note(self, name: str) -> str | None:
        """``= € 16,50``, ``= 3,5%``: what a typed number was read as, where that differs from
        what was typed (issue #20 item 8), and ``bedoelt u € 16.500?`` under a small amount
        where thousands are usual (issue #35 item 1); None where there is nothing to say."""
        spec, control = self.specs.get(name), self.controls[name]
        if spec is None or not isinstance(control.value, str):
            return None
        return spec.read_nl(control.value)

    def model_fields(self) -> dict[str, str]:
        """Model field → this dashboard's field, from the declarations (``FieldSpec.field``)."""
        return {spec.field: name for name, spec in self.specs.items() if spec.field}

    def compute(self, values: Mapping[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self) -> None:
        """Display the app (``widget``) in Jupyter or Voila; under Voila the answer first
        as plain HTML too, shown until the widgets are built (``first_paint``)."""
        from IPython.display import HTML, display

        from kortools.ui.first_paint import PREVIEW_METADATA, first_paint_html

        page = self.widget  # lays out the page: it declares the first outputs
        if running_under_voila():
            display(HTML(first_paint_html(self.first_outputs)), metadata=PREVIEW_METADATA)
        display(page)

    def print_summary(self) -> None:
        """Print ``summary_text()`` in Jupyter and under nbval; nothing under Voila."""
        if not running_under_voila():
            print(self.summary_text())


def url_value(value: Any) -> str:
    """A value for the share link, in the notation its reader accepts (kortools.dutch):
    ``ja``/``nee``, whole numbers as digits, other amounts with a decimal comma and no
    grouping (``5206,61``; never three decimals, which could be read as thousands)."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        digits = f"{value:.6f}".rstrip("0")
        whole, decimals = digits.split(".")
        return f"{whole},{decimals + '0' if len(decimals) == 3 else decimals}"
    return str(value)


def callable_module(module_name: str, function: Callable) -> None:
    """Make the module ``module_name`` callable as ``function``: ``kortools.ui.herziening_app``
    is both a module and the dashboard function of that name, and ``from kortools.ui import
    herziening_app`` finds the module when it was imported before the package bound the
    function over it (a kernel forked after the zygote imported the module)."""
    import sys
    import types

    class _CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return function(*args, **kwargs)

    sys.modules[module_name].__class__ = _CallableModule
