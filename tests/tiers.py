"""The suite's two tiers under ``make test`` (pytest-xdist, ``-n 2``; issue #36 item 3).

The tests that start servers, use the shared server or Chromium, or measure pacing run on
one worker, one after the other (:data:`SERVER_MODULES`); nbval's cells of one notebook
run together, in order; every other test goes to whichever worker is free.
"""

from __future__ import annotations

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
SERVER_FIXTURES = {"voila", "browser", "page"}


def xdist_scope(nodeid: str) -> str:
    """The unit one xdist worker runs whole: "server" for the server modules, the notebook
    for nbval's cells (they share the notebook's kernel, in order), else the test alone."""
    if "::Cell " in nodeid:  # nbval's "notebooks/herziening.ipynb::Cell 3"
        return nodeid.rsplit("::Cell ", 1)[0]
    return "server" if Path(nodeid.split("::")[0]).stem in SERVER_MODULES else nodeid


def scheduler(config, log):
    """xdist's loadscope with :func:`xdist_scope` (its loadgroup reads ``item._nodeid``,
    which pytest 9 no longer has: the groups were silently ignored)."""
    from xdist.scheduler import LoadScopeScheduling

    class ServerTestsOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return ServerTestsOnOneWorker(config, log)
