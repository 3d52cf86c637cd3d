"""The kernel websocket with every frame checked (issue #18, items 1 and 3).

``GuardedConnection`` is jupyter_server's ``ZMQChannelsWebsocketConnection`` with a gate
in both directions, chosen in ``voila.json`` (``Voila.kernel_websocket_connection_class``);
no installed file is changed. Its settings come from ``voila.json`` too
(``GuardedConnection.<setting>``).

In: every frame is checked by ``kortools.serving.frames`` before jupyter_server parses
it; a frame that does not fit, is over ``max_incoming_bytes``, opens a comm the page does
not use (``allowed_comm_targets``: a visitor creates no widgets), opens more than
``max_comm_opens`` comms, or comes faster than ``max_messages_per_second`` closes that
socket (code 1008) and is logged; the kernel and the server carry on.

Out: Voila's handler parses every binary message as v1 before sending it, which freezes
the server on a legacy-protocol reply with buffers; here the message is checked and the
handler's own filter (no ``execute_input``) applied first, then it goes straight to
tornado. Tracebacks and stream output (``error``, ``stream``) are not sent to a visitor:
they name server paths; they go to the server log.
"""

from __future__ import annotations

import time

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.websocket import WebSocketClosedError, WebSocketHandler
from traitlets import Float, Int, List, Unicode

from kortools.serving.frames import BadFrame, Frame, parse_frame

POLICY_VIOLATION = 1008  # RFC 6455 close code
# Sent by the kernel but never shown on a dashboard: Voila drops execute_input (the
# notebook's source); error and stream carry tracebacks with server paths.
NOT_FOR_VISITORS = frozenset({"execute_input", "error", "stream"})


class GuardedConnection(ZMQChannelsWebsocketConnection):
    """The kernel websocket connection, every frame checked before it is parsed."""

    max_incoming_bytes = Int(
        1 << 20,
        config=True,
        help="Largest frame a visitor may send (bytes); widget changes are a few hundred.",
    )
    max_outgoing_bytes = Int(64 << 20, config=True, help="Largest frame sent to a visitor (bytes).")
    allowed_comm_targets = List(
        Unicode(),
        default_value=["jupyter.widget.control"],
        config=True,
        help="Comm targets a visitor may open (the widget manager's state request only).",
    )
    max_comm_opens = Int(8, config=True, help="Comms one socket may open.")
    max_messages_per_second = Float(50, config=True, help="Sustained frames per second from a visitor.")
    message_burst = Int(200, config=True, help="Frames a visitor may send at once above that rate.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._comm_opens = 0
        self._allowance = float(self.message_burst)
        self._last_message = time.monotonic()

    # -- in --------------------------------------------------------------------------
    def handle_incoming_message(self, incoming_msg) -> None:
        """Check the frame, then hand it to jupyter_server; a bad frame closes the socket."""
        if not self.channels:
            return
        try:
            self._within_rate()
            frame = parse_frame(incoming_msg, self.subprotocol, self.max_incoming_bytes)
            self._check_comm_open(frame)
        except BadFrame as error:
            self._refuse(str(error))
            return
        super().handle_incoming_message(incoming_msg)

    def _within_rate(self) -> None:
        """A token bucket: ``message_burst`` at once, ``max_messages_per_second`` after."""
        now = time.monotonic()
        elapsed, self._last_message = now - self._last_message, now
        self._allowance = min(self.message_burst, self._allowance + elapsed * self.max_messages_per_second)
        if self._allowance < 1:
            raise BadFrame(f"more than {self.max_messages_per_second:g} frames per second")
        self._allowance -= 1

    def _check_comm_open(self, frame: Frame) -> None:
        if frame.msg_type != "comm_open":
            return
        target = frame.comm_target()
        if target not in self.allowed_comm_targets:
            raise BadFrame(f"comm_open for {str(target)[:40]!r}, which this page does not use")
        self._comm_opens += 1
        if self._comm_opens > self.max_comm_opens:
            raise BadFrame(f"more than {self.max_comm_opens} comm_open on one socket")

    def _refuse(self, reason: str) -> None:
        self.log.warning("kortools: closed a kernel websocket of kernel %s: %s", self.kernel_id, reason)
        handler = self.websocket_handler
        if handler is not None and handler.ws_connection is not None:
            handler.close(POLICY_VIOLATION, "kortools: frame refused")

    # -- out -------------------------------------------------------------------------
    @property
    def write_message(self):
        """Every message to the visitor passes ``send_to_visitor``."""
        return self.send_to_visitor

    def send_to_visitor(self, message, binary: bool = False):
        """Check an outgoing message, drop what a visitor must not see, then send it."""
        try:
            frame = parse_frame(message, self.subprotocol, self.max_outgoing_bytes)
        except BadFrame as error:
            self.log.error("kortools: a kernel message was not sent to the visitor: %s", error)
            return None
        if frame.msg_type in NOT_FOR_VISITORS:
            if frame.msg_type != "execute_input":
                content = frame.parts[3] if frame.parts else frame.content()
                log = self.log.info
                log("kortools: kernel %s %s (not sent): %.300r", self.kernel_id, frame.msg_type, content)
            return None
        try:  # past Voila's write_message, which would parse the frame unchecked
            return WebSocketHandler.write_message(self.websocket_handler, message, binary=binary)
        except WebSocketClosedError:
            return None
