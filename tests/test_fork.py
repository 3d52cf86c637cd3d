"""Kernels forked from the zygote (kortools/serving/fork.py, zygote.py).

The browser and serving tests run every dashboard on forked kernels (voila.json);
these check the pieces: which commands are forked, that a forked kernel gets the
request's environment, directory and a random state of its own, and that it can be
signalled and is seen to end.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from kortools.serving.fork import ForkedKernel, Zygote, ipykernel_arguments, is_alive


def test_only_this_pythons_ipykernel_launcher_is_forked():
    connection = ["-f", "/tmp/kernel-1.json"]
    assert ipykernel_arguments([sys.executable, "-m", "ipykernel_launcher", *connection]) == connection
    assert ipykernel_arguments(["/usr/bin/python3.9", "-m", "ipykernel_launcher", *connection]) is None
    assert ipykernel_arguments([sys.executable, "-m", "other_kernel", *connection]) is None


def run_in(client: BlockingKernelClient, code: str) -> str:
    printed: list[str] = []
    client.execute_interactive(
        code,
        timeout=60,
        output_hook=lambda msg: (
            printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None
        ),
    )
    return "".join(printed).strip()


@pytest.fixture
def forked_kernel(tmp_path):
    """Two kernels forked from one zygote, each with its own connection file and env."""
    kernels = []

    async def spawn(index: int):
        connection_file, _ = write_connection_file(
            str(tmp_path / f"kernel-{index}.json"), transport="ipc", ip=str(tmp_path / f"ipc-{index}")
        )
        env = {**os.environ, "KT_PROBE": f"bezoeker-{index}"}
        pid = await Zygote.spawn(["-f", connection_file], env, str(tmp_path))
        return connection_file, ForkedKernel(pid)

    async def spawn_two():
        return [await spawn(i) for i in range(2)]

    # in a thread: the browser tests' Playwright keeps an event loop running in this one
    with ThreadPoolExecutor(1) as thread:
        spawned = thread.submit(asyncio.run, spawn_two()).result()
    for connection_file, process in spawned:
        client = BlockingKernelClient(connection_file=connection_file)
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        kernels.append((client, process))
    yield kernels
    for client, process in kernels:
        client.stop_channels()
        process.kill()


def test_a_forked_kernel_has_the_requests_environment_directory_and_own_random_state(forked_kernel, tmp_path):
    answers = []
    for index, (client, _) in enumerate(forked_kernel):
        probe = "import os, random, sys; print(" + (
            "os.environ['KT_PROBE'], os.getcwd(), random.random(), 'pandas' in sys.modules)"
        )
        name, cwd, draw, preloaded = run_in(client, probe).split()
        assert name == f"bezoeker-{index}"
        assert Path(cwd) == tmp_path
        assert preloaded == "True"  # imported once, in the zygote
        answers.append(draw)
    assert answers[0] != answers[1]  # reseeded after the fork


def test_a_forked_kernel_reads_an_upload_in_one_pass(forked_kernel):
    """A helper process would be outside the kernel's memory bound (kortools.auditfile_halves)."""
    client, _ = forked_kernel[0]
    code = "import os; from kortools.auditfile_halves import HALVES_ENV; print(os.environ.get(HALVES_ENV))"
    assert run_in(client, code) == "0"


def test_a_forked_kernel_keeps_no_history_and_imports_no_debugger(forked_kernel):
    """Its cells are the dashboard's own: no SQLite history (50 kernels would share one file);
    debugpy, which ipykernel imports as a kernel starts, was imported once in the zygote."""
    client, _ = forked_kernel[0]
    code = "print(get_ipython().history_manager.enabled, get_ipython().history_manager.save_thread)"
    assert run_in(client, code) == "False None"


def test_pyplot_in_a_forked_kernel_draws_inline_as_in_an_ordinary_one(forked_kernel):
    # matplotlib was imported in the zygote, before ipykernel could set MPLBACKEND
    client, _ = forked_kernel[0]
    backend = run_in(client, "import matplotlib.pyplot as plt; print(plt.get_backend())")
    assert backend == "module://matplotlib_inline.backend_inline"


def test_a_forked_kernel_can_be_killed_and_is_seen_to_end(forked_kernel):
    _, process = forked_kernel[0]
    assert process.poll() is None and is_alive(process.pid)
    process.kill()
    assert process.wait(timeout=10) == 0
    deadline = time.monotonic() + 5
    while is_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_alive(process.pid)
