"""Several Voila workers behind nginx, kept running by supervisor (issues #14, #18, #36).

``make serve WORKERS=2`` runs ``python -m kortools.serving.cluster --workers 2``, which
prepares the private run directory and hands the processes to ``supervisord``:
- N Voila workers on loopback ports, each serving ``notebooks/`` with ``voila.json``
  and its share of the kernel cap (the machine's cap divided by N);
- Debian's nginx in front on ``--host:--port`` (default 127.0.0.1:8443) with a
  self-signed certificate (``deploy/nginx.conf``); a cookie (``kortools_worker``) keeps a
  visitor on the worker that holds the kernel of their page, so its websocket reaches it;
- the password door (kortools/serving/door.py) that nginx asks about every request.

supervisor (``deploy/supervisord.conf``) restarts whatever exits, and superlance's
``httpok`` probes each worker every 5 s and restarts one that does not answer (frozen);
nginx answers that worker's visitors with a Dutch "niet bereikbaar" page meanwhile.
This module only fills in ports, paths and the worker list.

The user is ``KORTOOLS_USER`` (default ``adviseur``); the password ``KORTOOLS_PASSWORD``,
or a new one printed at start. Put a real certificate in the run directory
(``tls.crt``, ``tls.key``) to replace the self-signed one.

Hygiene (issue #18, items 2 and 6): the workers want a token that only nginx sends (a
fresh secret per run, in each worker's own config file), so nothing else on the machine
reaches them; the run directory and its files are private (mode 700/600); the password is
in no process's environment (supervisord starts without it; the door reads it from a
private file), so not in a worker's or a kernel's.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport

from kortools.serving.deploy_files import (
    CONF_TEMPLATE,
    DEPLOY,
    NGINX,
    PASSWORD_PAGE,
    PRIVATE_ENVIRONMENT,
    PRIVATE_UMASK,
    PROBE_TIMEOUT_S,
    SCRIPTS,
    SOCKET_PATH_MAX,
    START_GRACE_S,
    SUPERVISOR_TEMPLATE,
    SUPERVISOR_WORKER_TEMPLATE,
    TEMP_DIRS,
    THROTTLED_PAGE,
    UNREACHABLE_PAGE,
    WORKER_ARGS,
    NginxTemplate,
    door_socket_for,
    nginx_conf,
    private_file,
    self_signed_certificate,
    server_environment,
    supervisor_conf,
    total_kernel_cap,
    worker_config_dir,
    worker_environment,
    worker_name,
)
from kortools.serving.voila_process import (
    ROOT,
    answers,
    free_port,
)

#: What this module offers: the cluster, and the deployment files' names as before the split.
__all__ = [
    "CONF_TEMPLATE",
    "DEPLOY",
    "NGINX",
    "PASSWORD_PAGE",
    "PRIVATE_ENVIRONMENT",
    "PRIVATE_UMASK",
    "PROBE_TIMEOUT_S",
    "SCRIPTS",
    "SOCKET_PATH_MAX",
    "START_GRACE_S",
    "SUPERVISOR_TEMPLATE",
    "SUPERVISOR_WORKER_TEMPLATE",
    "TEMP_DIRS",
    "THROTTLED_PAGE",
    "UNREACHABLE_PAGE",
    "WORKER_ARGS",
    "Cluster",
    "NginxTemplate",
    "WorkerProcess",
    "door_socket_for",
    "free_port",
    "main",
    "nginx_conf",
    "private_file",
    "self_signed_certificate",
    "server_environment",
    "supervisor_conf",
    "total_kernel_cap",
    "worker_config_dir",
    "worker_environment",
    "worker_name",
]


@dataclass(frozen=True)
class WorkerProcess:
    """A worker's process by its id, with the part of ``subprocess.Popen`` callers used."""

    pid: int

    def poll(self) -> int | None:
        """None while the process lives (a zombie has ended), else 0."""
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                return 0 if stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X") else None
        except (OSError, IndexError):
            return 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Restarts:
    """The workers httpok restarted so far, read from its logs in the run directory."""

    run_dir: Path
    workers: int

    @property
    def replaced(self) -> int:
        logs = (self.run_dir / f"httpok-{worker_name(i)}.log" for i in range(self.workers))
        return sum(log.read_text().count("restarted\n") for log in logs if log.exists())


def port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


@dataclass
class Cluster:
    """N Voila workers and nginx in front, under supervisord; a context manager for tests
    and benchmarks (``make serve`` runs the same)."""

    workers: int = 2
    host: str = "127.0.0.1"
    port: int = 8443
    run_dir: Path = ROOT / ".serve"
    user: str = "adviseur"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    notebooks: str = "notebooks/"
    worker_args: tuple[str, ...] = ()
    worker_ports: list[int] = field(default_factory=list)
    supervisord: subprocess.Popen | None = None
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    cap: int = 0
    start_grace: int = START_GRACE_S  # seconds a new worker has before httpok probes it

    @functools.cached_property
    def door_socket(self) -> Path:
        return door_socket_for(self.run_dir)

    @property
    def url(self) -> str:
        return f"https://{'localhost' if self.host in ('127.0.0.1', '0.0.0.0') else self.host}:{self.port}"

    def start(self, timeout: float = 90) -> Cluster:
        """Prepare the run directory, start supervisord; stops it if a step fails."""
        try:
            return self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> Cluster:
        if not Path(NGINX).exists():
            raise RuntimeError(f"{NGINX} is missing: 'make serve' installs it (apt-get install nginx)")
        if self.workers < 1:
            raise ValueError(f"workers must be 1 or more; got {self.workers}")
        conf = self.prepare()
        self.supervisord = subprocess.Popen(
            [str(SCRIPTS / "supervisord"), "-c", str(conf)],
            cwd=ROOT,
            env=server_environment(),
            umask=PRIVATE_UMASK,
            stdout=subprocess.DEVNULL,
        )
        self._wait_until_ready(timeout)
        print(
            f"kortools: {self.workers} Voila workers, at most {self.cap} kernels each, behind nginx",
            flush=True,
        )
        return self

    def prepare(self) -> Path:
        """The private run directory: certificate, pages, the door's credentials, each
        worker's token, nginx.conf and supervisord.conf (returned)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        (self.run_dir / "tmp").mkdir(mode=0o700, exist_ok=True)
        for name in TEMP_DIRS:
            (self.run_dir / "tmp" / name).mkdir(mode=0o700, exist_ok=True)
        self_signed_certificate(self.run_dir)
        (self.run_dir / "htpasswd").unlink(missing_ok=True)  # an earlier run's: the door checks now
        private_file(self.run_dir / "door.credentials", f"{self.user}\n{self.password}\n")
        for page in (UNREACHABLE_PAGE, PASSWORD_PAGE, THROTTLED_PAGE):
            private_file(self.run_dir / page.name, page.read_text())
        self.worker_ports = [free_port() for _ in range(self.workers)]
        self.cap = max(1, total_kernel_cap() // self.workers)
        for index in range(self.workers):
            worker_config_dir(self.run_dir, index, self.secret)
        ports, secret = self.worker_ports, self.secret
        nginx = nginx_conf(self.run_dir, self.host, self.port, ports, secret, self.door_socket)
        private_file(self.run_dir / "nginx.conf", nginx)
        for log in ("nginx-error.log", "nginx-access.log"):
            (self.run_dir / log).touch(mode=0o600)
        check = subprocess.run(
            [NGINX, "-t", "-q", "-c", str(self.run_dir / "nginx.conf")], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        conf = self.run_dir / "supervisord.conf"
        text = supervisor_conf(
            self.run_dir,
            self.worker_ports,
            self.cap,
            self.door_socket,
            self.notebooks,
            self.worker_args,
            self.start_grace,
        )
        private_file(conf, text)
        return conf

    def worker_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.worker_ports[index]}"

    @property
    def supervisor(self) -> xmlrpc.client.ServerProxy:
        """supervisord's XML-RPC interface on its private socket."""
        transport = SupervisorTransport(None, None, f"unix://{self.run_dir / 'supervisor.sock'}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)

    def worker_pids(self) -> list[int]:
        """The workers' process ids now (0: not running), as supervisord knows them."""
        rpc: Any = self.supervisor.supervisor
        return [int(rpc.getProcessInfo(worker_name(i))["pid"]) for i in range(self.workers)]

    @property
    def workers_running(self) -> list[WorkerProcess]:
        """The workers now, as supervisord runs them (kept from before supervisord: ``pid``,
        ``poll()``, ``kill()``)."""
        return [WorkerProcess(pid) for pid in self.worker_pids()]

    @property
    def watchdog(self) -> Restarts:
        """How many times httpok restarted a worker (kept from the watchdog: ``replaced``)."""
        return Restarts(self.run_dir, self.workers)

    def _wait_until_ready(self, timeout: float) -> None:
        """Every worker answers (a 404 probe: it starts no kernel), nginx listens."""
        deadline = time.monotonic() + timeout
        nginx_host = "127.0.0.1" if self.host == "0.0.0.0" else self.host
        ready: list[Callable[[], bool]] = [
            functools.partial(answers, self.worker_url(i)) for i in range(self.workers)
        ]
        ready.append(functools.partial(port_open, nginx_host, self.port))
        for check in ready:
            while not check():
                gone = self.supervisord is None or self.supervisord.poll() is not None
                if gone or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {self.run_dir}/*.log")
                time.sleep(0.2)

    def stop(self) -> None:
        """supervisord stops every process it started (workers with their kernels, nginx, door)."""
        if self.supervisord is not None and self.supervisord.poll() is None:
            self.supervisord.terminate()
            try:
                self.supervisord.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.supervisord.kill()
                self.supervisord.wait()
        self.supervisord = None
        if self.door_socket.parent != self.run_dir:  # a folder of its own (a long run_dir)
            with contextlib.suppress(OSError):
                self.door_socket.unlink(missing_ok=True)
                self.door_socket.parent.rmdir()

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="Voila workers (default 2)")
    parser.add_argument("--host", default="127.0.0.1", help="nginx listens here (0.0.0.0: the whole network)")
    parser.add_argument("--port", type=int, default=8443, help="nginx's HTTPS port (default 8443)")
    parser.add_argument(
        "--run-dir", type=Path, default=ROOT / ".serve", help="certificate, password file, logs"
    )
    args = parser.parse_args(argv)
    user = os.environ.get("KORTOOLS_USER", "adviseur")
    password = os.environ.get("KORTOOLS_PASSWORD") or secrets.token_urlsafe(12)
    cluster = Cluster(workers=args.workers, host=args.host, port=args.port, run_dir=args.run_dir)
    cluster.user, cluster.password = user, password
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with cluster:
        print(f"Dashboard: {cluster.url}/voila/render/kor_verkenner.ipynb", flush=True)
        print(f"User {user}, password {password}" + ("" if "KORTOOLS_PASSWORD" in os.environ else " (new)"))
        print(f"Processes: {SCRIPTS / 'supervisorctl'} -c {cluster.run_dir / 'supervisord.conf'} status")
        with contextlib.suppress(KeyboardInterrupt):
            cluster.supervisord.wait()  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
