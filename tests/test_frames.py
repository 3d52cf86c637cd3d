"""Kernel-websocket frames are checked before they are parsed (issue #18, item 1).

The layouts are jupyter_server's own (``serialize_msg_to_ws_v1``,
``serialize_binary_message``): what they write must pass, and no other bytes may make the
check hang or raise anything but ``BadFrame``.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jupyter_server.services.kernels.connection.base import serialize_binary_message, serialize_msg_to_ws_v1

from kortools.serving.frames import (
    V1_PROTOCOL,
    BadFrame,
    parse_frame,
    parse_legacy_binary,
    parse_legacy_text,
    parse_v1,
)

BOUND = 1 << 20
FREEZING_FRAME = bytes.fromhex("ffffffffffffff7f")  # 2**63 − 1 offsets (issue #18)


def kernel_message(msg_type: str = "comm_msg", content: dict | None = None, buffers=()) -> dict:
    return {
        "header": {"msg_id": "1", "msg_type": msg_type, "session": "s", "username": "u", "version": "5.3"},
        "parent_header": {},
        "metadata": {},
        "content": content or {},
        "buffers": list(buffers),
        "channel": "shell",
    }


def v1(message: dict, channel: str = "shell") -> bytes:
    parts = [json.dumps(message[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
    return serialize_msg_to_ws_v1([*parts, *message["buffers"]], channel)


def test_jupyter_servers_v1_frame_is_read_with_its_channel_header_and_buffers():
    frame = parse_v1(v1(kernel_message("comm_open", {"target_name": "t"}, [b"abc"])), BOUND)
    assert frame.channel == "shell" and frame.msg_type == "comm_open"
    assert frame.comm_target() == "t"
    assert frame.parts[4] == b"abc"


def test_jupyter_servers_legacy_binary_frame_is_read():
    frame = parse_legacy_binary(
        serialize_binary_message(kernel_message("update", buffers=[b"x" * 10])), BOUND
    )
    assert frame.msg_type == "update" and frame.channel == "shell"


def test_a_legacy_text_frame_is_read_with_its_content():
    frame = parse_legacy_text(
        json.dumps(kernel_message("comm_open", {"target_name": "jupyter.widget"})), BOUND
    )
    assert frame.comm_target() == "jupyter.widget"


def test_the_frame_that_froze_the_server_is_refused_at_once():
    start = time.perf_counter()
    with pytest.raises(BadFrame, match="offsets"):
        parse_frame(FREEZING_FRAME, V1_PROTOCOL, BOUND)
    # the same 8 bytes read as a legacy frame: a count of −1 buffers
    with pytest.raises(BadFrame, match="buffers"):
        parse_frame(FREEZING_FRAME, None, BOUND)
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\x06" + b"\0" * 7, "do not fit"),  # 6 offsets announced, none there
        (b"\x7f\xff\xff\xff", "buffers"),  # 2**31 − 1 legacy buffers: a 2-GB format string
    ],
)
def test_counts_larger_than_the_frame_are_refused(frame, reason):
    protocol = V1_PROTOCOL if len(frame) == 8 else None
    with pytest.raises(BadFrame, match=reason):
        parse_frame(frame, protocol, BOUND)


def test_an_offset_outside_the_frame_is_refused():
    frame = bytearray(v1(kernel_message()))
    frame[16:24] = (10**9).to_bytes(8, "little")  # the channel's end far past the frame
    with pytest.raises(BadFrame, match="outside the frame"):
        parse_v1(bytes(frame), BOUND)


def test_an_unknown_channel_and_an_oversized_frame_are_refused():
    with pytest.raises(BadFrame, match="no channel"):
        parse_v1(v1(kernel_message(), channel="shellx"), BOUND)
    with pytest.raises(BadFrame, match="over the bound"):
        parse_v1(v1(kernel_message(buffers=[b"x" * 2000])), 1000)


messages = st.builds(
    kernel_message,
    msg_type=st.sampled_from(["comm_msg", "comm_open", "kernel_info_request"]),
    content=st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    buffers=st.lists(st.binary(max_size=50), max_size=3),
)


@given(messages)
def test_every_frame_jupyter_server_writes_passes_both_protocols(message):
    assert parse_v1(v1(message), BOUND).header == message["header"]
    assert parse_legacy_binary(serialize_binary_message(message), BOUND).header == message["header"]


def flipped(frame: bytes, data) -> bytes:
    """The frame with one byte changed: a near miss of a valid layout."""
    index = data.draw(st.integers(0, len(frame) - 1))
    return frame[:index] + bytes([data.draw(st.integers(0, 255))]) + frame[index + 1 :]


@settings(max_examples=400)
@given(
    st.one_of(
        st.binary(max_size=200),
        messages.map(v1),  # valid: the "read" branch (see --hypothesis-show-statistics)
        messages.map(v1).map(lambda f: f[: len(f) // 2]),
    ),
    st.data(),
)
def test_no_bytes_make_the_check_hang_or_fail_otherwise(frame, data):
    if frame and data.draw(st.booleans()):
        frame = flipped(frame, data)
    for protocol in (V1_PROTOCOL, None):
        start = time.perf_counter()
        try:
            parsed = parse_frame(frame, protocol, BOUND)
        except BadFrame:
            event("refused")
        else:
            event("read")
            assert parsed.size == len(frame)
        assert time.perf_counter() - start < 0.05
