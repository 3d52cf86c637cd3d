"""The page's query string inside a Voila kernel, without importing Voila's server stack.

``voila.utils.get_query_string()`` does the job, but importing ``voila.utils`` pulls
in jupyter_server, jupyterlab_server, nbconvert and tornado: 41 MB more per kernel
(measured: 126 MB → 167 MB), which alone broke the 160 MB target of issue #4. This
module does the same handshake with only ``websockets`` (a Voila dependency):

- cold kernel: Voila puts the request into the kernel's environment (QUERY_STRING);
- pre-heated kernel (``VOILA_PREHEAT=True``): the kernel was started before anyone
  asked for the page; it connects to Voila's ``voila/query/<kernel id>`` websocket and
  waits there for the visitor's request info (a JSON object of environment variables).

Same URL, variables and timeout as voila 0.5.13 (``voila/utils.py``,
``wait_for_request``); ``tests/test_serving.py`` checks it against a real server.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading

CONNECT_TIMEOUT = 5.0  # seconds, as Voila's own helper
_answered: list[bool] = []  # a pre-heated kernel asks once: its one visitor's request


def query_url() -> str:
    """Voila's request-info websocket for this kernel (built as voila.utils does)."""
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{ip}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID')}"


async def _receive_request_info(url: str) -> str | None:
    from websockets.asyncio.client import connect

    try:
        async with connect(url, open_timeout=CONNECT_TIMEOUT) as websocket:
            message = await websocket.recv()
            return message if isinstance(message, str) else message.decode("utf-8")
    except (TimeoutError, OSError):
        return None


def wait_for_request() -> bool:
    """Block a pre-heated kernel until its visitor arrives; put the request in os.environ.

    Returns False when Voila could not be reached (the request info is then missing).
    A thread with its own event loop, as Voila's helper: the kernel's loop is running.
    """
    received: list[str | None] = [None]

    def receive() -> None:
        received[0] = asyncio.run(_receive_request_info(query_url()))

    thread = threading.Thread(target=receive, name="kortools-voila-query")
    thread.start()
    thread.join()
    if received[0] is None:
        return False
    for key, value in json.loads(received[0]).items():
        os.environ[key] = value
    return True


def preheated() -> bool:
    """A kernel of Voila's pool: started before anyone asked for its page."""
    return os.environ.get("VOILA_PREHEAT", "False") != "False"


def awaiting_visitor() -> bool:
    """A pre-heated kernel whose visitor has not arrived yet (nor been asked for)."""
    return preheated() and not _answered


def get_query_string() -> str | None:
    """The visitor's query string ("" if none); None if a pre-heated kernel never got it."""
    if preheated():
        _answered.append(True)
        if not wait_for_request():
            return None
    return os.environ.get("QUERY_STRING")
