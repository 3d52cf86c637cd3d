"""Voila's query-string socket, without the stall a second socket on one id causes (issue #18).

With pre-heated kernels a page's kernel waits for its query string on
``/voila/query/<kernel id>``. Voila 0.5.13's ``RequestInfoSocketHandler.on_close``
deletes the last waiter it looked at when its own entry was replaced by a second socket
on the same id: another visitor's waiter, whose page then never finishes. Here a socket
removes only its own entry, a second socket on an id that is waited on is refused, and
the cached query strings of pages nobody collected are bounded.

``install(app, server_url)`` puts this handler in front of Voila's for the same path,
with tornado's public routing API (``Rule``, ``PathMatches``); the kernel manager calls it
once the server's application exists (kortools/serving/kernel_cap.py).
"""

from __future__ import annotations

from jupyter_server.services.kernels.handlers import _kernel_id_regex
from jupyter_server.utils import url_path_join
from tornado.routing import PathMatches, Rule
from tornado.web import Application
from voila.request_info_handler import RequestInfoSocketHandler

MAX_CACHED = 1000  # query strings kept for pages whose kernel has not asked yet
_asked: dict[str, None] = {}  # kernels that opened their query socket (oldest first, bounded)


class QuerySocketHandler(RequestInfoSocketHandler):
    """One waiter per kernel id; a socket forgets only itself."""

    def open(self, kernel_id: str) -> None:
        waiters = RequestInfoSocketHandler._waiters
        if waiters.get(kernel_id) not in (None, self):
            self.close(1008, "kortools: this kernel already has its query socket")
            return
        self._kernel_id = kernel_id
        _asked[kernel_id] = None
        drop_oldest(_asked, MAX_CACHED)
        super().open(kernel_id)

    def on_close(self) -> None:
        kernel_id = getattr(self, "_kernel_id", None)
        waiters = RequestInfoSocketHandler._waiters
        if kernel_id is not None and waiters.get(kernel_id) is self:
            del waiters[kernel_id]
        RequestInfoSocketHandler._cache.pop(kernel_id, None)
        trim_cache()


def asked_for_visitor(kernel_id: str) -> bool:
    """A pre-heated kernel has opened its query socket: its page is built (kortools.ui.base).
    Remembered after the socket closes: a kernel whose visitor came first asks and is
    answered at once."""
    return kernel_id in _asked


def drop_oldest(mapping: dict, limit: int) -> None:
    """Drop ``mapping``'s oldest entries (first inserted) past ``limit``."""
    for key in list(mapping)[: max(0, len(mapping) - limit)]:
        mapping.pop(key, None)


def trim_cache(limit: int = MAX_CACHED) -> None:
    """Drop the oldest cached query strings past ``limit``."""
    drop_oldest(RequestInfoSocketHandler._cache, limit)


def install(app: Application, server_url: str) -> None:
    """Route ``/voila/query/<id>`` to ``QuerySocketHandler``, ahead of Voila's own rule."""
    pattern = url_path_join(server_url, rf"/voila/query/{_kernel_id_regex}")
    router = app.default_router
    router.rules.insert(0, router.process_rule(Rule(PathMatches(pattern), QuerySocketHandler)))
