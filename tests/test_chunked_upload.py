"""The upload in pieces (kortools/ui/chunked_upload.py): the kernel's side of the protocol.

The browser's side is driven by Chromium in tests/test_browser.py (a file above the 1 MiB
frame bound of issue #18 uploaded through the served page)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kortools.ui import browser_state
from kortools.ui.chunked_upload import CHUNK_BYTES, STALLED_NL, ChunkedUpload


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
    widget, sent = upload(max_bytes=2 * 2**20)
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


# -- issue #31: nothing a visitor sends changes what the kernel enforces -------------------


def browser_update(widget, state: dict) -> None:
    """What ipywidgets does with a browser's ``update`` message (``Widget._handle_msg``)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})


def test_a_browser_update_of_the_limits_texts_or_code_is_ignored():
    widget, sent = upload()
    before = {name: getattr(widget, name) for name in ("max_bytes", "max_total_bytes", "max_files", "_esm")}
    browser_update(
        widget,
        {"max_bytes": 2**40, "max_total_bytes": 2**40, "max_files": 10**6, "_esm": "alert(1)"},
    )
    assert {name: getattr(widget, name) for name in before} == before
    # so a 60 MB file is still refused before any byte is sent
    say(widget, {"kind": "begin", "files": [{"name": "groot.xaf", "size": 60 * 2**20}]})
    assert widget.problem == "groot.xaf is groter dan 50 MB: niet ingelezen"
    assert sent == [{"kind": "refused"}]


def test_a_visitors_format_text_is_never_formatted():
    # the probe: '{size:>60000000}' as the refusal text made the kernel build a 60 MB string
    widget, _ = upload()
    browser_update(widget, {"too_large_nl": "{size:>60000000}"})
    say(widget, {"kind": "refused", "name": "{size:>60000000}", "size": 10**9})
    assert len(widget.problem) < 300
    assert widget.problem == "{size:>60000000} is groter dan 50 MB: niet ingelezen"


def test_every_widget_takes_only_values_from_the_browser():
    import ipywidgets as w

    browser_state.install()
    slider = w.FloatSlider(value=1, min=0, max=10, description="Groei")
    browser_update(slider, {"value": 3.5, "max": 1e12, "description": "<script>", "min": -1e12})
    assert (slider.value, slider.min, slider.max, slider.description) == (3.5, 0, 10, "Groei")
    tabs = w.Tab(children=[w.HTML("a"), w.HTML("b")])
    browser_update(tabs, {"selected_index": 1, "titles": ["x", "y"]})
    assert tabs.selected_index == 1 and tabs.titles == ("", "")


@pytest.mark.parametrize(
    "content",
    [
        {"kind": "begin", "files": ["a.xaf"]},  # an item that is not an object
        {"kind": "begin", "files": [None]},
        {"kind": "begin", "files": [{"name": "a", "size": True}]},
        {"kind": "chunk", "file": 0, "offset": "0"},
        {"kind": "iets anders"},
        ["begin"],
    ],
)
def test_a_message_of_another_shape_is_answered_at_once(content):
    # the browser waited its two minutes for an answer that never came
    widget, sent = upload()
    say(widget, content)
    assert sent == [{"kind": "refused"}]
    assert "niet goed aan" in widget.problem


def test_an_upload_that_stops_half_way_is_dropped_and_its_pieces_freed():
    widget, _ = upload()
    say(widget, {"kind": "begin", "files": [{"name": "a.xaf", "size": 10}]})
    say(widget, {"kind": "chunk", "file": 0, "offset": 0}, b"x" * 4)
    assert widget._stalled is not None and widget._stalled.is_alive()  # the clock runs
    widget._stalled.cancel()
    widget.drop_stalled()  # what the clock does after STALLED_AFTER_S without a piece
    assert widget._files == [] and widget.problem == STALLED_NL
    say(widget, {"kind": "chunk", "file": 0, "offset": 4}, b"x" * 6)  # too late
    assert widget.value == ()


def test_a_finished_or_refused_upload_stops_the_clock():
    widget, _ = upload()
    send_file(widget, "a.xaf", b"12345")
    assert widget._stalled is None
    say(widget, {"kind": "begin", "files": [{"name": "a.xaf", "size": 10}]})
    say(widget, {"kind": "iets"})
    assert widget._stalled is None
