"""Widget and chart builders for the notebooks (no tax computed here: see kortools).

Importing this reads the tax data: in a pre-heated Voila kernel that happens before the
visitor's request (the notebook then waits for the page's query string). The dashboards
(and with them ipywidgets) are imported when first asked for, so that the command's
report and tables (``kortools.ui.report``, ``kortools.ui.text``) need no widget library:
``pip install kortools`` without the ``[dashboard]`` extra runs the CLI (issue #32).
"""

from typing import Any

from kortools.parameters import read_tax_data

read_tax_data()

__all__ = [
    "AftrekpostenApp",
    "HerzieningApp",
    "KorVerkenner",
    "aftrekposten_app",
    "herziening_app",
    "kor_verkenner",
]


def __getattr__(name: str) -> Any:
    """The dashboards, from ``kortools.ui.app`` on first use (module docstring)."""
    if name in __all__:
        from kortools.ui import app  # binds the dashboards on this package (app._publish_on_package)

        return getattr(app, name)
    raise AttributeError(f"module 'kortools.ui' has no attribute {name!r}")
