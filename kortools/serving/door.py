"""The password at the door of ``make serve``, throttled without an oracle (issue #31 item 4).

nginx asks this door about every request (``auth_request``) over a Unix socket in the
private run directory. The door answers 200 for the right user and password, 401 (with the
browser's password prompt) for none or a wrong one, and 403 — which nginx turns into 429 with
a Dutch page — for *every* request carrying a credential from an address that has used up
its wrong guesses (10 at once, then one per 2 s), the right password included: while an
address is throttled its guesses are not checked at all, so a throttled answer tells
nothing about the password. nginx's own ``auth_basic`` could only throttle the wrong ones,
and the right one then stood out (200 among 429s: 922 guesses a second).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import hmac
import signal
import threading
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_unix_socket
from tornado.web import Application, RequestHandler

from kortools.serving.address_budget import AddressBudgets

REALM = 'Basic realm="kortools", charset="UTF-8"'
WRONG_AT_ONCE, WRONG_PER_SECOND = 10, 0.5
ALLOWED, ASK, THROTTLED = 200, 401, 403


class Door:
    """Decides on one request's ``Authorization`` header from one address."""

    def __init__(self, user: str, password: str, burst: int = WRONG_AT_ONCE, rate: float = WRONG_PER_SECOND):
        self._expected = f"{user}:{password}".encode()
        self._wrong = AddressBudgets(rate, burst)

    def decide(self, authorization: str, address: str, now: float | None = None) -> int:
        """200 (in), 401 (no or a wrong credential), 403 (throttled, whatever the credential)."""
        if not authorization:
            return ASK  # a browser's first request: it guesses nothing
        if not self._wrong.has_room(address, now):
            return THROTTLED
        if hmac.compare_digest(self._credential(authorization), self._expected):
            return ALLOWED
        self._wrong.take(address, now)
        return ASK

    @staticmethod
    def _credential(authorization: str) -> bytes:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "basic":
            return b""
        try:
            return base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return b""


class _DoorHandler(RequestHandler):
    def initialize(self, door: Door) -> None:
        self.door = door

    def get(self) -> None:
        authorization = self.request.headers.get("Authorization", "")
        address = self.request.headers.get("X-Real-IP", "") or "?"
        status = self.door.decide(authorization, address)
        self.set_status(status)
        if status == ASK:
            self.set_header("WWW-Authenticate", REALM)


class DoorServer:
    """The door on a Unix socket (mode 600), served from a thread of its own."""

    def __init__(self, door: Door, socket_path: Path):
        self.door, self.socket_path = door, socket_path
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def start(self) -> DoorServer:
        self.socket_path.unlink(missing_ok=True)
        self._thread = threading.Thread(target=self._serve, name="kortools-door", daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the password door did not start")
        return self

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = HTTPServer(Application([(r".*", _DoorHandler, {"door": self.door})]))
        server.add_socket(bind_unix_socket(str(self.socket_path), mode=0o600))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.stop()
            self._loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self.socket_path.unlink(missing_ok=True)


def read_credentials(path: Path) -> tuple[str, str]:
    """The user and password from the run directory's private file (first two lines)."""
    lines = path.read_text().splitlines()
    if len(lines) < 2 or not lines[0] or not lines[1]:
        raise SystemExit(f"{path}: the user on the first line, the password on the second")
    return lines[0], lines[1]


def main(argv: list[str] | None = None) -> int:
    """``python -m kortools.serving.door --socket S --credentials F`` (supervisord runs it)."""
    parser = argparse.ArgumentParser(description="kortools' password door for nginx's auth_request")
    parser.add_argument("--socket", type=Path, required=True, help="the Unix socket nginx asks (mode 600)")
    parser.add_argument("--credentials", type=Path, required=True, help="user and password, one per line")
    args = parser.parse_args(argv)
    server = DoorServer(Door(*read_credentials(args.credentials)), args.socket).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
