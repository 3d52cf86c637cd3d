"""What each import costs in a real dashboard kernel (issue #14, item 4).

Starts an ipykernel with jupyter_client (as Voila does), imports the dashboard's
dependencies one by one and reads the kernel's memory after each: RSS (what ``ps``
shows, shared libraries counted in full) and USS (pages only this kernel holds: what
one more kernel really costs). Then it runs the main dashboard notebook's code cells
(notebooks/kor_verkenner.ipynb) in a fresh kernel and prints what that kernel holds,
and which heavy modules the page loaded.

Last, as served: a Voila server with voila.json (kernels forked from the zygote, see
kortools/serving/fork.py) and, for comparison, the same server with kernels started
the ordinary way; 5 page loads of the main dashboard each, then every kernel's RSS, USS
and PSS (shared pages divided among the processes that share them).

Run: ``.venv/bin/python benchmarks/kernel_memory.py`` (about a minute).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from voila_server import VoilaServer  # noqa: E402

PAGE_LOADS = 5
ORDINARY = ("--KernelProvisionerFactory.default_provisioner_name=local-provisioner",)
NOTEBOOK = ROOT / "notebooks" / "kor_verkenner.ipynb"
STEPS = [
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "ipywidgets",
    "babel.numbers",
    "kortools",
    "kortools.ui",
]
HEAVY = ["numpy", "pandas", "matplotlib", "matplotlib.pyplot", "PIL", "scipy", "yaml", "jsonschema", "babel"]
RUNS = 3


def memory_mb(pid: int) -> tuple[float, float]:
    info = psutil.Process(pid).memory_full_info()
    return info.rss / 2**20, info.uss / 2**20


def run(client, code: str) -> None:
    reply = client.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{code!r} failed: {reply['content'].get('evalue')}")


def kernel_pid(manager) -> int:
    return manager.provisioner.process.pid


def import_costs() -> list[tuple[str, float, float]]:
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"))
    try:
        rows = [("kernel (ipykernel, IPython, zmq)", *memory_mb(kernel_pid(manager)))]
        for module in STEPS:
            run(client, f"import {module}")
            rows.append((module, *memory_mb(kernel_pid(manager))))
        return rows
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def dashboard_kernel() -> tuple[float, float, list[str]]:
    cells = [
        "".join(cell["source"])
        for cell in json.loads(NOTEBOOK.read_text())["cells"]
        if cell["cell_type"] == "code"
    ]
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "notebooks"))
    try:
        for source in cells:
            run(client, source)
        rss, uss = memory_mb(kernel_pid(manager))
        probe = f"print(','.join(m for m in {HEAVY!r} if m in __import__('sys').modules))"
        loaded: list[str] = []
        client.execute_interactive(
            probe,
            timeout=30,
            output_hook=lambda msg: (
                loaded.extend(msg["content"].get("text", "").strip().split(","))
                if msg["msg_type"] == "stream"
                else None
            ),
        )
        return rss, uss, [m for m in loaded if m]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def served_kernels(*args: str) -> tuple[float, float, float, int]:
    """Median RSS, USS and PSS (MB) of the kernels that PAGE_LOADS page loads left."""
    with VoilaServer(*args) as server:
        time.sleep(5)  # the pre-heated pools
        before = set(server.kernel_pids())
        for _ in range(PAGE_LOADS):
            urllib.request.urlopen(server.page_url("kor_verkenner.ipynb"), timeout=120).read()
        time.sleep(2)
        pids = [pid for pid in server.kernel_pids() if pid not in before] or server.kernel_pids()
        infos = [psutil.Process(pid).memory_full_info() for pid in pids]
        return (
            statistics.median(i.rss for i in infos) / 2**20,
            statistics.median(i.uss for i in infos) / 2**20,
            statistics.median(i.pss for i in infos) / 2**20,
            len(server.kernel_pids()),
        )


def main() -> None:
    print("Import costs in one kernel (MB; USS = this kernel's own pages)")
    print(f"{'after':34s} {'RSS':>7s} {'+RSS':>6s} {'USS':>7s} {'+USS':>6s}")
    previous = None
    for name, rss, uss in import_costs():
        delta = "" if previous is None else f"{rss - previous[0]:+6.1f} {uss:7.1f} {uss - previous[1]:+6.1f}"
        if previous is None:
            delta = f"{'':6s} {uss:7.1f}"
        print(f"{name:34s} {rss:7.1f} {delta}")
        previous = (rss, uss)
    results = [dashboard_kernel() for _ in range(RUNS)]
    rss = statistics.median(r[0] for r in results)
    uss = statistics.median(r[1] for r in results)
    print(f"\nMain dashboard kernel after its cells, median of {RUNS}: RSS {rss:.0f} MB, USS {uss:.0f} MB")
    print("heavy modules loaded:", ", ".join(results[-1][2]) or "none")
    print(f"\nServed, {PAGE_LOADS} loads of the main dashboard, median per kernel (MB):")
    print(f"{'kernels':28s} {'RSS':>6s} {'USS':>6s} {'PSS':>6s}  kernels alive")
    for label, args in (("forked (voila.json)", ()), ("ordinary (local-provisioner)", ORDINARY)):
        rss, uss, pss, alive = served_kernels(*args)
        print(f"{label:28s} {rss:6.0f} {uss:6.0f} {pss:6.0f}  {alive}")


if __name__ == "__main__":
    main()
