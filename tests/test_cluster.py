"""Two Voila workers behind nginx (TLS, basic auth, sticky sessions), in Chromium.

The same launcher as ``make serve WORKERS=2`` (kortools.serving.cluster), Debian's
nginx, on loopback (issue #14, item 5).
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request

import pytest

from kortools.serving.cluster import Cluster, free_port, nginx_conf

pytestmark = pytest.mark.browser

PAGE = "/voila/render/kor_verkenner.ipynb"
FIRST_CHART = "() => [...document.querySelectorAll('img')].some(i => i.naturalWidth > 100)"
LOAD_TIMEOUT = 90_000


@pytest.fixture(scope="module")
def cluster(output_dir):
    with Cluster(
        workers=2, port=free_port(), run_dir=output_dir / "serve", password="proef-wachtwoord"
    ) as running:
        yield running


def test_the_config_routes_each_worker_by_its_cookie(tmp_path):
    conf = nginx_conf(tmp_path, "127.0.0.1", 8443, [9001, 9002])
    assert "upstream kortools_w1 { server 127.0.0.1:9001; }" in conf
    assert "w2 kortools_w2;" in conf and '127.0.0.1:9002 "kortools_worker=w2;' in conf
    assert "auth_basic_user_file" in conf and "ssl_certificate" in conf


def status_without_password(url: str) -> int:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    try:
        urllib.request.urlopen(url, context=context, timeout=30)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def test_no_password_no_page(cluster):
    assert status_without_password(cluster.url + PAGE) == 401


def open_dashboard(browser, cluster):
    context = browser.new_context(
        locale="nl-NL",
        viewport={"width": 1400, "height": 1000},
        ignore_https_errors=True,  # the self-signed certificate
        http_credentials={"username": cluster.user, "password": cluster.password},
    )
    page = context.new_page()
    page.goto(cluster.url + PAGE, timeout=LOAD_TIMEOUT)
    page.wait_for_function(FIRST_CHART, timeout=LOAD_TIMEOUT)
    worker = next(c["value"] for c in context.cookies() if c["name"] == "kortools_worker")
    return context, page, worker


def test_visitors_are_spread_over_the_workers_and_their_sliders_work(browser, cluster, output_dir):
    first, first_page, first_worker = open_dashboard(browser, cluster)
    second, second_page, second_worker = open_dashboard(browser, cluster)
    try:
        assert {first_worker, second_worker} == {"w1", "w2"}  # round robin for new visitors
        for page in (first_page, second_page):
            # the slider's change reaches the kernel on the page's own worker (its websocket)
            chart_before = page.locator("img").nth(0).get_attribute("src")
            page.locator(".noUi-handle").first.focus()
            for _ in range(5):
                page.keyboard.press("ArrowLeft")
            page.wait_for_function(
                "() => document.querySelector('.widget-readout').innerText.trim() === '95'"
            )
            # 0.09 × 15,675 − 0.21 × 2,500 = 885.75 (the default scenario at 95% consumers)
            page.wait_for_function("() => document.querySelector('.kt-gain').dataset.gain === '885.75'")
            page.wait_for_function("(b) => document.querySelectorAll('img')[0].src !== b", arg=chart_before)
        # a reload stays on the same worker (the cookie)
        first_page.reload(timeout=LOAD_TIMEOUT)
        first_page.wait_for_function(FIRST_CHART, timeout=LOAD_TIMEOUT)
        assert next(c["value"] for c in first.cookies() if c["name"] == "kortools_worker") == first_worker
        first_page.screenshot(path=output_dir / "cluster_slider.png", full_page=True)
    finally:
        first.close()
        second.close()


def test_the_workers_share_the_cap_one_server_would_take(monkeypatch):
    from kortools.serving.cluster import total_kernel_cap

    monkeypatch.setenv("KORTOOLS_MAX_KERNELS", "12")
    assert total_kernel_cap() == 12
