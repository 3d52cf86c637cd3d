"""The kernel cap: a page request past the cap starts no kernel and gets the Dutch 503.

The cap's arithmetic and its sources (environment, voila.json, memory) as unit tests;
then a flood against a real Voila server on loopback (issue #14, item 2): cap 6,
60 page loads 10 at a time.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from voila_server import VoilaServer

from kortools.serving.kernel_cap import (
    ENV_MAX_KERNELS,
    CappedKernelManager,
    derived_max_kernels,
    parse_max_kernels,
)

FLOOD_CAP, FLOOD_LOADS, FLOOD_AT_ONCE = 6, 60, 10
# voila.json pre-heats one kernel per dashboard in directory mode: they count too
DASHBOARDS = 3
BUSY = "Het is nu druk"


def test_derived_cap_is_memory_less_reserve_over_kernel_size():
    # (24,105 − 1,024) / 140 = 164.9 → 164 whole kernels
    assert derived_max_kernels(24_105, 1_024, 140) == 164
    # a tiny machine still serves one visitor
    assert derived_max_kernels(900, 1_024, 140) == 1


@pytest.mark.parametrize("text", ["abc", "0", "-3", "2.5", ""])
def test_a_cap_that_is_not_a_whole_number_of_kernels_is_refused(text):
    with pytest.raises(ValueError, match=f"{ENV_MAX_KERNELS} must be a whole number of kernels, 1 or more"):
        parse_max_kernels(text, ENV_MAX_KERNELS)


def test_the_environment_overrides_voila_json(monkeypatch):
    monkeypatch.setenv(ENV_MAX_KERNELS, " 7 ")
    manager = CappedKernelManager(max_kernels=3)
    assert manager.cap == 7


def test_voila_json_key_applies_without_the_environment(monkeypatch):
    monkeypatch.delenv(ENV_MAX_KERNELS, raising=False)
    assert CappedKernelManager(max_kernels=3).cap == 3


def test_without_either_the_cap_comes_from_memory(monkeypatch):
    monkeypatch.delenv(ENV_MAX_KERNELS, raising=False)
    monkeypatch.setattr("kortools.serving.kernel_cap.machine_memory_mb", lambda: 4_096)
    # (4,096 − 1,024) / 128 = 24
    assert CappedKernelManager(kernel_size_mb=128, reserve_mb=1_024).cap == 24


def test_a_bad_cap_stops_the_server_with_a_message(monkeypatch):
    # the server builds its kernel manager at start: a bad setting stops it there, with this
    # message (checked in-process: no server started to see it refused, issue #36 item 3)
    monkeypatch.setenv(ENV_MAX_KERNELS, "veel")
    with pytest.raises(
        ValueError, match="KORTOOLS_MAX_KERNELS must be a whole number of kernels, 1 or more; got 'veel'"
    ):
        CappedKernelManager()


def load_page(url: str) -> tuple[int, str, str | None]:
    """Status, body and Retry-After of one plain page request."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read().decode(), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Retry-After")


class KernelWatch:
    """Samples the server's kernel processes every 0.05 s; keeps the peak."""

    def __init__(self, server: VoilaServer):
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self.at_peak: list[str] = []  # what the processes were, for the failure message
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = self.server.kernel_pids()
            if len(pids) > self.peak:
                self.peak, self.at_peak = len(pids), [describe(pid) for pid in pids]
            self._stop.wait(0.05)

    def __enter__(self) -> KernelWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def describe(pid: int) -> str:
    import psutil

    try:
        process = psutil.Process(pid)
        return f"{pid} (parent {process.ppid()}, {process.status()}): {' '.join(process.cmdline())[:120]}"
    except psutil.Error as error:
        return f"{pid}: {error}"


def is_whole_dashboard(status: int, body: str) -> bool:
    return status == 200 and "KOR-verkenner" in body and body.rstrip().endswith("</html>")


def is_busy_page(status: int, body: str, retry_after: str | None) -> bool:
    return (
        status == 503
        and BUSY in body
        and retry_after == "60"
        and "Traceback" not in body
        and "/work" not in body
        and ".py" not in body
    )


def meminfo(path, available_mb: int) -> None:
    path.write_text(f"MemTotal: 25165824 kB\nMemAvailable: {available_mb * 1024} kB\n")


@pytest.mark.browser
def test_a_flood_of_page_loads_never_passes_the_cap(output_dir, tmp_path):
    log = output_dir / "voila-flood.log"
    culling = ("--MappingKernelManager.cull_idle_timeout=8", "--MappingKernelManager.cull_interval=2")
    memory = tmp_path / "meminfo"  # what the server reads as the machine's available memory
    meminfo(memory, 20_000)
    watch_memory = (
        f"--CappedKernelManager.meminfo_path={memory}",
        "--CappedKernelManager.memory_check_seconds=0.5",
    )
    with VoilaServer(*culling, *watch_memory, env={ENV_MAX_KERNELS: str(FLOOD_CAP)}, log=log) as server:
        url = server.page_url("kor_verkenner.ipynb")
        with KernelWatch(server) as watch, ThreadPoolExecutor(FLOOD_AT_ONCE) as pool:
            answers = list(pool.map(lambda _: load_page(url), range(FLOOD_LOADS)))

        kinds = Counter(
            "page" if is_whole_dashboard(s, b) else "busy" if is_busy_page(s, b, r) else f"other {s}"
            for s, b, r in answers
        )
        assert watch.peak <= FLOOD_CAP, "\n".join(watch.at_peak)
        assert set(kinds) == {"page", "busy"}, kinds
        # the pools' kernels start one after the other (kortools/serving/pool_pace.py): those
        # started hold places, those waiting their turn none; the rest serve pages until the
        # cap, one of them the main dashboard's pre-heated page
        assert kinds["page"] <= FLOOD_CAP + 1
        assert f"at most {FLOOD_CAP} live kernels ({ENV_MAX_KERNELS}={FLOOD_CAP})" in log.read_text()

        deadline = time.monotonic() + 60  # culling frees the flood's kernels
        while len(server.kernel_pids()) > DASHBOARDS and time.monotonic() < deadline:
            time.sleep(1)
        assert len(server.kernel_pids()) <= DASHBOARDS
        status, body, _ = load_page(url)
        assert is_whole_dashboard(status, body)

        # issue #31 item 1: the cap counts kernels; memory is bounded for the server as a
        # whole too. The machine low (500 MB available, below the 1 GB reserve): a new page
        # is refused in Dutch and the kernels are ended, the largest first, one per check
        before = len(server.kernel_pids())
        meminfo(memory, 500)
        assert is_busy_page(*load_page(url))
        deadline = time.monotonic() + 20
        while len(server.kernel_pids()) >= before and time.monotonic() < deadline:
            time.sleep(0.3)
        assert len(server.kernel_pids()) < before
        assert "below 1024 MB: ending the largest kernel" in log.read_text()
        meminfo(memory, 20_000)  # room again: pages are served
        assert is_whole_dashboard(*load_page(url)[:2])


def test_a_forked_kernel_counts_smaller_than_an_ordinary_one(monkeypatch):
    from traitlets.config import Config

    monkeypatch.delenv(ENV_MAX_KERNELS, raising=False)
    monkeypatch.setattr("kortools.serving.kernel_cap.machine_memory_mb", lambda: 9_024)
    forked = Config({"KernelProvisionerFactory": {"default_provisioner_name": "kortools-fork"}})
    # (9,024 − 1,024) / 80 = 100 forked kernels; / 140 = 57.1 → 57 ordinary ones
    assert CappedKernelManager(config=forked).cap == 100
    assert CappedKernelManager().cap == 57


class FakeKernel:
    """What jupyter_server's culler reads of a kernel."""

    def __init__(self, idle_seconds: float):
        from datetime import timedelta

        from jupyter_server._tz import utcnow

        self.kernel_name = "python3"
        self.execution_state = "idle"
        self.last_activity = utcnow() - timedelta(seconds=idle_seconds)
        self.kernel_spec = type("Spec", (), {"metadata": {}})()


@pytest.mark.parametrize(("idle", "culled"), [(3599, False), (3601, True)])
def test_a_connected_kernel_is_culled_after_an_idle_hour(monkeypatch, idle, culled):
    import asyncio

    monkeypatch.delenv(ENV_MAX_KERNELS, raising=False)
    manager = CappedKernelManager(max_kernels=3, cull_idle_timeout=45, cull_connected_after=3600)
    manager._kernels["k"] = FakeKernel(idle)
    manager._kernel_connections["k"] = 1  # a page is connected: jupyter_server's culler keeps it
    shut = []

    async def shutdown(kernel_id, *args, **kwargs):
        shut.append(kernel_id)
        manager._kernels.pop(kernel_id)

    monkeypatch.setattr(manager, "shutdown_kernel", shutdown)
    # in a thread: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, manager.cull_kernel_if_idle("k")).result()
    assert shut == (["k"] if culled else [])


def test_memory_low_ends_the_kernel_with_the_most_resident_memory(monkeypatch, tmp_path):
    import asyncio

    from kortools.serving import memory_guard

    monkeypatch.delenv(ENV_MAX_KERNELS, raising=False)
    memory = tmp_path / "meminfo"
    meminfo(memory, 900)
    manager = CappedKernelManager(max_kernels=3, meminfo_path=str(memory))
    assert manager.min_available_mb == 1024 and manager.memory_low()  # the reserve, by default
    kernel = type("K", (), {})
    for kernel_id, pid in (("klein", 11), ("groot", 22), ("weg", None)):
        manager._kernels[kernel_id] = kernel()
        manager._kernels[kernel_id].provisioner = type("P", (), {"pid": pid})()
    sizes = {11: 120.0, 22: 480.0}
    monkeypatch.setattr(memory_guard, "resident_mb", lambda pid: sizes.get(pid, 0.0))
    ended = []

    async def shutdown(kernel_id, *args, **kwargs):
        ended.append(kernel_id)

    monkeypatch.setattr(manager, "shutdown_kernel", shutdown)
    with ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, manager.check_memory()).result() == "groot"
        meminfo(memory, 5_000)  # room again: nothing more is ended
        assert thread.submit(asyncio.run, manager.check_memory()).result() is None
    assert ended == ["groot"]


def test_memory_is_read_from_proc(tmp_path):
    import os

    from kortools.serving import memory_guard

    assert memory_guard.resident_mb(os.getpid()) > 10  # this process
    assert memory_guard.resident_mb(2**22 + 7) == 0.0  # no such process
    assert 0 < memory_guard.meminfo_available_mb() < float("inf")
    assert memory_guard.meminfo_available_mb(tmp_path / "nothing") == float("inf")
