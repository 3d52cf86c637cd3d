"""One visitor's slider time while another floods the server from ten pages (issue #31 item 5).

Prints, side by side, the victim's time from a changed amount to the kernel's answer (its
``idle`` status for that message), median and p95 of ``--changes`` changes:

- alone on the server;
- while ten attacker pages from another address each send 40 amounts a second (reconnecting
  whenever a socket is closed, as a script would);

once with voila.json's guard (per-socket *and* per-address budgets) and once with the
per-address budgets lifted (the guard as it was before issue #31). The victim connects from
127.0.0.2, the attacker from 127.0.0.1 (loopback only; every loop bounded in time).

    .venv/bin/python benchmarks/fair_cpu.py [--changes 40] [--pages 10] [--rate 40]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import socket
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from voila_server import VoilaServer  # noqa: E402

KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
PAGE = "kor_verkenner.ipynb"
FIELD = "kt-field-omzet"  # the turnover: every change recomputes the whole dashboard
LIFTED = (  # the per-address budgets out of reach: the guard as before issue #31
    "--GuardedConnection.address_messages_per_second=1000000",
    "--GuardedConnection.address_message_burst=1000000",
    "--GuardedConnection.address_actions_per_second=1000000",
    "--GuardedConnection.address_action_burst=1000000",
    "--GuardedConnection.address_pages_per_second=1000000",
    "--GuardedConnection.address_page_burst=1000000",
)


def message(msg_type: str, content: dict) -> tuple[str, str]:
    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "username": "b", "session": "b", "msg_type": msg_type, "version": "5.3"}
    body = {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
    return msg_id, json.dumps(body)


def page_kernel(server: VoilaServer) -> str:
    body = urllib.request.urlopen(server.page_url(PAGE), timeout=300).read().decode()
    return KERNEL_ID.search(body)[1]


def connect(server: VoilaServer, kernel: str, address: str):
    import websocket

    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30, source_address=(address, 0))
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
    return websocket.create_connection(url, timeout=30, socket=sock)


def receive(ws) -> dict:
    opcode, data = ws.recv_data()
    if opcode == 2:  # legacy binary: 4-byte count, offsets, the JSON first
        count, start = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
        data = data[start : int.from_bytes(data[8:12], "big") if count > 1 else None]
    return json.loads(data)


def field_comm(ws) -> str:
    """The turnover field's comm id, from the widget manager's state request."""
    comm_id = uuid.uuid4().hex
    _, opening = message(
        "comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
    )
    body = json.loads(opening)
    body["metadata"] = {"version": "1.0.0"}
    ws.send(json.dumps(body))
    ws.send(message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})[1])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        data = receive(ws).get("content", {}).get("data", {})
        if data.get("method") == "update_states":
            for model_id, state in data["states"].items():
                if FIELD in state["state"].get("_dom_classes", []):
                    return model_id
    raise RuntimeError("no turnover field on the page")


def change(comm: str, value: int) -> tuple[str, str]:
    data = {"method": "update", "state": {"value": str(value)}, "buffer_paths": []}
    return message("comm_msg", {"comm_id": comm, "data": data})


def victim_times(server: VoilaServer, changes: int) -> list[float]:
    """Seconds from each change of the turnover to the kernel's idle status for it."""
    ws = connect(server, page_kernel(server), "127.0.0.2")
    comm, times = field_comm(ws), []
    try:
        for i in range(changes):
            msg_id, text = change(comm, 18_000 + 100 * (i % 20))
            start = time.monotonic()
            ws.send(text)
            while True:
                body = receive(ws)
                if body.get("parent_header", {}).get("msg_id") == msg_id and (
                    body.get("content", {}).get("execution_state") == "idle"
                ):
                    break
            times.append(time.monotonic() - start)
            time.sleep(0.25)  # a person moves the next amount a moment later
    finally:
        ws.close()
    return times


class Attacker:
    """``pages`` pages from 127.0.0.1, each sending ``rate`` amounts a second, reconnecting
    whenever its socket is closed; counts the changes the server took."""

    def __init__(self, server: VoilaServer, pages: int, rate: float):
        self.server, self.rate = server, rate
        self.kernels = [page_kernel(server) for _ in range(pages)]
        self.stop = threading.Event()
        self.sent = self.refused = 0
        self.threads = [threading.Thread(target=self._flood, args=(k,), daemon=True) for k in self.kernels]

    def __enter__(self) -> Attacker:
        for thread in self.threads:
            thread.start()
        time.sleep(3)  # the flood under way
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def _flood(self, kernel: str) -> None:
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                ws = connect(self.server, kernel, "127.0.0.1")
                comm = field_comm(ws)
                ws.settimeout(0.001)
                i = 0
                while not self.stop.is_set():
                    ws.send(change(comm, 10_000 + i)[1])
                    self.sent += 1
                    i += 1
                    with contextlib.suppress(Exception):
                        while receive(ws):  # drain the answers (a closed socket raises)
                            pass
                    time.sleep(1 / self.rate)
            except Exception:
                self.refused += 1  # closed by the guard: connect again
                time.sleep(0.05)


def summary(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure(args, label: str, extra: tuple[str, ...]) -> list[tuple[str, float, float, str]]:
    rows = []
    with VoilaServer(*extra, log=ROOT / "test-output" / f"fair-{label}.log") as server:
        alone = summary(victim_times(server, args.changes))
        rows.append((f"{label}: alone", *alone, ""))
        with Attacker(server, args.pages, args.rate) as attack:
            flooded = summary(victim_times(server, args.changes))
            took = f"{attack.sent} changes sent, {attack.refused} sockets closed"
        rows.append((f"{label}: {args.pages} attacker pages", *flooded, took))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=40, help="victim's changes per measure")
    parser.add_argument("--pages", type=int, default=10, help="attacker pages")
    parser.add_argument("--rate", type=float, default=40, help="changes a second per attacker page")
    args = parser.parse_args()
    rows = measure(args, "guarded", ()) + measure(args, "no address budget", LIFTED)
    base = {r[0].split(":")[0]: r[1] for r in rows if r[0].endswith("alone")}
    print(f"{'victim slider time':44} {'median':>8} {'p95':>8} {'× alone':>8}  attacker")
    for name, median, p95, note in rows:
        ratio = median / base[name.split(":")[0]]
        print(f"{name:44} {median:8.3f} {p95:8.3f} {ratio:8.2f}  {note}")


if __name__ == "__main__":
    main()
