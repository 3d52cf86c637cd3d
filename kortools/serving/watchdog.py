"""The cluster's watchdog: a worker that stops answering is replaced (issue #18, item 2).

A Voila worker can freeze (a bug upstream, a frame that slipped through) or die. Every
``interval`` seconds the watchdog asks each worker for the readiness probe (a 404 path:
it starts no kernel) with a short timeout; a worker that has exited, or has not answered
``misses`` probes in a row, is killed (its zygote and kernels die with it) and started
again on the same port, so nginx's upstreams stay valid. Meanwhile nginx answers its
visitors with the Dutch "niet bereikbaar" page (502/504), and their pages' notice says the
connection was lost.
"""

from __future__ import annotations

import threading
from typing import Protocol

from kortools.serving.voila_process import answers

INTERVAL_S, PROBE_TIMEOUT_S, MISSES = 5.0, 3.0, 3
STARTUP_GRACE_S = 90.0  # a new worker imports and pre-heats before it answers


class Workers(Protocol):
    workers_running: list

    def worker_url(self, index: int) -> str: ...

    def replace_worker(self, index: int, reason: str) -> None: ...


class Watchdog:
    """Probes every worker of ``cluster`` in a thread; replaces the ones that fail."""

    def __init__(
        self,
        cluster: Workers,
        interval: float = INTERVAL_S,
        timeout: float = PROBE_TIMEOUT_S,
        misses: int = MISSES,
    ):
        self.cluster, self.interval, self.timeout, self.misses = cluster, interval, timeout, misses
        self.replaced = 0
        self._missed: dict[int, int] = {}
        self._grace: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kortools-watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + self.timeout + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for index in range(len(self.cluster.workers_running)):
                if self._stop.is_set():
                    return
                self.check(index)

    def check(self, index: int) -> None:
        """One probe of worker ``index``; replace it if it has exited or missed too often."""
        process = self.cluster.workers_running[index]
        if process.poll() is not None:
            self._replace(index, f"exited with {process.returncode}")
            return
        answered = answers(self.cluster.worker_url(index), timeout=self.timeout)
        if self._grace.get(index, 0) > 0:  # a new worker: silence is no miss yet
            self._grace[index] = 0 if answered else self._grace[index] - self.interval
            return
        if answered:
            self._missed[index] = 0
            return
        self._missed[index] = self._missed.get(index, 0) + 1
        if self._missed[index] >= self.misses:
            self._replace(index, f"did not answer {self.misses} probes of {self.timeout:g} s")

    def _replace(self, index: int, reason: str) -> None:
        self.cluster.replace_worker(index, reason)
        self.replaced += 1
        self._missed[index] = 0
        self._grace[index] = STARTUP_GRACE_S
