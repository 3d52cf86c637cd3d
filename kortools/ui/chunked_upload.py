"""A file upload that sends a file in pieces (issue #21, item 4; issue #18's frame bound).

ipywidgets' ``FileUpload`` sends every chosen file in one websocket message, and a served
page takes at most 1 MiB in one message (``GuardedConnection.max_incoming_bytes``). This
widget (anywidget: the browser side is ``chunked_upload.js``) sends each file as pieces of
``chunk_bytes`` (512 KiB), one after the other, each acknowledged by the kernel before the
next leaves; the kernel keeps the pieces in memory only and, when every file is complete,
sets ``value`` in the shape ``FileUpload.value`` has (name, size, content; the content as
``bytes``, joined once), so the rest of the dashboard reads an upload as before. Nothing is
written to disk.

Refused, with a Dutch sentence in ``problem``: a file above ``max_bytes``, more than
``max_files`` files or more than ``max_total_bytes`` together (a kernel holds them until the
last arrives), a piece out of order, larger than announced or too large, a message not of
the protocol's shape. The browser checks the size first and says so before sending anything.

The limits and words are the server's (issue #31): the browser reads them, but an update it
sends is ignored (``browser_settable`` is empty: the widget takes nothing from the browser
but its messages), and no text a browser could have sent is used as a format string. An
upload that stops half-way is dropped after ``STALLED_AFTER_S`` without a piece, freeing
what had arrived.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

#: One piece: half the frame bound of issue #18, so a piece and its header always fit.
CHUNK_BYTES = 512 * 1024
#: What a visitor reads when the pieces do not add up (lost, repeated, too many).
BROKEN_NL = "Het bestand kwam niet goed aan: kies het opnieuw"
#: An upload with no piece for this long is dropped (the browser gives up after 120 s).
STALLED_AFTER_S = 150.0
STALLED_NL = "Het versturen is gestopt: kies het bestand opnieuw"


class ChunkedUpload(anywidget.AnyWidget):
    """A button that uploads files in pieces (module docstring)."""

    _esm = Path(__file__).with_name("chunked_upload.js")
    description = t.Unicode("Bestand kiezen").tag(sync=True)
    accept = t.Unicode("").tag(sync=True)
    multiple = t.Bool(True).tag(sync=True)
    max_bytes = t.Int(50 * 2**20).tag(sync=True)
    max_files = t.Int(10).tag(sync=True)
    # all files of one upload together (they are held in memory until the last arrives)
    max_total_bytes = t.Int(100 * 2**20).tag(sync=True)
    chunk_bytes = t.Int(CHUNK_BYTES).tag(sync=True)
    # the words the browser shows, in Dutch (the page's text lives in Python)
    sending_nl = t.Unicode("Versturen: {percent} %").tag(sync=True)
    no_answer_nl = t.Unicode("Geen antwoord van de server: kies het bestand opnieuw").tag(sync=True)
    # not synced: what the kernel holds
    value = t.Tuple()
    problem = t.Unicode("")
    #: what the browser may set (kortools.ui.browser_state): nothing; it sends messages
    browser_settable: frozenset[str] = frozenset()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._files: list[dict[str, Any]] = []
        self._stalled: threading.Timer | None = None
        self.on_msg(self._receive)

    def set_state(self, sync_data: dict) -> None:
        """A browser's update changes nothing here: limits, texts and code are the server's."""

    # -- the protocol: begin, chunk ..., end ------------------------------------------
    def _receive(self, _widget, content: dict, buffers: list) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        try:
            if kind == "begin":
                self._begin(content.get("files"))
            elif kind == "chunk":
                self._chunk(content, buffers)
            elif kind == "end":
                self._end()
            elif kind == "refused":
                self._refuse(self._too_large(content.get("name"), content.get("size")))
            else:
                raise _Refused(BROKEN_NL)
        except _Refused as refusal:
            self._refuse(str(refusal))
        except Exception:  # a message of another shape: answered, never left waiting
            self._refuse(BROKEN_NL)

    def _begin(self, files) -> None:
        if not isinstance(files, list) or not files:
            raise _Refused("Geen bestand ontvangen: kies het bestand opnieuw")
        if len(files) > self.max_files:
            raise _Refused(f"Meer dan {self.max_files} bestanden tegelijk: niet ingelezen")
        announced: list[dict[str, Any]] = []
        for item in files:
            if not isinstance(item, dict):
                raise _Refused(BROKEN_NL)
            name, size = str(item.get("name", ""))[:200], item.get("size")
            if isinstance(size, bool) or not isinstance(size, int) or size < 0:
                raise _Refused(BROKEN_NL)
            if size > self.max_bytes:
                raise _Refused(self._too_large(name, size))
            announced.append({"name": name, "size": size, "pieces": [], "received": 0})
        if sum(f["size"] for f in announced) > self.max_total_bytes:
            raise _Refused(
                f"Samen groter dan {self.max_total_bytes / 2**20:g} MB: kies minder bestanden tegelijk"
            )
        self._files, self.problem = announced, ""
        self._watch_for_stall()
        self.send({"kind": "ready"})

    def _chunk(self, content: dict, buffers: list) -> None:
        index, offset = content.get("file"), content.get("offset")
        if not self._files or not isinstance(index, int) or not 0 <= index < len(self._files):
            raise _Refused(BROKEN_NL)
        file = self._files[index]
        piece = bytes(buffers[0]) if len(buffers) == 1 else b""
        in_order = offset == file["received"] and len(piece) <= self.chunk_bytes
        if not in_order or file["received"] + len(piece) > file["size"]:
            raise _Refused(BROKEN_NL)
        file["pieces"].append(piece)
        file["received"] += len(piece)
        self._watch_for_stall()
        self.send({"kind": "ack", "file": index, "offset": file["received"]})

    def _end(self) -> None:
        files, self._files = self._files, []
        self._stop_watching()
        if not files or any(f["received"] != f["size"] for f in files):
            raise _Refused("Het bestand kwam niet helemaal aan: kies het opnieuw")
        # joined once (the pieces then go): the file is in memory once, as bytes
        self.value = tuple(
            {"name": f["name"], "size": f["size"], "content": b"".join(f.pop("pieces"))} for f in files
        )
        self.send({"kind": "done"})

    def _refuse(self, text: str) -> None:
        self._files = []
        self._stop_watching()
        self.problem = ""  # the same reason twice is said twice
        self.problem = text
        self.send({"kind": "refused"})

    def _too_large(self, name, _size=None) -> str:
        return f"{str(name)[:200]} is groter dan {self.max_bytes / 2**20:g} MB: niet ingelezen"

    # -- an upload that stops half-way ---------------------------------------------------
    def _watch_for_stall(self) -> None:
        """(Re)start the clock: no piece for ``STALLED_AFTER_S`` drops the upload."""
        self._stop_watching()
        self._stalled = threading.Timer(STALLED_AFTER_S, self.drop_stalled)
        self._stalled.daemon = True
        self._stalled.start()

    def _stop_watching(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    def drop_stalled(self) -> None:
        """Free the pieces of an upload that stopped arriving, and say so."""
        if self._files:
            self._files = []
            self.problem = STALLED_NL


class _Refused(Exception):
    """A Dutch reason the upload stopped."""
