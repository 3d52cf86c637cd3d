"""A kernel has bounds (issue #18, item 3): memory, and its life tied to the server's.

Real Voila servers on loopback, cleaning up their processes by pid: a kernel past its
memory bound is ended and the page says so in Dutch (on the extra server of the pool and
bounds tests, conftest); after ``kill -9`` of the server or of the zygote no kernel of it
is left (a server of its own for each: it is killed).
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from test_serving import KERNEL_ID, kernel_process
from voila_server import EXTRA_MEMORY_LIMIT_MB, ZYGOTE, VoilaServer

from kortools.serving.kernel_bounds import DEFAULT_KERNEL_MEMORY_MB, memory_mb

pytestmark = pytest.mark.browser


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_the_default_bound_is_well_above_a_kernels_own_memory():
    # this test process has imported what a kernel imports (pytest, hypothesis and more):
    # the bound must be far above that (a page's kernel is ~125 MB resident)
    import kortools.ui  # noqa: F401

    _, resident = memory_mb()
    assert 2 * min(resident, 200) < DEFAULT_KERNEL_MEMORY_MB


def test_a_kernel_over_its_memory_bound_dies_and_the_page_says_so(extra_server, browser):
    server, limit = extra_server, EXTRA_MEMORY_LIMIT_MB
    context = browser.new_context(locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(server.page_url("hog.ipynb"), timeout=120_000)
        button = page.get_by_role("button", name="Vul het geheugen")
        button.wait_for(timeout=120_000)
        kernel = kernel_process(KERNEL_ID.search(page.content())[1]).pid
        for _ in range(8):
            if page.query_selector("#kt-kernel-lost"):
                break
            button.dispatch_event("click")  # not click(): the notice may cover it any moment
            time.sleep(0.7)
        notice = page.wait_for_selector("#kt-kernel-lost", timeout=30_000)
        assert "verbinding met de rekenkern is verbroken" in notice.inner_text()
        assert gone(kernel)
        assert f"over its bound of {limit} MB" in server.log_path.read_text()
        urllib.request.urlopen(server.url + "/voila/render/hog.ipynb", timeout=120)  # still serving
    finally:
        context.close()


def zygote_pid(server: VoilaServer) -> int:
    for child in psutil.Process(server.process.pid).children():
        if ZYGOTE in " ".join(child.cmdline()):
            return child.pid
    raise AssertionError("no zygote")


def runtime_folders() -> set[Path]:
    """Voila's runtime folders (connection files and IPC sockets of its kernels)."""
    return set(Path(tempfile.gettempdir()).glob("voila_*"))


@pytest.mark.parametrize("victim", ["server", "zygote"])
def test_after_kill_9_no_kernel_is_left(victim, output_dir):
    folders_before = runtime_folders()
    server = VoilaServer(log=output_dir / f"voila-kill-{victim}.log")
    server.start()
    kernels: list[int] = []
    zygote = None
    try:
        body = urllib.request.urlopen(server.page_url("kor_verkenner.ipynb"), timeout=120).read().decode()
        assert KERNEL_ID.search(body)
        kernels = server.kernel_pids()
        zygote = zygote_pid(server)
        assert kernels  # the page's kernel and the pre-heated ones
        os.kill(server.process.pid if victim == "server" else zygote, signal.SIGKILL)
        assert wait_until(lambda: all(gone(pid) for pid in [*kernels, zygote]), 15), [
            pid for pid in [*kernels, zygote] if not gone(pid)
        ]
        if victim == "server":  # issue #31 item 6: its runtime folder went with it
            assert wait_until(lambda: not (runtime_folders() - folders_before), 10), sorted(
                str(f) for f in runtime_folders() - folders_before
            )
    finally:
        server.stop()
        for pid in [*kernels, zygote]:  # nothing of this server may outlive the test
            if pid and not gone(pid):
                os.kill(pid, signal.SIGKILL)
