"""The kernel websocket with every frame checked (issue #18, items 1 and 3).

``GuardedConnection`` is jupyter_server's ``ZMQChannelsWebsocketConnection`` with a gate
in both directions, chosen in ``voila.json`` (``Voila.kernel_websocket_connection_class``);
no installed file is changed. Its settings come from ``voila.json`` too
(``GuardedConnection.<setting>``).

In: every frame is checked by ``kortools.serving.frames`` before jupyter_server parses
it; a frame that does not fit, is over ``max_incoming_bytes``, opens a comm the page does
not use (``allowed_comm_targets``: a visitor creates no widgets), opens more than
``max_comm_opens`` comms, or comes faster than ``max_messages_per_second`` closes that
socket (code 1008) and is logged; the kernel and the server carry on. Every socket from one
visitor address also draws on that address's budgets (``kortools.serving.address_budget``:
frames, and actions such as a button or an upload), so more pages or reconnecting do not
buy one visitor more of the kernels' time, and an address that opens sockets (or asks for
every widget's state) faster than a person loads pages gets 429 (issue #31 item 5). Behind
nginx the address is the one nginx saw (``address_header``: ``X-Real-IP``, set by
``make serve``'s workers).

Out: Voila's handler parses every binary message as v1 before sending it, which freezes
the server on a legacy-protocol reply with buffers; here the message is checked and the
handler's own filter (no ``execute_input``) applied first, then it goes straight to
tornado. Tracebacks and stream output (``error``, ``stream``) are not sent to a visitor:
they name server paths; they go to the server log.
"""

from __future__ import annotations

import time
from typing import ClassVar

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from tornado.web import HTTPError
from tornado.websocket import WebSocketClosedError, WebSocketHandler
from traitlets import Float, Int, List, Unicode

from kortools.serving.address_budget import AddressBudgets, Bucket, is_action, is_state_request
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
    address_messages_per_second = Float(
        20, config=True, help="Sustained frames per second from one address, all its sockets together."
    )
    address_message_burst = Int(200, config=True, help="Frames one address may send at once above that.")
    address_actions_per_second = Float(
        0.5,
        config=True,
        help="Sustained actions (a button pressed, an upload begun) per second from one address.",
    )
    address_action_burst = Int(10, config=True, help="Actions one address may send at once above that.")
    address_pages_per_second = Float(
        2,
        config=True,
        help="Sustained socket openings and widget-state requests (a page's two) per second from one "
        "address: a reconnecting script costs the server a handshake and the kernel every widget's state.",
    )
    address_page_burst = Int(
        100, config=True, help="Openings and state requests one address may make at once."
    )
    address_header = Unicode(
        "",
        config=True,
        help="The request header holding the visitor's address when a proxy is in front "
        "(make serve: X-Real-IP, set by nginx); empty: the connection's own address.",
    )

    #: per process: every socket of an address draws on the same buckets
    _budgets: ClassVar[dict[str, AddressBudgets]] = {}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._comm_opens = 0
        self._rate = Bucket(self.max_messages_per_second, self.message_burst)
        self._address: str | None = None

    @property
    def visitor_address(self) -> str:
        """Where the visitor's socket comes from (the proxy's header when one is set)."""
        if self._address is None:
            request = getattr(self.websocket_handler, "request", None)
            header = self.address_header
            forwarded = request.headers.get(header, "") if request is not None and header else ""
            self._address = forwarded.strip() or (getattr(request, "remote_ip", None) or "?")
        return self._address

    def _budget(self, kind: str, rate: float, burst: int) -> AddressBudgets:
        budgets = GuardedConnection._budgets.get(kind)
        if budgets is None or (budgets.rate, budgets.burst) != (rate, burst):
            budgets = GuardedConnection._budgets[kind] = AddressBudgets(rate, burst)
        return budgets

    async def prepare(self):
        """Refuse the socket (429, before the kernel is asked anything) when its address has
        opened too many lately; else jupyter_server's preparation."""
        if not self._page_budget().take(self.visitor_address):
            self.log.warning("kortools: refused a kernel websocket from %s: too many", self.visitor_address)
            raise HTTPError(429, "kortools: too many kernel websockets from one address")
        return await super().prepare()

    def _page_budget(self) -> AddressBudgets:
        return self._budget("pages", self.address_pages_per_second, self.address_page_burst)

    # -- in --------------------------------------------------------------------------
    def handle_incoming_message(self, incoming_msg) -> None:
        """Check the frame, then hand it to jupyter_server; a bad frame closes the socket."""
        if not self.channels:
            return
        try:
            self._within_rate()
            frame = parse_frame(incoming_msg, self.subprotocol, self.max_incoming_bytes)
            self._check_comm_open(frame)
            self._within_address_budget(frame)
        except BadFrame as error:
            self._refuse(str(error))
            return
        super().handle_incoming_message(incoming_msg)

    def _within_rate(self) -> None:
        """A token bucket: ``message_burst`` at once, ``max_messages_per_second`` after."""
        if not self._rate.take(time.monotonic()):
            raise BadFrame(f"more than {self.max_messages_per_second:g} frames per second")

    def _within_address_budget(self, frame: Frame) -> None:
        """The address's frames and actions, over all its sockets (module docstring)."""
        address = self.visitor_address
        frames = self._budget("frames", self.address_messages_per_second, self.address_message_burst)
        if not frames.take(address):
            raise BadFrame(f"more than {self.address_messages_per_second:g} frames per second from {address}")
        if frame.msg_type != "comm_msg":
            return
        content = frame.content()
        if is_state_request(content) and not self._page_budget().take(address):
            raise BadFrame(
                f"more than {self.address_pages_per_second:g} state requests per second from {address}"
            )
        if is_action(content):
            actions = self._budget("actions", self.address_actions_per_second, self.address_action_burst)
            if not actions.take(address):
                rate = self.address_actions_per_second
                raise BadFrame(f"more than {rate:g} actions per second from {address}")

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
