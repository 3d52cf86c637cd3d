"""Starting one Voila server process the way kortools serves it (cluster workers, tests).

From the repository root, so ``voila.json`` applies, with the repository's template
(``share/jupyter``) first on ``JUPYTER_PATH``.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_PROBE = "/kt-ready-probe"  # a 404 path: a readiness probe must not start a kernel


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(notebooks: str, port: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "voila", notebooks, f"--port={port}", *args]


def voila_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment, the kortools template first on JUPYTER_PATH, then ``extra``."""
    jupyter_path = os.pathsep.join(
        filter(None, [str(ROOT / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")])
    )
    return {**os.environ, "JUPYTER_PATH": jupyter_path, **(extra or {})}


def answers(base_url: str, timeout: float = 2) -> bool:
    """The server answers HTTP (its 404 for the probe path); False while it cannot be reached."""
    try:
        urllib.request.urlopen(base_url + READY_PROBE, timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True
