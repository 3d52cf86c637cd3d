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
import getpass
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from supervisor.xmlrpc import SupervisorTransport
from traitlets.config import Config

from kortools.serving.kernel_cap import ENV_MAX_KERNELS, CappedKernelManager
from kortools.serving.voila_process import (
    READY_PROBE,
    ROOT,
    answers,
    free_port,
    voila_command,
    voila_environment,
)

NGINX = "/usr/sbin/nginx"
DEPLOY = ROOT / "deploy"
CONF_TEMPLATE = DEPLOY / "nginx.conf"
SUPERVISOR_TEMPLATE = DEPLOY / "supervisord.conf"
SUPERVISOR_WORKER_TEMPLATE = DEPLOY / "supervisord-worker.conf"
SCRIPTS = Path(sysconfig.get_path("scripts"))  # supervisord and httpok of this environment
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
UNREACHABLE_PAGE = Path(__file__).with_name("kortools-onbereikbaar.html")  # nginx's for 502/504
PASSWORD_PAGE = Path(__file__).with_name("kortools-wachtwoord.html")  # nginx's for 401
THROTTLED_PAGE = Path(__file__).with_name("kortools-te-veel.html")  # nginx's 429 (door.py)
#: Not passed to supervisord, so not to a worker or a kernel; make's variables are there
#: because `make serve KORTOOLS_PASSWORD=…` puts the password in MAKEFLAGS (issue #31).
PRIVATE_ENVIRONMENT = ("KORTOOLS_PASSWORD", "KORTOOLS_USER", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")
#: the workers' kernel websockets count a visitor by the address nginx saw (guard.py)
WORKER_ARGS = ("--GuardedConnection.address_header=X-Real-IP",)
#: httpok: a worker that does not answer its probe within this is restarted; a new worker
#: is left alone (not RUNNING for supervisor) for its first START_GRACE_S
PROBE_TIMEOUT_S, START_GRACE_S = 10, 30
PRIVATE_UMASK = 0o077  # what supervisord, nginx and the workers create is private


class NginxTemplate(Template):
    delimiter = "@"  # nginx uses $ for its own variables


def total_kernel_cap() -> int:
    """The machine's cap, as one server with voila.json would take it (environment,
    voila.json's ``max_kernels``, else derived from memory): the kernel manager decides."""
    config = Config(json.loads((ROOT / "voila.json").read_text()))
    return CappedKernelManager(config=config).cap


def worker_name(index: int) -> str:
    return f"w{index + 1}"


def nginx_conf(
    run_dir: Path,
    host: str,
    port: int,
    worker_ports: list[int],
    secret: str = "",
    door_socket: Path | None = None,
) -> str:
    """nginx.conf for these workers (deploy/nginx.conf with the fields filled in)."""
    names = [worker_name(i) for i in range(len(worker_ports))]
    addresses = [f"127.0.0.1:{p}" for p in worker_ports]
    user = getpass.getuser()
    return NginxTemplate(CONF_TEMPLATE.read_text()).substitute(
        run_dir=run_dir,
        door_socket=door_socket or door_socket_for(run_dir),
        host=host,
        port=port,
        secret=secret,
        user_line=f"user {user};" if os.geteuid() == 0 else "",
        pool_servers="\n".join(f"        server {a} max_fails=1 fail_timeout=30s;" for a in addresses),
        worker_upstreams="\n".join(
            f"    upstream kortools_{n} {{ server {a}; }}" for n, a in zip(names, addresses, strict=True)
        ),
        cookie_map="\n".join(f"        {n} kortools_{n};" for n in names),
        address_map="\n".join(
            f'        {a} "kortools_worker={n}; Path=/; Secure; HttpOnly; SameSite=Lax";'
            for n, a in zip(names, addresses, strict=True)
        ),
    )


#: A Unix socket's path must fit in 108 bytes (sun_path); a longer run directory gets the
#: door's socket in a private folder of its own under the system's temporary directory.
SOCKET_PATH_MAX = 100


def door_socket_for(run_dir: Path) -> Path:
    """Where the password door listens: the run directory, unless its path is too long."""
    path = run_dir / "door.sock"
    if len(str(path).encode()) <= SOCKET_PATH_MAX:
        return path
    return Path(tempfile.mkdtemp(prefix="kt-door-")) / "door.sock"  # mode 700


def self_signed_certificate(run_dir: Path) -> None:
    """A certificate for localhost (replace tls.crt and tls.key with a real one)."""
    if (run_dir / "tls.crt").exists() and (run_dir / "tls.key").exists():
        return
    key, certificate = run_dir / "tls.key", run_dir / "tls.crt"
    command = [
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "365",
        "-subj",
        "/CN=localhost",
    ]
    san = ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(
        [*command, *san, "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True
    )
    (run_dir / "tls.key").chmod(0o600)


def private_file(path: Path, text: str) -> None:
    """A file only its owner reads (mode 600), whatever was there before."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def worker_config_dir(run_dir: Path, index: int, secret: str) -> Path:
    """A worker's own config (its token), beside voila.json: on JUPYTER_CONFIG_PATH."""
    folder = run_dir / worker_name(index)
    folder.mkdir(mode=0o700, exist_ok=True)
    private_file(folder / "voila.json", json.dumps({"Voila": {"token": secret}}))
    return folder


def server_environment() -> dict[str, str]:
    """supervisord's environment, which every process it starts inherits: this process's,
    the kortools template on JUPYTER_PATH, without the password or make's variables."""
    env = voila_environment()
    for name in PRIVATE_ENVIRONMENT:
        env.pop(name, None)
    return env


def worker_environment(config_dir: Path, cap: int) -> dict[str, str]:
    """A worker's environment: the server's, with its config folder and its share of the cap."""
    env = server_environment()
    env[ENV_MAX_KERNELS] = str(cap)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(config_dir), env.get("JUPYTER_CONFIG_PATH")])
    )
    return env


def supervisor_conf(
    run_dir: Path,
    worker_ports: list[int],
    cap: int,
    door_socket: Path,
    notebooks: str = "notebooks/",
    worker_args: tuple[str, ...] = (),
    start_grace: int = START_GRACE_S,
) -> str:
    """supervisord.conf for these workers (deploy/supervisord.conf and one
    deploy/supervisord-worker.conf per worker, with the fields filled in)."""
    worker = NginxTemplate(SUPERVISOR_WORKER_TEMPLATE.read_text())
    blocks = []
    for index, port in enumerate(worker_ports):
        command = voila_command(notebooks, port, "--Voila.ip=127.0.0.1", *WORKER_ARGS, *worker_args)
        blocks.append(
            worker.substitute(
                name=worker_name(index),
                voila_command=shlex.join(command),
                root=ROOT,
                config_dir=run_dir / worker_name(index),
                cap=cap,
                grace=start_grace,
                run_dir=run_dir,
                httpok=SCRIPTS / "httpok",
                probe_timeout=PROBE_TIMEOUT_S,
                probe_url=f"http://127.0.0.1:{port}{READY_PROBE}",
            )
        )
    return NginxTemplate(SUPERVISOR_TEMPLATE.read_text()).substitute(
        run_dir=run_dir,
        root=ROOT,
        python=sys.executable,
        door_socket=door_socket,
        user_line=f"user = {getpass.getuser()}" if os.geteuid() == 0 else "",
        workers="\n".join(blocks),
    )


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
