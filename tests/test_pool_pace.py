"""Pool kernels built a few at a time, and the main dashboard's pool size (kortools/serving/pool_pace.py):
the pacing without a server, then a real server with ``KORTOOLS_POOL``."""

import asyncio
import itertools
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from voila_server import EXTRA_POOL

from kortools.serving import pool_pace
from kortools.serving.pool_pace import PoolPace


def run(coroutine):
    """On a thread of its own: an earlier test (Playwright's sync API) can leave a loop running here."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_the_next_pool_kernel_starts_when_the_last_one_waits_for_its_visitor():
    async def scenario():
        waiting: set[str] = set()
        started: list[str] = []
        pace = PoolPace(at_once=1, timeout=10, waiting=lambda k: k in waiting)

        async def start(name):
            started.append(name)
            return name

        first = asyncio.ensure_future(pace.start(lambda: start("a"), alive=lambda k: True))
        second = asyncio.ensure_future(pace.start(lambda: start("b"), alive=lambda k: True))
        await asyncio.sleep(0.2)
        assert started == ["a"]  # "a" is still building its page
        waiting.add("a")  # "a" waits for its visitor: its page is built
        await asyncio.wait_for(second, 2)
        assert started == ["a", "b"]
        assert first.result() == "a"

    run(scenario())


def test_two_at_once_when_asked():
    async def scenario():
        started: list[str] = []
        pace = PoolPace(at_once=2, timeout=10, waiting=lambda k: False)

        async def start(name):
            started.append(name)
            return name

        always = lambda k: True  # noqa: E731
        starts = [asyncio.ensure_future(pace.start(lambda n=n: start(n), alive=always)) for n in "abc"]
        await asyncio.sleep(0.2)
        assert started == ["a", "b"]
        assert not starts[2].done()
        for task in starts:
            task.cancel()

    run(scenario())


@pytest.mark.parametrize("ends", ["timeout", "dies", "fails"])
def test_a_kernel_that_never_waits_frees_its_turn(ends):
    async def scenario():
        started: list[str] = []
        pace = PoolPace(at_once=1, timeout=0.3 if ends == "timeout" else 10, waiting=lambda k: False)

        async def start(name):
            started.append(name)
            if ends == "fails" and name == "a":
                raise RuntimeError("the kernel did not start")
            return name

        alive = (lambda k: k != "a") if ends == "dies" else (lambda k: True)
        first = asyncio.ensure_future(pace.start(lambda: start("a"), alive=alive))
        second = asyncio.ensure_future(pace.start(lambda: start("b"), alive=alive))
        await asyncio.wait_for(second, 3)
        assert started == ["a", "b"]
        if ends == "fails":
            with pytest.raises(RuntimeError):
                first.result()

    run(scenario())


@pytest.mark.parametrize(
    ("text", "size"), [("", None), (" ", None), ("0", 0), ("50", 50), (str(pool_pace.MAX_POOL), 500)]
)
def test_the_pool_size_from_the_environment(text, size):
    assert pool_pace.pool_size_from_environment({pool_pace.ENV_POOL: text}) == size


@pytest.mark.parametrize("text", ["-1", "501", "vijftig", "2.5"])
def test_a_bad_pool_size_is_refused_with_its_range(text):
    with pytest.raises(ValueError, match="KORTOOLS_POOL must be a whole number of pages, 0 to 500"):
        pool_pace.pool_size_from_environment({pool_pace.ENV_POOL: text})


def test_only_the_main_dashboards_pool_changes():
    config = {"default": {"pool_size": 1, "kernel_env_variables": {"X": "1"}}}
    changed = pool_pace.with_main_pool(config, 50)
    assert changed["default"] == config["default"]
    assert changed["kor_verkenner.ipynb"] == {"pool_size": 50, "kernel_env_variables": {"X": "1"}}


def test_pool_starts_are_told_from_a_visitors():
    assert pool_pace.is_pool_start({"env": {"VOILA_PREHEAT": "True"}})
    assert not pool_pace.is_pool_start({"env": {"VOILA_PREHEAT": "False"}})
    assert not pool_pace.is_pool_start({})


def _wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time")
        time.sleep(0.2)


POOL = EXTRA_POOL  # pages of the main dashboard kept ready by the extra server (conftest)
#: POOL pages of the main one (KORTOOLS_POOL) + 1 each of the other three notebooks there
#: (voila.json's default pool: the two other dashboards and the bounds tests' hog.ipynb)
POOL_KERNELS = POOL + 3


@pytest.fixture
def pool_server(extra_server):
    """The extra server (conftest; issue #36: one server for the pool and bounds tests)."""
    return extra_server


def test_a_server_keeps_the_pages_it_is_told_ready_and_builds_them_one_after_the_other(pool_server):
    import psutil

    server, log = pool_server, pool_server.log_path
    _wait_for(
        lambda: f"Kernel pool of kor_verkenner.ipynb is filled with {POOL} kernel(s)" in log.read_text()
    )
    assert f"kortools: {POOL} pages of kor_verkenner.ipynb kept ready (KORTOOLS_POOL)" in log.read_text()
    _wait_for(lambda: len(server.kernel_pids()) == POOL_KERNELS)
    started = sorted(psutil.Process(pid).create_time() for pid in server.kernel_pids())
    # one at a time on this 2-core machine: each started when the one before had built its
    # page (a fork and a build take well over 0.2 s); Voila alone starts all five at once
    assert all(later - earlier > 0.2 for earlier, later in itertools.pairwise(started))
    page = urllib.request.urlopen(f"{server.url}/voila/render/kor_verkenner.ipynb", timeout=60).read()
    assert b"kernelId" in page
    assert "Using pre-heated kernel" in log.read_text()


def test_a_bad_pool_size_stops_the_server_with_a_message(monkeypatch):
    # read when the server builds its kernel manager (in-process: no server started, #36)
    from kortools.serving.kernel_cap import CappedKernelManager

    monkeypatch.setenv(pool_pace.ENV_POOL, "veel")
    with pytest.raises(
        ValueError, match="KORTOOLS_POOL must be a whole number of pages, 0 to 500; got 'veel'"
    ):
        CappedKernelManager()


def test_a_refill_waits_while_visitors_are_at_work_and_goes_when_they_are_quiet():
    async def scenario():
        idle_for = [0.0]  # a visitor's kernel was active just now
        started: list[str] = []
        pace = PoolPace(1, 10, lambda k: True, visitors_idle_for=lambda: idle_for[0], quiet=1.0, hold=60)

        async def start():
            started.append("refill")
            return "refill"

        refill = asyncio.ensure_future(pace.start(start, alive=lambda k: True))
        await asyncio.sleep(0.5)
        assert started == []  # visitors first
        idle_for[0] = 1.5  # no page has been active for 1.5 s (more than quiet)
        await asyncio.wait_for(refill, 2)
        assert started == ["refill"]

    run(scenario())


def test_a_refill_held_back_by_busy_visitors_goes_after_the_hold():
    async def scenario():
        pace = PoolPace(1, 10, lambda k: True, visitors_idle_for=lambda: 0.0, quiet=1.0, hold=0.3)

        async def start():
            return "refill"

        began = time.monotonic()
        assert await asyncio.wait_for(pace.start(start, alive=lambda k: True), 3) == "refill"
        assert time.monotonic() - began >= 0.3  # held, but not for ever

    run(scenario())


def test_a_visitor_takes_only_a_page_whose_kernel_has_started():
    """CappedKernelManager.ready_pool_size: what Voila's page handler counts and hands out."""
    from kortools.serving.kernel_cap import CappedKernelManager

    async def scenario():
        manager = CappedKernelManager(max_kernels=10)
        manager._pace.visitors_idle_for = lambda: 0.0  # visitors busy: refills held
        manager._pace.hold = 60

        async def start():
            return "k"

        async def pool_entry():
            return await manager._pace.start(start, alive=lambda k: True)

        loop = asyncio.get_running_loop()
        held = asyncio.ensure_future(pool_entry())  # a refill still waiting for its turn
        failed = loop.create_future()
        failed.set_exception(RuntimeError("kernel cap reached"))
        built = loop.create_future()
        built.set_result({"kernel_id": "k"})
        manager._pools = {"nb": [held, failed, built]}
        await asyncio.sleep(0.2)
        assert not manager._pace.ready(held)
        assert manager.ready_pool_size("nb") == 1
        assert manager._pools["nb"][0] is built  # Voila hands out the first entry
        manager._pace.visitors_idle_for = lambda: 5.0  # the visitors have gone quiet
        await asyncio.wait_for(held, 2)
        assert manager.ready_pool_size("nb") == 2
        assert failed not in manager._pools["nb"][:2]

    run(scenario())


def settled(server, seconds: float) -> bool:
    """The server's kernels stay the same for ``seconds`` (no refill starting)."""
    first = set(server.kernel_pids())
    time.sleep(seconds)
    return set(server.kernel_pids()) == first


def test_a_served_page_is_refilled_only_when_its_visitor_is_quiet(pool_server):
    """End to end: a visitor at work holds the pool's refill back (Voila's own would start
    1 s after the page was taken); when the page is closed the refill starts."""
    from test_serving import message, page_kernel_id
    from test_websocket_guard import connect

    server = pool_server
    # the pool full again after the test before took a page (its kernel lives until culled):
    # the kernels unchanged for 3 s, no refill under way
    _wait_for(lambda: len(server.kernel_pids()) >= POOL_KERNELS and settled(server, 3))
    kernel = page_kernel_id(server)  # a pre-heated page: its kernel now the visitor's
    before = set(server.kernel_pids())  # a refill is a kernel not among these
    ws = connect(server, kernel, protocol=None)
    try:
        at_work_until = time.monotonic() + 6
        while time.monotonic() < at_work_until:
            # a comm message makes the kernel busy, then idle: the visitor's activity
            ws.send(message("comm_msg", {"comm_id": "no-such-comm", "data": {}}))
            time.sleep(0.3)
            assert set(server.kernel_pids()) <= before, "the refill started while the visitor was at work"
    finally:
        ws.close()
    _wait_for(lambda: set(server.kernel_pids()) - before, timeout=30)


@pytest.mark.parametrize(
    ("size", "cap", "kept"), [(50, 288, 50), (50, 38, 19), (3, 6, 3), (4, 6, 3), (1, 1, 0)]
)
def test_the_pages_kept_ready_are_at_most_half_the_kernel_cap(size, cap, kept):
    # e.g. a 4 GB machine: cap (4096 − 1024) / 80 = 38 kernels, so 19 kept pages, not 50
    assert pool_pace.pool_within_cap(size, cap) == kept


def test_a_refill_cancelled_while_it_waits_for_quiet_frees_its_turn():
    async def scenario():
        busy = [True]
        pace = PoolPace(1, 10, lambda k: True, visitors_idle_for=lambda: 0.0 if busy[0] else 9.0, hold=60)

        async def start():
            return "k"

        waiting = asyncio.ensure_future(pace.start(start, alive=lambda k: True))
        await asyncio.sleep(0.2)
        waiting.cancel()  # e.g. the server shuts down
        await asyncio.sleep(0.05)
        busy[0] = False
        assert await asyncio.wait_for(pace.start(start, alive=lambda k: True), 2) == "k"

    run(scenario())
