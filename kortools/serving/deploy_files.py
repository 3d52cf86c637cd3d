"""The files of a ``make serve`` deployment, filled in (issue #36 item 2): nginx.conf and
supervisord.conf from the templates in ``deploy/`` (only ports, paths, the token and the
worker list), the self-signed certificate, each worker's private config and the
environments. :mod:`kortools.serving.cluster` writes them to the run directory and runs
supervisord on them.
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from string import Template

from traitlets.config import Config

from kortools.serving.kernel_cap import ENV_MAX_KERNELS, CappedKernelManager
from kortools.serving.voila_process import (
    READY_PROBE,
    ROOT,
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
