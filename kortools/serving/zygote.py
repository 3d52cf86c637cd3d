"""A process that has imported the dashboard's libraries once and forks kernels from itself.

Started by ``ForkProvisioner`` (kortools/serving/fork.py) in the Voila server. Every
dashboard kernel imports numpy, pandas, matplotlib, ipywidgets and kortools and reads
the tax data (about 80 MB and a second of CPU); forked from here, a kernel shares those
pages with its siblings (copy-on-write) and starts without doing that again.

Protocol, on a unix socket: one JSON line ``{"argv": [...], "env": {...}, "cwd": ...}``
per kernel, answered with ``{"pid": N}``. The child becomes the kernel (ipykernel's
launcher with ``argv``), in a session of its own, with exactly ``env`` and ``cwd``.
The zygote reaps its children; when the server that started it has gone (it looks every
second, ``kill -9`` included) it ends its kernels and exits. A kernel dies with the
zygote (``PR_SET_PDEATHSIG``: SIGKILL) and stays within its memory bound
(kortools/serving/kernel_bounds.py).

Run: ``python -m kortools.serving.zygote SOCKET_PATH [SERVER_PID]``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import itertools
import json
import os
import random
import signal
import socket
import sys
import time
from pathlib import Path

from kortools.serving.kernel_bounds import die_with_parent, limit_memory

# ipywidgets registers its comm targets with the running kernel when it is imported;
# imported here, before any kernel, the child registers them once its kernel exists.
PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "PIL.Image",
    "ipykernel.kernelapp",
    # what ipykernel imports as it starts a kernel (measured: 0.15-0.2 CPU-s of each kernel's
    # start, debugpy most of it), imported once here instead of in every kernel
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.platform.asyncio",
    "ipywidgets",
    "kortools.ui",  # the model and (on import) the tax data
    "kortools.ui.app",  # the dashboards, bound on kortools.ui before any submodule of their names
    "kortools.auditfile_halves",  # its HALVES_ENV, set in every kernel (become_kernel)
)


def preload() -> None:
    """Import what every dashboard kernel needs and read the tax data, then freeze.

    No thread may run at fork time: OpenBLAS starts its thread pool when numpy loads,
    unless told to use one thread.
    """
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    # What ipykernel sets before a notebook imports matplotlib; matplotlib reads it at
    # import, so it must be set here (else pyplot in a notebook draws nowhere).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # debugpy's check of the interpreter, printed to the log at import, asks for this
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for module in PRELOAD:
        importlib.import_module(module)
    try:  # the default pages' charts, inherited by every kernel (a failure only costs time)
        importlib.import_module("kortools.ui.first_charts").warm_chart_cache()
    except Exception as error:  # pragma: no cover - never keep the zygote from serving
        print(f"kortools zygote: charts not pre-drawn: {error!r}", file=sys.stderr)
    gc.collect()
    gc.freeze()  # the collector leaves these objects (and their shared pages) alone


KERNELS: set[int] = set()  # the living children, ended when the zygote ends
CONNECTION_FILES: set[Path] = set()  # theirs, removed (with their sockets) when it ends
END_GRACE_S = 3


def reap_children(*_) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        KERNELS.discard(pid)


def end_kernels() -> None:
    """SIGTERM to every kernel's process group, SIGKILL to those left after a grace."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in list(KERNELS):
            try:
                os.killpg(pid, signum)  # the kernel leads its own session and group
            except ProcessLookupError:
                KERNELS.discard(pid)
            except PermissionError:
                continue
        deadline = time.monotonic() + END_GRACE_S
        while KERNELS and time.monotonic() < deadline:
            reap_children()
            time.sleep(0.05)


def become_kernel(request: dict, zygote: int) -> None:
    """In the forked child: the kernel's session, environment, directory and memory
    bound, then ipykernel. It dies with the zygote."""
    die_with_parent(signal.SIGKILL, zygote)
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(request["env"])
    from kortools.auditfile_halves import HALVES_ENV  # preloaded: not at the top (numpy's threads)

    os.environ[HALVES_ENV] = "0"  # an upload is read by this kernel alone, within its bound
    os.chdir(request.get("cwd") or os.getcwd())
    random.seed()
    import numpy

    numpy.random.seed()
    limit_memory(request.get("memory_limit_mb") or 0)
    import ipywidgets
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # what ipykernel_launcher does, in two steps; no history on disk: a served kernel runs the
    # dashboard's own cells, and 50 kernels would share one SQLite file (and a thread each)
    app.initialize([*request["argv"], "--HistoryManager.enabled=False"])
    ipywidgets.register_comm_target()
    app.start()


def read_request(connection: socket.socket) -> dict:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data)


def serve(path: str, parent: int) -> None:
    # Not PR_SET_PDEATHSIG here: Linux ties it to the thread that started the zygote,
    # which need not live as long as the server. The loop looks at the parent instead.
    preload()
    signal.signal(signal.SIGCHLD, reap_children)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # clean up the socket
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    listener.settimeout(1)
    try:
        forking_loop(listener, parent)
    finally:  # only the zygote gets here: a child ends with os._exit
        end_kernels()
        remove_kernel_files()
        listener.close()
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


def connection_file(argv: list[str]) -> Path | None:
    """The kernel's connection file (``-f PATH``) among ipykernel's arguments."""
    for flag, value in itertools.pairwise(argv):
        if flag in ("-f", "--f"):
            return Path(value)
    for argument in argv:
        if argument.startswith(("-f=", "--f=")):
            return Path(argument.split("=", 1)[1])
    return None


def remove_kernel_files() -> None:
    """What the forked kernels left in the server's runtime folder (their connection files
    and IPC sockets), and the folder when that leaves it empty: after ``kill -9`` of the
    server nobody else removes them (issue #31 item 6)."""
    folders = set()
    for file in CONNECTION_FILES:
        for leftover in [file, *file.parent.glob(f"{file.stem}-ipc-*")]:
            with contextlib.suppress(OSError):
                leftover.unlink()
        folders.add(file.parent)
    for folder in folders:
        with contextlib.suppress(OSError):  # not empty: another server's, or not ours
            folder.rmdir()


def forking_loop(listener: socket.socket, parent: int) -> None:
    while os.getppid() == parent:  # the server has gone: stop
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        with connection:
            request = read_request(connection)
            zygote = os.getpid()
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                try:
                    become_kernel(request, zygote)
                finally:
                    os._exit(0)
            KERNELS.add(pid)
            file = connection_file(request.get("argv") or [])
            if file is not None:
                CONNECTION_FILES.add(file)
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    # the server's pid is passed: by the time this runs the server may already be gone
    serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else os.getppid())
