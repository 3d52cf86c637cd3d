"""Pool kernels built a few at a time, and the main dashboard's pool size (kortools/serving/pool_pace.py):
the pacing without a server, then a real server with ``KORTOOLS_POOL``."""

import asyncio
import itertools
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from voila_server import VoilaServer

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


def test_a_server_keeps_the_pages_it_is_told_ready_and_builds_them_one_after_the_other(output_dir):
    import psutil

    log = output_dir / "voila-pool.log"
    # three dashboards: 3 pages of the main one (KORTOOLS_POOL) + 1 each of the others (voila.json)
    with VoilaServer(env={pool_pace.ENV_POOL: "3"}, log=log) as server:
        _wait_for(lambda: "Kernel pool of kor_verkenner.ipynb is filled with 3 kernel(s)" in log.read_text())
        assert "kortools: 3 pages of kor_verkenner.ipynb kept ready (KORTOOLS_POOL)" in log.read_text()
        _wait_for(lambda: len(server.kernel_pids()) == 5)
        started = sorted(psutil.Process(pid).create_time() for pid in server.kernel_pids())
        # one at a time on this 2-core machine: each started when the one before had built its
        # page (a fork and a build take well over 0.2 s); Voila alone starts all five at once
        assert all(later - earlier > 0.2 for earlier, later in itertools.pairwise(started))
        page = urllib.request.urlopen(f"{server.url}/voila/render/kor_verkenner.ipynb", timeout=60).read()
        assert b"kernelId" in page
        assert "Using pre-heated kernel" in log.read_text()


def test_a_bad_pool_size_stops_the_server_with_a_message(output_dir):
    log = output_dir / "voila-bad-pool.log"
    server = VoilaServer(env={pool_pace.ENV_POOL: "veel"}, log=log)
    with pytest.raises(RuntimeError, match="voila exited"):
        server.start(timeout=60)
    server.stop()
    assert "KORTOOLS_POOL must be a whole number of pages, 0 to 500; got 'veel'" in log.read_text()
