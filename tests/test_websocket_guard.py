"""One visitor cannot freeze or grow the server over the kernel websocket (issue #18).

Against the real Voila server on loopback (the session's ``voila`` fixture, voila.json's
``GuardedConnection``): the frame that froze jupyter_server, a legacy-protocol widget
state request (which froze Voila's handler), and widget creation by the visitor. After
each, the server answers within 2 s and its memory has not grown.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import psutil
import pytest
from test_serving import KERNEL_ID, get, message, page_kernel_id

from kortools.serving.frames import V1_PROTOCOL
from kortools.serving.voila_process import READY_PROBE

FREEZING_FRAME = bytes.fromhex("ffffffffffffff7f")


def channels_url(voila, kernel: str) -> str:
    return f"ws://127.0.0.1:{voila.port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"


def connect(voila, kernel: str, protocol: str | None = V1_PROTOCOL):
    import websocket

    return websocket.create_connection(
        channels_url(voila, kernel), timeout=10, subprotocols=[protocol] if protocol else None
    )


def server_rss_mb(voila) -> float:
    return psutil.Process(voila.process.pid).memory_info().rss / 2**20


def answers_within(voila, seconds: float) -> bool:
    start = time.monotonic()
    try:
        urllib.request.urlopen(voila.url + READY_PROBE, timeout=seconds)
    except urllib.error.HTTPError:  # the probe path is a 404 by design: the server answered
        pass
    except OSError:
        return False
    return time.monotonic() - start < seconds


def closed_by_server(ws, seconds: float = 10) -> bool:
    """The server closes the socket (a close frame or the connection dropped) in time."""
    import websocket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            opcode, _ = ws.recv_data(control_frame=True)
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return True
        except websocket.WebSocketTimeoutException:
            continue
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return True
    return False


@pytest.mark.parametrize(("protocol", "frame"), [(V1_PROTOCOL, FREEZING_FRAME), (None, b"\x7f\xff\xff\xff")])
def test_a_frame_with_a_huge_offset_count_closes_only_its_socket(voila, protocol, frame):
    kernel = page_kernel_id(voila)
    before = server_rss_mb(voila)
    ws = connect(voila, kernel, protocol)
    ws.send_binary(frame)
    assert closed_by_server(ws)
    time.sleep(2)
    assert answers_within(voila, 2)
    assert server_rss_mb(voila) - before < 50  # it grew ~100 MB/s before the fix
    # the same page's kernel still serves a new socket
    ws = connect(voila, kernel)
    ws.close()


def request_states_legacy(ws) -> list[str]:
    """The widget manager's state request in the legacy JSON protocol; the reply's types."""
    comm_id = uuid.uuid4().hex
    control = {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}
    opening = json.loads(message("comm_open", control))
    opening["metadata"] = {"version": "1.0.0"}  # the widget control protocol's
    ws.send(json.dumps(opening))
    ws.send(message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}))
    seen, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline and "update_states" not in seen:
        opcode, data = ws.recv_data()
        if opcode == 2:  # binary: a legacy message with buffers (the charts' PNG bytes)
            count = int.from_bytes(data[:4], "big")
            start, end = (int.from_bytes(data[4 * i : 4 * i + 4], "big") for i in (1, 2 if count > 1 else 1))
            data = data[start : end if count > 1 else None]
        body = json.loads(data)
        seen.append(body.get("content", {}).get("data", {}).get("method") or body["header"]["msg_type"])
    return seen


def test_a_legacy_protocol_widget_state_request_is_answered_and_the_server_stays_up(voila):
    kernel = page_kernel_id(voila)
    before = server_rss_mb(voila)
    ws = connect(voila, kernel, protocol=None)
    try:
        assert "update_states" in request_states_legacy(ws)
    finally:
        ws.close()
    assert answers_within(voila, 2)
    assert server_rss_mb(voila) - before < 50


def test_a_visitor_cannot_create_widgets_in_the_kernel(voila):
    kernel = page_kernel_id(voila)
    ws = connect(voila, kernel, protocol=None)
    big = {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget", "data": {"state": {}}}
    ws.send(message("comm_open", big))
    assert closed_by_server(ws)
    assert answers_within(voila, 2)


def test_a_frame_over_the_size_bound_closes_the_socket(voila):
    kernel = page_kernel_id(voila)
    ws = connect(voila, kernel, protocol=None)
    try:  # tornado closes the socket once the frame's length is read: sending may fail
        ws.send(message("comm_msg", {"comm_id": "x", "data": {"value": "x" * (3 << 20)}}))
    except (ConnectionError, OSError):
        pass
    else:
        assert closed_by_server(ws)
    assert answers_within(voila, 2)


def query_socket(voila, kernel: str):
    import websocket

    return websocket.create_connection(f"ws://127.0.0.1:{voila.port}/voila/query/{kernel}", timeout=10)


def test_two_query_sockets_on_one_id_do_not_stall_the_next_visitor(voila):
    # Voila's on_close deleted the last waiter it looked at (the pre-heated kernel's):
    # the next page then waited for its query string for ever.
    # The order matters: the two sockets first, then the pool's new kernel starts waiting
    # (its waiter is now the last one), then the first socket closes.
    known = set(voila.kernel_pids())
    own = KERNEL_ID.search(get(voila, "/voila/render/kor_verkenner.ipynb")[1].decode())[1]
    first = query_socket(voila, own)
    second = query_socket(voila, own)
    # the pool refills: its kernel builds the page, then opens its own query socket and waits
    voila.wait_for_a_new_idle_kernel(known, timeout=30)
    first.close()
    time.sleep(1)
    second.close()
    start = time.monotonic()
    status, body = get(voila, "/voila/render/kor_verkenner.ipynb")
    assert status == 200 and b"kt-kernel-lost" in body
    kernel = KERNEL_ID.search(body.decode())[1]
    ws = connect(voila, kernel)  # the kernel runs: the page finished
    ws.close()
    assert time.monotonic() - start < 60


def test_a_failing_comm_sends_no_traceback_to_the_visitor(voila):
    # a control comm without its protocol version makes ipywidgets raise in the kernel:
    # the traceback (server paths) goes to the log, not over the websocket
    kernel = page_kernel_id(voila)
    ws = connect(voila, kernel, protocol=None)
    received = []
    try:
        ws.send(message("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": "jupyter.widget.control"}))
        ws.send(message("kernel_info_request", {}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "kernel_info_reply" not in " ".join(received):
            import websocket

            try:
                received.append(str(ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
    finally:
        ws.close()
    assert any("kernel_info_reply" in r for r in received)  # the channel answered
    assert not any("Traceback" in r or "site-packages" in r or "/work/" in r for r in received)
