"""What a visitor's browser may set on a widget: the values a person enters (issue #31).

ipywidgets applies every ``update`` a browser sends to the kernel's widget (``set_state``),
whatever the trait: a visitor with the websocket can set a slider's ``max``, a text's
``description``, a ``Layout`` or an anywidget's ``_esm`` as easily as its ``value``. On a
served, read-only dashboard the limits, texts and code of a widget are the server's; a
person only moves values. ``install`` makes ``Widget.set_state`` take from the browser the
traits in :data:`BROWSER_SETTABLE` only (what the standard controls' views send) and drop
the rest, logged; the Python side still sets every trait as before (it does not use
``set_state``).
"""

from __future__ import annotations

import logging
from typing import Any

import ipywidgets as w

#: What ipywidgets 8's views send when a person uses them: a text, number, slider,
#: checkbox, date or upload's ``value``; a dropdown's, radio buttons' or toggle buttons'
#: ``index``; a tab's or accordion's ``selected_index``.
BROWSER_SETTABLE = frozenset({"value", "index", "selected_index"})
_log = logging.getLogger("kortools.ui")
_original_set_state = w.Widget.set_state


def from_browser(widget: w.Widget, sync_data: dict[str, Any]) -> dict[str, Any]:
    """The part of a browser's ``update`` this widget takes; the rest is logged and dropped."""
    allowed = getattr(widget, "browser_settable", BROWSER_SETTABLE)
    kept = {name: value for name, value in sync_data.items() if name in allowed}
    dropped = sorted(set(sync_data) - set(kept))
    if dropped:
        _log.warning("kortools: a browser update of %s dropped: %s", type(widget).__name__, dropped[:10])
    return kept


def _guarded_set_state(self: w.Widget, sync_data: dict[str, Any]) -> None:
    _original_set_state(self, from_browser(self, sync_data))


def install() -> None:
    """Every widget takes only :data:`BROWSER_SETTABLE` from the browser (idempotent)."""
    w.Widget.set_state = _guarded_set_state
