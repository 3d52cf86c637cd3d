"""Kernel-websocket frames checked before anything parses them (issue #18, item 1).

jupyter_server 2.21's ``deserialize_msg_from_ws_v1`` reads a frame's first 8 bytes as
the number of offsets and builds that many integers before looking at the frame's
length: the 8 bytes ``ff ff ff ff ff ff ff 7f`` ask for 2**63 − 1 of them and the server
stops answering while its memory grows. Voila 0.5.13's ``read_header_from_binary_message``
does the same to every binary message it sends, also in the legacy protocol, whose frames
start with a 4-byte big-endian count. docs/security.md has the upstream reports.

Here a frame is parsed only after its layout is proven to fit in it: the offset count,
every offset within the frame and in order, the channel known, the size bounded. A frame
that fails raises ``BadFrame``; the caller closes that one socket.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
CHANNELS = frozenset({"shell", "control", "stdin", "iopub"})
# A kernel message has header, parent header, metadata and content, then its buffers.
MESSAGE_PARTS = 4
MAX_BUFFERS = 64  # ipywidgets sends a handful; a frame with more is not a widget's


class BadFrame(ValueError):
    """A websocket frame whose layout does not fit the frame (or breaks a bound)."""


@dataclass(frozen=True)
class Frame:
    """A checked frame: its channel, header (parsed) and parts (header, parent, metadata,
    content, buffers) as bytes; ``parts`` is empty for a legacy JSON frame."""

    channel: str | None
    header: dict
    parts: tuple[bytes, ...]
    size: int
    legacy_content: dict | None = None

    @property
    def msg_type(self) -> str:
        return str(self.header.get("msg_type", ""))

    def content(self) -> dict:
        """The message's content (v1: its fourth part, parsed now)."""
        if self.legacy_content is not None:
            return self.legacy_content
        if not self.parts:
            return {}
        return _json_object(self.parts[3], "content")

    def comm_target(self) -> str | None:
        """The ``target_name`` of a comm_open message."""
        target = self.content().get("target_name")
        return target if isinstance(target, str) else None


def _offsets(frame: bytes, count: int, first: int, width: int, order: str) -> list[int]:
    """``count`` offsets of ``width`` bytes after a ``first``-byte count field, each within
    the frame and none before the previous one."""
    end_of_table = first + width * count
    if end_of_table > len(frame):
        raise BadFrame(f"{count} offsets do not fit in a frame of {len(frame)} bytes")
    fmt = f"{order}{count}{'Q' if width == 8 else 'I'}"
    offsets = list(struct.unpack_from(fmt, frame, first))
    previous = end_of_table
    for offset in offsets:
        if offset < previous or offset > len(frame):
            raise BadFrame("an offset points outside the frame or backwards")
        previous = offset
    return offsets


def _json_object(part: bytes, what: str) -> dict:
    try:
        value = json.loads(part.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadFrame(f"the {what} is not JSON") from error
    except RecursionError as error:  # JSON nested deeper than Python parses (issue #31 item 6)
        raise BadFrame(f"the {what} is nested too deeply") from error
    if not isinstance(value, dict):
        raise BadFrame(f"the {what} is not a JSON object")
    return value


def _check_size(frame: bytes | str, max_bytes: int) -> None:
    if len(frame) > max_bytes:
        raise BadFrame(f"a frame of {len(frame)} bytes is over the bound of {max_bytes}")


def parse_v1(frame: bytes, max_bytes: int) -> Frame:
    """A frame of the v1 protocol: 8-byte little-endian offset count, offsets, channel,
    then the message's parts (jupyter_server's ``serialize_msg_to_ws_v1``)."""
    if not isinstance(frame, bytes):
        raise BadFrame("a v1 frame is binary")
    _check_size(frame, max_bytes)
    if len(frame) < 8:
        raise BadFrame("a v1 frame starts with an 8-byte offset count")
    count = int.from_bytes(frame[:8], "little")
    if not MESSAGE_PARTS + 2 <= count <= MESSAGE_PARTS + 2 + MAX_BUFFERS:
        raise BadFrame(f"{count} offsets: a message has {MESSAGE_PARTS + 2} to {MESSAGE_PARTS + 66}")
    offsets = _offsets(frame, count, 8, 8, "<")
    if offsets[0] != 8 * (count + 1):
        raise BadFrame("the channel does not start after the offsets")
    try:
        channel = frame[offsets[0] : offsets[1]].decode("ascii")
    except UnicodeDecodeError as error:
        raise BadFrame("the channel is not a name") from error
    if channel not in CHANNELS:
        raise BadFrame(f"no channel {channel[:20]!r}")
    parts = tuple(frame[a:b] for a, b in itertools.pairwise(offsets[1:]))
    return Frame(channel, _json_object(parts[0], "header"), parts, len(frame))


def parse_legacy_binary(frame: bytes, max_bytes: int) -> Frame:
    """A binary frame of the legacy protocol: 4-byte big-endian buffer count, offsets, the
    message as JSON, then its buffers (jupyter_server's ``serialize_binary_message``)."""
    _check_size(frame, max_bytes)
    if len(frame) < 4:
        raise BadFrame("a legacy binary frame starts with a 4-byte count")
    count = struct.unpack_from("!i", frame)[0]
    if not 1 <= count <= 1 + MAX_BUFFERS:
        raise BadFrame(f"{count} buffers: a message has 1 to {1 + MAX_BUFFERS}")
    offsets = _offsets(frame, count, 4, 4, "!")
    message = _json_object(frame[offsets[0] : offsets[1] if count > 1 else None], "message")
    return _legacy(message, len(frame))


def parse_legacy_text(frame: str, max_bytes: int) -> Frame:
    """A text frame of the legacy protocol: the message as one JSON object."""
    _check_size(frame, max_bytes)
    return _legacy(_json_object(frame.encode("utf-8", "surrogatepass"), "message"), len(frame))


def _legacy(message: dict, size: int) -> Frame:
    header = message.get("header")
    if not isinstance(header, dict):
        raise BadFrame("the message has no header object")
    channel = message.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise BadFrame(f"no channel {str(channel)[:20]!r}")
    content = message.get("content")
    return Frame(channel, header, (), size, content if isinstance(content, dict) else {})


def parse_frame(frame: bytes | str | dict, protocol: str | None, max_bytes: int) -> Frame:
    """The frame checked and parsed for the socket's protocol (v1 or legacy); a dict is a
    message jupyter_server itself hands to the socket (it is sent as JSON)."""
    if isinstance(frame, dict):
        return _legacy(frame, 0)
    if protocol == V1_PROTOCOL:
        return parse_v1(frame, max_bytes)  # type: ignore[arg-type]
    if isinstance(frame, bytes):
        return parse_legacy_binary(frame, max_bytes)
    return parse_legacy_text(frame, max_bytes)
