"""The pre-heated kernel's handshake with Voila (kortools.ui.voila_query), without Voila.

The real server is exercised by the browser tests (URL parameters under pre-heated
kernels); here a stand-in websocket server plays Voila's ``voila/query`` endpoint.
"""

import asyncio
import json
import threading

import pytest

from kortools.ui import voila_query


@pytest.fixture
def voila_env(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-123")
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return monkeypatch


def serve_once(payload: dict) -> tuple[int, list[str]]:
    """A websocket server on a free port that sends ``payload`` to the first client."""
    from websockets.asyncio.server import serve

    ready, paths = threading.Event(), []
    port = [0]

    async def handler(connection):
        paths.append(connection.request.path)
        await connection.send(json.dumps(payload))

    async def main():
        async with serve(handler, "127.0.0.1", 0) as server:
            port[0] = server.sockets[0].getsockname()[1]
            ready.set()
            while not paths:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)

    threading.Thread(target=asyncio.run, args=(main(),), daemon=True).start()
    ready.wait(10)
    return port[0], paths


def test_a_preheated_kernel_gets_the_visitors_query_string(voila_env):
    port, paths = serve_once({"QUERY_STRING": "omzet=18000&consumenten=80", "SERVER_NAME": "x"})
    voila_env.setenv("VOILA_APP_PORT", str(port))
    voila_env.setenv("VOILA_SERVER_URL", "/base/")
    assert voila_query.get_query_string() == "omzet=18000&consumenten=80"
    assert paths == ["/base/voila/query/k-123"]  # Voila's endpoint for this kernel


def test_an_unreachable_voila_gives_none_not_the_defaults(voila_env):
    from voila_server import free_port

    voila_env.setenv("VOILA_APP_PORT", str(free_port()))  # nothing listens there
    assert voila_query.get_query_string() is None


def test_a_cold_kernel_reads_the_environment(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "omzet=5")
    assert voila_query.get_query_string() == "omzet=5"


def test_the_dashboard_kernel_does_not_import_the_voila_server_stack():
    """voila.utils would add jupyter_server, nbconvert, ... (41 MB per kernel)."""
    import subprocess
    import sys

    code = (
        "import os, sys; os.environ['VOILA_PREHEAT'] = 'False'; os.environ['VOILA_KERNEL_ID'] = 'x';"
        "os.environ['QUERY_STRING'] = ''; from kortools.ui import kor_verkenner; kor_verkenner('kapper');"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'voila', 'jupyter_server', 'nbconvert'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
