"""Start and stop a real Voila server on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from kortools.serving.voila_process import ROOT, answers, free_port, voila_command, voila_environment

CHROMIUM = "/usr/bin/chromium"
# a chart the dashboard's widgets drew: the page is built (the answer's HTML preview drawn
# before the widgets, kortools/ui/first_paint.py, does not count)
LIVE_CHART = (
    "() => [...document.querySelectorAll('img')]"
    ".some(i => i.naturalWidth > 100 && !i.closest('.kt-preview-slot'))"
)
ZYGOTE = "kortools.serving.zygote"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: A notebook whose button takes 80 MB each click: a kernel past its memory bound (#18 item 3).
HOG = """\
import ipywidgets as w
hog = []
button = w.Button(description="Vul het geheugen")
button.on_click(lambda _: hog.append(b"x" * (80 << 20)))
button
"""
#: The extra server's settings: pages of the main dashboard kept ready (KORTOOLS_POOL) and
#: each kernel's memory bound (a page loads at about 125 MB; five clicks of 80 MB pass it).
EXTRA_POOL = 3
EXTRA_MEMORY_LIMIT_MB = 400


class VoilaServer:
    """``voila notebooks/`` run from the repo root, so ``voila.json`` applies."""

    def __init__(
        self,
        *extra_args: str,
        directory: str = "notebooks/",
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(os.devnull)
        self.args = voila_command(directory, self.port, *extra_args)
        self.env = voila_environment(env)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> VoilaServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voila exited with {self.process.returncode}; see {self.log}")
            if answers(self.url):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"voila did not start within {timeout} s; see {self.log}")

    def page_url(self, notebook: str, query: str = "") -> str:
        """The page's address. The KOR-verkenner opens on a new case (issue #20); the tests
        use the example client unless the query says otherwise (``voorbeeld=``)."""
        if notebook == "kor_verkenner.ipynb" and "voorbeeld=" not in query:
            query = "&".join(x for x in ("voorbeeld=kapper", query) if x)
        return f"{self.url}/voila/render/{notebook}{'?' + query if query else ''}"

    def kernel_pids(self) -> list[int]:
        """The server's kernel processes (Voila answers 404 on /api/kernels, by design).

        Started the ordinary way, a kernel is the server's child running
        ``ipykernel_launcher``; forked (voila.json's provisioner), it is a direct child of
        the zygote, with the zygote's command line. Not counted: a kernel's own
        subprocesses (between fork and exec they too show the zygote's command line).
        """
        import psutil

        def living(process: psutil.Process) -> bool:
            try:  # a culled kernel can vanish (or be a zombie) while we look
                return process.status() != psutil.STATUS_ZOMBIE
            except psutil.Error:
                return False

        pids = []
        for child in psutil.Process(self.process.pid).children():
            try:
                command = " ".join(child.cmdline())
                if "ipykernel" in command and living(child):
                    pids.append(child.pid)
                elif ZYGOTE in command:
                    pids += [kernel.pid for kernel in child.children() if living(kernel)]
            except psutil.Error:
                continue
        return pids

    def wait_for_a_new_idle_kernel(self, known: set[int], timeout: float = 30) -> bool:
        """Poll until a kernel not in ``known`` has run (a pre-heated page built: CPU spent)
        and gone quiet (it waits for its visitor); False after ``timeout`` seconds."""
        import psutil

        def cpu(pid: int) -> float:
            times = psutil.Process(pid).cpu_times()
            return times.user + times.system

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in set(self.kernel_pids()) - known:
                try:
                    before = cpu(pid)
                    time.sleep(0.5)
                    if before > 0.05 and cpu(pid) - before < 0.02:  # a forked page: ~0.15 s
                        return True
                except psutil.Error:
                    continue
            time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "_log_file", None):
            self._log_file.close()

    def __enter__(self) -> VoilaServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def launch_chromium(playwright):
    """Debian's Chromium; Playwright never downloads a browser here."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: 'make test' installs it (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
