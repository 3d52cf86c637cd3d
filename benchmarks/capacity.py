"""How many simultaneous visitors one Voila server carries (issue #14, item 3).

Visitors are **websocket clients**, not Chromium tabs: each does what the dashboard's
page does on the wire, so 50 of them fit beside the server on this 2-core machine
(50 Chromium tabs would measure Chromium). One visitor:
1. page load: GET the main dashboard (notebooks/kor_verkenner.ipynb; Voila runs the
   notebook), open the page's kernel websocket and ask for the widget states as the
   widget manager does (``jupyter.widget.control``: request_states); the page counts
   as loaded when the states (charts included) have arrived;
2. then, every 2–4 s for a minute, moves the consumer-share slider (a comm_msg
   ``update`` of its value, as the browser sends it) and times until the kernel is idle
   again, by which time the new figures and chart have been sent.
All visitors start together (a burst: the worst case for page loads), or evenly
over ``--ramp`` seconds. While they run,
the server's memory (PSS of the server, the zygote and the kernels), live kernels and
the machine's CPU are sampled every 0.5 s. The clients run in this process, on the
same 2 cores.

Prints per N (10, 25, 50): page load median/p95, slider median/p95, peak memory,
peak kernels, mean CPU, and the Voila server's own CPU seconds. Goal (issue #14): at
50 visitors, page p95 ≤ 10 s and slider median ≤ 0.2 s.

Run: ``.venv/bin/python benchmarks/capacity.py [N ...] [--minute S] [--pool P]
[--fill-delay S] [--ordinary] [--unpaced]`` (about 6 minutes); ``--ordinary`` starts kernels the
ordinary way instead of forking them (voila.json's provisioner).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from voila_server import VoilaServer  # noqa: E402

from kortools.serving.pool_pace import ENV_POOL  # noqa: E402

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
NOTEBOOK = "kor_verkenner.ipynb"
SLIDER_MODELS = {"IntSliderModel", "FloatSliderModel"}
TIMEOUT = 300
#: --unpaced: every refill starts at once, as Voila's kernel_pools_config alone does
UNPACED = (
    "--CappedKernelManager.pool_builds_at_once=100000",
    "--CappedKernelManager.pool_quiet_seconds=0",
    "--CappedKernelManager.pool_hold_seconds=0",
)
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"  # JupyterLab's; the legacy JSON one dropped the widget states


def message(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> dict:
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "capacity",
        "session": session,
        "msg_type": msg_type,
        "version": "5.3",
        "date": "2026-01-01T00:00:00Z",
    }
    return {
        "header": header,
        "parent_header": {},
        "metadata": metadata or {},
        "content": content,
        "channel": "shell",
    }


def encode(msg: dict) -> bytes:
    """A kernel message for the websocket, in Jupyter's v1 protocol (as JupyterLab sends it)."""
    return serialize_msg_to_ws_v1(msg, msg["channel"], pack=lambda part: json.dumps(part).encode())


def decode(frame: bytes) -> dict:
    """A kernel message from the websocket (v1 protocol): header, parents, metadata, content."""
    _, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, metadata, content = (json.loads(part) for part in parts[:4])
    return {"header": header, "parent_header": parent, "metadata": metadata, "content": content}


@dataclass
class Visitor:
    base: str
    minute: float
    page_load: float | None = None
    slider_times: list[float] = field(default_factory=list)
    error: str | None = None

    async def run(self, http: AsyncHTTPClient, delay: float = 0) -> None:
        await asyncio.sleep(delay)
        try:
            await self._visit(http)
        except Exception as error:  # a benchmark reports failures, it does not stop on them
            self.error = f"{type(error).__name__}: {error}"[:200]

    async def _visit(self, http: AsyncHTTPClient) -> None:
        start = time.perf_counter()
        page = await http.fetch(HTTPRequest(f"{self.base}/voila/render/{NOTEBOOK}", request_timeout=TIMEOUT))
        kernel = KERNEL_ID.search(page.body.decode())[1]
        session = uuid.uuid4().hex
        ws_url = self.base.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels?session_id={session}"
        ws = await websocket_connect(ws_url, max_message_size=64 * 2**20, subprotocols=[WS_PROTOCOL])
        try:
            states = await self._request_states(ws, session)
            self.page_load = time.perf_counter() - start
            slider = next(
                (
                    m
                    for m, s in states.items()
                    if s.get("_model_name") in SLIDER_MODELS and s.get("max") == 100
                ),
                None,
            )
            if slider is None:
                raise RuntimeError("no consumer-share slider in the widget states")
            deadline = time.perf_counter() + self.minute
            value = 100
            while time.perf_counter() < deadline:
                await asyncio.sleep(random.uniform(2, 4))
                value = 95 if value == 100 else 100
                self.slider_times.append(await self._move(ws, session, slider, value))
        finally:
            ws.close()

    async def _request_states(self, ws, session: str) -> dict:
        """The widget manager's handshake (ipywidgets 8, control protocol 1.0.0): all states."""
        comm_id = uuid.uuid4().hex
        control = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
        await self._send_and_wait(ws, message("comm_open", control, session, {"version": "1.0.0"}))
        request = {"comm_id": comm_id, "data": {"method": "request_states"}}
        await ws.write_message(
            encode(message("comm_msg", request, session, {"version": "1.0.0"})), binary=True
        )
        while True:
            reply = decode(await asyncio.wait_for(ws.read_message(), TIMEOUT))
            data = reply.get("content", {}).get("data", {})
            if reply["header"]["msg_type"] == "comm_msg" and data.get("method") == "update_states":
                return {m: s["state"] for m, s in data["states"].items()}

    async def _send_and_wait(self, ws, sent: dict) -> float:
        """Send a message; seconds until the kernel is idle again after handling it."""
        start = time.perf_counter()
        await ws.write_message(encode(sent), binary=True)
        while True:
            reply = decode(await asyncio.wait_for(ws.read_message(), TIMEOUT))
            if (
                reply["header"]["msg_type"] == "status"
                and reply.get("parent_header", {}).get("msg_id") == sent["header"]["msg_id"]
                and reply["content"].get("execution_state") == "idle"
            ):
                return time.perf_counter() - start

    async def _move(self, ws, session: str, slider: str, value: int) -> float:
        """Seconds from the slider's update to the kernel being idle after handling it."""
        state = {"method": "update", "state": {"value": value}, "buffer_paths": []}
        return await self._send_and_wait(ws, message("comm_msg", {"comm_id": slider, "data": state}, session))


@dataclass
class Sampler:
    """Memory (PSS of the server and all its children), live kernels, CPU; every 0.5 s.

    PSS, not RSS: forked kernels share most of their pages, and RSS counts shared pages
    once per process. The server's own CPU seconds show how much of the load is Voila's.
    """

    server: VoilaServer
    peak_mb: float = 0
    peak_kernels: int = 0
    cpu: list[float] = field(default_factory=list)
    server_cpu_seconds: float = 0

    async def run(self, stop: asyncio.Event) -> None:
        server = psutil.Process(self.server.process.pid)
        start = sum(server.cpu_times()[:2])
        psutil.cpu_percent()
        while not stop.is_set():
            pss = sum(pss_mb(p.pid) for p in [server, *server.children(recursive=True)])
            self.peak_mb = max(self.peak_mb, pss)
            self.peak_kernels = max(self.peak_kernels, len(self.server.kernel_pids()))
            self.cpu.append(psutil.cpu_percent())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        self.server_cpu_seconds = sum(server.cpu_times()[:2]) - start


def pss_mb(pid: int) -> float:
    """Proportional set size from the kernel's rollup (0 if the process has gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def run_visitors(
    server: VoilaServer, count: int, minute: float, ramp: float = 0
) -> tuple[list[Visitor], Sampler]:
    AsyncHTTPClient.configure(None, max_clients=count)
    http = AsyncHTTPClient()
    sampler, stop = Sampler(server), asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    visitors = [Visitor(server.url, minute) for _ in range(count)]
    await asyncio.gather(*(v.run(http, ramp * i / count) for i, v in enumerate(visitors)))
    stop.set()
    await sampling
    return visitors, sampler


def report(count: int, visitors: list[Visitor], sampler: Sampler) -> str:
    loads = [v.page_load for v in visitors if v.page_load is not None]
    moves = [t for v in visitors for t in v.slider_times]
    failed = [v.error for v in visitors if v.error]
    line = (
        f"{count:>8d} | {statistics.median(loads):6.2f} s | {p95(loads):6.2f} s | "
        f"{statistics.median(moves):6.3f} s | {p95(moves):6.3f} s | {len(moves):5d} | "
        f"{sampler.peak_mb:7.0f} MB | {sampler.peak_kernels:4d} | {statistics.mean(sampler.cpu):4.0f}% | "
        f"{sampler.server_cpu_seconds:5.1f} s"
    )
    if failed:
        line += f"\n         {len(failed)} visitors failed, e.g. {failed[0]}"
    return line


def pool_environment(directory: str, size: int, fill_delay: float) -> dict[str, str]:
    """The main dashboard's pool (``KORTOOLS_POOL``, as a server is told) and a second
    voila.json (in JUPYTER_CONFIG_DIR) with Voila's refill delay."""
    config = {"VoilaKernelManager": {"fill_delay": fill_delay}}
    (Path(directory) / "voila.json").write_text(json.dumps(config))
    return {"JUPYTER_CONFIG_DIR": directory, ENV_POOL: str(size)}


def wait_for_pool(server: VoilaServer, log: Path, size: int, timeout: float = 600) -> float:
    """Until the main dashboard's ``size`` pages are built and waiting for their visitors.

    Voila says the pool "is filled" once its kernels have started; their notebooks (the
    pages' builds) run after that, so this also waits until the server and its kernels
    are quiet (under 0.25 CPU-s a second together; 50 idle kernels use about 0.08).
    Returns the seconds it took.
    """
    start = time.monotonic()
    line = f"Kernel pool of {NOTEBOOK} is filled with {size} kernel(s)"
    deadline = start + timeout
    while line not in log.read_text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the pool did not fill in {timeout} s; see {log}")
        time.sleep(1)
    used = cpu_seconds(server)
    while time.monotonic() < deadline:
        time.sleep(2)
        now = cpu_seconds(server)
        if now - used < 0.5:
            return time.monotonic() - start
        used = now
    raise RuntimeError(f"the pool's pages were not built in {timeout} s; see {log}")


def cpu_seconds(server: VoilaServer) -> float:
    """CPU seconds of the server and all its children so far."""
    process = psutil.Process(server.process.pid)
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += sum(member.cpu_times()[:2])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10, 25, 50])
    parser.add_argument("--minute", type=float, default=60, help="seconds each visitor moves the slider")
    parser.add_argument(
        "--pool", type=int, default=1, help="main-dashboard pages kept ready (KORTOOLS_POOL; default 1); 0: N"
    )
    parser.add_argument(
        "--fill-delay", type=float, default=1, help="seconds before a used pool kernel is replaced (Voila: 1)"
    )
    parser.add_argument("--ramp", type=float, default=0, help="visitors arrive evenly over this many seconds")
    parser.add_argument("--ordinary", action="store_true", help="kernels not forked (local-provisioner)")
    parser.add_argument(
        "--unpaced",
        action="store_true",
        help="pool refills as Voila's own kernel_pools_config starts them: all at once (no pool_pace)",
    )
    args = parser.parse_args()
    ordinary = (
        ("--KernelProvisionerFactory.default_provisioner_name=local-provisioner",) if args.ordinary else ()
    )
    if args.unpaced:
        ordinary += UNPACED
    print(
        f"arrivals: {'all at once' if not args.ramp else f'evenly over {args.ramp:g} s'}; "
        f"pool: {args.pool or 'N'} pre-heated kernels for {NOTEBOOK}, refilled after {args.fill_delay:g} s; "
        "kernel cap from voila.json (memory); kernels "
        + ("started the ordinary way" if args.ordinary else "forked")
        + ("; refills unpaced (Voila's own)" if args.unpaced else "; refills paced (pool_pace)")
    )
    header = "visitors | page med | page p95 | slider med | slider p95 | moves |  peak PSS  | kernels | CPU"
    print(header + "  | server CPU")
    for count in args.counts:
        # a fresh server per N, its pool filled before the visitors come
        pool = args.pool or count
        log = ROOT / "test-output" / f"capacity-{count}.log"
        with (
            tempfile.TemporaryDirectory() as config_dir,
            VoilaServer(
                *ordinary, env=pool_environment(config_dir, pool, args.fill_delay), log=log
            ) as server,
        ):
            built = wait_for_pool(server, log, pool)
            print(f"         (pool of {pool} built in {built:.0f} s)", flush=True)
            time.sleep(2)
            visitors, sampler = asyncio.run(run_visitors(server, count, args.minute, args.ramp))
            print(report(count, visitors, sampler), flush=True)


if __name__ == "__main__":
    main()
