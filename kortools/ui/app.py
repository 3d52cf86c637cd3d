"""The dashboards, one module each (``verkenner``, ``herziening_app``, ``aftrekposten_app``)
on a shared base (``base``) and declared fields (``fields``); this module gathers their
public names for the notebooks and older imports."""

from kortools.ui.aftrekposten_app import AftrekpostenApp, aftrekposten_app, aftrekposten_specs
from kortools.ui.base import GENERIC_ERROR, LINK_LOST, MAX_AMOUNT, App, guarded, label_html, query_string
from kortools.ui.fields import FieldSpec, parse_inputs, parse_query
from kortools.ui.herziening_app import HerzieningApp, herziening_app, herziening_specs
from kortools.ui.verkenner import (
    KorVerkenner,
    kor_verkenner,
    scenario_to_values,
    threshold_html,
    values_to_scenario,
    verkenner_specs,
)

__all__ = [
    "GENERIC_ERROR",
    "LINK_LOST",
    "MAX_AMOUNT",
    "AftrekpostenApp",
    "App",
    "FieldSpec",
    "HerzieningApp",
    "KorVerkenner",
    "aftrekposten_app",
    "aftrekposten_specs",
    "guarded",
    "herziening_app",
    "herziening_specs",
    "kor_verkenner",
    "label_html",
    "parse_inputs",
    "parse_query",
    "query_string",
    "scenario_to_values",
    "threshold_html",
    "values_to_scenario",
    "verkenner_specs",
]


def _publish_on_package() -> None:
    """``kortools.ui.herziening_app`` is the function, not the module of that name: importing
    the submodule bound the module on the package; the dashboards are bound over it here."""
    import kortools.ui as package

    for name in package.__all__:
        setattr(package, name, globals()[name])


_publish_on_package()
