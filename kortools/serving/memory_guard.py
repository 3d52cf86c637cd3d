"""The server's memory as a whole, beside each kernel's own bound (issue #31 item 1).

A kernel is bounded at 500 MB (``kernel_bounds.py``), but the kernel cap is derived from
what a kernel normally takes (80 MB): many visitors each growing their kernel well inside
its bound could still fill the machine. ``CappedKernelManager`` therefore watches what the
machine (or its cgroup) has available: below ``min_available_mb`` it refuses new kernels
(the Dutch 503) and ends the visitor kernel with the most resident memory, one at a time,
until there is room again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/sys/fs/cgroup")


def meminfo_available_mb(meminfo: Path = MEMINFO) -> float:
    """``MemAvailable`` of /proc/meminfo (or a file of its shape), in MB; inf if unreadable."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return float("inf")


def cgroup_available_mb(cgroup: Path = CGROUP) -> float:
    """What this cgroup may still use (memory.max − memory.current), in MB; inf if unlimited."""
    try:
        limit = (cgroup / "memory.max").read_text().strip()
        current = int((cgroup / "memory.current").read_text().strip())
    except (OSError, ValueError):
        return float("inf")
    return (int(limit) - current) / 2**20 if limit.isdigit() else float("inf")


def available_mb(meminfo: Path = MEMINFO, cgroup: Path = CGROUP) -> float:
    """Memory the server's kernels may still take: the machine's or the cgroup's, the lower."""
    return min(meminfo_available_mb(meminfo), cgroup_available_mb(cgroup))


def resident_mb(pid: int) -> float:
    """A process's resident memory in MB (0 when it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def largest(kernels: Iterable[tuple[str, int | None]]) -> tuple[str, float] | None:
    """The kernel id with the most resident memory, and that memory; None if none has a pid."""
    sizes = [(kernel_id, resident_mb(pid)) for kernel_id, pid in kernels if pid]
    return max(sizes, key=lambda item: item[1]) if sizes else None
