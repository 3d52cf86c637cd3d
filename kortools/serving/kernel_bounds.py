"""Bounds on one forked kernel: its memory, and its life tied to its parent (issue #18, item 3).

Used by the zygote (kortools/serving/zygote.py) in the forked child before it becomes a
kernel, and by the zygote itself towards the server:

- ``die_with_parent``: Linux's ``PR_SET_PDEATHSIG``; the process gets a signal when its
  parent dies, ``kill -9`` included (ipykernel's own parent poller is not armed in a
  forked kernel: its parent is the zygote, not the server).
- ``limit_memory``: a watchdog thread ends the kernel when its resident memory passes the
  bound (the page then shows the Dutch "verbinding verbroken" notice), and
  ``RLIMIT_AS`` caps the address space at what it has at fork, plus what ipykernel's
  threads reserve, plus twice the bound, so a single huge allocation fails at once
  instead of taking the machine.

The default bound: a main-dashboard kernel, measured 2026-12-01 in Chromium, is 124 MB
resident after its page has loaded, 131 MB after every tab and 141 MB after a report
(88 MB PSS); 500 MB leaves room for a large case and stops a kernel long before it can
hurt its neighbours.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path

DEFAULT_KERNEL_MEMORY_MB = 500
# Address space a kernel reserves without using it: measured 2026-12-01, 212 MB at fork,
# 960 MB once its page had loaded (13 threads: stacks and glibc's per-thread arenas),
# while 110 MB were resident.
THREAD_RESERVE_MB = 1024
CHECK_EVERY_S = 0.25
PR_SET_PDEATHSIG = 1
OVER_MEMORY_EXIT = 137  # what a shell shows for a killed process (128 + SIGKILL)


def die_with_parent(signum: int, parent: int) -> None:
    """Ask Linux for ``signum`` when the parent dies; if it already has, act now."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent went before the request took effect
        os.kill(os.getpid(), signum)


def memory_mb() -> tuple[float, float]:
    """This process's (address space, resident) memory in MB, from /proc/self/statm."""
    size, resident = (int(x) for x in Path("/proc/self/statm").read_text().split()[:2])
    page = os.sysconf("SC_PAGE_SIZE") / 2**20
    return size * page, resident * page


def limit_memory(limit_mb: float) -> None:
    """Bound this process: the address-space cap now, the resident watchdog from now on."""
    if limit_mb <= 0:
        return
    address_space, _ = memory_mb()
    cap = int((address_space + THREAD_RESERVE_MB + 2 * limit_mb) * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    threading.Thread(target=_watch, args=(limit_mb,), name="kortools-memory", daemon=True).start()


def _watch(limit_mb: float) -> None:
    while True:
        time.sleep(CHECK_EVERY_S)
        _, resident = memory_mb()
        if resident > limit_mb:
            end_over_memory(resident, limit_mb)


def end_over_memory(resident: float, limit_mb: float) -> None:
    """End the kernel at once (no clean-up that could allocate more)."""
    message = f"kortools: kernel {os.getpid()} uses {resident:.0f} MB, over its bound of {limit_mb:.0f} MB\n"
    os.write(sys.__stderr__.fileno() if sys.__stderr__ else 2, message.encode())
    os.kill(os.getpid(), signal.SIGKILL)
