"""The suite's two tiers under ``make test`` (pytest-xdist, ``-n 2``; issue #36 item 3).

The tests that start servers, use the shared server or Chromium, or measure pacing run on
one worker, one after the other (:data:`SERVER_MODULES`, and any module whose functions
take the server fixtures); nbval's cells of one notebook run together, in order; every
other test goes to whichever worker is free.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

SERVER_MODULES = {
    "test_a11y",
    "test_browser",
    "test_browser_adviser",
    "test_cli_safety",
    "test_cluster",
    "test_fork",
    "test_kernel_bounds",
    "test_kernel_cap",
    "test_pool_pace",
    "test_serving",
    "test_visitor_bounds",
    "test_voila_query",
    "test_websocket_guard",
}
SERVER_FIXTURES = {"voila", "browser", "page", "extra_server"}


#: A function (test or fixture) taking the shared server or Chromium, or the browser mark.
USES_SERVER = re.compile(rf"def \w+\([^)]*\b(?:{'|'.join(sorted(SERVER_FIXTURES))})\b|pytest\.mark\.browser")


@functools.cache
def uses_server(path: str) -> bool:
    """A test module of the server tier: listed, or (a module not listed yet) one whose
    functions take the server fixtures or that carries the browser mark."""
    file = Path(path)
    if file.stem in SERVER_MODULES:
        return True
    try:
        return bool(USES_SERVER.search(file.read_text(encoding="utf-8")))
    except OSError:
        return False


def xdist_scope(nodeid: str) -> str:
    """The unit one xdist worker runs whole: "server" for the server tier, the notebook for
    nbval's cells (they share the notebook's kernel, in order), else the test alone."""
    if "::Cell " in nodeid:  # nbval's "notebooks/herziening.ipynb::Cell 3"
        return nodeid.rsplit("::Cell ", 1)[0]
    return "server" if uses_server(nodeid.split("::")[0]) else nodeid


def scheduler(config, log):
    """xdist's loadscope with :func:`xdist_scope` (its loadgroup reads ``item._nodeid``,
    which pytest 9 no longer has: the groups were silently ignored)."""
    from xdist.scheduler import LoadScopeScheduling

    class ServerTestsOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ServerTestsOnOneWorker(config, log)
