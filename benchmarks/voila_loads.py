"""Load every dashboard N times in a row over HTTP and count the loads that never finish.

The bare stack hangs on about 1 load in 40 when an ``interactive_output`` callback both
prints and draws (shared/repro/voila-hang). The dashboards avoid that design (see the
README). This script proves it the way the repro found it: plain GET requests, each
with a 30 s limit, served by ``voila`` with the project's voila.json, for each notebook
in turn. The repro notebook (benchmarks/hang/interactive_output.ipynb, a copy) runs as
a control, with --control, to show the loop does catch the hang.

Run: ``.venv/bin/python benchmarks/voila_loads.py [--loads 100] [--cold] [--control]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from voila_server import VoilaServer  # noqa: E402

NOTEBOOKS = ("kor_verkenner.ipynb", "herziening.ipynb", "aftrekposten.ipynb")
LIMIT = 30.0


def load_once(url: str) -> float | None:
    """Seconds for one full page load, or None if it did not finish within LIMIT."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=LIMIT) as response:
            body = response.read()
    except (TimeoutError, OSError):
        return None
    if b"kernel" not in body.lower() or response.status != 200:
        return None
    return time.perf_counter() - start


def run(directory: str, notebooks: tuple[str, ...], loads: int, extra: tuple[str, ...]) -> dict[str, list]:
    results = {}
    with VoilaServer(*extra, directory=directory, log=ROOT / "test-output" / "voila-loads.log") as server:
        for notebook in notebooks:
            times = [load_once(server.page_url(notebook)) for _ in range(loads)]
            results[notebook] = times
            done = [t for t in times if t is not None]
            hung = loads - len(done)
            median = f"{statistics.median(done):.2f} s" if done else "—"
            print(f"{notebook:28} {len(done):4d}/{loads} finished, {hung} hung; median {median}", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=100, help="loads per notebook (default 100)")
    parser.add_argument("--cold", action="store_true", help="cold kernels instead of pre-heated ones")
    parser.add_argument("--control", action="store_true", help="also load the repro notebook that hangs")
    parser.add_argument("--notebooks", nargs="+", default=NOTEBOOKS, help="which dashboards to load")
    parser.add_argument(
        "--pool-size",
        type=int,
        help="pre-heated kernels per notebook (voila.json: 1); "
        "more heat in parallel, so the loop runs faster",
    )
    args = parser.parse_args()
    (ROOT / "test-output").mkdir(exist_ok=True)
    extra = ("--preheat_kernel=False",) if args.cold else ()
    if args.pool_size:
        extra += (f"--pool_size={args.pool_size}",)
    print(f"voila.json settings {' '.join(extra)}; {args.loads} loads each")
    results = run("notebooks/", tuple(args.notebooks), args.loads, extra)
    if args.control:
        run("benchmarks/hang/", ("interactive_output.ipynb",), args.loads, extra)
    hung = sum(t is None for times in results.values() for t in times)
    print(f"dashboards: {hung} of {sum(map(len, results.values()))} loads hung")
    return 1 if hung else 0


if __name__ == "__main__":
    raise SystemExit(main())
