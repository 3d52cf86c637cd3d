"""Load every dashboard N times in a row over HTTP and count the loads that never finish.

The bare stack hangs on about 1 load in 40 when an ``interactive_output`` callback both
prints and draws (shared/repro/voila-hang). The dashboards avoid that design (see the
README). This script proves it the way the repro found it: plain GET requests, each
with a 30 s limit, served by ``voila`` with the project's voila.json, for each notebook
in turn. The repro notebook (benchmarks/hang/interactive_output.ipynb, a copy) runs as
a control, with --control: always with cold kernels, as the repro ran it (with
pre-heated kernels a GET only fetches a page rendered beforehand, which tests nothing).

A load that does not finish is diagnosed on the spot: the Voila log tail and, when
``py-spy`` is on the PATH, the Python stacks of the server and every kernel are written
to test-output/hang-<notebook>-<n>/.

Run: ``.venv/bin/python benchmarks/voila_loads.py [--loads 100] [--cold] [--control]
[--browser] [--pool-size N]``. ``--browser`` loads each page in Chromium and waits for a
chart, as a visitor would (the repro saw hangs both ways).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from voila_server import LIVE_CHART, VoilaServer, launch_chromium  # noqa: E402

NOTEBOOKS = ("kor_verkenner.ipynb", "herziening.ipynb", "aftrekposten.ipynb")
LIMIT = 30.0


def load_once(url: str) -> tuple[str, float]:
    """("ok" | "hung" | "error", seconds) for one full page load with a LIMIT s timeout.

    "ok" means HTTP 200 with the widgets' views in the page (the last cell ran);
    "error" is a page that finished without them (e.g. a kernel that died).
    """
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=LIMIT) as response:
            body = response.read()
    except (TimeoutError, OSError):
        return "hung", time.perf_counter() - start
    seconds = time.perf_counter() - start
    if response.status != 200 or b"widget-view+json" not in body:
        return "error", seconds
    return "ok", seconds


# a chart drawn and Voila's "Executing … of …" overlay (#loading) gone: the page finished
PAGE_DONE = f"() => ({LIVE_CHART})() && !document.getElementById('loading')"


class BrowserLoader:
    """Loads a page in a fresh Chromium tab and waits for a chart (``--browser``)."""

    def __init__(self, close_late: bool = False) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self.browser = launch_chromium(self._playwright)
        self.close_late = close_late  # close a tab only after the next page has loaded
        self._previous = None

    def __call__(self, url: str) -> tuple[str, float]:
        from playwright.sync_api import Error as PlaywrightError

        page = self.browser.new_page()
        start = time.perf_counter()
        try:
            page.goto(url, timeout=LIMIT * 1000)
            page.wait_for_function(PAGE_DONE, timeout=LIMIT * 1000, polling=50)
            outcome = "ok"
        except PlaywrightError:  # TimeoutError is a subclass
            outcome = "hung"
        seconds = time.perf_counter() - start
        if self.close_late:
            if self._previous:
                self._previous.close()
            self._previous = page
        else:
            page.close()
        return outcome, seconds

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


def diagnose(server: VoilaServer, notebook: str, number: int) -> Path:
    """Write what the server and kernels are doing while a load hangs."""
    folder = ROOT / "test-output" / f"hang-{Path(notebook).stem}-{number}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log, folder / "voila.log")
    spy = shutil.which("py-spy")
    if spy:
        for pid in [server.process.pid, *server.kernel_pids()]:
            dump = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True)
            (folder / f"stack-{pid}.txt").write_text(dump.stdout + dump.stderr)
    return folder


def run(
    directory: str, notebooks: tuple[str, ...], loads: int, extra: tuple[str, ...], load=load_once
) -> dict[str, list]:
    results = {}
    log = ROOT / "test-output" / f"voila-loads-{Path(directory).name}.log"
    with VoilaServer(*extra, directory=directory, log=log) as server:
        for notebook in notebooks:
            outcomes = []
            for number in range(loads):
                outcomes.append(load(server.page_url(notebook)))
                if outcomes[-1][0] != "ok":
                    folder = diagnose(server, notebook, number)
                    print(f"{notebook}: load {number}: {outcomes[-1][0]}; see {folder}", flush=True)
            results[notebook] = outcomes
            done = [seconds for outcome, seconds in outcomes if outcome == "ok"]
            hung = sum(outcome == "hung" for outcome, _ in outcomes)
            median = f"{statistics.median(done):.2f} s" if done else "—"
            print(
                f"{notebook:28} {len(done):4d}/{loads} finished, {hung} hung, "
                f"{loads - len(done) - hung} failed; median {median}",
                flush=True,
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=100, help="loads per notebook (default 100)")
    parser.add_argument("--cold", action="store_true", help="cold kernels instead of pre-heated ones")
    parser.add_argument("--control", action="store_true", help="also load the repro notebook that hangs")
    parser.add_argument(
        "--browser", action="store_true", help="load in Chromium and wait for a chart, not plain GETs"
    )
    parser.add_argument(
        "--close-late",
        action="store_true",
        help="with --browser: close each tab only after the next page loaded (no tab closes mid-load)",
    )
    parser.add_argument(
        "--debug", action="store_true", help="Voila's debug log (every kernel message) for diagnosis"
    )
    parser.add_argument("--notebooks", nargs="*", default=NOTEBOOKS, help="which dashboards to load")
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
    debug = ("--debug",) if args.debug else ()
    load = BrowserLoader(args.close_late) if args.browser else load_once
    how = "Chromium, until a chart shows" if args.browser else "plain GET"
    print(f"voila.json settings {' '.join(extra)}; {args.loads} loads each ({how}, {LIMIT:.0f} s limit)")
    try:
        results = run("notebooks/", tuple(args.notebooks), args.loads, extra + debug, load)
        if args.control:
            cold = ("--preheat_kernel=False", *debug)
            run("benchmarks/hang/", ("interactive_output.ipynb",), args.loads, cold, load)
    finally:
        if args.browser:
            load.close()
    bad = sum(outcome != "ok" for outcomes in results.values() for outcome, _ in outcomes)
    print(f"dashboards: {bad} of {sum(map(len, results.values()))} loads did not finish")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
