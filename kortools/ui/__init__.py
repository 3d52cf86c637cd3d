"""Widget and chart builders for the notebooks (no tax computed here: see kortools)."""

from kortools.ui.app import (
    AftrekpostenApp,
    HerzieningApp,
    KorVerkenner,
    aftrekposten_app,
    herziening_app,
    kor_verkenner,
)

__all__ = [
    "AftrekpostenApp",
    "HerzieningApp",
    "KorVerkenner",
    "aftrekposten_app",
    "herziening_app",
    "kor_verkenner",
]
