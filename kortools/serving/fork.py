"""Kernels forked from a pre-imported process: smaller and quicker to start (issue #14).

``ForkProvisioner`` is a jupyter_client kernel provisioner (entry point
``kortools-fork``; ``voila.json``: ``KernelProvisionerFactory.default_provisioner_name``).
It starts ipykernel kernels by asking the zygote (kortools/serving/zygote.py) to fork
one, and otherwise behaves as jupyter_client's ``LocalProvisioner`` (signals to the
kernel's process group, polling, killing). A kernel command that is not ipykernel's
launcher starts the ordinary way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Int

from kortools.processes import is_alive
from kortools.serving.kernel_bounds import DEFAULT_KERNEL_MEMORY_MB

ZYGOTE_START_TIMEOUT = 120


class ForkedKernel:
    """The part of ``subprocess.Popen`` that LocalProvisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not is_alive(self.pid):
            self.returncode = 0  # the zygote reaped it; its status is not ours to read
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0.0)
            time.sleep(0.05)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Zygote:
    """The server's one zygote process, started on first use."""

    _process: subprocess.Popen | None = None
    _path: str | None = None
    _lock: asyncio.Lock | None = None

    @classmethod
    async def spawn(
        cls, argv: list[str], env: dict[str, str], cwd: str | None, memory_limit_mb: int = 0
    ) -> int:
        path = await cls._ensure_started()
        reader, writer = await asyncio.open_unix_connection(path)
        request = {"argv": argv, "env": env, "cwd": cwd, "memory_limit_mb": memory_limit_mb}
        try:
            writer.write(json.dumps(request).encode() + b"\n")
            await writer.drain()
            return json.loads(await reader.readline())["pid"]
        finally:
            writer.close()

    @classmethod
    async def _ensure_started(cls) -> str:
        cls._lock = cls._lock or asyncio.Lock()
        async with cls._lock:
            if cls._process is None or cls._process.poll() is not None:
                if cls._path:  # a zygote that was killed could not remove its socket
                    shutil.rmtree(Path(cls._path).parent, ignore_errors=True)
                cls._path = str(Path(tempfile.mkdtemp(prefix="kortools-zygote-")) / "socket")
                command = [sys.executable, "-m", "kortools.serving.zygote", cls._path, str(os.getpid())]
                cls._process = subprocess.Popen(command)
                deadline = time.monotonic() + ZYGOTE_START_TIMEOUT
                while not Path(cls._path).exists():
                    if cls._process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the kernel zygote did not start (kortools.serving.zygote)")
                    await asyncio.sleep(0.05)
            assert cls._path is not None
            return cls._path


def ipykernel_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments after ``python -m ipykernel_launcher`` (this Python's), else None."""
    if (
        len(cmd) >= 3
        and cmd[1:3] == ["-m", "ipykernel_launcher"]
        and Path(cmd[0]).resolve() == Path(sys.executable).resolve()
    ):
        return cmd[3:]
    return None


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose ipykernel kernels are forked from the zygote."""

    memory_limit_mb = Int(
        DEFAULT_KERNEL_MEMORY_MB,
        config=True,
        help="Most memory (resident, MB) one kernel may use before it is ended; 0: no bound. "
        "voila.json: ForkProvisioner.memory_limit_mb (kortools/serving/kernel_bounds.py).",
    )

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        arguments = ipykernel_arguments(cmd)
        if arguments is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        pid = await Zygote.spawn(arguments, env, str(cwd) if cwd else None, self.memory_limit_mb)
        self.process = ForkedKernel(pid)  # type: ignore[assignment]  # Popen's interface, as used
        self.pid = pid
        self.pgid = pid  # the child starts a session of its own (setsid)
        self.cwd = cwd or Path.cwd()
        return self.connection_info
