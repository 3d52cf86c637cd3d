"""Widgets that share their Layout and style models, so a page loads fewer models.

Every ipywidgets control comes with its own ``Layout`` model and (for most controls)
its own style model. Under Voila the browser builds every model before it shows a
widget, one kernel round trip each, so page load time grows with the model count.
Widgets with the same layout and style can share one model of each; the main
dashboard went from 166 models to about 80 this way (docs/architecture.md, "The dashboard's design").

Shared models must not be changed after building: a change would show on every widget
that shares them. The dashboards never change a layout or style after building.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import ipywidgets as w
from comm import get_comm_manager
from ipywidgets.widgets.widget import _instances


class SharedModels:
    """Builds widgets whose Layout and style models are shared by equal settings."""

    def __init__(self) -> None:
        self._layouts: dict[tuple, w.Layout] = {}
        self._styles: dict[tuple, w.Widget] = {}

    def layout(self, **css: str) -> w.Layout:
        """The one ``Layout`` with these CSS settings (``width="100px"``, ...)."""
        key = tuple(sorted(css.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**css)
        return self._layouts[key]

    def style(self, widget_class: type[w.Widget], **settings: Any) -> w.Widget | None:
        """The one style model of ``widget_class``'s style type with these settings."""
        trait = widget_class.class_traits().get("style")
        if trait is None:  # boxes, images and tabs have no style model
            return None
        key = (trait.klass, tuple(sorted(settings.items())))
        if key not in self._styles:
            self._styles[key] = trait.klass(**settings)
        return self._styles[key]

    def __call__(
        self,
        widget_class: type[w.Widget],
        *args: Any,
        layout: dict[str, str] | None = None,
        style: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> w.Widget:
        """``widget_class(*args, **kwargs)`` with a shared layout (CSS dict) and style."""
        shared_style = self.style(widget_class, **(style or {}))
        if shared_style is not None:
            kwargs["style"] = shared_style
        return _hold(widget_class(*args, layout=self.layout(**(layout or {})), **kwargs))

    def html(self, value: str = "") -> w.HTML:
        return self(w.HTML, value=value)


_held: list[ExitStack] = []  # the open ``holding`` block, if any


@contextmanager
def holding() -> Iterator[None]:
    """Every widget made inside the block (by a ``SharedModels``) sends what changed after it
    was made once, at the end of the block, in one message (``hold_sync``). A page built and
    then filled (labels, classes, names, values, charts) sent about 280 messages at first
    paint, half of them updates of widgets just opened; each costs the kernel, the Voila
    server and the browser (issue #22 item 3). Nested blocks: the outer one sends."""
    if _held:
        yield
        return
    with ExitStack() as held:
        _held.append(held)
        try:
            yield
        finally:
            _held.clear()


def _hold(widget: w.Widget) -> w.Widget:
    if _held:
        _held[0].enter_context(widget.hold_sync())
    return widget


@contextmanager
def made_widgets() -> Iterator[set[str]]:
    """The model ids of the widgets made inside the block (filled when it ends)."""
    made: set[str] = set()
    before = set(_instances)
    try:
        yield made
    finally:
        made.update(set(_instances) - before)


_forgotten: list[w.Widget] = []


def forget(model_ids: set[str]) -> None:
    """Widgets no page will show, dropped without a message: the browser never asked for them
    (it loads the models that exist when it connects), so it needs no ``comm_close``. Kept
    referenced, as a collected comm would send one after all."""
    manager = get_comm_manager()
    for model_id in model_ids:
        widget = _instances.pop(model_id, None)
        if widget is not None and widget.comm is not None:
            manager.unregister_comm(widget.comm)
            _forgotten.append(widget)
