"""Widget and chart builders for the notebooks (no tax computed here: see kortools).

Importing this reads the tax data: in a pre-heated Voila kernel that happens before the
visitor's request (the notebook then waits for the page's query string).
"""

from kortools.parameters import read_tax_data
from kortools.ui import browser_state
from kortools.ui.app import (
    AftrekpostenApp,
    HerzieningApp,
    KorVerkenner,
    aftrekposten_app,
    herziening_app,
    kor_verkenner,
)

read_tax_data()
browser_state.install()  # a visitor's browser moves values, never limits, texts or code (#31)

__all__ = [
    "AftrekpostenApp",
    "HerzieningApp",
    "KorVerkenner",
    "aftrekposten_app",
    "herziening_app",
    "kor_verkenner",
]
