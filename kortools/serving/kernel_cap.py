"""A cap on live kernels for the Voila server (issue #14; upstream voila issue #617).

Voila starts a Python kernel (about 140 MB) for every page request and nothing limits
how many: anyone who can reach the page can exhaust the server's memory by reloading
it. ``CappedKernelManager`` is the kernel manager Voila uses (``voila.json``:
``VoilaConfiguration.multi_kernel_manager_class``); it refuses to start a kernel past
the cap, pre-heated pool included. A refused page request gets HTTP 503 with
``Retry-After`` and the template's small Dutch page (``503.html``: "Het is nu druk").

The cap, in order of precedence:
1. the environment variable ``KORTOOLS_MAX_KERNELS`` when the server starts;
2. ``CappedKernelManager.max_kernels`` in ``voila.json`` (0: derive it);
3. derived: (machine memory − ``reserve_mb``) / ``kernel_size_mb`` (80 MB for a
   kernel forked from the zygote, 140 MB for one started the ordinary way).
The server prints the cap and where it came from at start.

The cap counts kernels; memory is bounded for the server as a whole too
(``kortools/serving/memory_guard.py``): when the machine has less than
``min_available_mb`` available, new kernels are refused and the largest visitor kernel is
ended, every ``memory_check_seconds``, until there is room (issue #31 item 1).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from datetime import datetime, timedelta
from pathlib import Path

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from tornado.web import HTTPError, OutputTransform
from traitlets import Float, Int, Unicode, default

from kortools.serving import memory_guard
from kortools.serving.pool_pace import (
    ENV_POOL,
    MAIN_NOTEBOOK,
    PoolPace,
    default_at_once,
    is_pool_start,
    pool_size_from_environment,
    pool_within_cap,
    with_main_pool,
)

ENV_MAX_KERNELS = "KORTOOLS_MAX_KERNELS"
FORK_PROVISIONER = "kortools-fork"
# One main-dashboard kernel after its page loaded, measured by benchmarks/kernel_memory.py
# (2026-11-30): forked from the zygote 59 MB PSS (80 leaves room for the pages a kernel
# copies as it is used); started the ordinary way 140 MB RSS.
FORKED_KERNEL_MB, ORDINARY_KERNEL_MB = 80, 140
CGROUP_MEMORY_MAX = Path("/sys/fs/cgroup/memory.max")


class KernelCapReached(HTTPError):
    """A page request past the kernel cap: answered 503 with the Dutch busy page."""

    def __init__(self, max_kernels: int, retry_after: int):
        super().__init__(503, "kernel cap of %d reached", max_kernels, reason="Service Unavailable")
        self.max_kernels = max_kernels
        self.retry_after = retry_after


class RetryAfterOn503(OutputTransform):
    """Adds ``Retry-After`` to 503 answers (tornado's error path clears handler headers)."""

    seconds = 60

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if status_code == 503 and "Retry-After" not in headers:
            headers["Retry-After"] = str(self.seconds)
        return status_code, headers, chunk


def machine_memory_mb() -> float:
    """This machine's memory, or the cgroup (container) limit when that is lower."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    try:
        limit = CGROUP_MEMORY_MAX.read_text().strip()
    except OSError:
        return memory
    return min(memory, int(limit) / 2**20) if limit.isdigit() else memory


def kernel_size_mb_for(provisioner: str | None) -> int:
    """The memory one kernel takes, by how kernels start (voila.json's provisioner)."""
    return FORKED_KERNEL_MB if provisioner == FORK_PROVISIONER else ORDINARY_KERNEL_MB


def derived_max_kernels(memory_mb: float, reserve_mb: float, kernel_size_mb: float) -> int:
    """How many kernels fit: (memory − reserve) / kernel size, at least 1."""
    return max(1, int((memory_mb - reserve_mb) // kernel_size_mb))


def parse_max_kernels(text: str, source: str) -> int:
    """A cap given as text (the environment variable): a whole number ≥ 1, else refused."""
    try:
        cap = int(text.strip())
    except ValueError:
        cap = 0
    if cap < 1:
        raise ValueError(f"{source} must be a whole number of kernels, 1 or more; got {text!r}")
    return cap


class CappedKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a cap on live kernels (starting ones included)."""

    max_kernels = Int(
        0,
        config=True,
        help=f"Most live kernels, pre-heated pool included; 0 derives it from memory. "
        f"The environment variable {ENV_MAX_KERNELS} overrides it.",
    )
    kernel_size_mb = Int(
        config=True,
        help="Memory of one dashboard kernel (MB), for the derived cap: by default "
        f"{FORKED_KERNEL_MB} with forked kernels, {ORDINARY_KERNEL_MB} without "
        "(benchmarks/kernel_memory.py).",
    )
    reserve_mb = Int(1024, config=True, help="Memory kept for the server and the system (MB).")
    retry_after = Int(60, config=True, help="Seconds a refused visitor is asked to wait (Retry-After).")
    cull_connected_after = Int(
        3600,
        config=True,
        help="Seconds without a message after which a kernel is culled even with a page "
        "connected (0: never); kernels without a page go after cull_idle_timeout.",
    )

    min_available_mb = Int(
        config=True,
        help="Below this much available memory (MB; the machine's or its cgroup's) new kernels "
        "are refused and the largest visitor kernel is ended; by default reserve_mb.",
    )
    memory_check_seconds = Float(2.0, config=True, help="Seconds between checks of available memory.")
    meminfo_path = Unicode(
        str(memory_guard.MEMINFO), config=True, help="Where MemAvailable is read (tests give a file)."
    )

    pool_builds_at_once = Int(
        0,
        config=True,
        help="Pre-heated pages built at once (0: half the cores); the next pool kernel starts "
        "when one waits for its visitor (kortools/serving/pool_pace.py).",
    )
    pool_build_timeout = Float(30, config=True, help="Seconds a pool kernel's turn lasts at most.")
    pool_quiet_seconds = Float(
        1.0,
        config=True,
        help="A refill of the pool waits until no page has been asked for and no kernel with a "
        "page open has been active for this many seconds (visitors first).",
    )
    pool_hold_seconds = Float(
        120, config=True, help="Seconds a refill waits at most for the visitors to be quiet."
    )

    @default("kernel_size_mb")
    def _kernel_size_default(self) -> int:
        factory = self.config.get("KernelProvisionerFactory", {})
        return kernel_size_mb_for(factory.get("default_provisioner_name"))

    @default("min_available_mb")
    def _min_available_default(self) -> int:
        return self.reserve_mb

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._memory_watch: PeriodicCallback | None = None
        self._starting: set[str] = set()
        self._ending: set[asyncio.Future] = set()
        self._last_page_request: datetime | None = None
        self._installed = False
        self._closing = False
        self.cap, source = self._resolve_cap()
        RetryAfterOn503.seconds = self.retry_after
        self.log.info("kortools: at most %d live kernels (%s)", self.cap, source)
        self._set_main_pool()
        self._pace = PoolPace(
            self.pool_builds_at_once or default_at_once(),
            self.pool_build_timeout,
            _asked_for_visitor,
            visitors_idle_for=self.visitors_idle_for,
            quiet=self.pool_quiet_seconds,
            hold=self.pool_hold_seconds,
        )
        if hasattr(self, "get_pool_size"):  # Voila's subclass: its handler asks this
            self.get_pool_size = self.ready_pool_size
        # Runs when the server's loop starts: Voila has built its application by then
        # (start_kernel installs it too, should there be no loop yet here).
        with contextlib.suppress(RuntimeError):  # no event loop in this thread
            asyncio.get_event_loop().call_soon(self._install_on_app)

    def _resolve_cap(self) -> tuple[int, str]:
        text = os.environ.get(ENV_MAX_KERNELS, "").strip()
        if text:
            return parse_max_kernels(text, ENV_MAX_KERNELS), f"{ENV_MAX_KERNELS}={text}"
        if self.max_kernels > 0:
            return self.max_kernels, "CappedKernelManager.max_kernels in voila.json"
        memory = machine_memory_mb()
        cap = derived_max_kernels(memory, self.reserve_mb, self.kernel_size_mb)
        return cap, (
            f"derived: ({memory:.0f} MB memory − {self.reserve_mb} MB) / {self.kernel_size_mb} MB per kernel"
        )

    def _set_main_pool(self) -> None:
        """``KORTOOLS_POOL``: the main dashboard's pages kept ready (Voila's pool for it)."""
        size = pool_size_from_environment()
        if size is None or not hasattr(self, "kernel_pools_config"):
            return
        kept = pool_within_cap(size, self.cap)
        if kept < size:
            self.log.warning(
                "kortools: %s=%d is more than half the kernel cap (%d); %d pages kept ready, "
                "so that visitors keep kernels of their own",
                ENV_POOL,
                size,
                self.cap,
                kept,
            )
        pools: dict = getattr(self, "kernel_pools_config")  # noqa: B009 - Voila's subclass has it
        self.kernel_pools_config = with_main_pool(pools, kept)
        self.log.info("kortools: %d pages of %s kept ready (%s)", kept, MAIN_NOTEBOOK, ENV_POOL)

    def visitors_idle_for(self) -> float:
        """Seconds since visitors were last at work: a page asked for, or a message on a
        kernel with a page open (a websocket)."""
        last = [
            kernel.last_activity
            for kernel_id, kernel in self._kernels.items()
            if self._kernel_connections.get(kernel_id, 0) > 0 and hasattr(kernel, "last_activity")
        ]
        if self._last_page_request is not None:
            last.append(self._last_page_request)
        return (utcnow() - max(last)).total_seconds() if last else math.inf

    def ready_pool_size(self, notebook_name: str) -> int:
        """Pages of ``notebook_name``'s pool a visitor may take now, moved to the front
        (Voila hands out the first): a refill still waiting for its turn is not one, and
        the visitor gets a kernel of its own rather than waiting behind it."""
        self._last_page_request = utcnow()  # Voila's handler asks this once per page request
        pool: list = getattr(self, "_pools", {}).get(notebook_name, [])
        pool.sort(key=lambda item: not self._pace.ready(item))  # stable: oldest ready first
        return sum(map(self._pace.ready, pool))

    def live_kernel_count(self) -> int:
        """Kernels running or starting: what the cap counts."""
        return len(set(self.list_kernel_ids()) | self._starting)

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs) -> str:  # type: ignore[override]
        """Start a kernel unless the cap is reached (then ``KernelCapReached``: a 503); a pool
        kernel when it is its turn (``PoolPace``), a visitor's at once."""
        self._install_on_app()
        if is_pool_start(kwargs) and (kernel_id is None or kernel_id not in self):
            return await self._pace.start(
                lambda: self._start_capped(kernel_id, **kwargs), alive=lambda k: k in self
            )
        return await self._start_capped(kernel_id, **kwargs)

    async def _start_capped(self, kernel_id: str | None, **kwargs) -> str:
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        if self.live_kernel_count() >= self.cap:
            self.log.warning("kortools: kernel cap of %d reached; the page request gets 503", self.cap)
            raise KernelCapReached(self.cap, self.retry_after)
        if self.memory_low():
            self.log.warning("kortools: memory is low; the page request gets 503")
            raise KernelCapReached(self.cap, self.retry_after)
        kernel_id = kernel_id or self.new_kernel_id()
        self._starting.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)

    def available_mb(self) -> float:
        return memory_guard.available_mb(Path(self.meminfo_path))

    def memory_low(self) -> bool:
        """Less available than ``min_available_mb``: no new kernel, the largest one ends."""
        return self.available_mb() < self.min_available_mb

    async def check_memory(self) -> str | None:
        """When memory is low, end the visitor kernel with the most resident memory (one
        per check: the next check sees what that freed); its id, or None."""
        if self._closing or not self.memory_low():
            return None
        kernels = [(k, getattr(km.provisioner, "pid", None)) for k, km in list(self._kernels.items())]
        found = memory_guard.largest(k for k in kernels if k[0] not in self._starting)
        if found is None:
            return None
        kernel_id, resident = found
        self.log.warning(
            "kortools: %.0f MB available, below %d MB: ending the largest kernel %s (%.0f MB resident)",
            self.available_mb(),
            self.min_available_mb,
            kernel_id,
            resident,
        )
        await self.shutdown_kernel(kernel_id, now=True)
        return kernel_id

    def _watch_memory(self) -> None:
        if self._memory_watch is None and self.memory_check_seconds > 0:
            self._memory_watch = PeriodicCallback(self.check_memory, self.memory_check_seconds * 1000)
            self._memory_watch.start()

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):  # type: ignore[override]
        """Free the kernel's place, then top up a pre-heated pool that the cap left short."""
        result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self._refill_pools()
        return result

    def _handle_kernel_died(self, kernel_id: str) -> None:
        """A page's kernel that died (its memory bound, a crash) is ended, not restarted.

        Its widgets died with it, so a restarted kernel serves nobody, and one restarted
        while its page was open escaped the idle cull for up to an hour (issue #31 item 2).
        voila.json sets ``KernelRestarter.restart_limit`` to 0, so jupyter_client's restarter
        calls this at the first death; the page is told (status "dead": its Dutch notice)
        and the kernel's place is freed at once."""
        self.log.warning("kortools: kernel %s died; it is ended, not restarted", kernel_id)
        if kernel_id in self:
            task = asyncio.ensure_future(self._end_dead_kernel(kernel_id))
            self._ending.add(task)
            task.add_done_callback(self._ending.discard)

    async def _end_dead_kernel(self, kernel_id: str) -> None:
        try:
            await self.shutdown_kernel(kernel_id, now=True)
        except Exception as error:  # its files gone already: forget it all the same
            self.log.warning("kortools: ending dead kernel %s: %s", kernel_id, error)
            self.remove_kernel(kernel_id)

    async def shutdown_all(self, *args, **kwargs):
        self._closing = True
        if self._memory_watch is not None:
            self._memory_watch.stop()
        return await super().shutdown_all(*args, **kwargs)

    def _refill_pools(self) -> None:
        """Top up Voila's pre-heated pools, dropping the entries the cap refused."""
        pools = getattr(self, "_pools", None)
        fill = getattr(self, "fill_if_needed", None)
        if self._closing or not pools or fill is None:
            return
        for notebook, pool in pools.items():
            for task in [t for t in pool if t.done() and not t.cancelled() and t.exception()]:
                pool.remove(task)
            fill(delay=0, notebook_name=notebook)

    async def cull_kernel_if_idle(self, kernel_id: str):
        """jupyter_server's culling (kernels without a page), and a connected kernel idle
        for ``cull_connected_after`` seconds: a page left open holds no kernel for ever."""
        await super().cull_kernel_if_idle(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is None or not self.cull_connected_after or not hasattr(kernel, "last_activity"):
            return
        idle = utcnow() - kernel.last_activity
        if idle > timedelta(seconds=self.cull_connected_after):
            self.log.warning("kortools: culling kernel %s, connected but idle %s", kernel_id, idle)
            await self.shutdown_kernel(kernel_id)

    def _install_on_app(self) -> None:
        """On Voila's tornado application, once it exists: the Retry-After transform and
        the query socket without the stall (kortools/serving/query_socket.py)."""
        app = getattr(self.parent, "app", None)
        if self._installed or app is None:
            return
        from kortools.serving import query_socket

        app.add_transform(RetryAfterOn503)
        query_socket.install(app, getattr(self.parent, "server_url", None) or "/")
        self._watch_memory()
        self._installed = True


def _asked_for_visitor(kernel_id: str) -> bool:
    from kortools.serving.query_socket import asked_for_visitor  # imports Voila: the server only

    return asked_for_visitor(kernel_id)
