"""A cool-down between expensive actions of one visitor (issue #18, item 3).

A report costs about a CPU-second; its button can be clicked over the websocket as fast
as a script sends. The kernel runs callbacks one at a time, so one report is made at a
time; after it, clicks within ``seconds`` (those queued while it was made included) get a
Dutch message instead of a second report.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

REPORT_COOLDOWN_S = 10.0


class Cooldown:
    """``ready()`` once ``seconds`` have passed since the last ``start()``."""

    def __init__(self, seconds: float, what: str, clock: Callable[[], float] = time.monotonic):
        self.seconds, self.what, self.clock = seconds, what, clock
        self._ready_at = -math.inf

    def ready(self) -> bool:
        return self.clock() >= self._ready_at

    def start(self) -> None:
        self._ready_at = self.clock() + self.seconds

    def wait_seconds(self) -> int:
        return max(1, math.ceil(self._ready_at - self.clock()))

    def message(self) -> str:
        """Dutch: what the visitor is told while cooling down."""
        return (
            f"Het vorige {self.what} is net gemaakt. Probeer het over {self.wait_seconds()} seconden opnieuw."
        )
