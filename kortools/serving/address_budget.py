"""Budgets per visitor address, shared by all of its websockets (issue #31 item 5).

A socket's own bound (``GuardedConnection.max_messages_per_second``) is sidestepped by
opening more pages or reconnecting: ten pages sending 40 amounts a second tripled the other
visitors' response times. Here each address has token buckets that every socket from it
draws on: frames of any kind, and *actions* (a button pressed, an upload begun: a report or
a file read costs the kernel seconds, a slider step milliseconds). A person's page sends one
change at a time and waits for the kernel (ipywidgets keeps one message in flight per
widget), far below either rate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

#: Entries kept before idle ones (full buckets) are forgotten.
MAX_ADDRESSES = 10_000


@dataclass
class Bucket:
    """A token bucket: ``burst`` at once, ``rate`` a second after."""

    rate: float
    burst: float
    last: float = field(default_factory=time.monotonic)
    tokens: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst  # a new bucket is full

    def take(self, now: float, cost: float = 1.0) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.last) * self.rate >= self.burst


class AddressBudgets:
    """One bucket per address for one kind of message (frames, or actions)."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, Bucket] = {}

    def take(self, address: str, now: float | None = None) -> bool:
        """Whether ``address`` may send one more now (and count it)."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(address)
        if bucket is None:
            if len(self._buckets) >= MAX_ADDRESSES:
                self._forget_idle(now)
            bucket = self._buckets[address] = Bucket(self.rate, self.burst, last=now)
        return bucket.take(now)

    def has_room(self, address: str, now: float | None = None) -> bool:
        """Whether ``address`` has a token now, without taking one."""
        bucket = self._buckets.get(address)
        if bucket is None:
            return True
        now = time.monotonic() if now is None else now
        return bucket.tokens + (now - bucket.last) * bucket.rate >= 1

    def _forget_idle(self, now: float) -> None:
        for address in [a for a, b in self._buckets.items() if b.full(now)]:
            del self._buckets[address]

    def __len__(self) -> int:
        return len(self._buckets)


def is_action(content: dict) -> bool:
    """A widget message that makes the kernel work for seconds: a button's click or an
    upload's start (``comm_msg`` with a custom ``event`` or ``kind`` other than a piece)."""
    data = content.get("data") if isinstance(content, dict) else None
    if not isinstance(data, dict) or data.get("method") != "custom":
        return False
    custom = data.get("content")
    if not isinstance(custom, dict):
        return True
    return custom.get("kind") not in ("chunk", "end", "refused")


def is_state_request(content: dict) -> bool:
    """The widget manager's request for every widget's state (a page load's; the kernel
    serialises each widget and chart for it)."""
    data = content.get("data") if isinstance(content, dict) else None
    return isinstance(data, dict) and data.get("method") == "request_states"
