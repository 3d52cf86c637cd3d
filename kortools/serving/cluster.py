"""Several Voila workers behind nginx: TLS, basic auth, sticky sessions (issue #14, item 5).

``make serve WORKERS=2`` runs ``python -m kortools.serving.cluster --workers 2``:
- N Voila workers on loopback ports, each serving ``notebooks/`` with ``voila.json``
  and its share of the kernel cap (the machine's cap divided by N);
- Debian's nginx in front on ``--host:--port`` (default 127.0.0.1:8443) with a
  self-signed certificate and a basic-auth password file, made in the run directory;
- a cookie (``kortools_worker``) keeps a visitor on the worker that holds the kernel
  of their page, so the page's websocket reaches it.

The user is ``KORTOOLS_USER`` (default ``adviseur``); the password ``KORTOOLS_PASSWORD``,
or a new one printed at start. Put a real certificate in the run directory
(``tls.crt``, ``tls.key``) to replace the self-signed one.

Hygiene (issue #18, items 2 and 6): the workers want a token that only nginx sends (a
fresh secret per run, in each worker's own config file), so nothing else on the machine
reaches them; the run directory and its files are private (mode 700/600); the password
is not in the workers' (so the kernels') environment; a watchdog replaces a worker that
stops answering (kortools/serving/watchdog.py), and nginx answers a visitor of a worker
that is frozen or gone with a Dutch page instead of a hang.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import getpass
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from traitlets.config import Config

from kortools.serving.door import Door, DoorServer
from kortools.serving.kernel_cap import ENV_MAX_KERNELS, CappedKernelManager
from kortools.serving.voila_process import ROOT, answers, free_port, voila_command, voila_environment
from kortools.serving.watchdog import Watchdog

NGINX = "/usr/sbin/nginx"
CONF_TEMPLATE = Path(__file__).with_name("nginx.conf")
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
UNREACHABLE_PAGE = Path(__file__).with_name("kortools-onbereikbaar.html")  # nginx's for 502/504
PASSWORD_PAGE = Path(__file__).with_name("kortools-wachtwoord.html")  # nginx's for 401
THROTTLED_PAGE = Path(__file__).with_name("kortools-te-veel.html")  # nginx's 429 (door.py)
#: Not passed to the workers, so not to the kernels either; make's variables are there
#: because `make serve KORTOOLS_PASSWORD=…` puts the password in MAKEFLAGS (issue #31).
PRIVATE_ENVIRONMENT = ("KORTOOLS_PASSWORD", "KORTOOLS_USER", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")
#: the workers' kernel websockets count a visitor by the address nginx saw (guard.py)
WORKER_ARGS = ("--GuardedConnection.address_header=X-Real-IP",)
PAGE_TIMEOUT_S, SOCKET_TIMEOUT_S = 60, 120
PRIVATE_UMASK = 0o077  # what nginx and the workers create (logs, temp files) is private
PROXY_HEADERS = (
    'proxy_set_header Authorization "token {secret}";',
    "proxy_set_header Host $http_host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
)


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
    """nginx.conf for these workers (kortools/serving/nginx.conf with the fields filled in)."""
    names = [worker_name(i) for i in range(len(worker_ports))]
    addresses = [f"127.0.0.1:{p}" for p in worker_ports]
    user = getpass.getuser()
    return NginxTemplate(CONF_TEMPLATE.read_text()).substitute(
        run_dir=run_dir,
        door_socket=door_socket or door_socket_for(run_dir),
        host=host,
        port=port,
        page_timeout=f"{PAGE_TIMEOUT_S}s",
        socket_timeout=f"{SOCKET_TIMEOUT_S}s",
        proxy_headers="\n".join(" " * 12 + line.format(secret=secret) for line in PROXY_HEADERS),
        user_line=f"user {user};" if os.geteuid() == 0 else "",
        pool_servers="\n".join(f"        server {a};" for a in addresses),
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


def worker_environment(config_dir: Path, cap: int) -> dict[str, str]:
    """The worker's environment: its cap and config, without the cluster's password."""
    env = voila_environment({ENV_MAX_KERNELS: str(cap)})
    for name in PRIVATE_ENVIRONMENT:
        env.pop(name, None)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(config_dir), env.get("JUPYTER_CONFIG_PATH")])
    )
    return env


@dataclass
class Cluster:
    """N Voila workers and nginx in front; a context manager for tests and benchmarks."""

    workers: int = 2
    host: str = "127.0.0.1"
    port: int = 8443
    run_dir: Path = ROOT / ".serve"
    user: str = "adviseur"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    notebooks: str = "notebooks/"
    worker_args: tuple[str, ...] = ()
    worker_ports: list[int] = field(default_factory=list)
    workers_running: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    watchdog: Watchdog | None = None
    door: DoorServer | None = None
    cap: int = 0

    @functools.cached_property
    def door_socket(self) -> Path:
        return door_socket_for(self.run_dir)

    @property
    def processes(self) -> list[subprocess.Popen]:
        """The workers, then nginx."""
        return [*self.workers_running, *([self.nginx] if self.nginx else [])]

    @property
    def url(self) -> str:
        return f"https://{'localhost' if self.host in ('127.0.0.1', '0.0.0.0') else self.host}:{self.port}"

    def start(self, timeout: float = 90) -> Cluster:
        """Start the workers, then nginx; stops whatever started if a step fails."""
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
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o700)
        for name in TEMP_DIRS:
            (self.run_dir / "tmp" / name).mkdir(mode=0o700, parents=True, exist_ok=True)
        self_signed_certificate(self.run_dir)
        (self.run_dir / "htpasswd").unlink(missing_ok=True)  # an earlier run's: the door checks now
        self.door = DoorServer(Door(self.user, self.password), self.door_socket).start()
        for page in (UNREACHABLE_PAGE, PASSWORD_PAGE, THROTTLED_PAGE):
            private_file(self.run_dir / page.name, page.read_text())
        self.worker_ports = [free_port() for _ in range(self.workers)]
        self.cap = max(1, total_kernel_cap() // self.workers)
        self.workers_running = [self.start_worker(index) for index in range(self.workers)]
        conf = self.run_dir / "nginx.conf"
        text = nginx_conf(
            self.run_dir, self.host, self.port, self.worker_ports, self.secret, self.door_socket
        )
        private_file(conf, text)
        for log in ("nginx-error.log", "nginx-access.log"):
            (self.run_dir / log).touch(mode=0o600)
        check = subprocess.run([NGINX, "-t", "-q", "-c", str(conf)], capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        self.nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"], umask=PRIVATE_UMASK)
        self._wait_until_ready(timeout)
        self.watchdog = Watchdog(self).start()
        print(
            f"kortools: {self.workers} Voila workers, at most {self.cap} kernels each, behind nginx",
            flush=True,
        )
        return self

    def worker_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.worker_ports[index]}"

    def start_worker(self, index: int) -> subprocess.Popen:
        """Worker ``index`` on its port, with its token, its share of the cap and its log."""
        log = open(  # noqa: SIM115 - the worker holds it
            self.run_dir / f"voila-{worker_name(index)}.log",
            "a",
            opener=lambda path, flags: os.open(path, flags, 0o600),
        )
        command = voila_command(
            self.notebooks, self.worker_ports[index], "--Voila.ip=127.0.0.1", *WORKER_ARGS, *self.worker_args
        )
        env = worker_environment(worker_config_dir(self.run_dir, index, self.secret), self.cap)
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, umask=PRIVATE_UMASK
        )

    def replace_worker(self, index: int, reason: str) -> None:
        """Kill a frozen or dead worker (its zygote and kernels die with it) and start anew."""
        old = self.workers_running[index]
        print(f"kortools: worker {worker_name(index)} {reason}; it is replaced", file=sys.stderr, flush=True)
        if old.poll() is None:
            old.kill()
            old.wait(timeout=15)
        self.workers_running[index] = self.start_worker(index)

    def _wait_until_ready(self, timeout: float) -> None:
        """Every worker answers (a 404 probe: it starts no kernel)."""
        deadline = time.monotonic() + timeout
        for port in self.worker_ports:
            while not answers(f"http://127.0.0.1:{port}"):
                if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                    raise RuntimeError(f"a worker did not start; see {self.run_dir}/voila-*.log")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.workers_running, self.nginx = [], None
        if self.door is not None:
            self.door.stop()
            self.door = None
            if self.door_socket.parent != self.run_dir:  # a folder of its own (a long run_dir)
                with contextlib.suppress(OSError):
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
        try:
            while cluster.nginx is not None and cluster.nginx.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
