"""The upload in pieces (kortools/ui/chunked_upload.py): the kernel's side of the protocol.

The browser's side is driven by Chromium in tests/test_browser.py (a file above the 1 MiB
frame bound of issue #18 uploaded through the served page)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kortools.ui.chunked_upload import CHUNK_BYTES, ChunkedUpload


def upload(**traits) -> tuple[ChunkedUpload, list[dict]]:
    widget = ChunkedUpload(**traits)
    sent: list[dict] = []
    widget.send = lambda content, buffers=None: sent.append(content)  # the kernel's answers
    return widget, sent


def say(widget: ChunkedUpload, content: dict, *buffers: bytes) -> None:
    widget._receive(widget, content, list(buffers))


def send_file(widget: ChunkedUpload, name: str, data: bytes, step: int = CHUNK_BYTES) -> None:
    say(widget, {"kind": "begin", "files": [{"name": name, "size": len(data)}]})
    for offset in range(0, len(data), step):
        say(widget, {"kind": "chunk", "file": 0, "offset": offset}, data[offset : offset + step])
    say(widget, {"kind": "end"})


def test_a_file_larger_than_one_message_arrives_whole():
    # 1.3 MB: three pieces of at most 512 KiB (524,288 + 524,288 + 251,424 bytes)
    data = bytes(range(256)) * 5_080
    widget, sent = upload()
    send_file(widget, "groot.xaf", data)
    (file,) = widget.value
    assert (file["name"], file["size"], bytes(file["content"])) == ("groot.xaf", len(data), data)
    assert [m["kind"] for m in sent] == ["ready", "ack", "ack", "ack", "done"]
    assert [m["offset"] for m in sent if m["kind"] == "ack"] == [524_288, 1_048_576, len(data)]
    assert widget.problem == ""


@given(
    sizes=st.lists(st.integers(0, 3_000), min_size=1, max_size=3),
    step=st.integers(1, 1_024),
)
@settings(max_examples=60, deadline=None)
def test_files_in_any_pieces_arrive_as_they_were_sent(sizes, step):
    files = [bytes([i % 251]) * size for i, size in enumerate(sizes)]
    widget, _ = upload(chunk_bytes=1_024)
    say(widget, {"kind": "begin", "files": [{"name": f"f{i}", "size": len(f)} for i, f in enumerate(files)]})
    for index, data in enumerate(files):
        for offset in range(0, len(data), step):
            say(widget, {"kind": "chunk", "file": index, "offset": offset}, data[offset : offset + step])
    say(widget, {"kind": "end"})
    assert [bytes(f["content"]) for f in widget.value] == files


@pytest.mark.parametrize(
    "messages, reason",
    [
        # a piece sent before the upload began
        ([{"kind": "chunk", "file": 0, "offset": 0}], "niet goed aan"),
        # the second piece at the wrong offset (a lost or repeated piece)
        (
            [{"kind": "begin", "files": [{"name": "a", "size": 10}]}, ("chunk", 0, 4), ("chunk", 6, 4)],
            "niet goed",
        ),
        # more bytes than announced
        ([{"kind": "begin", "files": [{"name": "a", "size": 3}]}, ("chunk", 0, 4)], "niet goed aan"),
        # the end before every byte came
        (
            [{"kind": "begin", "files": [{"name": "a", "size": 10}]}, ("chunk", 0, 4), {"kind": "end"}],
            "helemaal",
        ),
        # a file index that was not announced
        (
            [
                {"kind": "begin", "files": [{"name": "a", "size": 10}]},
                {"kind": "chunk", "file": 3, "offset": 0},
            ],
            "niet goed",
        ),
        # a size that is not a number
        ([{"kind": "begin", "files": [{"name": "a", "size": "veel"}]}], "niet goed aan"),
    ],
)
def test_a_broken_upload_is_refused_in_dutch_and_keeps_nothing(messages, reason):
    widget, sent = upload()
    for message in messages:
        if isinstance(message, tuple):
            _, offset, size = message
            say(widget, {"kind": "chunk", "file": 0, "offset": offset}, b"x" * size)
        else:
            say(widget, message)
    assert reason in widget.problem
    assert widget.value == () and widget._files == []
    assert sent[-1] == {"kind": "refused"}


def test_a_file_above_the_cap_is_refused_before_any_piece_is_kept():
    widget, sent = upload(max_bytes=2 * 2**20, too_large_nl="{name} is groter dan {mb} MB: niet ingelezen")
    say(widget, {"kind": "begin", "files": [{"name": "jaar.xaf", "size": 3 * 2**20}]})
    assert widget.problem == "jaar.xaf is groter dan 2 MB: niet ingelezen"
    assert sent == [{"kind": "refused"}]  # no "ready": the browser sends no piece
    # the browser checks first and only says which file it refused
    widget, _ = upload(max_bytes=2 * 2**20)
    say(widget, {"kind": "refused", "name": "jaar.xaf", "size": 3 * 2**20})
    assert "jaar.xaf is groter dan 2 MB" in widget.problem


def test_a_piece_larger_than_a_piece_may_be_is_refused():
    widget, _ = upload(chunk_bytes=1_024)
    say(widget, {"kind": "begin", "files": [{"name": "a", "size": 4_096}]})
    say(widget, {"kind": "chunk", "file": 0, "offset": 0}, b"x" * 2_048)
    assert "niet goed aan" in widget.problem


def test_more_files_than_allowed_are_refused():
    widget, _ = upload(max_files=2)
    say(widget, {"kind": "begin", "files": [{"name": str(i), "size": 1} for i in range(3)]})
    assert widget.problem == "Meer dan 2 bestanden tegelijk: niet ingelezen"


def test_files_larger_together_than_the_total_cap_are_refused():
    # three files of 40 MB, each below the 50 MB cap: 120 MB together, above 100 MB
    widget, sent = upload()
    say(widget, {"kind": "begin", "files": [{"name": str(i), "size": 40 * 2**20} for i in range(3)]})
    assert widget.problem == "Samen groter dan 100 MB: kies minder bestanden tegelijk"
    assert sent == [{"kind": "refused"}]


def test_the_same_refusal_twice_is_said_twice():
    widget, _ = upload()
    said = []
    widget.observe(lambda change: said.append(change["new"]), names="problem")
    for _ in range(2):
        say(widget, {"kind": "chunk", "file": 0, "offset": 0}, b"x")
    assert [s for s in said if s] == [widget.problem] * 2
