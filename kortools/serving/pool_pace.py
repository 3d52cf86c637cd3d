"""Pre-heated pages built a few at a time, and the main dashboard's pool size (issue #22 item 3).

A kernel of Voila's pool runs its notebook before anyone asks for the page: the dashboard
is built and drawn, then the kernel waits for its visitor on ``/voila/query/<kernel id>``
(kortools/ui/base.py ``built_for_visitor``). A burst of visitors empties the pool at once
and Voila starts a refill for every page taken, all together: 50 pages being built share
the two cores with the visitors who just arrived (their sliders waited seconds). Here pool
kernels start one after the other as the last one reaches its wait (at most
``at_once`` building; a kernel that never gets there frees its turn after ``timeout``),
leaving the rest of the machine to the visitors. A visitor's own kernel (the pool empty)
is never held back.

Refills also wait while visitors are at work: a pool kernel's turn comes when no page has
been asked for and no kernel with a page open has been active for ``quiet`` seconds
(``visitors_idle_for``), or after ``hold`` seconds at most.
A page built in advance moves work to a quiet moment; built while 50 visitors move
their sliders it only takes the cores from them (slider median 0.30 s against 0.11 s
without refills, benchmarks/capacity.py). A visitor takes only a page whose kernel has
started (``ready``); one whose refill still waits gets a kernel of its own at once.

``KORTOOLS_POOL`` (when the server starts) is the number of main-dashboard pages kept
ready; voila.json's ``default_pool_size`` (1) holds for the other dashboards and when
it is unset. A page kept ready costs about 45 MB (PSS, forked kernel).
"""

from __future__ import annotations

import asyncio
import math
import os
import time
import weakref
from collections.abc import Awaitable, Callable

ENV_POOL = "KORTOOLS_POOL"
MAIN_NOTEBOOK = "kor_verkenner.ipynb"
MAX_POOL = 500


def is_pool_start(kwargs: dict) -> bool:
    """A kernel Voila starts for its pool (not for a visitor who is waiting)."""
    return (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "True"


def pool_size_from_environment(environ: os._Environ | dict = os.environ) -> int | None:
    """``KORTOOLS_POOL`` as a whole number 0–500; None when unset; ValueError otherwise."""
    text = environ.get(ENV_POOL, "").strip()
    if not text:
        return None
    try:
        size = int(text)
    except ValueError:
        size = -1
    if not 0 <= size <= MAX_POOL:
        raise ValueError(f"{ENV_POOL} must be a whole number of pages, 0 to {MAX_POOL}; got {text!r}")
    return size


def pool_within_cap(size: int, cap: int) -> int:
    """The pages kept ready, at most half the kernel cap: kept pages hold kernels, and a
    pool as large as the cap would leave a visitor with a link only the busy page (503)."""
    return min(size, cap // 2)


def with_main_pool(pools_config: dict, size: int) -> dict:
    """Voila's ``kernel_pools_config`` with the main dashboard's pool set to ``size``."""
    main = dict(pools_config.get(MAIN_NOTEBOOK, pools_config.get("default", {})))
    return {**pools_config, MAIN_NOTEBOOK: {**main, "pool_size": size}}


def default_at_once() -> int:
    """Pool kernels building at once: half the cores (at least one)."""
    return max(1, (os.cpu_count() or 1) // 2)


def never_busy() -> float:
    """Seconds since visitors were last active, for a server without visitors: ever."""
    return math.inf


class PoolPace:
    """Turns for pool kernels: ``start(...)`` waits until visitors have been quiet for
    ``quiet`` seconds (``visitors_idle_for()``; at most ``hold`` seconds), then for a turn;
    a turn ends when the kernel has asked for its visitor (``waiting(kernel_id)``), dies,
    or after ``timeout`` seconds."""

    def __init__(
        self,
        at_once: int,
        timeout: float,
        waiting: Callable[[str], bool],
        visitors_idle_for: Callable[[], float] = never_busy,
        quiet: float = 1.0,
        hold: float = 120.0,
    ) -> None:
        self.at_once, self.timeout, self.waiting = at_once, timeout, waiting
        self.visitors_idle_for, self.quiet, self.hold = visitors_idle_for, quiet, hold
        self._turns: asyncio.Semaphore | None = None
        self._watchers: set[asyncio.Task] = set()
        self._started: weakref.WeakSet[asyncio.Future] = weakref.WeakSet()

    def ready(self, item: asyncio.Future) -> bool:
        """A pool entry a visitor may take: its kernel has started (or it has finished well)."""
        if item.done():
            return not item.cancelled() and item.exception() is None
        return item in self._started

    async def start(self, start: Callable[[], Awaitable[str]], alive: Callable[[str], bool]) -> str:
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.at_once)
        await self._turns.acquire()
        try:
            await self._until_visitors_quiet()  # with the turn: each refill finds its own quiet moment
            task = asyncio.current_task()
            if task is not None:
                self._started.add(task)
            kernel_id = await start()
        except BaseException:  # cancelled (the server stops) or failed: the turn is free
            self._turns.release()
            raise
        watcher = asyncio.ensure_future(self._end_turn(kernel_id, alive))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return kernel_id

    async def _until_visitors_quiet(self) -> None:
        deadline = time.monotonic() + self.hold
        while self.visitors_idle_for() < self.quiet and time.monotonic() < deadline:
            await asyncio.sleep(0.1)

    async def _end_turn(self, kernel_id: str, alive: Callable[[str], bool]) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while not self.waiting(kernel_id) and alive(kernel_id) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            assert self._turns is not None
            self._turns.release()
